"""The breach board's counts of open tickets, from one grouped scan.

The board shows open, unacknowledged and breached tickets per agent, per priority and per
policy, and the totals. Asked as separate GROUP BY queries, each walked every open ticket (about
half a second apiece at 100,000 open on SQLite); one query grouped by agent, policy and priority
together returns a few hundred rows, which are summed here along each axis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from deskui.store.models import SlaPolicy, Ticket

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True, slots=True)
class OpenGroup:
    """Open tickets sharing one assignee, policy and priority."""

    assignee_id: int | None
    policy: str
    priority: str
    priority_rank: int
    open: int
    unacknowledged: int
    breached: int
    next_due: dt.datetime | None


@dataclass(slots=True)
class Tally:
    """Open tickets summed over groups: counts, the soonest due and the highest priority."""

    open: int = 0
    unacknowledged: int = 0
    breached: int = 0
    next_due: dt.datetime | None = None
    best_rank: int | None = None

    def add(self, group: OpenGroup) -> None:
        self.open += group.open
        self.unacknowledged += group.unacknowledged
        self.breached += group.breached
        if group.next_due is not None and (self.next_due is None or group.next_due < self.next_due):
            self.next_due = group.next_due
        if self.best_rank is None or group.priority_rank < self.best_rank:
            self.best_rank = group.priority_rank


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet ``condition`` (0 for none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def open_groups(
    session: Session, scope: list[ColumnElement[bool]], now: dt.datetime
) -> list[OpenGroup]:
    """The tickets matching ``scope`` grouped by assignee, policy and priority."""
    keys = (Ticket.assignee_id, SlaPolicy.name, Ticket.priority, Ticket.priority_rank)
    rows = session.execute(
        select(
            *keys,
            func.count(),
            count_where(Ticket.acknowledged_at.is_(None)),
            count_where(Ticket.next_due_at <= now),
            func.min(Ticket.next_due_at),
        )
        .select_from(Ticket)
        .join(SlaPolicy, SlaPolicy.id == Ticket.policy_id)
        .where(*scope)
        .group_by(*keys)
    )
    return [
        OpenGroup(
            assignee_id=assignee_id,
            policy=str(policy),
            priority=str(priority),
            priority_rank=int(rank),
            open=int(total),
            unacknowledged=int(unacked),
            breached=int(late),
            next_due=due,
        )
        for assignee_id, policy, priority, rank, total, unacked, late, due in rows
    ]


def tally_by(groups: Iterable[OpenGroup], key: Callable[[OpenGroup], Key]) -> dict[Key, Tally]:
    """The groups summed per ``key``."""
    tallies: dict[Key, Tally] = {}
    for group in groups:
        tallies.setdefault(key(group), Tally()).add(group)
    return tallies
