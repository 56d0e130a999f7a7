"""Code run in child processes by the concurrency tests (importable, so ``spawn`` can find it)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from deskui.store.changes import record_event
from deskui.store.models import Ticket
from deskui.store.references import next_reference
from deskui.store.session import Database


def create_tickets(
    url: str, fields: dict[str, Any], prefix: str, count: int, start_at: float = 0.0
) -> list[str]:
    """Create ``count`` tickets with ``fields``, one write transaction each, numbered from the
    ``prefix`` counter; return the references handed out. Every worker waits for the wall-clock
    ``start_at`` (connected and ready) so that they really do write at the same time."""
    db = Database(url)
    references = []
    try:
        with db.read() as session:
            session.execute(select(1))
        time.sleep(max(0.0, start_at - time.time()))
        for number in range(count):
            with db.write() as session:
                reference = next_reference(session, prefix)
                session.add(Ticket(reference=reference, subject=f"load {number}", **fields))
            references.append(reference)
    finally:
        db.dispose()
    return references


def warm_up(seconds: float) -> None:
    """Give a pool worker something to import (this module, hence deskui) and hold it busy, so
    that every worker of the pool gets one and is ready before a test starts timing."""
    time.sleep(seconds)


def record_events(
    url: str, count: int, gap: float, start_at: float = 0.0
) -> list[tuple[int, float]]:
    """Commit ``count`` events, one write transaction each, ``gap`` seconds apart, starting at
    the wall-clock ``start_at``; return ``(event id, wall-clock time just after commit)`` pairs,
    for measuring how long a commit takes to reach a watcher in another process."""
    db = Database(url)
    committed = []
    try:
        with db.read() as session:
            session.execute(select(1))
        time.sleep(max(0.0, start_at - time.time()))
        for number in range(count):
            with db.write() as session:
                event_id = record_event(session, "test.change", None, {"n": number})
            committed.append((event_id, time.time()))
            time.sleep(gap)
    finally:
        db.dispose()
    return committed
