"""A ticket's SLA clocks kept in step with its interaction log.

The clock state is a pure function of the ticket (policy, priority, opening time) and its log:
``clock_events`` reads the log entries that matter to the clocks, ``compute_clocks`` (the SLA
engine) does the rest, and ``store_clocks`` writes the result into the ticket's clock columns
(due instants, ``next_due_at``/``next_clock`` for the queue, pause and meeting times). The
ticket services call ``refresh_clocks`` after every write that can change a clock, in the same
transaction, so the stored columns never disagree with the log.

How log entries read to the clocks:

- ``acknowledgement`` → acknowledged;
- ``call-out`` / ``email-out`` (a reply to the customer) → responded;
- ``status-change`` with ``meta {"from": …, "to": …}`` → paused / resumed / resolved /
  reopened (``deskui.domain.workflow.clock_event_kind``);
- ``eta-change`` with ``meta {"clock": "resolution", "due": ISO}`` → the agreed due of that
  clock (the engine uses it only when the clock's target is ``negotiated``).

The stored columns are computed without a "now" (every logged event counts), so they do not
drift while a ticket sits still; ``paused_business_seconds`` is the waiting time of finished
pauses, and ``paused_at`` says when the current one began.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from deskui.domain.sla.clock_info import CLOCK_INFO
from deskui.domain.sla.clocks import ClockEvent, ClockState, compute_clocks, next_due
from deskui.domain.sla.policy import Clock, PolicySpec
from deskui.domain.vocabulary import InteractionKind
from deskui.domain.workflow import clock_event_kind
from deskui.services.tickets.sla_context import SlaContext
from deskui.store.models import Interaction, Ticket

# The log entries that can mean something to a clock; the rest are never read for clocks.
CLOCK_KINDS: frozenset[InteractionKind] = frozenset(
    {
        InteractionKind.ACKNOWLEDGEMENT,
        InteractionKind.CALL_OUT,
        InteractionKind.EMAIL_OUT,
        InteractionKind.STATUS_CHANGE,
        InteractionKind.ETA_CHANGE,
    }
)
_REPLIES = frozenset({InteractionKind.CALL_OUT, InteractionKind.EMAIL_OUT})


@dataclass(frozen=True, slots=True)
class LogEntry:
    """The part of a log entry the clocks read (plain data, so mapping is testable alone)."""

    kind: str
    at: dt.datetime
    meta: Mapping[str, Any] = field(default_factory=dict)


def clock_event(entry: LogEntry) -> ClockEvent | None:
    """The clock event one log entry stands for, or ``None``."""
    try:
        kind = InteractionKind(entry.kind)
    except ValueError:
        return None
    if kind is InteractionKind.ACKNOWLEDGEMENT:
        return ClockEvent("acknowledged", entry.at)
    if kind in _REPLIES:
        return ClockEvent("responded", entry.at)
    if kind is InteractionKind.STATUS_CHANGE:
        meaning = clock_event_kind(entry.meta.get("from"), entry.meta.get("to"))
        return ClockEvent(meaning, entry.at) if meaning is not None else None
    if kind is InteractionKind.ETA_CHANGE:
        return _agreed_due(entry)
    return None


def _agreed_due(entry: LogEntry) -> ClockEvent | None:
    clock_text, due_text = entry.meta.get("clock"), entry.meta.get("due")
    if not isinstance(clock_text, str) or not isinstance(due_text, str):
        return None
    try:
        clock = Clock(clock_text)
        due = dt.datetime.fromisoformat(due_text)
    except ValueError:
        return None
    if due.tzinfo is None:
        return None
    return ClockEvent("due_agreed", entry.at, clock=clock, due=due)


def clock_events(entries: Iterable[LogEntry]) -> list[ClockEvent]:
    """The clock events of a log, in log order (oldest first)."""
    return [event for entry in entries if (event := clock_event(entry)) is not None]


def load_clock_events(session: Session, ticket_id: int) -> list[ClockEvent]:
    """The clock events of a stored ticket's log (only the entry kinds that can matter)."""
    rows = session.execute(
        select(Interaction.kind, Interaction.at, Interaction.meta)
        .where(Interaction.ticket_id == ticket_id, Interaction.kind.in_(CLOCK_KINDS))
        .order_by(Interaction.at, Interaction.id)
    )
    return clock_events(LogEntry(r.kind, r.at, r.meta or {}) for r in rows)


def ticket_clocks(
    context: SlaContext,
    policy: PolicySpec,
    ticket: Ticket,
    events: Iterable[ClockEvent],
    now: dt.datetime | None = None,
) -> dict[Clock, ClockState]:
    """``compute_clocks`` for a stored ticket (its priority on its policy)."""
    return compute_clocks(policy, ticket.priority, context.book, ticket.opened_at, events, now)


def _utc(instant: dt.datetime | None) -> dt.datetime | None:
    return instant.astimezone(dt.UTC) if instant is not None else None


def store_clocks(ticket: Ticket, states: Mapping[Clock, ClockState]) -> None:
    """Write ``states`` (computed without a "now") into the ticket's clock columns."""
    for clock, info in CLOCK_INFO.items():
        setattr(ticket, info.due_field, _utc(states[clock].due_at))
        setattr(ticket, info.met_field, _utc(states[clock].met_at))
    upcoming = next_due(states)
    ticket.next_clock = upcoming[0] if upcoming is not None else None
    ticket.next_due_at = _utc(upcoming[1]) if upcoming is not None else None
    # The clock that pauses (resolution) is the one whose pause the ticket records.
    pausing = next(states[clock] for clock, info in CLOCK_INFO.items() if info.pauses)
    ticket.paused_at = _utc(pausing.paused_at) if pausing.paused else None
    ticket.paused_business_seconds = pausing.paused_business_seconds


def met_due_columns(clock: Clock) -> tuple[Any, Any]:
    """The ticket's columns for when ``clock`` was met and when it is due (for queries)."""
    info = CLOCK_INFO[clock]
    return getattr(Ticket, info.met_field), getattr(Ticket, info.due_field)


def current_clocks(
    session: Session,
    context: SlaContext,
    policy: PolicySpec,
    ticket: Ticket,
    new_entries: Iterable[Interaction] = (),
    now: dt.datetime | None = None,
) -> dict[Clock, ClockState]:
    """The ticket's clocks from its stored log plus ``new_entries`` (added in this
    transaction, maybe not flushed yet).

    Nothing is flushed here (a second flush of the ticket would bump its version twice in
    one change): the stored log is read without autoflush and the new entries are added from
    memory, after the stored ones (the engine sorts by time and keeps log order for ties).
    """
    new = list(new_entries)
    flushed = {entry.id for entry in new if entry.id is not None}
    stored: list[LogEntry] = []
    if ticket.id is not None:
        with session.no_autoflush:
            rows = session.execute(
                select(Interaction.id, Interaction.kind, Interaction.at, Interaction.meta)
                .where(Interaction.ticket_id == ticket.id, Interaction.kind.in_(CLOCK_KINDS))
                .order_by(Interaction.at, Interaction.id)
            )
            stored = [LogEntry(r.kind, r.at, r.meta or {}) for r in rows if r.id not in flushed]
    entries = stored + [LogEntry(e.kind, e.at, e.meta or {}) for e in new]
    return ticket_clocks(context, policy, ticket, clock_events(entries), now)


def refresh_clocks(
    session: Session,
    context: SlaContext,
    policy: PolicySpec,
    ticket: Ticket,
    new_entries: Iterable[Interaction] = (),
) -> dict[Clock, ClockState]:
    """Recompute the ticket's clocks from its whole log and store them; returns the states."""
    states = current_clocks(session, context, policy, ticket, new_entries)
    store_clocks(ticket, states)
    return states
