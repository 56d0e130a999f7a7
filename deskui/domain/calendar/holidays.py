"""Named public holidays for a ``HolidaySource``, from the ``holidays`` package.

Observed substitute days are included (a Saturday Christmas observed on the Friday or Monday
closes that day too). The package files an observed day under the year it falls in, and a
year-end observance (New Year's Day observed on 31 December) only appears when the following
year is populated, so each year is read with its neighbours and then filtered.
"""

from __future__ import annotations

import datetime as dt

from deskui.domain.calendar.errors import CalendarError
from deskui.domain.calendar.spec import HolidaySource


def holiday_names(source: HolidaySource, first_year: int, last_year: int) -> dict[dt.date, str]:
    """Every holiday date in ``[first_year, last_year]`` with its name (names joined by '; ')."""
    if last_year < first_year:
        return {}
    # Imported on first use: the package is tens of milliseconds that a command which never
    # compiles a calendar (``deskui ticket list``) need not pay.
    import holidays as holidays_package

    try:
        table = holidays_package.country_holidays(
            source.country,
            subdiv=source.subdivision,
            years=range(max(1, first_year - 1), last_year + 2),
            categories=source.categories,
        )
    except (NotImplementedError, ValueError, KeyError) as exc:
        raise CalendarError(
            f"holidays for country {source.country!r}"
            + (f", subdivision {source.subdivision!r}" if source.subdivision else "")
            + f", categories {list(source.categories)}: {exc}"
        ) from exc
    return {
        day: str(name) for day, name in sorted(table.items()) if first_year <= day.year <= last_year
    }
