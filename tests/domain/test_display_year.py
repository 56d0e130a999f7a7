"""The one date style says the year only for an instant outside the reader's current year."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from deskui.domain.display import local_time

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")


def test_this_year_reads_without_the_year() -> None:
    at = dt.datetime(2026, 3, 4, 9, 5, tzinfo=dt.UTC)
    assert local_time(at, LONDON, now=NOW) == "Wed 04 Mar 09:05"


def test_another_year_says_it() -> None:
    at = dt.datetime(2024, 10, 14, 8, 12, tzinfo=dt.UTC)
    assert local_time(at, LONDON, now=NOW) == "Mon 14 Oct 2024 09:12"
    assert local_time(dt.datetime(2027, 1, 5, 9, 0, tzinfo=dt.UTC), LONDON, now=NOW) == (
        "Tue 05 Jan 2027 09:00"
    )


def test_the_year_is_the_readers() -> None:
    # 31 Dec 2026 20:00 UTC is already 2027 in Auckland; so is "now" there a day later.
    at = dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC)
    later = dt.datetime(2027, 1, 1, 20, 0, tzinfo=dt.UTC)
    assert local_time(at, AUCKLAND, now=later) == "Fri 01 Jan 09:00"
    assert local_time(at, AUCKLAND, now=NOW) == "Fri 01 Jan 2027 09:00"


def test_without_now_or_with_another_format_nothing_is_added() -> None:
    at = dt.datetime(2024, 10, 14, 8, 12, tzinfo=dt.UTC)
    assert local_time(at, LONDON) == "Mon 14 Oct 09:12"
    assert local_time(at, LONDON, "%a %H:%M", now=NOW) == "Mon 09:12"
    assert local_time(None, LONDON, now=NOW) == "—"
    assert local_time(at.replace(tzinfo=None), LONDON, now=NOW) == "Mon 14 Oct 2024 09:12"
