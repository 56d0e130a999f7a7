"""Why a clock is due when it is: the target, the calendar and the timeline that produced it.

``explain_clock`` returns a structured ``ClockExplanation``; its segments run from the opening
to the due instant: the open intervals that counted (local times, running total), the
stretches skipped while closed (nights, weekends, public holidays by name, closures with their
reasons) and the pauses that moved the due. ``render_explanation`` turns it into plain text
lines for ``deskui sla explain`` and the ticket view (no markup: callers display it as text).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.calendar.compiled import CompiledCalendar
from deskui.domain.calendar.localtime import first_instant, to_epoch
from deskui.domain.durations import format_business_seconds
from deskui.domain.sla.clocks import ClockEvent, ClockState, compute_clocks
from deskui.domain.sla.due import target_seconds
from deskui.domain.sla.policy import (
    BusinessTarget,
    Clock,
    CloseOfBusinessTarget,
    NegotiatedTarget,
    PolicySpec,
)

SegmentKind = Literal["open", "paused", "stopped", "closed", "holiday", "closure", "weekend"]

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of the timeline, in the calendar's local time.

    ``business_seconds`` is what counted towards the target for ``open`` segments, and the
    business time that did *not* count for ``paused``/``stopped`` ones (0 when closed).
    """

    kind: SegmentKind
    start: dt.datetime
    end: dt.datetime
    business_seconds: int
    label: str
    counted_total: int


@dataclass(frozen=True)
class ClockExplanation:
    clock: Clock
    policy: str
    priority: str
    priority_label: str
    target: str
    target_description: str
    target_seconds: int | None
    calendar: str | None
    timezone: str | None
    opened_at: dt.datetime
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    status: str
    segments: tuple[Segment, ...]
    notes: tuple[str, ...]


def _status(state: ClockState, now: dt.datetime | None, book: CalendarBook) -> str:
    if state.target is None:
        return "no SLA for this clock"
    if state.due_at is None:
        return "no due time yet: waiting for one to be agreed"
    if state.met_at is not None:
        return "met on time" if state.met_on_time else "met late (breached)"
    if now is None:
        return "paused (waiting on customer)" if state.paused else "running"
    left = state.remaining(now, book)
    left_text = format_business_seconds(left) if left is not None else "?"
    if state.breached(now):
        return f"breached ({left_text} business time)"
    if state.paused:
        return f"paused (waiting on customer), {left_text} business time left"
    return f"running, {left_text} business time left"


def _day_start(calendar: CompiledCalendar, day: dt.date) -> int:
    return first_instant(dt.datetime.combine(day, dt.time()), calendar.zone)


_Piece = tuple[int, int, SegmentKind, str]


def _closed_pieces(calendar: CompiledCalendar, start: int, end: int) -> list[_Piece]:
    """A closed gap cut by local day and partial closure into (start, end, kind, label)."""
    pieces: list[_Piece] = []
    day = calendar.local(start).date()
    while True:
        day_begin, day_end = _day_start(calendar, day), _day_start(calendar, day + dt.timedelta(1))
        lo, hi = max(start, day_begin), min(end, day_end)
        if lo < hi:
            status = calendar.day_status(day)
            if status.kind == "holiday":
                pieces.append((lo, hi, "holiday", status.name))
            elif status.kind == "closure":
                pieces.append((lo, hi, "closure", status.name))
            elif status.kind == "no-hours":
                name = _WEEKDAY_NAMES[day.weekday()]
                weekend = day.weekday() >= 5
                pieces.append((lo, hi, "weekend", "weekend" if weekend else f"closed {name}s"))
            else:
                cursor = lo
                for closure in calendar.partial_closures(lo, hi):
                    c_lo, c_hi = max(closure.start, lo), min(closure.end, hi)
                    if c_lo > cursor:
                        pieces.append((cursor, c_lo, "closed", "outside opening hours"))
                    pieces.append((c_lo, c_hi, "closure", closure.reason))
                    cursor = c_hi
                if cursor < hi:
                    pieces.append((cursor, hi, "closed", "outside opening hours"))
        if day_end >= end:
            break
        day += dt.timedelta(days=1)
    merged: list[_Piece] = []
    for piece in pieces:
        if merged and merged[-1][2:] == piece[2:] and merged[-1][1] == piece[0]:
            merged[-1] = (merged[-1][0], piece[1], piece[2], piece[3])
        else:
            merged.append(piece)
    return merged


def _timeline(calendar: CompiledCalendar, start: int, end: int, state: ClockState) -> list[Segment]:
    stops = [
        (
            to_epoch(stop.start),
            to_epoch(stop.end) if stop.end is not None else end,
            stop.kind,
        )
        for stop in state.stops
        if stop.moved_due
    ]
    local = calendar.local
    segments: list[Segment] = []
    total = 0
    cursor = start
    for lo, hi in calendar.open_intervals(start, end):
        if lo > cursor:
            for c_lo, c_hi, kind, label in _closed_pieces(calendar, cursor, lo):
                segments.append(Segment(kind, local(c_lo), local(c_hi), 0, label, total))
        # Cut the open interval where the clock was stopped.
        edges = sorted(
            {lo, hi}
            | {max(lo, min(hi, s)) for s, _, _ in stops}
            | {max(lo, min(hi, e)) for _, e, _ in stops}
        )
        for a, b in itertools.pairwise(edges):
            stop = next((kind for s, e, kind in stops if s <= a and b <= e), None)
            if stop is None:
                total += b - a
                segments.append(Segment("open", local(a), local(b), b - a, "open", total))
            elif stop == "paused":
                segments.append(
                    Segment("paused", local(a), local(b), b - a, "waiting on customer", total)
                )
            else:
                segments.append(
                    Segment("stopped", local(a), local(b), b - a, "resolved until reopened", total)
                )
        cursor = hi
    if cursor < end:
        for c_lo, c_hi, kind, label in _closed_pieces(calendar, cursor, end):
            segments.append(Segment(kind, local(c_lo), local(c_hi), 0, label, total))
    return segments


def explain_clock(
    policy: PolicySpec,
    priority_slug: str,
    book: CalendarBook,
    opened_at: dt.datetime,
    events: Iterable[ClockEvent],
    clock: Clock,
    now: dt.datetime | None = None,
) -> ClockExplanation:
    """The explanation of one clock of a ticket (see the module docstring)."""
    priority = policy.resolve_priority(priority_slug)
    state = compute_clocks(policy, priority_slug, book, opened_at, events, now)[clock]
    target = state.target
    notes: list[str] = []
    if priority.slug != priority_slug:
        notes.append(f"priority {priority_slug!r} is handled as {priority.slug!r}")
    seconds: int | None = None
    calendar = book.get(state.calendar) if state.calendar is not None else None
    where = f" on {calendar.name} ({calendar.spec.timezone})" if calendar is not None else ""
    if target is None:
        description = "none (no SLA for this clock at this priority)"
    elif isinstance(target, BusinessTarget) and calendar is not None:
        seconds = target_seconds(target, calendar)
        description = str(target.duration)
        if target.duration.days:
            description += f" = {format_business_seconds(seconds)}"
        description += f" business time{where}"
    elif isinstance(target, CloseOfBusinessTarget):
        description = (
            f"{target}: close of business of the working day counting starts in"
            + (f", plus {target.working_days} working day(s)" if target.working_days else "")
            + where
        )
    else:
        description = f"negotiated: an agent agrees the due with the customer{where}"
        if isinstance(target, NegotiatedTarget) and state.due_set_at is not None:
            notes.append(f"due agreed at {_when(state.due_set_at)}")
    for stop in state.stops:
        what = "waiting on customer" if stop.kind == "paused" else "resolved, then reopened"
        until = _when(stop.end) if stop.end is not None else "now"
        effect = "moved the due" if stop.moved_due else "did not move the due"
        notes.append(
            f"{what} {_when(stop.start)} – {until}: "
            f"{format_business_seconds(stop.business_seconds)} business time, {effect}"
        )

    segments: tuple[Segment, ...] = ()
    if calendar is not None and state.due_at is not None:
        start = to_epoch(state.started_at)
        end = to_epoch(state.due_at)
        if end > start:
            segments = tuple(_timeline(calendar, start, end, state))

    return ClockExplanation(
        clock=clock,
        policy=policy.name,
        priority=priority.slug,
        priority_label=priority.label,
        target=str(target) if target is not None else "none",
        target_description=description,
        target_seconds=seconds,
        calendar=state.calendar,
        timezone=calendar.spec.timezone if calendar is not None else None,
        opened_at=calendar.local(to_epoch(opened_at)) if calendar else opened_at,
        due_at=state.due_at,
        met_at=state.met_at,
        status=_status(state, now, book),
        segments=segments,
        notes=tuple(notes),
    )


def _when(instant: dt.datetime) -> str:
    return instant.strftime("%a %d %b %Y %H:%M %Z").strip()


def _span(segment: Segment) -> str:
    start, end = segment.start, segment.end
    whole_days = start.time() == dt.time() and end.time() == dt.time() and segment.kind != "open"
    if whole_days:
        last = end - dt.timedelta(days=1)
        first_text = start.strftime("%a %d %b")
        return first_text if last.date() == start.date() else f"{first_text} – {last:%a %d %b}"
    if start.date() == end.date():
        return f"{start:%a %d %b %H:%M}–{end:%H:%M}"
    return f"{start:%a %d %b %H:%M} – {end:%a %d %b %H:%M}"


def render_explanation(explanation: ClockExplanation) -> str:
    """Plain text lines, one fact per line."""
    e = explanation
    lines = [f"{e.clock.value} clock: {e.policy} / {e.priority_label} ({e.priority})"]
    lines.append(f"target: {e.target_description}")
    lines.append(f"opened: {_when(e.opened_at)}")
    lines.append(f"due: {_when(e.due_at)}" if e.due_at is not None else "due: none")
    if e.met_at is not None:
        lines.append(f"met: {_when(e.met_at)}")
    lines.append(f"status: {e.status}")
    lines.extend(f"note: {note}" for note in e.notes)
    if e.segments:
        lines.append("timeline:")
        width = max(len(_span(s)) for s in e.segments)
        for segment in e.segments:
            span = _span(segment).ljust(width)
            if segment.kind == "open":
                lines.append(
                    f"  {span}  open: {format_business_seconds(segment.business_seconds)}"
                    f" (total {format_business_seconds(segment.counted_total)})"
                )
            elif segment.kind in ("paused", "stopped"):
                lines.append(
                    f"  {span}  {segment.label}: "
                    f"{format_business_seconds(segment.business_seconds)} not counted"
                )
            elif segment.kind == "holiday":
                lines.append(f"  {span}  holiday: {segment.label}")
            elif segment.kind == "closure":
                lines.append(f"  {span}  closed: {segment.label}")
            else:
                lines.append(f"  {span}  closed: {segment.label}")
    return "\n".join(lines)
