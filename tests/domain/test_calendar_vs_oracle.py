"""The compiled calendar against the minute-stepping oracle, on every sample calendar and on
awkward synthetic ones: random instants (biased towards DST changes, year ends, holidays and
closures), durations landing exactly on closing time, starts while closed.

Two kinds of check: dense sweeps (every minute of a week around each interesting date, which
is thousands of cases per calendar for little time) and hypothesis cases at any second.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache

import numpy as np
import pytest
from calendar_oracle import MinuteOracle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sample_specs import sample_calendar_specs
from synthetic_calendars import SYNTHETIC

from deskui.domain.calendar.compiled import CompiledCalendar, compile_calendar
from deskui.domain.calendar.spec import CalendarSpec

SPECS: dict[str, CalendarSpec] = {s.name: s for s in [*sample_calendar_specs(), *SYNTHETIC]}
NAMES = sorted(SPECS)

# Random cases are fixed in CI (reproducible) and fresh on a developer's machine.
ORACLE = settings(
    max_examples=30,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.too_slow],
)

RANGE_START = int(dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp())
RANGE_END = int(dt.datetime(2032, 1, 1, tzinfo=dt.UTC).timestamp())


@cache
def compiled(name: str) -> CompiledCalendar:
    return compile_calendar(SPECS[name])


@cache
def oracle(name: str) -> MinuteOracle:
    return MinuteOracle(SPECS[name])


@cache
def _transitions(zone_name: str, first_year: int, last_year: int) -> tuple[int, ...]:
    """UTC offset changes of a zone, found by hourly sampling then bisection."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)

    def offset(t: int) -> dt.timedelta | None:
        return dt.datetime.fromtimestamp(t, zone).utcoffset()

    start = int(dt.datetime(first_year, 1, 1, tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC).timestamp())
    found = []
    for t in range(start, end, 3600):
        if offset(t) != offset(t + 3600):
            low, high = t, t + 3600
            while high - low > 1:
                mid = (low + high) // 2
                if offset(mid) == offset(t):
                    low = mid
                else:
                    high = mid
            found.append(high)
    return tuple(found)


@cache
def interesting(name: str) -> tuple[int, ...]:
    """Instants worth testing around: DST changes, year ends, holidays, closures."""
    spec = SPECS[name]
    zone = compiled(name).zone
    points = set(_transitions(spec.timezone, 2025, 2027))
    days = [dt.date(year, 1, 1) for year in (2026, 2027, 2028)]
    cal = compiled(name)
    for year in (2026, 2027):
        days.extend(cal.holidays_in_year(year))
    days.extend(c.date for c in spec.closures)
    for day in days:
        points.add(int(dt.datetime.combine(day, dt.time(), tzinfo=zone).timestamp()))
    return tuple(sorted(points))


def instants(name: str) -> st.SearchStrategy[int]:
    near = st.sampled_from(interesting(name))
    return st.one_of(
        st.integers(RANGE_START, RANGE_END),
        st.builds(int.__add__, near, st.integers(-4 * 86400, 4 * 86400)),
        # Whole minutes and whole hours hit opening and closing times exactly.
        st.builds(lambda b, k: b + 60 * k, near, st.integers(-5 * 1440, 5 * 1440)),
        st.builds(lambda b, k: b + 3600 * k, near, st.integers(-5 * 24, 5 * 24)),
    )


def durations(name: str) -> st.SearchStrategy[int]:
    day = compiled(name).working_day_seconds
    return st.one_of(
        st.just(0),
        st.integers(1, 2 * day),
        st.builds(lambda k: 60 * k, st.integers(1, 2 * day // 60)),
        st.builds(lambda k: 1800 * k, st.integers(1, 2 * day // 1800)),
    )


# ---- dense sweeps ------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_minute_around_interesting_dates(name: str) -> None:
    """Open/shut and the running business total at every minute of windows around each DST
    change, year end, holiday and closure agree with the oracle (thousands of points)."""
    cal, truth = compiled(name), oracle(name)
    points = interesting(name)
    # A sample of windows keeps this fast; DST changes and year ends are always included.
    changes = set(_transitions(SPECS[name].timezone, 2025, 2027))
    windows = [p for p in points if p in changes]
    windows += list(points[:: max(1, len(points) // 6)])
    for centre in sorted(set(windows)):
        start = centre - 2 * 86400 - centre % 60
        minutes = np.arange(start, start + 4 * 86400, 60, dtype=np.int64)
        expected_open = []
        running = [0]
        for minute, reading in truth.walk(start):
            if minute >= minutes[-1] + 60:
                break
            is_open = truth.open_reading(reading)
            expected_open.append(is_open)
            running.append(running[-1] + (60 if is_open else 0))
        got_open = cal.is_open_many(minutes)
        assert got_open.tolist() == expected_open, f"{name} around {centre}"
        elapsed = cal.elapsed_many(np.full(len(minutes), start), minutes + 60)
        assert elapsed.tolist() == running[1:], f"{name} around {centre}"


# ---- random cases at any second ----------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@ORACLE
@given(data=st.data())
def test_add_matches_oracle(name: str, data: st.DataObject) -> None:
    start = data.draw(instants(name), label="start")
    seconds = data.draw(durations(name), label="seconds")
    assert compiled(name).add_epoch(start, seconds) == oracle(name).add(start, seconds)


@pytest.mark.parametrize("name", NAMES)
@ORACLE
@given(data=st.data())
def test_elapsed_matches_oracle(name: str, data: st.DataObject) -> None:
    start = data.draw(instants(name), label="start")
    span = data.draw(st.integers(-3 * 86400, 3 * 86400), label="span")
    end = start + span
    assert compiled(name).elapsed_epoch(start, end) == oracle(name).elapsed(start, end)


@pytest.mark.parametrize("name", NAMES)
@ORACLE
@given(data=st.data())
def test_open_and_next_open_match_oracle(name: str, data: st.DataObject) -> None:
    t = data.draw(instants(name), label="t")
    cal, truth = compiled(name), oracle(name)
    assert cal.is_open_epoch(t) == truth.is_open(t)
    assert cal.next_open_epoch(t) == truth.next_open(t)


@pytest.mark.parametrize("name", NAMES)
@settings(ORACLE, max_examples=10)
@given(data=st.data())
def test_close_of_business_matches_oracle(name: str, data: st.DataObject) -> None:
    t = data.draw(instants(name), label="t")
    days = data.draw(st.integers(0, 2), label="working_days")
    assert compiled(name).close_of_business_epoch(t, days) == oracle(name).close_of_business(
        t, days
    )


@pytest.mark.parametrize("name", NAMES)
@settings(ORACLE, max_examples=25)
@given(data=st.data())
def test_add_then_elapsed_round_trip(name: str, data: st.DataObject) -> None:
    """elapsed(t, add(t, d)) == d, and add lands on an open instant or a closing time."""
    cal = compiled(name)
    start = data.draw(instants(name), label="start")
    seconds = data.draw(st.integers(1, 40 * cal.working_day_seconds), label="seconds")
    due = cal.add_epoch(start, seconds)
    assert cal.elapsed_epoch(start, due) == seconds
    # Earliest: one second less would not be enough.
    assert cal.elapsed_epoch(start, due - 1) == seconds - 1
