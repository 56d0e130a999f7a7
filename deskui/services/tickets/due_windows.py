"""SQL conditions for "due within N business minutes" and "breached", exact per calendar.

A ticket's next due instant is stored in UTC; "N business minutes from now" is a different
wall instant on each calendar (a desk that closed at five is hours away from its next business
minute). So the window becomes, per policy, ``next_due_at <= calendar.add(now, N)`` on the
calendar each clock counts on (a target may name another calendar, like Kenco's callbacks on
``kenco-24x7``). Overdue tickets are inside every window. The result is one WHERE condition the
queue's page query can use with its index order and LIMIT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import ColumnElement, and_, false, or_, select, tuple_
from sqlalchemy.orm import Session

from deskui.domain.sla.due import target_calendar
from deskui.domain.sla.policy import Clock, PolicySpec
from deskui.services.tickets.sla_context import SlaContext
from deskui.store.models import SlaPolicy, Ticket


def breached(now: dt.datetime) -> ColumnElement[bool]:
    """Tickets whose next running clock is overdue at ``now``."""
    return and_(Ticket.next_due_at.is_not(None), Ticket.next_due_at <= now)


def not_breached(now: dt.datetime) -> ColumnElement[bool]:
    """The complement of ``breached``: no running clock, or due after ``now``."""
    return or_(Ticket.next_due_at.is_(None), Ticket.next_due_at > now)


def due_within(
    session: Session,
    context: SlaContext,
    now: dt.datetime,
    seconds_for: Callable[[PolicySpec], int],
) -> ColumnElement[bool]:
    """Tickets whose next due is at most ``seconds_for(policy)`` business seconds after
    ``now`` on its clock's calendar (overdue ones included)."""
    ids = dict(session.execute(select(SlaPolicy.name, SlaPolicy.id)).all())
    conditions = []
    for name, spec in context.policies.items():
        policy_id = ids.get(name)
        if policy_id is None:
            continue
        seconds = seconds_for(spec)
        default = _limit(context, spec.calendar, now, seconds)
        # (priority, clock) pairs counting on another calendar than the policy's.
        others: dict[tuple[str, str], dt.datetime] = {}
        for priority in spec.priorities:
            for clock in Clock:
                calendar = target_calendar(priority.target(clock), spec)
                if calendar != spec.calendar:
                    others[(priority.slug, clock.value)] = _limit(context, calendar, now, seconds)
        branches: list[ColumnElement[bool]] = [
            and_(Ticket.priority == p, Ticket.next_clock == c, Ticket.next_due_at <= limit)
            for (p, c), limit in others.items()
        ]
        rest = Ticket.next_due_at <= default
        if others:
            rest = and_(~tuple_(Ticket.priority, Ticket.next_clock).in_(list(others)), rest)
        branches.append(rest)
        conditions.append(and_(Ticket.policy_id == policy_id, or_(*branches)))
    if not conditions:
        return false()
    return and_(Ticket.next_due_at.is_not(None), or_(*conditions))


def _limit(context: SlaContext, calendar: str, now: dt.datetime, seconds: int) -> dt.datetime:
    if calendar not in context.book:
        return now
    return context.book.get(calendar).add(now, seconds)
