"""``Database.read()``/``write()``: one transaction each, and driver errors turned into the
domain's StoreBusyError / StaleEditError / StoreUnavailableError."""

from __future__ import annotations

import sqlite3
import threading
import time

import psycopg
import pytest
from sqlalchemy import select, text, update
from store_factories import make_ticket, seed_minimal

from deskui.domain.storage_errors import StaleEditError, StoreBusyError, StoreUnavailableError
from deskui.store.models import Agent, Ticket
from deskui.store.session import Database


@pytest.fixture
def ticket_id(database: Database) -> int:
    with database.write() as session:
        return make_ticket(session, seed_minimal(session)).id


def _subject(database: Database, ticket_id: int) -> tuple[str, int]:
    with database.read() as session:
        ticket = session.get_one(Ticket, ticket_id)
        return ticket.subject, ticket.version


def test_write_commits_and_bumps_the_version(database: Database, ticket_id: int) -> None:
    with database.write() as session:
        session.get_one(Ticket, ticket_id).subject = "Renamed"
    assert _subject(database, ticket_id) == ("Renamed", 2)


def test_write_rolls_back_on_error(database: Database, ticket_id: int) -> None:
    with pytest.raises(RuntimeError, match="boom"), database.write() as session:
        session.get_one(Ticket, ticket_id).subject = "Renamed"
        session.flush()
        raise RuntimeError("boom")
    assert _subject(database, ticket_id) == ("Cannot log in", 1)


def test_read_never_commits(database: Database, ticket_id: int) -> None:
    with database.read() as session:
        session.get_one(Ticket, ticket_id).subject = "Renamed"
        session.flush()
    assert _subject(database, ticket_id) == ("Cannot log in", 1)


def test_objects_stay_readable_after_the_block(database: Database, ticket_id: int) -> None:
    with database.read() as session:
        ticket = session.get_one(Ticket, ticket_id)
    assert ticket.reference == "DSK-000001"


def test_roles_are_a_set_of_enums(database: Database, ticket_id: int) -> None:
    with database.read() as session:
        alice = session.scalars(select(Agent).where(Agent.handle == "alice")).one()
        assert set(alice.roles) == {"agent", "supervisor"}


def test_a_lost_update_inside_a_transaction_is_a_stale_edit(
    database: Database, ticket_id: int
) -> None:
    """Another writer bumps the row between our load and our flush (simulated with a Core
    UPDATE the ORM does not see): the version check refuses our UPDATE."""
    with pytest.raises(StaleEditError, match="someone else saved"), database.write() as session:
        ticket = session.get_one(Ticket, ticket_id)
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(subject="Theirs", version=Ticket.version + 1)
            .execution_options(synchronize_session=False)
        )
        ticket.subject = "Mine"
        session.flush()
    assert _subject(database, ticket_id) == ("Cannot log in", 1)


def test_concurrent_read_modify_write_never_loses_an_update(
    database: Database, ticket_id: int
) -> None:
    """The first writer has changed the ticket but not committed when the second starts.
    SQLite makes the second wait at BEGIN IMMEDIATE, so it reads the first's version and both
    succeed; PostgreSQL lets the second read version 1, and the version check then refuses it.
    Either way, nothing that reported success is lost."""
    changed = threading.Event()
    outcomes: dict[str, str] = {}

    def edit(name: str) -> None:
        try:
            with database.write() as session:
                ticket = session.get_one(Ticket, ticket_id)
                ticket.subject = f"{ticket.subject}+{name}"
                session.flush()
                if name == "first":
                    changed.set()
                    time.sleep(0.3)
            outcomes[name] = "ok"
        except StaleEditError:
            outcomes[name] = "stale"

    first = threading.Thread(target=edit, args=("first",))
    first.start()
    assert changed.wait(timeout=10)
    second = threading.Thread(target=edit, args=("second",))
    second.start()
    first.join(timeout=15)
    second.join(timeout=15)
    subject, version = _subject(database, ticket_id)
    if database.dialect == "sqlite":
        assert outcomes == {"first": "ok", "second": "ok"}
        assert (subject, version) == ("Cannot log in+first+second", 3)
    else:
        assert outcomes == {"first": "ok", "second": "stale"}
        assert (subject, version) == ("Cannot log in+first", 2)


def test_sqlite_busy_is_a_store_busy_error(sqlite_db_url: str) -> None:
    path = sqlite_db_url.removeprefix("sqlite:///")
    db = Database(sqlite_db_url, busy_timeout=0.2)
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(StoreBusyError, match="busy") as busy, db.write() as session:
            session.execute(text("SELECT 1"))
        # It waited about its busy_timeout, then gave up (15 s: a bound only a hang exceeds).
        assert 0.15 < time.monotonic() - started < 15
        assert "locked" not in str(busy.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        db.dispose()


def test_postgresql_row_lock_timeout_is_a_store_busy_error(
    postgres_db_url: str,
) -> None:
    db = Database(postgres_db_url, busy_timeout=0.2)
    try:
        with db.write() as session:
            ticket_id = make_ticket(session, seed_minimal(session)).id
        dsn = postgres_db_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn) as blocker:
            blocker.execute("SELECT id FROM ticket WHERE id = %s FOR UPDATE", (ticket_id,))
            with pytest.raises(StoreBusyError, match="locked"), db.write() as session:
                session.get_one(Ticket, ticket_id).subject = "Mine"
            blocker.rollback()
    finally:
        db.dispose()


def test_unreachable_postgresql_is_store_unavailable() -> None:
    from pg import free_port

    db = Database(f"postgresql://nobody@127.0.0.1:{free_port()}/nothing")
    try:
        with pytest.raises(StoreUnavailableError, match="cannot be reached"), db.read() as session:
            session.execute(text("SELECT 1"))
    finally:
        db.dispose()
