"""A calendar compiled into sorted UTC open intervals with a prefix sum of business seconds.

``compile_calendar(spec)`` returns a ``CompiledCalendar`` that answers the SLA questions:

- ``position(t)``: business seconds between a fixed anchor and ``t`` (the prefix sum ``B``);
- ``elapsed(a, b) = B(b) - B(a)``: business seconds in ``[a, b)``, negative when ``b < a``;
- ``add(t, d) = B⁻¹(B(t) + d)``: the earliest instant at which ``d`` business seconds have
  passed since ``t`` (a due time landing exactly on closing time is that closing time; a start
  while closed counts from the next opening; ``add(t, 0)`` is ``t`` itself, open or not);
- ``is_open``, ``next_open``, ``close_of_business``, ``working_day_seconds``.

Each has an epoch-seconds twin (``add_epoch`` …) and numpy batch versions (``add_many`` …)
built on ``np.searchsorted``; the scalar epoch calls are closures over a bucket table (see
``fastpath``). Everything works on whole seconds: datetimes are floored to the second.

Years are compiled lazily, one local calendar year at a time, in both directions, as queries
reach them; there is no fixed horizon. ``days`` turns the spec into each local day's open
pieces (holidays, closures, past-midnight intervals, the DST rule of ``localtime``); here
they are merged (overlapping or touching intervals become one) into an immutable ``Grid``
that is swapped whole when the horizon grows.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from deskui.domain.calendar.days import DayRules, DayStatus, PartialClosure
from deskui.domain.calendar.errors import CalendarError
from deskui.domain.calendar.fastpath import SlowPaths, make_fast_paths
from deskui.domain.calendar.grid import Grid, build_grid, positions
from deskui.domain.calendar.localtime import (
    first_instant,
    from_epoch,
    to_epoch,
    wall_time,
)
from deskui.domain.calendar.spec import CalendarSpec

Epochs = npt.NDArray[np.int64]
ArrayLike = npt.ArrayLike

# A calendar that stays shut this many years in a row is treated as never opening again.
_MAX_EMPTY_YEARS = 50
_MIN_YEAR, _MAX_YEAR = 2, 9997


class CompiledCalendar:
    """Business-time arithmetic for one calendar; safe to share between threads.

    The four scalar hot paths are attributes holding closures over the current grid (see
    ``fastpath``), all on epoch seconds:

    - ``position_epoch(t)``: business seconds from this calendar's anchor to ``t`` (stable
      for the life of the object; differences of positions are elapsed times);
    - ``elapsed_epoch(start, end)``: business seconds in ``[start, end)``, negative when
      ``end < start``;
    - ``add_epoch(start, seconds)``: earliest instant ``seconds`` business seconds after
      ``start`` (``start`` itself for 0; a negative amount is a ``ValueError``);
    - ``is_open_epoch(t)``.
    """

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.zone = ZoneInfo(spec.timezone)
        self._lock = threading.Lock()
        self._grid: Grid | None = None
        self._anchor: int | None = None
        self._days = DayRules(spec)
        self.working_day_seconds: int = self._days.working_day_seconds

        # The hot paths start on their slow versions; the first grid installs closures.
        self._slow = SlowPaths(
            self._position_slow, self._elapsed_slow, self._add_slow, self._is_open_slow
        )
        self.position_epoch: Callable[[int], int] = self._position_slow
        self.elapsed_epoch: Callable[[int, int], int] = self._elapsed_slow
        self.add_epoch: Callable[[int, int], int] = self._add_slow
        self.is_open_epoch: Callable[[int], bool] = self._is_open_slow

    def __repr__(self) -> str:
        return f"CompiledCalendar({self.name!r}, {self.spec.timezone})"

    # ---- compiling ---------------------------------------------------------------------

    def holidays_in_year(self, year: int) -> dict[dt.date, str]:
        """Public holiday names by date for one year (empty without a holiday source)."""
        return self._days.holidays_in_year(year)

    def _build(self, first_year: int, last_year: int) -> Grid:
        if first_year < _MIN_YEAR or last_year > _MAX_YEAR:
            raise CalendarError(
                f"calendar {self.name!r}: years {first_year}-{last_year} are out of range"
            )
        lo = first_instant(dt.datetime(first_year, 1, 1), self.zone)
        hi = first_instant(dt.datetime(last_year + 1, 1, 1), self.zone)
        piece_days: list[int] = []
        piece_starts: list[int] = []
        piece_ends: list[int] = []
        # The year before contributes its last evening's interval running past midnight.
        for year in range(first_year - 1, last_year + 1):
            compiled = self._days.year(year)
            piece_days.extend(compiled.days)
            piece_starts.extend(compiled.starts)
            piece_ends.extend(compiled.ends)
        if self._anchor is None:
            self._anchor = lo
        return build_grid(
            first_year, last_year, lo, hi, piece_days, piece_starts, piece_ends, self._anchor
        )

    def _install(self, grid: Grid) -> Grid:
        """Make ``grid`` current and point the hot paths at it (caller holds the lock)."""
        fast = make_fast_paths(grid, self._slow)
        self._grid = grid
        self.position_epoch = fast.position
        self.elapsed_epoch = fast.elapsed
        self.add_epoch = fast.add
        self.is_open_epoch = fast.is_open
        return grid

    def _local_year(self, instant: int) -> int:
        try:
            return wall_time(instant, self.zone).year
        except (OverflowError, ValueError, OSError) as exc:
            raise CalendarError(f"instant {instant} is out of range") from exc

    def _cover(self, low: int, high: int) -> Grid:
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
                grid = self._install(self._build(first, last))
            return grid

    def snapshot(self, low: int, high: int) -> Grid:
        """The current grid, grown to cover ``[low, high]`` (for vectorised work elsewhere)."""
        grid = self._grid
        if grid is None or low < grid.lo or high >= grid.hi:
            grid = self._cover(low, high)
        return grid

    def compile_years(self, first_year: int, last_year: int) -> None:
        """Compile a range of local years now (otherwise done lazily by the first query)."""
        low = first_instant(dt.datetime(first_year, 1, 1), self.zone)
        high = first_instant(dt.datetime(last_year, 12, 31, 12), self.zone)
        self._cover(low, high)

    def _grow_forward(self, grid: Grid, reason: str) -> Grid:
        """At least one more year; refuses a calendar that never opens again."""
        with self._lock:
            current = self._grid
            if current is not None and current.last_year > grid.last_year:
                return current
            years = grid.last_year - grid.first_year + 1
            if grid.pos_hi == grid.pos_lo and years >= _MAX_EMPTY_YEARS:
                raise CalendarError(f"calendar {self.name!r} is never open: {reason}")
            return self._install(self._build(grid.first_year, grid.last_year + 1))

    def _grow_to_position(self, target: int) -> Grid:
        """Grow forward until the business position ``target`` is inside the grid."""
        grid = self._grid
        assert grid is not None
        empty_years = 0
        while target > grid.pos_hi:
            before = grid.pos_hi
            years = grid.last_year - grid.first_year + 1
            per_year = (grid.pos_hi - grid.pos_lo) / years
            extra = max(1, math.ceil((target - grid.pos_hi) / per_year)) if per_year else 1
            with self._lock:
                current = self._grid
                if current is not None and current.last_year > grid.last_year:
                    grid = current
                    continue
                grid = self._install(self._build(grid.first_year, grid.last_year + extra))
            empty_years = empty_years + extra if grid.pos_hi == before else 0
            if empty_years >= _MAX_EMPTY_YEARS:
                raise CalendarError(
                    f"calendar {self.name!r} has no open time for {empty_years} years"
                )
        return grid

    # ---- epoch-second API: slow paths behind the closures in ``fastpath`` ----------------

    def _position_slow(self, instant: int) -> int:
        self._cover(instant, instant)
        return self.position_epoch(instant)

    def _elapsed_slow(self, start: int, end: int) -> int:
        self._cover(min(start, end), max(start, end))
        return self.elapsed_epoch(start, end)

    def _add_slow(self, start: int, seconds: int) -> int:
        if seconds <= 0:
            if seconds == 0:
                return start
            raise ValueError(f"cannot add a negative business time ({seconds} s)")
        grid = self._grid
        if grid is None or start < grid.lo or start >= grid.hi:
            self._cover(start, start)
        else:
            self._grow_to_position(self.position_epoch(start) + seconds)
        return self.add_epoch(start, seconds)

    def _is_open_slow(self, instant: int) -> bool:
        self._cover(instant, instant)
        return self.is_open_epoch(instant)

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

    def _business_day(self, grid: Grid, instant: int) -> int:
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
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("elapsed needs aware datetimes (with a UTC offset)")
        return self.elapsed_epoch(_floor(start.timestamp()), _floor(end.timestamp()))

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """Earliest instant (in this calendar's zone) ``seconds`` business seconds after start."""
        if start.tzinfo is None:
            raise ValueError(f"{start.isoformat()} has no UTC offset; pass an aware datetime")
        return _fromtimestamp(self.add_epoch(_floor(start.timestamp()), seconds), self.zone)

    def is_open(self, instant: dt.datetime) -> bool:
        return self.is_open_epoch(to_epoch(instant))

    def next_open(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` itself (in this zone) if open, else the next opening."""
        return from_epoch(self.next_open_epoch(to_epoch(instant)), self.zone)

    def close_of_business(self, instant: dt.datetime, working_days: int = 0) -> dt.datetime:
        return from_epoch(self.close_of_business_epoch(to_epoch(instant), working_days), self.zone)

    # ---- batch API ---------------------------------------------------------------------

    def _cover_array(self, values: Epochs) -> Grid:
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
        return positions(self._cover_array(values), values)

    def elapsed_many(self, starts: ArrayLike, ends: ArrayLike) -> Epochs:
        """``elapsed_epoch`` element-wise (arrays broadcast)."""
        a, b = np.broadcast_arrays(
            np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
        )
        if a.size == 0:
            return a.copy()
        self._cover_array(a)
        grid = self._cover_array(b)
        return positions(grid, b) - positions(grid, a)

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
        target = positions(grid, t) + d
        highest = int(target.max())
        if highest > grid.pos_hi:
            grid = self._grow_to_position(highest)
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
        return self._days.day_status(day)

    def partial_closures(self, start: int, end: int) -> list[PartialClosure]:
        """Partial-day closures overlapping ``[start, end)``."""
        return self._days.partial_closures(start, end)


_floor = math.floor
_fromtimestamp = dt.datetime.fromtimestamp


def compile_calendar(spec: CalendarSpec) -> CompiledCalendar:
    """A compiled calendar for ``spec``; years are compiled lazily as queries reach them."""
    return CompiledCalendar(spec)
