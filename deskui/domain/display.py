"""How times and durations read for a person, in the app and on the command line alike.

One duration style: ``45m``, ``3h 05m``, ``2d 04h`` (a day is 24 hours of the time counted), a
leading ``-`` once past due. One date style: ``Tue 01 Dec 10:00``, always in the reader's zone
(the agent's, else the desk's), with the year added for an instant outside the reader's current
year (``Mon 14 Oct 2024 09:12``: a case kept for reference). Machine output (JSON, CSV) stays
ISO-8601 and is not made here.
"""

from __future__ import annotations

import datetime as dt

DATE_TIME = "%a %d %b %H:%M"
DATE_TIME_YEAR = "%a %d %b %Y %H:%M"


def duration(seconds: int | float | None) -> str:
    """``300`` → ``"5m"``, ``5400`` → ``"1h 30m"``, ``190800`` → ``"2d 05h"``; negative keeps
    its ``-``; None → ``"—"``."""
    if seconds is None:
        return "—"
    sign = "-" if seconds < 0 else ""
    minutes = abs(int(seconds)) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{sign}{days}d {hours:02d}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    return f"{sign}{minutes}m"


def local_time(
    instant: dt.datetime | None,
    zone: dt.tzinfo,
    fmt: str = DATE_TIME,
    *,
    now: dt.datetime | None = None,
) -> str:
    """``instant`` in ``zone`` (naive instants are UTC, as the store keeps them); in the one
    date style, given ``now``, the year is added when it is not ``now``'s year in ``zone``."""
    if instant is None:
        return "—"
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    local = instant.astimezone(zone)
    if fmt == DATE_TIME and now is not None and local.year != _aware(now).astimezone(zone).year:
        fmt = DATE_TIME_YEAR
    return local.strftime(fmt)


def _aware(instant: dt.datetime) -> dt.datetime:
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=dt.UTC)


def local_day_range(
    first: dt.date, last: dt.date, zone: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime]:
    """``[first 00:00, the day after last 00:00)`` in ``zone``, as UTC instants: a person's
    "days" are cut at their own midnight, not UTC's."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
