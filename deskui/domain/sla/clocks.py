"""Per-ticket SLA clock state, computed from the opening instant and the ticket's events.

``compute_clocks`` is a pure function of (policy, priority, opening time, events): a priority
or policy change is handled by calling it again with the new priority and the whole history,
which recomputes every due from the opening time minus the pauses.

Rules:

- acknowledgement is met by the first ``acknowledged`` event, response by the first
  ``responded`` (first agent reply to the customer), resolution by ``resolved``. A reply also
  acknowledges, and resolving (which means telling the customer) also meets both earlier
  clocks if they were still unmet; reopening does not un-meet them;
- only waiting on the customer (``paused`` … ``resumed``) pauses a clock, and only the
  resolution clock; on resume its due moves later by exactly the business time paused;
- ``reopened`` resumes the resolution clock from where it stopped: the business time between
  resolving and reopening does not count (the due moves by it, like a pause);
- a stop that begins after the due has passed does not move it: the breach already happened;
- a ``negotiated`` target has no due until a ``due_agreed`` event for that clock sets one;
  stops after the agreement move it like any other due, stops before it are the agent's to
  allow for. ``due_agreed`` is ignored for clocks with a computed target;
- a priority with no target for a clock yields a state with ``target=None`` and no due.

All arithmetic is on the calendar the clock's target counts on (the policy's calendar unless
the target names another, like ``1h on kenco-24x7``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.calendar.compiled import CompiledCalendar
from deskui.domain.calendar.localtime import from_epoch, to_epoch
from deskui.domain.sla.clock_info import CLOCK_INFO
from deskui.domain.sla.due import due_epoch, target_calendar
from deskui.domain.sla.policy import CLOCKS, Clock, NegotiatedTarget, PolicySpec, Target

EventKind = Literal[
    "acknowledged", "responded", "paused", "resumed", "resolved", "reopened", "due_agreed"
]
EVENT_KINDS: tuple[EventKind, ...] = (
    "acknowledged",
    "responded",
    "paused",
    "resumed",
    "resolved",
    "reopened",
    "due_agreed",
)
StopKind = Literal["paused", "resolved"]


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """Something that happened to a ticket that SLA clocks care about."""

    kind: EventKind
    at: dt.datetime
    clock: Clock | None = None
    due: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown clock event {self.kind!r} (known: {', '.join(EVENT_KINDS)})")
        if self.at.tzinfo is None:
            raise ValueError("clock events need aware datetimes")
        if self.kind == "due_agreed" and (self.clock is None or self.due is None):
            raise ValueError("a due_agreed event needs the clock and the agreed due")


@dataclass(frozen=True, slots=True)
class Stop:
    """A stretch in which a clock did not count: waiting on the customer, or resolved."""

    kind: StopKind
    start: dt.datetime
    end: dt.datetime | None  # None: still stopped
    business_seconds: int  # up to ``end``, or up to ``now`` while still stopped
    moved_due: bool  # whether it pushed the due later (it began before the due)


@dataclass(frozen=True)
class ClockState:
    """One clock of one ticket at a moment."""

    clock: Clock
    target: Target | None
    calendar: str | None
    started_at: dt.datetime
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    paused: bool
    paused_at: dt.datetime | None
    paused_business_seconds: int
    running: bool
    base_due_at: dt.datetime | None = None  # before any stop moved it
    due_set_at: dt.datetime | None = None  # opening, or when a negotiated due was agreed
    stops: tuple[Stop, ...] = field(default=())

    @property
    def has_target(self) -> bool:
        return self.target is not None

    @property
    def met_on_time(self) -> bool | None:
        """True/False once met against a due; None while unmet or without a due."""
        if self.met_at is None or self.due_at is None:
            return None
        return self.met_at <= self.due_at

    def breached(self, now: dt.datetime) -> bool:
        """Met after its due, or still unmet (and counting) after it."""
        if self.due_at is None:
            return False
        if self.met_at is not None:
            return self.met_at > self.due_at
        if self.paused and self.paused_at is not None:
            return self.paused_at > self.due_at
        return now > self.due_at

    def remaining(self, now: dt.datetime, book: CalendarBook) -> int | None:
        """Business seconds from now (or from the pause, or the meeting) to the due.

        Negative once business time has passed the due. Right after a due at closing time,
        while the desk is shut, it is 0 although ``breached`` is already true.
        """
        if self.due_at is None or self.calendar is None:
            return None
        calendar = book.get(self.calendar)
        if self.met_at is not None:
            frozen_at = self.met_at
        elif self.paused and self.paused_at is not None:
            frozen_at = self.paused_at
        else:
            frozen_at = now
        return calendar.elapsed(frozen_at, self.due_at)


def _clock_state(
    clock: Clock,
    target: Target | None,
    policy: PolicySpec,
    book: CalendarBook,
    opened: int,
    events: list[tuple[int, ClockEvent]],
    now: int | None,
) -> ClockState:
    calendar_name = target_calendar(target, policy) if target is not None else None
    calendar: CompiledCalendar | None = (
        book.get(calendar_name) if calendar_name is not None else None
    )
    zone = calendar.zone if calendar is not None else dt.UTC
    negotiated = isinstance(target, NegotiatedTarget)

    due = due_epoch(target, policy, book, opened)
    base_due = due
    due_set = opened if due is not None else None
    met: int | None = None
    stop_start: int | None = None
    stop_kind: StopKind | None = None
    stops: list[Stop] = []
    paused_total = 0
    stoppable = CLOCK_INFO[clock].pauses

    def close_stop(end: int) -> None:
        nonlocal due, stop_start, stop_kind, paused_total
        assert stop_start is not None and stop_kind is not None
        counted = 0
        moved = False
        if calendar is not None:
            counted = calendar.elapsed_epoch(stop_start, end)
            if due is not None and due_set is not None:
                begin = max(stop_start, due_set)
                if begin <= due and end > begin:
                    shift = calendar.elapsed_epoch(begin, end)
                    due = calendar.add_epoch(due, shift)
                    moved = True
        if stop_kind == "paused":
            paused_total += counted
        stops.append(
            Stop(stop_kind, from_epoch(stop_start, zone), from_epoch(end, zone), counted, moved)
        )
        stop_start = stop_kind = None

    met_kinds = CLOCK_INFO[clock].met_by
    for at, event in events:
        if event.kind == "due_agreed":
            if event.clock == clock and negotiated and event.due is not None:
                due = base_due = to_epoch(event.due)
                due_set = at
        elif event.kind in met_kinds:
            if met is None:
                if stop_kind == "paused":
                    close_stop(at)
                met = at
        elif not stoppable:
            continue
        elif event.kind == "paused":
            if met is None and stop_start is None:
                stop_start, stop_kind = at, "paused"
        elif event.kind == "resumed":
            if stop_kind == "paused":
                close_stop(at)
        elif event.kind == "reopened" and met is not None:
            stop_start, stop_kind = met, "resolved"
            met = None
            close_stop(at)

    paused = stop_kind == "paused"
    paused_at = stop_start if paused else None
    if paused and paused_at is not None and calendar is not None and now is not None:
        ongoing = calendar.elapsed_epoch(paused_at, max(now, paused_at))
        paused_total += ongoing
        stops.append(Stop("paused", from_epoch(paused_at, zone), None, ongoing, False))

    return ClockState(
        clock=clock,
        target=target,
        calendar=calendar_name,
        started_at=from_epoch(opened, zone),
        due_at=from_epoch(due, zone) if due is not None else None,
        met_at=from_epoch(met, zone) if met is not None else None,
        paused=paused,
        paused_at=from_epoch(paused_at, zone) if paused_at is not None else None,
        paused_business_seconds=paused_total,
        running=target is not None and met is None and not paused,
        base_due_at=from_epoch(base_due, zone) if base_due is not None else None,
        due_set_at=from_epoch(due_set, zone) if due_set is not None else None,
        stops=tuple(stops),
    )


def compute_clocks(
    policy: PolicySpec,
    priority_slug: str,
    book: CalendarBook,
    opened_at: dt.datetime,
    events: Iterable[ClockEvent],
    now: dt.datetime | None = None,
) -> dict[Clock, ClockState]:
    """Every clock's state for a ticket of ``priority_slug`` (mapping applied) on ``policy``.

    Events after ``now`` are ignored; events before the opening count as at the opening.
    ``KeyError`` (from ``PolicySpec.resolve_priority``) names an unknown priority.
    """
    priority = policy.resolve_priority(priority_slug)
    opened = to_epoch(opened_at)
    current = to_epoch(now) if now is not None else None
    timeline = sorted(
        ((max(to_epoch(e.at), opened), e) for e in events),
        key=lambda pair: pair[0],
    )
    if current is not None:
        timeline = [(at, e) for at, e in timeline if at <= current]
    return {
        clock: _clock_state(clock, priority.target(clock), policy, book, opened, timeline, current)
        for clock in CLOCKS
    }


def next_due(states: Mapping[Clock, ClockState]) -> tuple[Clock, dt.datetime] | None:
    """The earliest due among running, unmet clocks (what the queue sorts on)."""
    candidates = [
        (state.due_at, clock)
        for clock, state in states.items()
        if state.running and state.due_at is not None
    ]
    if not candidates:
        return None
    due, clock = min(candidates, key=lambda pair: (pair[0], CLOCKS.index(pair[1])))
    return clock, due
