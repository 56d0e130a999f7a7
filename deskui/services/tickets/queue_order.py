"""The queue's order, as the queue shows it: business time left on each ticket's own calendar.

A row's "To breach" column is business time left on the calendar its *next* clock counts on
(Kenco's callback clock runs on ``kenco-24x7`` while resolution runs on office hours), so the
wall-clock due instant orders tickets on different calendars differently from what is shown.
Both the app's panes (``DeskService.queue_page`` / ``view_page``) and ``deskui ticket list
--view`` order by ``remaining_key`` and put breached work in a top band, so the CLI and the app
agree. Everything here works on rows already read, in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.sla.due import target_calendar
from deskui.domain.sla.policy import Clock, PolicySpec


class DueRow(Protocol):
    """What ordering needs of a queue row (``QueueRow`` or the store's ``QueueRecord``)."""

    @property
    def ticket_id(self) -> int: ...
    @property
    def policy(self) -> str | None: ...
    @property
    def priority(self) -> str: ...
    @property
    def priority_rank(self) -> int: ...
    @property
    def next_clock(self) -> str | None: ...
    @property
    def next_due_at(self) -> dt.datetime | None: ...
    @property
    def calendar(self) -> str | None: ...


def clock_calendar(
    policies: Mapping[str, PolicySpec],
    policy: str | None,
    priority: str,
    clock: str | None,
    fallback: str | None,
) -> str | None:
    """The calendar the next clock counts on (``fallback``, the policy's, when unknown)."""
    spec = policies.get(policy or "")
    if spec is None or clock is None:
        return fallback
    try:
        target = spec.resolve_priority(priority).target(Clock(clock))
    except (KeyError, ValueError):
        return fallback
    return target_calendar(target, spec)


def business_remaining(
    book: CalendarBook, calendar: str | None, due: dt.datetime | None, now: dt.datetime
) -> int | None:
    """Business seconds from ``now`` until ``due`` on ``calendar`` (negative once breached);
    ``None`` with no running clock or an unknown calendar."""
    if due is None or calendar is None or calendar not in book:
        return None
    return book.get(calendar).elapsed(now, due)


def remaining_key(
    book: CalendarBook, calendar: str | None, row: DueRow, now: dt.datetime
) -> tuple[int, int, float, int]:
    """Sort key by business time left: no running clock last, ties by due, then id."""
    remaining = business_remaining(book, calendar, row.next_due_at, now)
    if remaining is None:
        return (1, 0, 0.0, row.ticket_id)
    due = row.next_due_at.timestamp() if row.next_due_at is not None else 0.0
    return (0, remaining, due, row.ticket_id)


def is_breached(row: DueRow, now: dt.datetime) -> bool:
    """Past due on the wall clock (what the breached band holds, whatever the calendar)."""
    return row.next_due_at is not None and row.next_due_at <= now
