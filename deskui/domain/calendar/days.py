"""What is open on each local day of a calendar: the spec's rules applied day by day.

``DayRules`` knows the weekly hours (merged per weekday), the public holidays (by name, per
year, cached), the whole-day closures (with reasons) and the partial closures (as real
instants). ``year(y)`` lists the open pieces of every local day of year ``y`` as UTC epoch
seconds, closures removed; ``CompiledCalendar`` merges those into its grid.

The rules: an interval belongs to the local day it starts on, even when it runs past
midnight; a public holiday or a whole-day closure drops the intervals that *start* on that
day (the tail of the previous evening's interval still runs into it); a partial closure
removes its local time span from whatever is open then; local wall times become instants by
the rule in ``localtime``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from deskui.domain.calendar.holidays import holiday_names
from deskui.domain.calendar.localtime import first_instant
from deskui.domain.calendar.spec import WEEKDAYS, CalendarSpec, Closure

_DAY_MINUTES = 24 * 60

DayKind = Literal["open", "holiday", "closure", "no-hours"]


@dataclass(frozen=True, slots=True)
class DayStatus:
    """Why a local date is open or shut: a holiday or closure carries its name or reason."""

    day: dt.date
    kind: DayKind
    name: str = ""


@dataclass(frozen=True, slots=True)
class PartialClosure:
    """A partial-day closure as real instants (epoch seconds), with its reason."""

    day: dt.date
    start: int
    end: int
    reason: str


@dataclass(frozen=True, slots=True)
class YearPieces:
    """One local year's open pieces: (day ordinal, start, end), sorted, closures removed."""

    year: int
    days: tuple[int, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def _merge_minutes(intervals: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(
    pieces: list[tuple[int, int]], cuts: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    for cut_start, cut_end in cuts:
        remaining: list[tuple[int, int]] = []
        for start, end in pieces:
            if cut_end <= start or cut_start >= end:
                remaining.append((start, end))
                continue
            if start < cut_start:
                remaining.append((start, cut_start))
            if cut_end < end:
                remaining.append((cut_end, end))
        pieces = remaining
    return pieces


def _closure_instants(closure: Closure, zone: ZoneInfo) -> tuple[int, int]:
    assert closure.start is not None and closure.end is not None
    day = dt.datetime.combine(closure.date, dt.time())

    def at(time: dt.time) -> int:
        offset = dt.timedelta(hours=time.hour, minutes=time.minute, seconds=time.second)
        return first_instant(day + offset, zone)

    return at(closure.start), at(closure.end)


class DayRules:
    """The spec's hours, holidays and closures, answered per local day or year."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        full_day = ((0, _DAY_MINUTES),)
        self.hours: tuple[tuple[tuple[int, int], ...], ...] = tuple(
            full_day
            if spec.always_open
            else tuple(
                _merge_minutes([(i.start_minute, i.end_minute) for i in spec.hours.get(day, ())])
            )
            for day in WEEKDAYS
        )
        self.working_day_seconds: int = max(
            sum(end - start for start, end in day) * 60 for day in self.hours
        )
        self.closed_days: dict[dt.date, str] = {}
        partials: list[PartialClosure] = []
        for closure in spec.closures:
            if closure.start is None or closure.end is None:
                reason = self.closed_days.get(closure.date)
                self.closed_days[closure.date] = (
                    f"{reason}; {closure.reason}" if reason else closure.reason
                )
                continue
            start, end = _closure_instants(closure, self.zone)
            if end > start:
                partials.append(PartialClosure(closure.date, start, end, closure.reason))
        self.partials = tuple(sorted(partials, key=lambda p: p.start))
        self._partials_by_day: dict[int, list[tuple[int, int]]] = {}
        for partial in self.partials:
            self._partials_by_day.setdefault(partial.day.toordinal(), []).append(
                (partial.start, partial.end)
            )
        self._years: dict[int, YearPieces] = {}
        self._holiday_years: dict[int, dict[dt.date, str]] = {}

    def holidays_in_year(self, year: int) -> dict[dt.date, str]:
        """Public holiday names by date for one year (empty without a holiday source)."""
        cached = self._holiday_years.get(year)
        if cached is None:
            source = self.spec.holidays
            cached = holiday_names(source, year, year) if source is not None else {}
            self._holiday_years[year] = cached
        return cached

    def year(self, year: int) -> YearPieces:
        """Every local day's open pieces in ``year`` (cached)."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        holidays = self.holidays_in_year(year)
        days: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        zone = self.zone
        day = dt.date(year, 1, 1)
        one_day = dt.timedelta(days=1)
        while day.year == year:
            hours = self.hours[day.weekday()]
            if hours and day not in holidays and day not in self.closed_days:
                midnight = dt.datetime(day.year, day.month, day.day)
                pieces = []
                for start_minute, end_minute in hours:
                    start = first_instant(midnight + dt.timedelta(minutes=start_minute), zone)
                    end = first_instant(midnight + dt.timedelta(minutes=end_minute), zone)
                    if end > start:
                        pieces.append((start, end))
                ordinal = day.toordinal()
                # A day's pieces end before the midnight after next, so only closures on the
                # day itself and the next can cut them.
                cuts = self._partials_by_day.get(ordinal, []) + self._partials_by_day.get(
                    ordinal + 1, []
                )
                if cuts:
                    pieces = _subtract(pieces, cuts)
                for start, end in pieces:
                    days.append(ordinal)
                    starts.append(start)
                    ends.append(end)
            day += one_day
        compiled = YearPieces(year, tuple(days), tuple(starts), tuple(ends))
        self._years[year] = compiled
        return compiled

    def day_status(self, day: dt.date) -> DayStatus:
        """Whether a local date has opening hours, and if not, why (holiday name, reason)."""
        name = self.holidays_in_year(day.year).get(day)
        if name is not None:
            return DayStatus(day, "holiday", name)
        reason = self.closed_days.get(day)
        if reason is not None:
            return DayStatus(day, "closure", reason)
        if not self.hours[day.weekday()]:
            return DayStatus(day, "no-hours", WEEKDAYS[day.weekday()])
        return DayStatus(day, "open")

    def partial_closures(self, start: int, end: int) -> list[PartialClosure]:
        """Partial-day closures overlapping ``[start, end)``."""
        return [p for p in self.partials if p.start < end and p.end > start]
