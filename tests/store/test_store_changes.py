"""The change feed: events are recorded in the writer's transaction, read back in id order,
handed out in commit order, and announced with NOTIFY on PostgreSQL at commit only."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from store_factories import make_ticket, seed_minimal

from deskui.store.changes import EVENTS_CHANNEL, events_after, latest_event_id, record_event
from deskui.store.session import Database


def test_events_round_trip_in_order(database: Database) -> None:
    with database.read() as session:
        assert latest_event_id(session) == 0
        assert events_after(session, 0) == []
    with database.write() as session:
        ticket = make_ticket(session, seed_minimal(session))
        first = record_event(session, "ticket.created", ticket.id, {"reference": ticket.reference})
    with database.write() as session:
        second = record_event(session, "desk.settings")
    with database.read() as session:
        events = events_after(session, 0)
        assert latest_event_id(session) == second
        assert [e.id for e in events_after(session, first)] == [second]
        assert events_after(session, 0, limit=1) == events[:1]
    assert [(e.id, e.kind, e.ticket_id, e.payload) for e in events] == [
        (first, "ticket.created", ticket.id, {"reference": "DSK-000001"}),
        (second, "desk.settings", None, {}),
    ]
    assert second > first


def test_a_rolled_back_change_leaves_no_event(database: Database) -> None:
    with pytest.raises(RuntimeError), database.write() as session:
        record_event(session, "desk.settings")
        raise RuntimeError("cancelled")
    with database.read() as session:
        assert events_after(session, 0) == []


def test_ids_follow_commit_order(database: Database) -> None:
    """A second writer cannot take an event id while the first has one uncommitted, so a
    reader that has seen id N can never later find a smaller id committed."""
    recorded = threading.Event()
    timeline: dict[str, float] = {}
    ids: dict[str, int] = {}

    def first() -> None:
        with database.write() as session:
            ids["first"] = record_event(session, "first")
            recorded.set()
            time.sleep(0.3)
            # Taken as the commit begins: the time after it returns also holds the commit's
            # round trip, which the second writer (let go by that commit) can beat.
            timeline["first committing"] = time.monotonic()

    def second() -> None:
        with database.write() as session:
            ids["second"] = record_event(session, "second")
            timeline["second recorded"] = time.monotonic()

    one = threading.Thread(target=first)
    one.start()
    assert recorded.wait(timeout=10)
    two = threading.Thread(target=second)
    two.start()
    one.join(timeout=15)
    two.join(timeout=15)
    assert ids["second"] > ids["first"]
    assert timeline["second recorded"] >= timeline["first committing"]


def test_postgresql_notifies_at_commit_only(postgres_db_url: str) -> None:
    db = Database(postgres_db_url)
    dsn = postgres_db_url.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(dsn, autocommit=True) as listener:
            listener.execute(f"LISTEN {EVENTS_CHANNEL}")
            with pytest.raises(RuntimeError), db.write() as session:
                record_event(session, "rolled.back")
                raise RuntimeError("cancelled")
            with db.write() as session:
                event_id = record_event(session, "ticket.updated", None, {"big": "x" * 10_000})
            received = list(listener.notifies(timeout=5, stop_after=1))
            assert [n.channel for n in received] == [EVENTS_CHANNEL]
            assert received[0].payload == (
                f'{{"id": {event_id}, "ticket_id": null, "kind": "ticket.updated"}}'
            )
            assert list(listener.notifies(timeout=0.2)) == []
    finally:
        db.dispose()
