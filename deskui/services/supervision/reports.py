"""SLA statistics over the tickets opened in a period, per group (``deskui report sla``).

Counts (opened, resolved, met / breached / running / no target per clock, breach reasons,
feedback) are aggregated by the database with GROUP BY. Business times to acknowledge, respond
and resolve need the calendars, so only the instants come back, as epoch seconds computed in
SQL (no ORM objects, no per-row datetime conversion), and ``CompiledCalendar.elapsed_many``
measures them in one numpy call per (policy, priority, clock) calendar.

A clock is met if ``met_at <= due_at``; breached if met later, or unmet and ``now`` is past its
due (a paused resolution clock is judged at the moment it paused, as the SLA engine does);
running otherwise; a clock with no due is "no target" and left out of the compliance figure.
Business times are plain business seconds from ``opened_at`` on the clock's calendar, so time a
ticket spent waiting on the customer is included.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Select

from deskui.domain.sla.clock_info import CLOCK_INFO
from deskui.domain.sla.due import target_calendar
from deskui.domain.sla.policy import CLOCKS, Clock
from deskui.domain.vocabulary import InteractionKind
from deskui.services.errors import ServiceError
from deskui.services.tickets.clocks import met_due_columns
from deskui.services.tickets.sla_context import SlaContext, sla_context
from deskui.store.models import Agent, Feedback, Interaction, Organisation, SlaPolicy, Ticket
from deskui.store.session import Database
from deskui.store.types import UTCDateTime

GROUPINGS = ("priority", "organisation", "agent", "policy", "category")
ALL_GROUP = "all"
NO_GROUP = "(none)"


class ReportError(ServiceError):
    """A report asked for with bad parameters (unknown grouping, empty period)."""


@dataclass(frozen=True, slots=True)
class ClockFigures:
    """One clock's outcome counts and business times (seconds) for one group."""

    met: int = 0
    breached: int = 0
    running: int = 0
    no_target: int = 0
    median_seconds: int | None = None
    p90_seconds: int | None = None

    @property
    def compliance(self) -> float | None:
        """Percentage met of the clocks decided (met + breached); ``None`` when none were."""
        decided = self.met + self.breached
        return None if decided == 0 else 100.0 * self.met / decided


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """The SLA figures of one group of tickets."""

    group: str
    opened: int
    resolved: int
    clocks: dict[Clock, ClockFigures]
    breach_reasons: dict[str, int] = field(default_factory=dict)
    feedback_count: int = 0
    feedback_mean: float | None = None


def utc_day_range(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[first 00:00 UTC, the day after last 00:00 UTC)``: report dates are UTC days."""
    if first > last:
        raise ReportError(f"the period is empty: {first.isoformat()} is after {last.isoformat()}")
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return start, end


# ---- SQL pieces ------------------------------------------------------------------------------


def _group_column(by: str | None) -> ColumnElement[Any]:
    if by is None:
        return literal(ALL_GROUP)
    columns: dict[str, ColumnElement[Any]] = {
        "priority": Ticket.priority.expression,
        "organisation": func.coalesce(Organisation.slug, NO_GROUP),
        "agent": func.coalesce(Agent.handle, NO_GROUP),
        "policy": SlaPolicy.name.expression,
        "category": Ticket.category.expression,
    }
    try:
        return columns[by]
    except KeyError:
        raise ReportError(f"unknown grouping {by!r} (known: {', '.join(GROUPINGS)})") from None


def _joined(query: Select[Any], by: str | None) -> Select[Any]:
    """``query`` over ``ticket`` with the table the grouping names joined in."""
    if by == "organisation":
        return query.outerjoin(Organisation, Organisation.id == Ticket.organisation_id)
    if by == "agent":
        return query.outerjoin(Agent, Agent.id == Ticket.assignee_id)
    return query


def in_period(start: dt.datetime, end: dt.datetime) -> ColumnElement[bool]:
    return and_(Ticket.opened_at >= start, Ticket.opened_at < end)


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def outcome_columns(clock: Clock, now: dt.datetime) -> list[ColumnElement[int]]:
    met_at, due_at = met_due_columns(clock)
    # A paused (unmet) resolution clock stopped counting when it paused.
    if CLOCK_INFO[clock].pauses:
        judged_at: Any = func.coalesce(Ticket.paused_at, literal(now, UTCDateTime()))
    else:
        judged_at = literal(now, UTCDateTime())
    unmet = met_at.is_(None)
    has_due = due_at.is_not(None)
    return [
        count_where(and_(has_due, met_at.is_not(None), met_at <= due_at)),
        count_where(and_(has_due, met_at > due_at) | and_(has_due, unmet, judged_at > due_at)),
        count_where(and_(has_due, unmet, judged_at <= due_at)),
        count_where(due_at.is_(None)),
    ]


def epoch_seconds(column: Any, dialect: str) -> ColumnElement[int]:
    """Epoch seconds of a UTC instant column, computed by the database."""
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), BigInteger)
    if sqlite3.sqlite_version_info >= (3, 38):
        # Faster than strftime: it is most of the cost of reading a million instants.
        return func.unixepoch(column)
    return cast(func.strftime("%s", column), Integer)


# ---- queries ---------------------------------------------------------------------------------


def _counts(
    session: Session, by: str | None, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[str, tuple[int, int, dict[Clock, tuple[int, int, int, int]]]]:
    group = _group_column(by).label("grp")
    outcome = [column for clock in CLOCKS for column in outcome_columns(clock, now)]
    query = select(
        group, func.count(), count_where(Ticket.resolved_at.is_not(None)), *outcome
    ).select_from(Ticket)
    if by == "policy":
        query = query.join(SlaPolicy, SlaPolicy.id == Ticket.policy_id)
    query = _joined(query, by).where(in_period(start, end)).group_by(group)
    result: dict[str, tuple[int, int, dict[Clock, tuple[int, int, int, int]]]] = {}
    for row in session.execute(query):
        values = [int(v) for v in row[1:]]
        clocks = {
            clock: (
                values[2 + 4 * i],
                values[3 + 4 * i],
                values[4 + 4 * i],
                values[5 + 4 * i],
            )
            for i, clock in enumerate(CLOCKS)
        }
        result[str(row[0])] = (values[0], values[1], clocks)
    return result


def _breach_reasons(
    session: Session, dialect: str, by: str | None, start: dt.datetime, end: dt.datetime
) -> dict[str, dict[str, int]]:
    group = _group_column(by).label("grp")
    reason = Interaction.meta["breach_reason"].as_string().label("reason")
    query = select(group, reason, func.count()).select_from(Interaction)
    query = query.join(Ticket, Ticket.id == Interaction.ticket_id)
    if by == "policy":
        query = query.join(SlaPolicy, SlaPolicy.id == Ticket.policy_id)
    query = (
        _joined(query, by)
        .where(
            in_period(start, end),
            Interaction.kind == InteractionKind.STATUS_CHANGE,
            reason.is_not(None),
        )
        .group_by(group, reason)
    )
    if dialect == "sqlite":
        # A plain substring test skips parsing the JSON of almost every log entry.
        query = query.where(cast(Interaction.meta, Text).like("%breach_reason%"))
    reasons: dict[str, dict[str, int]] = defaultdict(dict)
    for grp, text, count in session.execute(query):
        reasons[str(grp)][str(text)] = int(count)
    return reasons


def _feedback(
    session: Session, by: str | None, start: dt.datetime, end: dt.datetime
) -> dict[str, tuple[int, float]]:
    group = _group_column(by).label("grp")
    query = select(group, func.count(), func.avg(Feedback.score)).select_from(Feedback)
    query = query.join(Ticket, Ticket.id == Feedback.ticket_id)
    if by == "policy":
        query = query.join(SlaPolicy, SlaPolicy.id == Ticket.policy_id)
    query = _joined(query, by).where(in_period(start, end)).group_by(group)
    return {str(g): (int(n), float(mean)) for g, n, mean in session.execute(query)}


_V = TypeVar("_V", bound=Hashable)
_Times = dict[str, dict[Clock, list[npt.NDArray[np.int64]]]]


def business_times(
    session: Session,
    dialect: str,
    context: SlaContext,
    by: str | None,
    start: dt.datetime,
    end: dt.datetime,
) -> _Times:
    """Per group and clock, arrays of business seconds from opening to each met instant."""
    group = _group_column(by).label("grp")
    met_columns = [epoch_seconds(met_due_columns(clock)[0], dialect) for clock in CLOCKS]
    query = select(
        group,
        SlaPolicy.name,
        Ticket.priority,
        epoch_seconds(Ticket.opened_at, dialect),
        *met_columns,
    ).select_from(Ticket)
    query = query.join(SlaPolicy, SlaPolicy.id == Ticket.policy_id)
    query = _joined(query, by).where(in_period(start, end))
    # Core, not ORM, execution: no per-row ORM bookkeeping for a million rows.
    rows = session.connection().execute(query).all()
    times: _Times = defaultdict(lambda: defaultdict(list))
    if not rows:
        return times
    # Column-wise from here on: a million tickets must not mean a million Python loops.
    columns = list(zip(*rows, strict=True))
    group_names, group_index = _codes(columns[0])
    kind_names, kind_index = _codes(zip(columns[1], columns[2], strict=True))
    opened = np.array(columns[3], dtype=np.int64)
    # None becomes NaN: epoch seconds are exact in a float64 for millions of years.
    met = [np.array(columns[4 + i], dtype=np.float64) for i in range(len(CLOCKS))]
    for k, kind in enumerate(kind_names):
        policy_name, priority = kind
        policy = context.policy(policy_name)
        spec = policy.resolve_priority(priority)
        in_kind = kind_index == k
        for i, clock in enumerate(CLOCKS):
            chosen = in_kind & ~np.isnan(met[i])
            if not chosen.any():
                continue
            calendar = context.book.get(target_calendar(spec.target(clock), policy))
            elapsed = calendar.elapsed_many(opened[chosen], met[i][chosen].astype(np.int64))
            chosen_groups = group_index[chosen]
            for g in np.unique(chosen_groups):
                times[str(group_names[int(g)])][clock].append(elapsed[chosen_groups == g])
    return times


def _codes(values: Iterable[_V]) -> tuple[list[_V], npt.NDArray[np.intp]]:
    """The distinct values (first seen first) and each value's index among them."""
    seen: dict[_V, int] = {}
    index = np.fromiter((seen.setdefault(v, len(seen)) for v in values), dtype=np.intp)
    return list(seen), index


def _percentiles(parts: list[npt.NDArray[np.int64]]) -> tuple[int | None, int | None]:
    if not parts:
        return None, None
    values = np.concatenate(parts)
    if values.size == 0:
        return None, None
    # "lower": a figure that some ticket actually took, never an interpolated one.
    median, p90 = np.percentile(values, [50, 90], method="lower")
    return int(median), int(p90)


# ---- the report ------------------------------------------------------------------------------


def sla_report(
    database: Database,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    by: str | None = None,
) -> list[GroupFigures]:
    """SLA figures for the tickets opened in ``[start, end)``, one entry per group, sorted by
    group name (``by=None``: one group named ``all``, absent when no ticket was opened)."""
    if by is not None and by not in GROUPINGS:
        raise ReportError(f"unknown grouping {by!r} (known: {', '.join(GROUPINGS)})")
    with database.read() as session:
        context = sla_context(database, session)
        counts = _counts(session, by, start, end, now)
        reasons = _breach_reasons(session, database.dialect, by, start, end)
        feedback = _feedback(session, by, start, end)
        times = business_times(session, database.dialect, context, by, start, end)
    return [
        _group_figures(name, counts[name], reasons.get(name, {}), feedback.get(name), times)
        for name in sorted(counts)
    ]


def _group_figures(
    name: str,
    counted: tuple[int, int, dict[Clock, tuple[int, int, int, int]]],
    reasons: Mapping[str, int],
    feedback: tuple[int, float] | None,
    times: _Times,
) -> GroupFigures:
    opened, resolved, outcomes = counted
    clocks: dict[Clock, ClockFigures] = {}
    for clock in CLOCKS:
        met, breached, running, no_target = outcomes[clock]
        median, p90 = _percentiles(times.get(name, {}).get(clock, []))
        clocks[clock] = ClockFigures(met, breached, running, no_target, median, p90)
    return GroupFigures(
        group=name,
        opened=opened,
        resolved=resolved,
        clocks=clocks,
        breach_reasons=dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        feedback_count=feedback[0] if feedback else 0,
        feedback_mean=feedback[1] if feedback else None,
    )
