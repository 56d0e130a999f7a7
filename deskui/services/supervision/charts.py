"""The series behind the reports screen's charts, aggregated by the database where it can be.

Days are the desk's: ``report_bundle`` takes the agent's zone (UTC by default, as on the
command line), so the period runs from local midnight to local midnight and the backlog is
counted at the end of each local day.

- ``compliance_by_week``: per week of the period (7-day buckets from its first day) and per
  clock, met and breached counts of the tickets opened that week (the ``sla_report`` rules) —
  one GROUP BY over an integer week number computed in SQL.
- ``response_distribution``: per priority, how many first responses took how long in business
  time (buckets below); business time needs the calendars, so it reuses ``sla_report``'s
  column-wise measurement (instants from SQL, ``elapsed_many`` in numpy).
- ``backlog_by_priority``: open tickets per priority at the end of each day of the
  period, one ``SUM(CASE …)`` column per day in one GROUP BY. A ticket counts as open from
  ``opened_at`` until ``resolved_at``; a reopened ticket has no ``resolved_at`` any more, so it
  counts as open throughout (the resolve/reopen history in its log is not replayed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import and_, func, literal, or_, select

from deskui.domain.display import local_day_range
from deskui.domain.sla.policy import CLOCKS, Clock
from deskui.services.supervision.reports import (
    GroupFigures,
    business_times,
    count_where,
    epoch_seconds,
    in_period,
    outcome_columns,
    sla_report,
    utc_day_range,
)
from deskui.services.tickets.sla_context import sla_context
from deskui.store.models import Ticket
from deskui.store.session import Database
from deskui.store.types import UTCDateTime

WEEK_SECONDS = 7 * 86400
MAX_POINTS = 62  # a backlog series never has more points than this (longer periods step)
# Business-time buckets of the response-time distribution: (label, lower bound in seconds).
RESPONSE_BUCKETS: tuple[tuple[str, int], ...] = (
    ("<30m", 0),
    ("30m-1h", 1800),
    ("1-2h", 3600),
    ("2-4h", 7200),
    ("4-8h", 14400),
    (">=8h", 28800),
)


@dataclass(frozen=True, slots=True)
class WeekCompliance:
    """One week's decided clocks (met, breached) for the tickets opened in it."""

    week_start: dt.date
    outcomes: dict[Clock, tuple[int, int]]

    def percent(self, clock: Clock) -> float | None:
        met, breached = self.outcomes[clock]
        return None if met + breached == 0 else 100.0 * met / (met + breached)


@dataclass(frozen=True, slots=True)
class ResponseDistribution:
    """Per priority, counts of first responses per bucket of ``RESPONSE_BUCKETS``."""

    buckets: tuple[str, ...]
    counts: dict[str, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Backlog:
    """Open tickets per priority at each instant of ``at``."""

    at: tuple[dt.datetime, ...]
    counts: dict[str, tuple[int, ...]]


def day_range(
    first: dt.date, last: dt.date, zone: dt.tzinfo = dt.UTC
) -> tuple[dt.datetime, dt.datetime]:
    """``[first 00:00, the day after last 00:00)`` in ``zone``, as UTC instants."""
    utc_day_range(first, last)  # the same refusal of an empty period
    return local_day_range(first, last, zone)


def compliance_by_week(
    database: Database,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    zone: dt.tzinfo = dt.UTC,
) -> list[WeekCompliance]:
    """Weeks of ``[start, end)`` that had tickets opened, oldest first; a week's first day is
    read in ``zone`` (the buckets are 7×24 hours, so a DST change moves one edge an hour)."""
    start_epoch = int(start.timestamp())
    week = (
        (epoch_seconds(Ticket.opened_at, database.dialect) - start_epoch) // WEEK_SECONDS
    ).label("week")
    outcome = [column for clock in CLOCKS for column in outcome_columns(clock, now)]
    query = (
        select(week, *outcome)
        .select_from(Ticket)
        .where(in_period(start, end))
        .group_by(week)
        .order_by(week)
    )
    result: list[WeekCompliance] = []
    with database.read() as session:
        for row in session.execute(query):
            values = [int(v) for v in row[1:]]
            result.append(
                WeekCompliance(
                    # Wall-clock arithmetic in the zone: the local date of the week's start.
                    week_start=(start.astimezone(zone) + dt.timedelta(weeks=int(row[0]))).date(),
                    outcomes={
                        clock: (values[4 * i], values[4 * i + 1]) for i, clock in enumerate(CLOCKS)
                    },
                )
            )
    return result


def response_distribution(
    database: Database, *, start: dt.datetime, end: dt.datetime
) -> ResponseDistribution:
    """First-response business times of tickets opened in ``[start, end)``, per priority."""
    edges = np.array([low for _, low in RESPONSE_BUCKETS[1:]], dtype=np.int64)
    counts: dict[str, tuple[int, ...]] = {}
    with database.read() as session:
        context = sla_context(database, session)
        times = business_times(session, database.dialect, context, "priority", start, end)
    for priority in sorted(times):
        parts = times[priority].get(Clock.RESPONSE, [])
        if not parts:
            continue
        values = np.concatenate(parts)
        # side="right": a time equal to a bucket's lower bound belongs to that bucket.
        index = np.searchsorted(edges, values, side="right")
        counts[priority] = tuple(
            int(n) for n in np.bincount(index, minlength=len(RESPONSE_BUCKETS))
        )
    return ResponseDistribution(tuple(label for label, _ in RESPONSE_BUCKETS), counts)


def backlog_instants(
    start: dt.datetime, end: dt.datetime, now: dt.datetime, zone: dt.tzinfo = dt.UTC
) -> list[dt.datetime]:
    """The end of each day of ``[start, end)`` in ``zone`` (stepping so there are at most
    ``MAX_POINTS``), none after ``now``; the last one is ``now`` when the period runs past it."""
    days = max(1, round((end - start) / dt.timedelta(days=1)))
    step = -(-days // MAX_POINTS)
    local = start.astimezone(zone)
    # Local midnights (wall-clock arithmetic), so a day of 23 or 25 hours ends at midnight too.
    instants = [
        (local + dt.timedelta(days=d)).astimezone(dt.UTC) for d in range(step, days + 1, step)
    ]
    if instants[-1] < end:
        instants.append(end)
    kept = [instant for instant in instants if instant <= now]
    if now < end and start < now and (not kept or kept[-1] < now):
        kept.append(now)
    return kept


def backlog_by_priority(
    database: Database,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    zone: dt.tzinfo = dt.UTC,
) -> Backlog:
    """Open tickets per priority at the end of each day of ``[start, end)`` in ``zone``
    (up to ``now``)."""
    instants = backlog_instants(start, end, now, zone)
    if not instants:
        return Backlog((), {})
    columns = []
    for instant in instants:
        at = literal(instant, UTCDateTime())
        columns.append(
            count_where(
                and_(
                    Ticket.opened_at < at,
                    or_(Ticket.resolved_at.is_(None), Ticket.resolved_at >= at),
                )
            )
        )
    first, last = literal(instants[0], UTCDateTime()), literal(instants[-1], UTCDateTime())
    query = (
        select(Ticket.priority, *columns)
        .where(
            Ticket.opened_at < last,
            or_(Ticket.resolved_at.is_(None), Ticket.resolved_at >= first),
        )
        .group_by(Ticket.priority)
        .order_by(func.min(Ticket.priority_rank), Ticket.priority)
    )
    with database.read() as session:
        counts = {str(row[0]): tuple(int(v) for v in row[1:]) for row in session.execute(query)}
    return Backlog(tuple(instants), counts)


@dataclass(frozen=True, slots=True)
class ReportBundle:
    """What the reports screen shows for one period and grouping."""

    first: dt.date
    last: dt.date
    by: str | None
    figures: list[GroupFigures]
    weeks: list[WeekCompliance]
    responses: ResponseDistribution
    backlog: Backlog


def report_bundle(
    database: Database,
    first: dt.date,
    last: dt.date,
    *,
    by: str | None,
    now: dt.datetime,
    zone: dt.tzinfo = dt.UTC,
) -> ReportBundle:
    """``deskui report sla``'s figures plus the chart series, for the days ``first``..``last``
    in ``zone`` (the agent's on the reports screen)."""
    start, end = day_range(first, last, zone)
    return ReportBundle(
        first=first,
        last=last,
        by=by,
        figures=sla_report(database, start=start, end=end, now=now, by=by),
        weeks=compliance_by_week(database, start=start, end=end, now=now, zone=zone),
        responses=response_distribution(database, start=start, end=end),
        backlog=backlog_by_priority(database, start=start, end=end, now=now, zone=zone),
    )
