"""The due instant of one SLA target, counted from a start instant.

- a business duration counts on the policy's calendar, or on the calendar the target names
  (``1h on kenco-24x7``); ``d`` is that calendar's working day;
- ``cob`` / ``cob+N`` is the close of business of the working day counting starts in, plus N
  working days, on the policy's calendar;
- ``negotiated`` has no due until an agent agrees one (``None`` here), and so has no target.
"""

from __future__ import annotations

import datetime as dt

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.calendar.compiled import CompiledCalendar
from deskui.domain.calendar.localtime import to_epoch
from deskui.domain.sla.policy import (
    BusinessTarget,
    CloseOfBusinessTarget,
    NegotiatedTarget,
    PolicySpec,
    Target,
)


def target_calendar(target: Target | None, policy: PolicySpec) -> str:
    """The name of the calendar a target counts on (the policy's unless it names another)."""
    if isinstance(target, BusinessTarget) and target.calendar:
        return target.calendar
    return policy.calendar


def target_seconds(target: BusinessTarget, calendar: CompiledCalendar) -> int:
    """Business seconds of a duration target on ``calendar`` (``1d`` = its working day)."""
    return target.duration.business_seconds(calendar.working_day_seconds)


def due_epoch(
    target: Target | None, policy: PolicySpec, book: CalendarBook, start: int
) -> int | None:
    """``due_for_target`` on epoch seconds."""
    if target is None or isinstance(target, NegotiatedTarget):
        return None
    calendar = book.get(target_calendar(target, policy))
    if isinstance(target, CloseOfBusinessTarget):
        return calendar.close_of_business_epoch(start, target.working_days)
    return calendar.add_epoch(start, target_seconds(target, calendar))


def due_for_target(
    target: Target | None, policy: PolicySpec, book: CalendarBook, start: dt.datetime
) -> dt.datetime | None:
    """When a clock with ``target`` started at ``start`` is due, in its calendar's zone."""
    due = due_epoch(target, policy, book, to_epoch(start))
    if due is None:
        return None
    return book.get(target_calendar(target, policy)).local(due)
