"""The change feed's write side and catch-up reads: every committed change records an event.

``record_event`` writes to the ``event`` table in the caller's write transaction and, on
PostgreSQL, queues ``pg_notify('deskui_events', …)``, which the server delivers at commit (and
drops on rollback). Listeners treat the notification as a hint and read ``events_after`` to
learn what changed; after a reconnect they catch up the same way.

"Everything after id N" must never skip an event that commits late. On SQLite, writers are
serialised (``BEGIN IMMEDIATE``), so ids follow commit order. On PostgreSQL, a sequence hands
out ids at insert time, so a transaction-scoped advisory lock taken just before the insert
makes each event's id and its commit happen in the same order. Call ``record_event`` as the
LAST statement of a write transaction: it flushes the session first and then holds the lock
until commit, so the lock is never held while waiting for anything else (no deadlocks).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from deskui.store.models import Event

EVENTS_CHANNEL = "deskui_events"
# pg_advisory_xact_lock key for "allocating an event id"; any constant unique to deskui.
_EVENT_LOCK_KEY = 0x6465736B  # "desk"


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One recorded change, as read back by ``events_after``."""

    id: int
    at: dt.datetime
    ticket_id: int | None
    kind: str
    payload: dict[str, Any]


def record_event(
    session: Session,
    kind: str,
    ticket_id: int | None = None,
    payload: dict[str, Any] | None = None,
    *,
    at: dt.datetime | None = None,
) -> int:
    """Record a change in this transaction (and NOTIFY on PostgreSQL); returns the event id."""
    session.flush()
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(select(func.pg_advisory_xact_lock(_EVENT_LOCK_KEY)))
    event_id = session.execute(
        insert(Event)
        .values(
            at=at or dt.datetime.now(dt.UTC),
            ticket_id=ticket_id,
            kind=kind,
            payload=payload or {},
        )
        .returning(Event.id)
    ).scalar_one()
    if postgres:
        # Only the ids travel: a NOTIFY payload is limited to 8000 bytes.
        hint = json.dumps({"id": event_id, "ticket_id": ticket_id, "kind": kind})
        session.execute(select(func.pg_notify(EVENTS_CHANNEL, hint)))
    return int(event_id)


def latest_event_id(session: Session) -> int:
    """The newest event id, 0 when there are none."""
    return int(session.execute(select(func.coalesce(func.max(Event.id), 0))).scalar_one())


def events_after(session: Session, after_id: int, *, limit: int = 1000) -> list[EventRecord]:
    """Events with id greater than ``after_id``, oldest first, at most ``limit``."""
    rows = session.execute(
        select(Event.id, Event.at, Event.ticket_id, Event.kind, Event.payload)
        .where(Event.id > after_id)
        .order_by(Event.id)
        .limit(limit)
    )
    return [
        EventRecord(id=r.id, at=r.at, ticket_id=r.ticket_id, kind=r.kind, payload=r.payload)
        for r in rows
    ]
