"""The reports screen's chart series on ``test_reports``'s hand-worked Velsoft dataset.

Weeks are 7-day buckets from Mon 2 Feb 00:00 UTC (the period's first day):

- week of 2 Feb: T1 T2 T3 T5. Ack: met T1 T2, breached T3 T5. Response: met T1 T2 T3, breached
  T5. Resolution: met T1, breached T3 (reopened) T5; T2 is paused (running, not decided).
- week of 9 Feb: T4 (Fri 13 16:00 Halifax = 20:00 UTC): every clock met.
- week of 16 Feb: T6, opened an hour before the report: every clock running → nothing decided.

First responses (business seconds, high): T2 1200 (<30m), T1 3600 and T4 5400 (1-2h), T3 12600
(2-4h); T6 and the medium T5 have none, so medium has no distribution.

Backlog (open at the end of a UTC day; T0 opened 30 Jan and never resolved counts throughout):
- end of 2 Feb: high T0 (T1 resolved 19:00 UTC that day), medium T5 → high 1, medium 1.
- end of 4 Feb: high T0 T2 T3 (T3 was resolved that day but reopened since: it has no
  ``resolved_at`` any more, so it counts as open) → 3.
- end of 13 Feb: high T0 T2 T3 T4 → 4; end of 17 Feb: T4 resolved at 18:00 UTC → 3.
- the last point is the report's "now" (Fri 20 Feb 16:00 UTC): T6 opened at 15:00 UTC → 4.
"""

from __future__ import annotations

import datetime as dt

import pytest
from test_reports import NOW, PERIOD, build_dataset
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.domain.sla.policy import Clock
from deskui.services.supervision.charts import (
    MAX_POINTS,
    backlog_by_priority,
    backlog_instants,
    compliance_by_week,
    response_distribution,
)
from deskui.store.session import Database

UTC = dt.UTC


@pytest.fixture
def dataset(desk: Database) -> Database:
    build_dataset(desk)
    return desk


def test_compliance_by_week(dataset: Database) -> None:
    weeks = compliance_by_week(dataset, start=PERIOD[0], end=PERIOD[1], now=NOW)
    assert [w.week_start for w in weeks] == [
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 9),
        dt.date(2026, 2, 16),
    ]
    first, second, third = weeks
    assert first.outcomes == {
        Clock.ACKNOWLEDGEMENT: (2, 2),
        Clock.RESPONSE: (3, 1),
        Clock.RESOLUTION: (1, 2),
    }
    assert first.percent(Clock.RESPONSE) == pytest.approx(75.0)
    assert all(second.percent(clock) == 100.0 for clock in second.outcomes)
    assert all(third.percent(clock) is None for clock in third.outcomes)


def test_response_distribution(dataset: Database) -> None:
    spread = response_distribution(dataset, start=PERIOD[0], end=PERIOD[1])
    assert spread.buckets == ("<30m", "30m-1h", "1-2h", "2-4h", "4-8h", ">=8h")
    assert spread.counts == {"high": (1, 0, 2, 1, 0, 0)}


def test_backlog_by_priority(dataset: Database) -> None:
    backlog = backlog_by_priority(dataset, start=PERIOD[0], end=PERIOD[1], now=NOW)
    at = {instant: i for i, instant in enumerate(backlog.at)}
    end_of = {day: at[dt.datetime(2026, 2, day + 1, tzinfo=UTC)] for day in (2, 4, 13, 17)}
    high, medium = backlog.counts["high"], backlog.counts["medium"]
    assert [high[end_of[day]] for day in (2, 4, 13, 17)] == [1, 3, 4, 3]
    assert medium[end_of[2]] == 1
    assert backlog.at[-1] == NOW and high[-1] == 4
    assert list(backlog.counts) == ["high", "medium"]  # highest priority first


def test_backlog_points_are_bounded() -> None:
    start = dt.datetime(2025, 1, 1, tzinfo=UTC)
    end = dt.datetime(2026, 1, 1, tzinfo=UTC)
    instants = backlog_instants(start, end, end)
    assert len(instants) <= MAX_POINTS + 1 and instants[-1] == end
    assert backlog_instants(start, end, start) == []
