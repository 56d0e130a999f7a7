"""A calendar compiled into sorted UTC open intervals with a prefix sum of business seconds.

``compile_calendar(spec)`` returns a ``CompiledCalendar`` that answers the SLA questions:

- ``position(t)``: business seconds between a fixed anchor and ``t`` (the prefix sum ``B``);
- ``elapsed(a, b) = B(b) - B(a)``: business seconds in ``[a, b)``, negative when ``b < a``;
- ``add(t, d) = B⁻¹(B(t) + d)``: the earliest instant at which ``d`` business seconds have
  passed since ``t`` (a due time landing exactly on closing time is that closing time; a start
  while closed counts from the next opening; ``add(t, 0)`` is ``t`` itself, open or not);
- ``is_open``, ``next_open``, ``close_of_business``, ``working_day_seconds``.

Each has an epoch-seconds twin (``add_epoch`` …) and numpy batch versions (``add_many`` …)
built on ``np.searchsorted``; scalar calls use ``bisect`` on plain lists, which is faster than
numpy for one value. Everything works on whole seconds: datetimes are floored to the second.

Years are compiled lazily, one local calendar year at a time, in both directions, as queries
reach them; there is no fixed horizon. The rules that turn a spec into intervals:

- an interval belongs to the local day it starts on, even when it runs past midnight;
- a public holiday or a whole-day closure drops the intervals that *start* on that day (the
  tail of the previous evening's interval still runs into it);
- a partial closure removes its local time span from whatever is open then;
- overlapping or touching intervals are merged;
- local wall times become instants by the rule in ``localtime`` (first instant the clock
  reads that time), so business time counts real seconds across DST changes.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from deskui.domain.calendar.errors import CalendarError
from deskui.domain.calendar.holidays import holiday_names
from deskui.domain.calendar.localtime import (
    first_instant,
    from_epoch,
    to_epoch,
    wall_time,
)
from deskui.domain.calendar.spec import WEEKDAYS, CalendarSpec

Epochs = npt.NDArray[np.int64]
ArrayLike = npt.ArrayLike

_DAY_MINUTES = 24 * 60
# A calendar that stays shut this many years in a row is treated as never opening again.
_MAX_EMPTY_YEARS = 50
_MIN_YEAR, _MAX_YEAR = 2, 9997

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
class _Year:
    """One local year's open pieces: (day ordinal, start, end), sorted, closures removed."""

    year: int
    days: tuple[int, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Grid:
    """An immutable snapshot of the compiled years; swapped whole when the horizon grows.

    Index 0 of the interval lists is an empty sentinel at ``lo`` so that every covered instant
    has an interval starting at or before it (no ``i < 0`` branch in the hot path).
    """

    first_year: int
    last_year: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    pos_start: list[int]
    pos_end: list[int]
    a_starts: Epochs
    a_ends: Epochs
    a_pos_start: Epochs
    a_pos_end: Epochs
    pos_lo: int
    pos_hi: int
    piece_days: list[int]
    piece_starts: list[int]
    piece_ends: list[int]
    work_days: list[int]
    work_close: list[int]


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


class CompiledCalendar:
    """Business-time arithmetic for one calendar; safe to share between threads."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.zone = ZoneInfo(spec.timezone)
        self._lock = threading.Lock()
        self._grid: _Grid | None = None
        self._anchor: int | None = None
        self._years: dict[int, _Year] = {}
        self._holiday_years: dict[int, dict[dt.date, str]] = {}

        full_day = ((0, _DAY_MINUTES),)
        self._hours: tuple[tuple[tuple[int, int], ...], ...] = tuple(
            full_day
            if spec.always_open
            else tuple(
                _merge_minutes([(i.start_minute, i.end_minute) for i in spec.hours.get(day, ())])
            )
            for day in WEEKDAYS
        )
        self.working_day_seconds: int = max(
            sum(end - start for start, end in day) * 60 for day in self._hours
        )
        self._closed_days: dict[dt.date, str] = {}
        partials: list[PartialClosure] = []
        for closure in spec.closures:
            if closure.start is None or closure.end is None:
                reason = self._closed_days.get(closure.date)
                self._closed_days[closure.date] = (
                    f"{reason}; {closure.reason}" if reason else closure.reason
                )
                continue
            day = dt.datetime.combine(closure.date, dt.time())
            start = first_instant(
                day
                + dt.timedelta(
                    hours=closure.start.hour,
                    minutes=closure.start.minute,
                    seconds=closure.start.second,
                ),
                self.zone,
            )
            end = first_instant(
                day
                + dt.timedelta(
                    hours=closure.end.hour, minutes=closure.end.minute, seconds=closure.end.second
                ),
                self.zone,
            )
            if end > start:
                partials.append(PartialClosure(closure.date, start, end, closure.reason))
        self._partials = tuple(sorted(partials, key=lambda p: p.start))
        self._partials_by_day: dict[int, list[tuple[int, int]]] = {}
        for partial in self._partials:
            self._partials_by_day.setdefault(partial.day.toordinal(), []).append(
                (partial.start, partial.end)
            )

    def __repr__(self) -> str:
        return f"CompiledCalendar({self.name!r}, {self.spec.timezone})"

    # ---- compiling ---------------------------------------------------------------------

    def holidays_in_year(self, year: int) -> dict[dt.date, str]:
        """Public holiday names by date for one year (empty without a holiday source)."""
        cached = self._holiday_years.get(year)
        if cached is None:
            source = self.spec.holidays
            cached = holiday_names(source, year, year) if source is not None else {}
            self._holiday_years[year] = cached
        return cached

    def _compile_year(self, year: int) -> _Year:
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
            hours = self._hours[day.weekday()]
            if hours and day not in holidays and day not in self._closed_days:
                midnight = dt.datetime(day.year, day.month, day.day)
                pieces = []
                for start_minute, end_minute in hours:
                    start = first_instant(midnight + dt.timedelta(minutes=start_minute), zone)
                    end = first_instant(midnight + dt.timedelta(minutes=end_minute), zone)
                    if end > start:
                        pieces.append((start, end))
                ordinal = day.toordinal()
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
        compiled = _Year(year, tuple(days), tuple(starts), tuple(ends))
        self._years[year] = compiled
        return compiled

    def _build(self, first_year: int, last_year: int) -> _Grid:
        if first_year < _MIN_YEAR or last_year > _MAX_YEAR:
            raise CalendarError(
                f"calendar {self.name!r}: years {first_year}-{last_year} are out of range"
            )
        zone = self.zone
        lo = first_instant(dt.datetime(first_year, 1, 1), zone)
        hi = first_instant(dt.datetime(last_year + 1, 1, 1), zone)
        piece_days: list[int] = []
        piece_starts: list[int] = []
        piece_ends: list[int] = []
        # The year before contributes its last evening's interval running past midnight.
        for year in range(first_year - 1, last_year + 1):
            compiled = self._compile_year(year)
            piece_days.extend(compiled.days)
            piece_starts.extend(compiled.starts)
            piece_ends.extend(compiled.ends)

        starts: list[int] = [lo]
        ends: list[int] = [lo]
        for start, end in zip(piece_starts, piece_ends, strict=True):
            start, end = max(start, lo), min(end, hi)
            if end <= start:
                continue
            if start <= ends[-1] and len(starts) > 1:
                if end > ends[-1]:
                    ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)

        pos_start: list[int] = [0] * len(starts)
        pos_end: list[int] = [0] * len(starts)
        total = 0
        for i in range(1, len(starts)):
            pos_start[i] = total
            total += ends[i] - starts[i]
            pos_end[i] = total
        if self._anchor is None:
            self._anchor = lo
        shift = _position(starts, ends, pos_start, self._anchor)
        if shift:
            pos_start = [p - shift for p in pos_start]
            pos_end = [p - shift for p in pos_end]

        work_close: dict[int, int] = {}
        for day, end in zip(piece_days, piece_ends, strict=True):
            if end > work_close.get(day, end - 1):
                work_close[day] = end
        work_days = sorted(work_close)
        return _Grid(
            first_year=first_year,
            last_year=last_year,
            lo=lo,
            hi=hi,
            starts=starts,
            ends=ends,
            pos_start=pos_start,
            pos_end=pos_end,
            a_starts=np.array(starts, dtype=np.int64),
            a_ends=np.array(ends, dtype=np.int64),
            a_pos_start=np.array(pos_start, dtype=np.int64),
            a_pos_end=np.array(pos_end, dtype=np.int64),
            pos_lo=pos_start[0],
            pos_hi=pos_end[-1],
            piece_days=piece_days,
            piece_starts=piece_starts,
            piece_ends=piece_ends,
            work_days=work_days,
            work_close=[work_close[d] for d in work_days],
        )

    def _local_year(self, instant: int) -> int:
        try:
            return wall_time(instant, self.zone).year
        except (OverflowError, ValueError, OSError) as exc:
            raise CalendarError(f"instant {instant} is out of range") from exc

    def _cover(self, low: int, high: int) -> _Grid:
        """The grid, grown so that ``lo <= low`` and ``high < hi``."""
        with self._lock:
            grid = self._grid
            while grid is None or low < grid.lo or high >= grid.hi:
                first, last = self._local_year(low), self._local_year(high)
                if grid is not None:
                    if first >= grid.first_year and low < grid.lo:
                        first = grid.first_year - 1
                    if last <= grid.last_year and high >= grid.hi:
                        last = grid.last_year + 1
                    first, last = min(first, grid.first_year), max(last, grid.last_year)
                grid = self._build(first, last)
                self._grid = grid
            return grid

    def compile_years(self, first_year: int, last_year: int) -> None:
        """Compile a range of local years now (otherwise done lazily by the first query)."""
        low = first_instant(dt.datetime(first_year, 1, 1), self.zone)
        high = first_instant(dt.datetime(last_year, 12, 31, 12), self.zone)
        self._cover(low, high)

    def _grow_forward(self, grid: _Grid, reason: str) -> _Grid:
        """One or more further years; refuses a calendar that never opens again."""
        with self._lock:
            current = self._grid
            if current is not None and current.last_year > grid.last_year:
                return current
            per_year = (grid.pos_hi - grid.pos_lo) / (grid.last_year - grid.first_year + 1)
            if per_year == 0 and grid.last_year - grid.first_year >= _MAX_EMPTY_YEARS:
                raise CalendarError(f"calendar {self.name!r} is never open: {reason}")
            grown = self._build(grid.first_year, grid.last_year + 1)
            self._grid = grown
            return grown

    def _grow_to_position(self, grid: _Grid, target: int) -> _Grid:
        empty_years = 0
        while target > grid.pos_hi:
            before = grid.pos_hi
            per_year = (grid.pos_hi - grid.pos_lo) / (grid.last_year - grid.first_year + 1)
            extra = max(1, math.ceil((target - grid.pos_hi) / per_year)) if per_year else 1
            with self._lock:
                current = self._grid
                if current is not None and current.last_year > grid.last_year:
                    grid = current
                    continue
                grid = self._build(grid.first_year, grid.last_year + extra)
                self._grid = grid
            empty_years = empty_years + extra if grid.pos_hi == before else 0
            if empty_years >= _MAX_EMPTY_YEARS:
                raise CalendarError(
                    f"calendar {self.name!r} has no open time for {empty_years} years"
                )
        return grid

    # ---- epoch-second API --------------------------------------------------------------

    def position_epoch(self, instant: int) -> int:
        """Business seconds from this calendar's anchor to ``instant`` (stable per object)."""
        grid = self._grid
        if grid is None or instant < grid.lo or instant >= grid.hi:
            grid = self._cover(instant, instant)
        return _position(grid.starts, grid.ends, grid.pos_start, instant)

    def elapsed_epoch(self, start: int, end: int) -> int:
        """Business seconds in ``[start, end)``; ``-elapsed(end, start)`` when ``end < start``."""
        grid = self._grid
        if grid is None or start < grid.lo or end < grid.lo or start >= grid.hi or end >= grid.hi:
            grid = self._cover(min(start, end), max(start, end))
        starts, ends, pos_start = grid.starts, grid.ends, grid.pos_start
        i = bisect_right(starts, start) - 1
        stop = ends[i]
        before = pos_start[i] + (start if start < stop else stop) - starts[i]
        i = bisect_right(starts, end) - 1
        stop = ends[i]
        return pos_start[i] + (end if end < stop else stop) - starts[i] - before

    def add_epoch(self, start: int, seconds: int) -> int:
        """Earliest instant at which ``seconds`` business seconds have passed since ``start``."""
        if seconds <= 0:
            if seconds == 0:
                return start
            raise ValueError(f"cannot add a negative business time ({seconds} s)")
        grid = self._grid
        if grid is None or start < grid.lo or start >= grid.hi:
            grid = self._cover(start, start)
        starts = grid.starts
        i = bisect_right(starts, start) - 1
        stop = grid.ends[i]
        target = grid.pos_start[i] + (start if start < stop else stop) - starts[i] + seconds
        if target > grid.pos_hi:
            grid = self._grow_to_position(grid, target)
        j = bisect_left(grid.pos_end, target)
        return grid.starts[j] + target - grid.pos_start[j]

    def is_open_epoch(self, instant: int) -> bool:
        grid = self._grid
        if grid is None or instant < grid.lo or instant >= grid.hi:
            grid = self._cover(instant, instant)
        return instant < grid.ends[bisect_right(grid.starts, instant) - 1]

    def next_open_epoch(self, instant: int) -> int:
        """``instant`` if open, else the next opening."""
        grid = self._grid
        if grid is None or instant < grid.lo or instant >= grid.hi:
            grid = self._cover(instant, instant)
        while True:
            i = bisect_right(grid.starts, instant)
            if instant < grid.ends[i - 1]:
                return instant
            if i < len(grid.starts):
                return grid.starts[i]
            grid = self._grow_forward(grid, f"no opening after {instant}")

    def _business_day(self, grid: _Grid, instant: int) -> int:
        """Ordinal of the local day whose interval contains open ``instant`` (earliest day)."""
        k = bisect_right(grid.piece_starts, instant) - 1
        best: int | None = None
        # Only the day itself and the day before can hold an interval covering an instant.
        horizon = instant - 3 * 86400
        while k >= 0 and grid.piece_starts[k] > horizon:
            if grid.piece_ends[k] > instant and (best is None or grid.piece_days[k] < best):
                best = grid.piece_days[k]
            k -= 1
        if best is None:  # pragma: no cover - next_open guarantees an open instant
            raise CalendarError(f"{instant} is not inside an opening of {self.name!r}")
        return best

    def business_day_epoch(self, instant: int) -> dt.date:
        """The local business day in which counting from ``instant`` starts."""
        opening = self.next_open_epoch(instant)
        grid = self._cover(opening, opening)
        return dt.date.fromordinal(self._business_day(grid, opening))

    def close_of_business_epoch(self, instant: int, working_days: int = 0) -> int:
        """End of the business day counting from ``instant`` starts in, plus N working days."""
        if working_days < 0:
            raise ValueError(f"working_days must not be negative ({working_days})")
        opening = self.next_open_epoch(instant)
        grid = self._grid
        if grid is None or opening < grid.lo or opening >= grid.hi:
            grid = self._cover(opening, opening)
        day = self._business_day(grid, opening)
        while True:
            k = bisect_left(grid.work_days, day) + working_days
            if k < len(grid.work_days):
                return grid.work_close[k]
            grid = self._grow_forward(grid, f"no working day after {dt.date.fromordinal(day)}")

    # ---- datetime API ------------------------------------------------------------------

    def local(self, instant: int) -> dt.datetime:
        """An epoch second as an aware datetime in this calendar's zone."""
        return from_epoch(instant, self.zone)

    def position(self, instant: dt.datetime) -> int:
        return self.position_epoch(to_epoch(instant))

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> int:
        """Business seconds in ``[start, end)``; negative when ``end`` is before ``start``."""
        return self.elapsed_epoch(to_epoch(start), to_epoch(end))

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """Earliest instant (in this calendar's zone) ``seconds`` business seconds after start."""
        return from_epoch(self.add_epoch(to_epoch(start), seconds), self.zone)

    def is_open(self, instant: dt.datetime) -> bool:
        return self.is_open_epoch(to_epoch(instant))

    def next_open(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` itself (in this zone) if open, else the next opening."""
        return from_epoch(self.next_open_epoch(to_epoch(instant)), self.zone)

    def close_of_business(self, instant: dt.datetime, working_days: int = 0) -> dt.datetime:
        return from_epoch(self.close_of_business_epoch(to_epoch(instant), working_days), self.zone)

    # ---- batch API ---------------------------------------------------------------------

    def _cover_array(self, values: Epochs) -> _Grid:
        grid = self._grid
        low, high = int(values.min()), int(values.max())
        if grid is None or low < grid.lo or high >= grid.hi:
            grid = self._cover(low, high)
        return grid

    def positions_many(self, instants: ArrayLike) -> Epochs:
        """``position_epoch`` for an array of epoch seconds."""
        values = np.asarray(instants, dtype=np.int64)
        if values.size == 0:
            return values.copy()
        return _positions(self._cover_array(values), values)

    def elapsed_many(self, starts: ArrayLike, ends: ArrayLike) -> Epochs:
        """``elapsed_epoch`` element-wise (arrays broadcast)."""
        a, b = np.broadcast_arrays(
            np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
        )
        if a.size == 0:
            return a.copy()
        self._cover_array(a)
        grid = self._cover_array(b)
        return _positions(grid, b) - _positions(grid, a)

    def add_many(self, starts: ArrayLike, seconds: ArrayLike) -> Epochs:
        """``add_epoch`` element-wise (arrays broadcast)."""
        t, d = np.broadcast_arrays(
            np.asarray(starts, dtype=np.int64), np.asarray(seconds, dtype=np.int64)
        )
        if t.size == 0:
            return t.copy()
        if (d < 0).any():
            raise ValueError("cannot add a negative business time")
        grid = self._cover_array(t)
        target = _positions(grid, t) + d
        highest = int(target.max())
        if highest > grid.pos_hi:
            grid = self._grow_to_position(grid, highest)
        j = np.searchsorted(grid.a_pos_end, target, side="left")
        result = grid.a_starts[j] + target - grid.a_pos_start[j]
        return np.where(d == 0, t, result)

    def is_open_many(self, instants: ArrayLike) -> npt.NDArray[np.bool_]:
        values = np.asarray(instants, dtype=np.int64)
        if values.size == 0:
            return np.zeros(0, dtype=np.bool_)
        grid = self._cover_array(values)
        i = np.searchsorted(grid.a_starts, values, side="right") - 1
        return values < grid.a_ends[i]

    # ---- what explanations need --------------------------------------------------------

    def open_intervals(self, start: int, end: int) -> list[tuple[int, int]]:
        """The merged open intervals clipped to ``[start, end)``, in order."""
        if end <= start:
            return []
        grid = self._cover(start, end)
        out: list[tuple[int, int]] = []
        i = max(1, bisect_right(grid.starts, start) - 1)
        while i < len(grid.starts) and grid.starts[i] < end:
            lo, hi = max(grid.starts[i], start), min(grid.ends[i], end)
            if hi > lo:
                out.append((lo, hi))
            i += 1
        return out

    def day_status(self, day: dt.date) -> DayStatus:
        """Whether a local date has opening hours, and if not, why (holiday name, reason)."""
        name = self.holidays_in_year(day.year).get(day)
        if name is not None:
            return DayStatus(day, "holiday", name)
        reason = self._closed_days.get(day)
        if reason is not None:
            return DayStatus(day, "closure", reason)
        if not self._hours[day.weekday()]:
            return DayStatus(day, "no-hours", WEEKDAYS[day.weekday()])
        return DayStatus(day, "open")

    def partial_closures(self, start: int, end: int) -> list[PartialClosure]:
        """Partial-day closures overlapping ``[start, end)``."""
        return [p for p in self._partials if p.start < end and p.end > start]


def _position(starts: list[int], ends: list[int], pos_start: list[int], instant: int) -> int:
    i = bisect_right(starts, instant) - 1
    stop = ends[i]
    return pos_start[i] + (instant if instant < stop else stop) - starts[i]


def _positions(grid: _Grid, values: Epochs) -> Epochs:
    i = np.searchsorted(grid.a_starts, values, side="right") - 1
    return grid.a_pos_start[i] + np.minimum(values, grid.a_ends[i]) - grid.a_starts[i]


def compile_calendar(spec: CalendarSpec) -> CompiledCalendar:
    """A compiled calendar for ``spec``; years are compiled lazily as queries reach them."""
    return CompiledCalendar(spec)
