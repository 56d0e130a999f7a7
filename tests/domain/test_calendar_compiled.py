"""Compiled calendars: the documented rules, the lazy horizon, errors, the book, holidays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.calendar.compiled import compile_calendar
from deskui.domain.calendar.errors import CalendarError, UnknownCalendarError
from deskui.domain.calendar.holidays import holiday_names
from deskui.domain.calendar.localtime import first_instant, local_instant
from deskui.domain.calendar.spec import CalendarSpec, HolidaySource

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
WORKWEEK = ("mon", "tue", "wed", "thu", "fri")


def nine_to_five(**extra: object) -> CalendarSpec:
    return CalendarSpec.model_validate(
        {
            "name": "nine-to-five",
            "timezone": "America/New_York",
            "hours": {d: ["09:00-17:00"] for d in WORKWEEK},
            **extra,
        }
    )


def at(*args: int, zone: ZoneInfo = NY) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)  # type: ignore[misc]


# ---- local time rule ---------------------------------------------------------------------


def test_skipped_wall_time_maps_to_the_jump() -> None:
    # 8 March 2026: 02:00 EST jumps to 03:00 EDT; 02:30 never shows on the clock.
    jump = int(at(2026, 3, 8, 3, 0).timestamp())
    assert first_instant(dt.datetime(2026, 3, 8, 2, 30), NY) == jump
    assert first_instant(dt.datetime(2026, 3, 8, 2, 0), NY) == jump
    assert local_instant(dt.datetime(2026, 3, 8, 2, 59), NY) == at(2026, 3, 8, 3, 0)


def test_repeated_wall_time_maps_to_its_first_occurrence() -> None:
    # 1 November 2026: 02:00 EDT goes back to 01:00 EST; 01:30 happens twice.
    first = dt.datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=0)
    assert first.utcoffset() == dt.timedelta(hours=-4)
    assert first_instant(dt.datetime(2026, 11, 1, 1, 30), NY) == int(first.timestamp())


def test_ordinary_wall_time() -> None:
    assert first_instant(dt.datetime(2026, 6, 1, 9), NY) == int(at(2026, 6, 1, 9).timestamp())


# ---- the documented add/elapsed rules ----------------------------------------------------


def test_due_on_closing_time_is_closing_time() -> None:
    cal = compile_calendar(nine_to_five())
    assert cal.add(at(2026, 12, 21, 15), 2 * 3600) == at(2026, 12, 21, 17)


def test_start_while_closed_counts_from_next_opening() -> None:
    cal = compile_calendar(nine_to_five())
    assert cal.add(at(2026, 12, 19, 11), 3600) == at(2026, 12, 21, 10)  # Saturday
    assert cal.add(at(2026, 12, 21, 17), 60) == at(2026, 12, 22, 9, 1)  # at closing time
    assert cal.add(at(2026, 12, 21, 7), 60) == at(2026, 12, 21, 9, 1)


def test_add_zero_is_the_start_itself_even_when_closed() -> None:
    cal = compile_calendar(nine_to_five())
    saturday = at(2026, 12, 19, 11)
    assert cal.add(saturday, 0) == saturday
    assert cal.add_epoch(123, 0) == 123


def test_negative_add_is_refused() -> None:
    cal = compile_calendar(nine_to_five())
    with pytest.raises(ValueError, match="negative"):
        cal.add(at(2026, 12, 21, 10), -1)
    with pytest.raises(ValueError, match="negative"):
        cal.add_many([0], [-5])


def test_elapsed_is_half_open_and_antisymmetric() -> None:
    cal = compile_calendar(nine_to_five())
    a, b = at(2026, 12, 21, 16), at(2026, 12, 22, 10)
    assert cal.elapsed(a, b) == 2 * 3600
    assert cal.elapsed(b, a) == -2 * 3600
    assert cal.elapsed(a, a) == 0
    assert cal.elapsed(at(2026, 12, 21, 17), at(2026, 12, 22, 9)) == 0


def test_naive_datetimes_are_refused() -> None:
    cal = compile_calendar(nine_to_five())
    with pytest.raises(ValueError, match="UTC offset"):
        cal.is_open(dt.datetime(2026, 12, 21, 10))


def test_results_are_in_the_calendar_zone_whatever_the_input_zone() -> None:
    cal = compile_calendar(nine_to_five())
    due = cal.add(dt.datetime(2026, 12, 21, 20, tzinfo=dt.UTC), 3600)
    assert due.tzinfo == NY
    assert due == at(2026, 12, 21, 16)


def test_is_open_and_next_open() -> None:
    cal = compile_calendar(nine_to_five(holidays={"country": "US"}))
    assert cal.is_open(at(2026, 12, 21, 9))
    assert not cal.is_open(at(2026, 12, 21, 17))
    assert cal.next_open(at(2026, 12, 21, 12)) == at(2026, 12, 21, 12)
    assert cal.next_open(at(2026, 12, 25, 12)) == at(2026, 12, 28, 9)


def test_sub_second_inputs_are_floored() -> None:
    cal = compile_calendar(nine_to_five())
    start = at(2026, 12, 21, 10).replace(microsecond=999_999)
    assert cal.add(start, 1) == at(2026, 12, 21, 10, 0, 1)


# ---- working day, close of business -----------------------------------------------------


def test_working_day_is_the_longest_weekday() -> None:
    spec = CalendarSpec.model_validate(
        {
            "name": "uneven",
            "timezone": "Europe/London",
            "hours": {"mon": ["09:00-12:00", "13:00-18:00"], "sat": ["10:00-12:00"]},
        }
    )
    assert compile_calendar(spec).working_day_seconds == 8 * 3600
    assert compile_calendar(nine_to_five()).working_day_seconds == 8 * 3600
    always = CalendarSpec(name="always", timezone="UTC", always_open=True)
    assert compile_calendar(always).working_day_seconds == 86400


def test_close_of_business_same_and_next_day() -> None:
    cal = compile_calendar(nine_to_five(holidays={"country": "US"}))
    # In hours: same business day. Outside hours: the next business day.
    assert cal.close_of_business(at(2026, 12, 21, 10)) == at(2026, 12, 21, 17)
    assert cal.close_of_business(at(2026, 12, 21, 17)) == at(2026, 12, 22, 17)
    assert cal.close_of_business(at(2026, 12, 21, 6)) == at(2026, 12, 21, 17)
    # cob+1 from Thursday skips Christmas Day and the weekend.
    assert cal.close_of_business(at(2026, 12, 24, 10), 1) == at(2026, 12, 28, 17)


def test_close_of_business_with_a_split_day_and_early_closure() -> None:
    spec = CalendarSpec.model_validate(
        {
            "name": "split",
            "timezone": "Europe/London",
            "hours": {d: ["09:00-12:30", "13:30-17:00"] for d in WORKWEEK},
            "closures": [
                {"date": "2026-12-24", "start": "15:00", "end": "17:00", "reason": "party"}
            ],
        }
    )
    cal = compile_calendar(spec)
    assert cal.close_of_business(at(2026, 12, 21, 10, zone=LONDON)) == at(
        2026, 12, 21, 17, zone=LONDON
    )
    assert cal.close_of_business(at(2026, 12, 24, 10, zone=LONDON)) == at(
        2026, 12, 24, 15, zone=LONDON
    )


def test_interval_past_midnight_belongs_to_the_day_it_starts() -> None:
    spec = CalendarSpec.model_validate(
        {
            "name": "nights",
            "timezone": "America/New_York",
            "hours": {d: ["22:00-06:00"] for d in WORKWEEK},
            "holidays": {"country": "US"},
        }
    )
    cal = compile_calendar(spec)
    # Friday night runs into Saturday morning.
    assert cal.is_open(at(2026, 12, 19, 5))
    # Christmas (Friday) drops the shift starting that evening, but Thursday's still runs
    # into Christmas morning.
    assert cal.is_open(at(2026, 12, 25, 5))
    assert not cal.is_open(at(2026, 12, 25, 23))
    assert cal.close_of_business(at(2026, 12, 24, 23)) == at(2026, 12, 25, 6)


def test_24_00_end_and_merging() -> None:
    spec = CalendarSpec.model_validate(
        {
            "name": "late",
            "timezone": "Europe/London",
            "hours": {
                "sat": ["18:00-24:00"],
                "sun": ["00:00-03:00"],
                "mon": ["08:00-10:00", "09:00-11:00"],
            },
        }
    )
    cal = compile_calendar(spec)
    start = at(2026, 12, 19, 18, zone=LONDON)
    assert cal.elapsed(start, at(2026, 12, 21, 0, zone=LONDON)) == 9 * 3600
    assert cal.open_intervals(int(start.timestamp()), int(start.timestamp()) + 86400) == [
        (int(start.timestamp()), int(start.timestamp()) + 9 * 3600)
    ]
    monday = at(2026, 12, 21, 0, zone=LONDON)
    assert cal.elapsed(monday, monday + dt.timedelta(days=1)) == 3 * 3600


def test_whole_day_and_partial_closures_subtract() -> None:
    cal = compile_calendar(
        nine_to_five(
            closures=[
                {"date": "2026-12-22", "reason": "move"},
                {"date": "2026-12-23", "start": "12:00", "end": "13:30", "reason": "drill"},
            ]
        )
    )
    assert cal.elapsed(at(2026, 12, 22, 0), at(2026, 12, 23, 0)) == 0
    assert cal.elapsed(at(2026, 12, 23, 0), at(2026, 12, 24, 0)) == int(6.5 * 3600)
    status = cal.day_status(dt.date(2026, 12, 22))
    assert (status.kind, status.name) == ("closure", "move")
    [partial] = cal.partial_closures(
        int(at(2026, 12, 23).timestamp()), int(at(2026, 12, 24).timestamp())
    )
    assert partial.reason == "drill"


def test_business_time_counts_real_seconds_across_dst() -> None:
    always = compile_calendar(
        CalendarSpec(name="always", timezone="America/New_York", always_open=True)
    )
    assert always.elapsed(at(2026, 3, 8), at(2026, 3, 9)) == 23 * 3600
    assert always.elapsed(at(2026, 11, 1), at(2026, 11, 2)) == 25 * 3600
    nights = compile_calendar(
        CalendarSpec.model_validate(
            {"name": "n", "timezone": "America/New_York", "hours": {"sat": ["22:00-06:00"]}}
        )
    )
    # The night the clocks go back has 9 real hours between 22:00 and 06:00.
    assert nights.elapsed(at(2026, 10, 31, 12), at(2026, 11, 1, 12)) == 9 * 3600
    assert nights.elapsed(at(2026, 3, 7, 12), at(2026, 3, 8, 12)) == 7 * 3600


# ---- lazy horizon ------------------------------------------------------------------------


def test_horizon_grows_both_ways_and_positions_stay_stable() -> None:
    cal = compile_calendar(nine_to_five())
    ref = int(at(2026, 6, 1, 12).timestamp())
    before = cal.position_epoch(ref)
    far_future = cal.add(at(2026, 6, 1, 12), 8 * 3600 * 261 * 20)  # ~20 years of work
    assert far_future.year >= 2045
    past = at(1999, 12, 31, 16)
    assert cal.elapsed(past, at(2000, 1, 3, 10)) == 2 * 3600
    assert cal.position_epoch(ref) == before
    assert cal.elapsed(at(2026, 6, 1, 12), far_future) == 8 * 3600 * 261 * 20


def test_compile_years_precompiles() -> None:
    cal = compile_calendar(nine_to_five())
    cal.compile_years(2026, 2027)
    assert cal.elapsed(at(2026, 1, 1), at(2028, 1, 1)) == 8 * 3600 * 522


# ---- holidays ----------------------------------------------------------------------------


def test_holiday_names_include_observed_days_at_year_end() -> None:
    # New Year's Day 2022 was a Saturday, observed on Friday 31 December 2021.
    names = holiday_names(HolidaySource(country="US"), 2021, 2021)
    assert names[dt.date(2021, 12, 31)] == "New Year's Day (observed)"
    assert names[dt.date(2021, 12, 24)] == "Christmas Day (observed)"
    assert all(day.year == 2021 for day in names)


def test_us_public_holidays_are_the_federal_ones() -> None:
    names = holiday_names(HolidaySource(country="US"), 2026, 2026)
    assert len(names) == 12  # eleven federal holidays plus Independence Day observed
    assert names[dt.date(2026, 7, 3)] == "Independence Day (observed)"


def test_nova_scotia_has_no_boxing_day_but_england_does() -> None:
    ns = holiday_names(HolidaySource(country="CA", subdivision="NS"), 2026, 2026)
    eng = holiday_names(HolidaySource(country="GB", subdivision="ENG"), 2026, 2026)
    assert dt.date(2026, 12, 28) not in ns
    assert eng[dt.date(2026, 12, 28)] == "Boxing Day (observed)"
    assert eng[dt.date(2026, 8, 31)] == "Late Summer Bank Holiday"


def test_bad_holiday_source_is_a_calendar_error() -> None:
    with pytest.raises(CalendarError, match="XX"):
        holiday_names(HolidaySource(country="XX"), 2026, 2026)
    cal = compile_calendar(nine_to_five(holidays={"country": "CA", "subdivision": "ZZ"}))
    with pytest.raises(CalendarError, match="ZZ"):
        cal.is_open(at(2026, 1, 5, 10))


# ---- the book ----------------------------------------------------------------------------


def test_book_compiles_once_and_names_unknown_calendars() -> None:
    book = CalendarBook(
        [nine_to_five(), CalendarSpec(name="always", timezone="UTC", always_open=True)]
    )
    assert book.names() == ["always", "nine-to-five"]
    assert book.get("always") is book.get("always")
    with pytest.raises(UnknownCalendarError) as caught:
        book.get("nine-to-six")
    assert isinstance(caught.value, KeyError)
    assert str(caught.value) == "unknown calendar 'nine-to-six' (known: always, nine-to-five)"


def test_book_refuses_duplicate_names() -> None:
    with pytest.raises(ValueError, match="twice"):
        CalendarBook([nine_to_five(), nine_to_five()])


def test_sample_calendars_working_days(book: CalendarBook) -> None:
    assert book.names() == [
        "itworks-et",
        "kenco-24x7",
        "kenco-business",
        "keystone-england",
        "paritor-uk",
        "velsoft-halifax",
    ]
    days = {name: book.get(name).working_day_seconds for name in book.names()}
    assert days == {
        "itworks-et": 8 * 3600,
        "kenco-24x7": 24 * 3600,
        "kenco-business": 9 * 3600,
        "keystone-england": 8 * 3600,
        "paritor-uk": 8 * 3600,
        "velsoft-halifax": int(8.5 * 3600),
    }
