"""Hand-worked due times for the five desks' shipped policies (worked out on paper, not by
running the engine): holidays by name, weekends, DST on the 24x7 line, mapping, no SLA."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.sla.clocks import ClockEvent, compute_clocks, next_due
from deskui.domain.sla.due import due_for_target
from deskui.domain.sla.policy import Clock, PolicySpec

HALIFAX = ZoneInfo("America/Halifax")
NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
ACK, RESPONSE, RESOLUTION = Clock.ACKNOWLEDGEMENT, Clock.RESPONSE, Clock.RESOLUTION


def dues(
    policies: dict[str, PolicySpec],
    book: CalendarBook,
    policy: str,
    priority: str,
    opened: dt.datetime,
) -> dict[Clock, dt.datetime | None]:
    spec = policies[policy]
    target = spec.resolve_priority(priority)
    return {c: due_for_target(target.target(c), spec, book, opened) for c in Clock}


def test_velsoft_high_over_christmas(policies, book) -> None:
    # Thu 24 Dec 15:00 → 16:30 is 1h30m; Fri 25 is Christmas Day, then the weekend (Boxing
    # Day is not a Nova Scotia holiday, so Monday 28 is open); 1d = 8h30m.
    opened = dt.datetime(2026, 12, 24, 15, 0, tzinfo=HALIFAX)
    got = dues(policies, book, "velsoft-support", "high", opened)
    assert got[ACK] == dt.datetime(2026, 12, 28, 8, 30, tzinfo=HALIFAX)
    assert got[RESPONSE] == dt.datetime(2026, 12, 28, 10, 30, tzinfo=HALIFAX)
    assert got[RESOLUTION] == dt.datetime(2026, 12, 28, 15, 0, tzinfo=HALIFAX)
    assert got[RESOLUTION].isoformat() == "2026-12-28T15:00:00-04:00"


def test_velsoft_low_is_handled_as_medium(policies, book) -> None:
    opened = dt.datetime(2026, 12, 24, 15, 0, tzinfo=HALIFAX)
    got = dues(policies, book, "velsoft-support", "low", opened)
    assert got == dues(policies, book, "velsoft-support", "medium", opened)
    # 3d = 25h30m: Thu 1h30m, Mon 8h30m, Tue 8h30m, Wed 7h.
    assert got[RESOLUTION] == dt.datetime(2026, 12, 30, 15, 0, tzinfo=HALIFAX)
    assert got[RESPONSE] == dt.datetime(2026, 12, 28, 15, 0, tzinfo=HALIFAX)


def test_two_hours_from_monday_three_pm_is_monday_five_pm(policies, book) -> None:
    # IT Works High... via the calendar directly: the due lands exactly on closing time.
    cal = book.get("itworks-et")
    monday = dt.datetime(2026, 12, 21, 15, 0, tzinfo=NY)
    assert cal.add(monday, 2 * 3600) == dt.datetime(2026, 12, 21, 17, 0, tzinfo=NY)


def test_itworks_very_high_over_independence_day(policies, book) -> None:
    # Sat 4 July 2026 is observed on Fri 3 July.
    opened = dt.datetime(2026, 7, 2, 14, 0, tzinfo=NY)
    got = dues(policies, book, "itworks-standard", "very-high", opened)
    assert got[ACK] == dt.datetime(2026, 7, 2, 17, 0, tzinfo=NY)  # same business day
    assert got[RESPONSE] == dt.datetime(2026, 7, 2, 16, 0, tzinfo=NY)
    assert got[RESOLUTION] == dt.datetime(2026, 7, 6, 10, 0, tzinfo=NY)


def test_itworks_outside_hours_acknowledged_next_business_day(policies, book) -> None:
    opened = dt.datetime(2026, 7, 2, 18, 30, tzinfo=NY)
    got = dues(policies, book, "itworks-standard", "high", opened)
    assert got[ACK] == dt.datetime(2026, 7, 6, 17, 0, tzinfo=NY)
    assert got[RESPONSE] == dt.datetime(2026, 7, 6, 13, 0, tzinfo=NY)
    assert got[RESOLUTION] == dt.datetime(2026, 7, 6, 17, 0, tzinfo=NY)


def test_itworks_medium_over_thanksgiving_and_low_negotiated(policies, book) -> None:
    opened = dt.datetime(2026, 11, 24, 13, 0, tzinfo=NY)
    medium = dues(policies, book, "itworks-standard", "medium", opened)
    # 2d = 16h: Tue 4h, Wed 8h, Thanksgiving, Fri 4h.
    assert medium[RESOLUTION] == dt.datetime(2026, 11, 27, 13, 0, tzinfo=NY)
    low = dues(policies, book, "itworks-standard", "low", opened)
    assert low[RESOLUTION] is None
    # 3d = 24h: Tue 4, Wed 8, Fri 8, Mon 4.
    assert low[RESPONSE] == dt.datetime(2026, 11, 30, 13, 0, tzinfo=NY)


def test_keystone_over_the_august_bank_holiday(policies, book) -> None:
    opened = dt.datetime(2026, 8, 28, 16, 0, tzinfo=LONDON)  # Friday
    urgent = dues(policies, book, "keystone-sla", "urgent", opened)
    assert urgent[ACK] is None
    assert urgent[RESPONSE] == dt.datetime(2026, 8, 28, 17, 0, tzinfo=LONDON)
    # Mon 31 Aug is the Late Summer Bank Holiday: Fri 1h + Tue 7h.
    assert urgent[RESOLUTION] == dt.datetime(2026, 9, 1, 16, 0, tzinfo=LONDON)
    assert urgent[RESOLUTION].isoformat() == "2026-09-01T16:00:00+01:00"
    normal = dues(policies, book, "keystone-sla", "normal", opened)
    assert normal[RESPONSE] == dt.datetime(2026, 9, 1, 16, 0, tzinfo=LONDON)
    # 5d = 40h: Fri 1, Tue 8, Wed 8, Thu 8, Fri 8, Mon 7.
    assert normal[RESOLUTION] == dt.datetime(2026, 9, 7, 16, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        # Clocks go forward at 02:00: one real hour later the wall clock reads 03:30.
        ("2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00"),
        # Clocks go back at 02:00: one real hour later the wall clock reads 01:30 again.
        ("2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00"),
        # An evening call on an ordinary day.
        ("2026-12-21T22:10:00-05:00", "2026-12-21T23:10:00-05:00"),
    ],
)
def test_kenco_one_hour_callback_round_the_clock(policies, book, opened: str, due: str) -> None:
    got = dues(policies, book, "kenco-wes", "software-error", dt.datetime.fromisoformat(opened))
    assert got[RESPONSE] is not None
    assert got[RESPONSE].isoformat() == due
    assert got[RESOLUTION] is None  # negotiated


def test_kenco_24x7_days_are_23_and_25_hours(book) -> None:
    line = book.get("kenco-24x7")
    assert (
        line.elapsed(dt.datetime(2026, 3, 8, tzinfo=NY), dt.datetime(2026, 3, 9, tzinfo=NY))
        == 23 * 3600
    )
    assert (
        line.elapsed(dt.datetime(2026, 11, 1, tzinfo=NY), dt.datetime(2026, 11, 2, tzinfo=NY))
        == 25 * 3600
    )
    # 1d on a 24x7 calendar is 24 real hours, so the wall clock moves 25 hours that day.
    saturday = dt.datetime(2026, 3, 7, 12, 0, tzinfo=NY)
    assert line.add(saturday, line.working_day_seconds).isoformat() == "2026-03-08T13:00:00-04:00"


def test_kenco_location_down_and_training(policies, book) -> None:
    opened = dt.datetime(2026, 7, 3, 10, 0, tzinfo=NY)  # Independence Day observed
    down = dues(policies, book, "kenco-wes", "location-down", opened)
    assert down[RESPONSE] == dt.datetime(2026, 7, 3, 10, 15, tzinfo=NY)
    training = dues(policies, book, "kenco-wes", "training", opened)
    # 2d on kenco-business (9h days) starts Monday 08:00: Mon 9h + Tue 9h.
    assert training[RESOLUTION] == dt.datetime(2026, 7, 7, 17, 0, tzinfo=NY)


def test_paritor_level_4_has_no_sla(policies, book) -> None:
    opened = dt.datetime(2026, 12, 18, 16, 0, tzinfo=LONDON)
    states = compute_clocks(policies["paritor-ensemble"], "level-4", book, opened, [])
    assert all(s.target is None and s.due_at is None and not s.running for s in states.values())
    assert next_due(states) is None
    assert not any(s.breached(opened + dt.timedelta(days=300)) for s in states.values())


def test_paritor_high_and_medium_over_christmas(policies, book) -> None:
    high = dues(
        policies, book, "paritor-ensemble", "high", dt.datetime(2026, 12, 18, 16, tzinfo=LONDON)
    )
    assert high[RESPONSE] == dt.datetime(2026, 12, 21, 10, 0, tzinfo=LONDON)
    assert high[RESOLUTION] == dt.datetime(2026, 12, 21, 16, 0, tzinfo=LONDON)
    medium = dues(
        policies, book, "paritor-ensemble", "medium", dt.datetime(2026, 12, 23, 12, tzinfo=LONDON)
    )
    assert medium[RESPONSE] == dt.datetime(2026, 12, 24, 12, 0, tzinfo=LONDON)
    # Christmas, Boxing Day (Saturday, observed Monday 28), New Year's Day skipped:
    # Wed 5h, Thu 8h, Tue 8h, Wed 8h, Thu 8h, Mon 4 Jan 3h.
    assert medium[RESOLUTION] == dt.datetime(2027, 1, 4, 12, 0, tzinfo=LONDON)


def test_negotiated_due_comes_from_the_agreement(policies, book) -> None:
    policy = policies["kenco-wes"]
    opened = dt.datetime(2026, 12, 7, 10, 0, tzinfo=NY)
    agreed = dt.datetime(2026, 12, 7, 16, 0, tzinfo=NY)
    before = compute_clocks(policy, "software-error", book, opened, [])
    assert before[RESOLUTION].due_at is None
    assert before[RESOLUTION].running
    assert next_due(before) == (ACK, dt.datetime(2026, 12, 7, 10, 15, tzinfo=NY))
    events = [
        ClockEvent("acknowledged", opened + dt.timedelta(minutes=5)),
        ClockEvent("responded", opened + dt.timedelta(minutes=12)),
        ClockEvent("due_agreed", opened + dt.timedelta(minutes=20), RESOLUTION, agreed),
    ]
    after = compute_clocks(policy, "software-error", book, opened, events)
    assert after[RESOLUTION].due_at == agreed
    assert next_due(after) == (RESOLUTION, agreed)
    # A pause after the agreement moves the due by the business time paused (kenco-business).
    paused = [
        *events,
        ClockEvent("paused", dt.datetime(2026, 12, 7, 11, tzinfo=NY)),
        ClockEvent("resumed", dt.datetime(2026, 12, 7, 12, tzinfo=NY)),
    ]
    moved = compute_clocks(policy, "software-error", book, opened, paused)
    assert moved[RESOLUTION].due_at == dt.datetime(2026, 12, 7, 17, 0, tzinfo=NY)
    # A pause that began before the agreement only counts from the agreement.
    straddling = [
        *events,
        ClockEvent("paused", dt.datetime(2026, 12, 7, 10, 5, tzinfo=NY)),
        ClockEvent("resumed", dt.datetime(2026, 12, 7, 10, 30, tzinfo=NY)),
    ]
    partly = compute_clocks(policy, "software-error", book, opened, straddling)
    assert partly[RESOLUTION].due_at == dt.datetime(2026, 12, 7, 16, 10, tzinfo=NY)


def test_due_agreed_is_ignored_for_computed_targets(policies, book) -> None:
    policy = policies["velsoft-support"]
    opened = dt.datetime(2026, 12, 24, 15, 0, tzinfo=HALIFAX)
    events = [
        ClockEvent("due_agreed", opened, RESOLUTION, dt.datetime(2027, 1, 30, 12, tzinfo=HALIFAX))
    ]
    states = compute_clocks(policy, "high", book, opened, events)
    assert states[RESOLUTION].due_at == dt.datetime(2026, 12, 28, 15, 0, tzinfo=HALIFAX)
