"""Instants round-trip as aware UTC datetimes on both backends; naive ones are refused."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update
from sqlalchemy.exc import StatementError
from store_factories import make_ticket, seed_minimal

from deskui.store.models import MailQuarantine, Ticket
from deskui.store.session import Database

ZONES = [
    dt.UTC,
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Pacific/Chatham"),
]

instants = st.datetimes(
    min_value=dt.datetime(1970, 1, 2),
    max_value=dt.datetime(2200, 1, 1),
    timezones=st.sampled_from(ZONES),
).filter(lambda value: value.utcoffset() is not None)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(instant=instants)
def test_aware_instants_round_trip_as_utc(database: Database, instant: dt.datetime) -> None:
    with database.write() as session:
        row = MailQuarantine(received_at=instant, raw=b"x", reason="test")
        session.add(row)
        session.flush()
        row_id = row.id
    with database.read() as session:
        stored = session.execute(
            select(MailQuarantine.received_at).where(MailQuarantine.id == row_id)
        ).scalar_one()
    # Compared in UTC: PEP 495 makes inter-zone == False for times in a DST fold or gap.
    assert stored.tzinfo is dt.UTC
    assert stored == instant.astimezone(dt.UTC)


def test_naive_datetimes_are_refused(database: Database) -> None:
    # SQLAlchemy wraps the type's ValueError in a StatementError that names the statement.
    with pytest.raises(StatementError, match="naive datetime"), database.write() as session:
        session.add(MailQuarantine(received_at=dt.datetime(2026, 1, 1), raw=b"", reason="x"))
        session.flush()


def test_comparisons_use_instants_not_local_wall_times(database: Database) -> None:
    new_york = ZoneInfo("America/New_York")
    with database.write() as session:
        seeded = seed_minimal(session)
        early = make_ticket(
            session, seeded, next_due_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=new_york)
        )
        late = make_ticket(
            session, seeded, next_due_at=dt.datetime(2026, 3, 2, 16, 0, tzinfo=dt.UTC)
        )
        early_id, late_id = early.id, late.id
    # 10:00 in New York is 15:00 UTC: before 16:00 UTC, though its wall time is earlier still.
    cutoff = dt.datetime(2026, 3, 2, 11, 30, tzinfo=ZoneInfo("America/Chicago"))  # 17:30 UTC
    with database.read() as session:
        due_before = session.scalars(
            select(Ticket.id).where(Ticket.next_due_at < cutoff).order_by(Ticket.next_due_at)
        ).all()
        stored = session.get_one(Ticket, early_id).next_due_at
    assert due_before == [early_id, late_id]
    assert stored == dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def test_sqlite_stores_naive_utc_text(sqlite_db_url: str) -> None:
    db = Database(sqlite_db_url)
    try:
        with db.write() as session:
            session.add(
                MailQuarantine(
                    received_at=dt.datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/London")),
                    raw=b"",
                    reason="x",
                )
            )
        with db.read() as session:
            raw = session.execute(text("SELECT received_at FROM mail_quarantine")).scalar_one()
        assert raw == "2026-07-01 08:30:00.000000"
    finally:
        db.dispose()


def test_postgresql_stores_timestamptz(postgres_db_url: str) -> None:
    db = Database(postgres_db_url)
    try:
        with db.read() as session:
            data_type = session.execute(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'ticket' AND column_name = 'next_due_at'"
                )
            ).scalar_one()
        assert data_type == "timestamp with time zone"
        with db.write() as session:
            seeded = seed_minimal(session)
            ticket = make_ticket(session, seeded)
            session.execute(
                update(Ticket)
                .where(Ticket.id == ticket.id)
                .values(eta_at=dt.datetime(2026, 1, 1, 12, tzinfo=ZoneInfo("Asia/Tokyo")))
            )
        with db.read() as session:
            assert session.execute(
                text("SELECT eta_at AT TIME ZONE 'UTC' FROM ticket")
            ).scalar_one() == (dt.datetime(2026, 1, 1, 3, 0))
    finally:
        db.dispose()
