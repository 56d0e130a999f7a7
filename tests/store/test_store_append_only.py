"""The interaction log is append-only in the database itself: raw SQL cannot change or delete an
entry, and a ticket with log entries cannot be deleted, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import DBAPIError
from store_factories import T0, make_ticket, seed_minimal

from deskui.domain.storage_errors import StoreFailedError
from deskui.domain.vocabulary import Direction, InteractionKind
from deskui.store.models import Interaction, Ticket
from deskui.store.session import Database

REFUSAL = "interaction log is append-only"


@pytest.fixture
def logged(database: Database) -> tuple[int, int]:
    """(ticket id, interaction id) of a ticket with one log entry."""
    with database.write() as session:
        seeded = seed_minimal(session)
        ticket = make_ticket(session, seeded)
        entry = Interaction(
            ticket_id=ticket.id,
            at=T0,
            kind=InteractionKind.EMAIL_IN,
            direction=Direction.IN,
            author_name="Pat Liaison",
            body="It is broken",
            meta={"message_id": "<1@acme.example>"},
        )
        session.add(entry)
        session.flush()
        return ticket.id, entry.id


def _log(database: Database) -> list[tuple[int, str]]:
    with database.read() as session:
        return [tuple(row) for row in session.execute(select(Interaction.id, Interaction.body))]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE interaction SET body = 'rewritten'",
        "UPDATE interaction SET at = at",
        "DELETE FROM interaction",
        "DELETE FROM interaction WHERE id = :id",
    ],
)
def test_raw_sql_cannot_change_the_log(
    database: Database, logged: tuple[int, int], statement: str
) -> None:
    before = _log(database)
    with database.engine.connect() as connection:
        with pytest.raises(DBAPIError, match=REFUSAL):
            connection.execute(text(statement), {"id": logged[1]})
        connection.rollback()
    assert _log(database) == before


def test_appending_still_works(database: Database, logged: tuple[int, int]) -> None:
    with database.write() as session:
        session.add(
            Interaction(
                ticket_id=logged[0],
                at=T0 + dt.timedelta(minutes=5),
                kind=InteractionKind.NOTE,
                direction=Direction.INTERNAL,
                body="Looking",
            )
        )
    with database.read() as session:
        count = session.execute(select(func.count()).select_from(Interaction)).scalar_one()
    assert count == 2


def test_orm_edit_of_a_log_entry_is_refused(database: Database, logged: tuple[int, int]) -> None:
    # A write transaction turns the driver's refusal into the store's own error.
    with pytest.raises(StoreFailedError, match=REFUSAL), database.write() as session:
        session.get_one(Interaction, logged[1]).body = "rewritten"
    assert _log(database) == [(logged[1], "It is broken")]


def test_a_ticket_with_a_log_cannot_be_deleted(database: Database, logged: tuple[int, int]) -> None:
    with pytest.raises(StoreFailedError) as refused, database.write() as session:
        session.execute(delete(Ticket).where(Ticket.id == logged[0]))
    assert isinstance(refused.value.__cause__, DBAPIError)
    with pytest.raises(StoreFailedError) as refused, database.write() as session:
        session.delete(session.get_one(Ticket, logged[0]))
    assert isinstance(refused.value.__cause__, DBAPIError)
    with database.read() as session:
        assert session.get(Ticket, logged[0]) is not None
    assert _log(database) == [(logged[1], "It is broken")]


def test_postgresql_refuses_truncate(postgres_db_url: str) -> None:
    db = Database(postgres_db_url)
    try:
        with db.engine.connect() as connection:
            with pytest.raises(DBAPIError, match=REFUSAL):
                connection.execute(text("TRUNCATE interaction CASCADE"))
            connection.rollback()
    finally:
        db.dispose()


def test_the_log_reads_in_time_order(database: Database, logged: tuple[int, int]) -> None:
    with database.write() as session:
        for minutes in (30, 10, 20):
            session.add(
                Interaction(
                    ticket_id=logged[0],
                    at=T0 + dt.timedelta(minutes=minutes),
                    kind=InteractionKind.NOTE,
                    direction=Direction.INTERNAL,
                    body=f"+{minutes}m",
                )
            )
    with database.read() as session:
        bodies = [entry.body for entry in session.get_one(Ticket, logged[0]).interactions]
    assert bodies == ["It is broken", "+10m", "+20m", "+30m"]
