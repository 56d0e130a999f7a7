"""Who else has a ticket open: heartbeats in ``ticket_presence``, read by the ticket view.

An open ticket screen calls ``beat`` every few seconds (in a worker): it upserts its own row
(one per app session and ticket) and returns the *other* sessions seen within ``FRESH`` —
rows older than that belong to apps that crashed or lost the database, and are ignored (and
cleared now and then). ``leave`` removes the row when the screen closes.

Presence is polled rather than announced through the change feed: a heartbeat every few
seconds from every open ticket would flood the events table for something nobody needs to
keep. Others see a new viewer at their next beat, so within ``BEAT_SECONDS``.

Times are the wall clock, not the desk's (possibly frozen) business clock: presence is about
which apps are alive now. The table has no "opened at" column, so the session id carries
when the session opened the ticket (``<random>@<unix seconds>``), for "(2 min)".
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import CursorResult, delete, select, update

from deskui.services.errors import NotFoundError, TicketNotFoundError
from deskui.services.tickets.unit_of_work import normalise_reference
from deskui.store.models import Agent, Ticket, TicketPresence
from deskui.store.session import Database

BEAT_SECONDS = 3.0
FRESH = dt.timedelta(seconds=30)
# Rows this old are deleted by whoever beats next (a crashed app never says goodbye).
FORGET = dt.timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Another session with the ticket open."""

    handle: str
    name: str
    since: dt.datetime

    def label(self, now: dt.datetime) -> str:
        """``Dev Patel (2 min)``: who, and for how long they have had it open."""
        minutes = max(0, int((now - self.since).total_seconds() // 60))
        return f"{self.name} ({minutes} min)"


def new_session_id(now: dt.datetime | None = None) -> str:
    """A session id that also says when the session opened the ticket."""
    opened = now or dt.datetime.now(dt.UTC)
    return f"{secrets.token_hex(8)}@{int(opened.timestamp())}"


def opened_at(session_id: str, fallback: dt.datetime) -> dt.datetime:
    """When ``session_id`` opened its ticket (``fallback`` for ids made elsewhere)."""
    _, _, stamp = session_id.rpartition("@")
    try:
        return dt.datetime.fromtimestamp(int(stamp), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return fallback


def also_open_by(viewers: list[Viewer], now: dt.datetime) -> str:
    """The presence line: ``Also open by: Dev Patel (2 min), …``; empty when nobody else."""
    if not viewers:
        return ""
    return "Also open by: " + ", ".join(viewer.label(now) for viewer in viewers)


def beat(
    database: Database,
    ref: str,
    handle: str,
    session_id: str,
    *,
    now: dt.datetime | None = None,
) -> list[Viewer]:
    """Mark ``session_id`` (agent ``handle``) as viewing ``ref`` now; the other fresh viewers,
    longest-open first."""
    at = now or dt.datetime.now(dt.UTC)
    reference = normalise_reference(ref)
    with database.write() as session:
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.reference == reference))
        if ticket_id is None:
            raise TicketNotFoundError(f"no ticket {reference!r}")
        agent_id = session.scalar(select(Agent.id).where(Agent.handle == handle))
        if agent_id is None:
            raise NotFoundError(f"unknown agent {handle!r}")
        result = session.execute(
            update(TicketPresence)
            .where(TicketPresence.ticket_id == ticket_id, TicketPresence.session_id == session_id)
            .values(seen_at=at, agent_id=agent_id)
        )
        assert isinstance(result, CursorResult)  # an UPDATE's result counts its rows
        updated = result.rowcount
        if not updated:
            session.add(
                TicketPresence(
                    ticket_id=ticket_id, session_id=session_id, agent_id=agent_id, seen_at=at
                )
            )
        session.execute(delete(TicketPresence).where(TicketPresence.seen_at < at - FORGET))
        rows = session.execute(
            select(TicketPresence.session_id, TicketPresence.seen_at, Agent.handle, Agent.name)
            .join(Agent, Agent.id == TicketPresence.agent_id)
            .where(
                TicketPresence.ticket_id == ticket_id,
                TicketPresence.session_id != session_id,
                TicketPresence.seen_at >= at - FRESH,
            )
        ).all()
    viewers = [Viewer(row.handle, row.name, opened_at(row.session_id, row.seen_at)) for row in rows]
    return sorted(viewers, key=lambda viewer: (viewer.since, viewer.name))


def leave(database: Database, ref: str, session_id: str) -> None:
    """Forget ``session_id``'s presence on ``ref`` (the screen closed)."""
    reference = normalise_reference(ref)
    with database.write() as session:
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.reference == reference))
        if ticket_id is not None:
            session.execute(
                delete(TicketPresence).where(
                    TicketPresence.ticket_id == ticket_id,
                    TicketPresence.session_id == session_id,
                )
            )


def others_viewing(
    database: Database,
    ticket_ids: list[int],
    handle: str,
    *,
    now: dt.datetime | None = None,
) -> dict[int, list[str]]:
    """For the queue rows on screen: which *other* agents (handles, sorted) have each of
    ``ticket_ids`` open now (a fresh heartbeat); tickets nobody else has open are left out.
    One query over the rows given, so a page of 200 costs one index lookup each."""
    if not ticket_ids:
        return {}
    at = now or dt.datetime.now(dt.UTC)
    with database.read() as session:
        rows = session.execute(
            select(TicketPresence.ticket_id, Agent.handle)
            .join(Agent, Agent.id == TicketPresence.agent_id)
            .where(
                TicketPresence.ticket_id.in_(ticket_ids),
                TicketPresence.seen_at >= at - FRESH,
                Agent.handle != handle,
            )
        ).all()
    found: dict[int, set[str]] = {}
    for ticket_id, other in rows:
        found.setdefault(int(ticket_id), set()).add(str(other))
    return {ticket_id: sorted(handles) for ticket_id, handles in found.items()}
