"""The scalar hot paths (position, elapsed, add, is-open on epoch seconds) as closures over
one ``Grid`` snapshot.

A call of this size is dominated by the interpreter, not by the arithmetic: attribute
lookups, the bound-method call and the binary search cost more than the sums. So each grid
gets its own closures, with every list in a closure cell, installed as plain attributes of
the ``CompiledCalendar``; most instants resolve through the bucket table with one shift and
two list lookups. An instant outside the grid goes to ``slow``, which grows the horizon
(installing new closures) and asks again.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from deskui.domain.calendar.grid import BUCKET_SHIFT, MIXED, OPEN, SHUT, Grid

# The closures compare bucket kinds with literals: a constant is cheaper than a global.
assert (SHUT, OPEN, MIXED) == (0, 1, 2)


@dataclass(frozen=True, slots=True)
class SlowPaths:
    """What the closures fall back on when an instant or a total is beyond the grid."""

    position: Callable[[int], int]
    elapsed: Callable[[int, int], int]
    add: Callable[[int, int], int]
    is_open: Callable[[int], bool]


@dataclass(frozen=True, slots=True)
class FastPaths:
    position: Callable[[int], int]
    elapsed: Callable[[int, int], int]
    add: Callable[[int, int], int]
    is_open: Callable[[int], bool]


def make_fast_paths(grid: Grid, slow: SlowPaths) -> FastPaths:
    """Closures answering from ``grid`` (see the module docstring)."""
    if grid.bucket_kind:
        return _bucketed(grid, slow)
    return _bisecting(grid, slow)


def _bucketed(grid: Grid, slow: SlowPaths) -> FastPaths:
    lo, hi, pos_hi = grid.lo, grid.hi, grid.pos_hi
    starts, ends, pos_start, pos_end = grid.starts, grid.ends, grid.pos_start, grid.pos_end
    padded = grid.starts_padded
    kinds, values, index = grid.bucket_kind, grid.bucket_value, grid.bucket_index
    shift = BUCKET_SHIFT
    slow_position, slow_elapsed, slow_add, slow_open = (
        slow.position,
        slow.elapsed,
        slow.add,
        slow.is_open,
    )

    def position(t: int) -> int:
        if lo <= t < hi:
            k = (t - lo) >> shift
            kind = kinds[k]
            if kind == 0:
                return values[k]
            if kind == 1:
                return values[k] + t
            i = index[k]
            while padded[i + 1] <= t:
                i += 1
            stop = ends[i]
            return pos_start[i] + (t if t < stop else stop) - starts[i]
        return slow_position(t)

    def elapsed(start: int, end: int) -> int:
        if lo <= start < hi and lo <= end < hi:
            k = (start - lo) >> shift
            kind = kinds[k]
            if kind == 0:
                before = values[k]
            elif kind == 1:
                before = values[k] + start
            else:
                i = index[k]
                while padded[i + 1] <= start:
                    i += 1
                stop = ends[i]
                before = pos_start[i] + (start if start < stop else stop) - starts[i]
            k = (end - lo) >> shift
            kind = kinds[k]
            if kind == 0:
                return values[k] - before
            if kind == 1:
                return values[k] + end - before
            i = index[k]
            while padded[i + 1] <= end:
                i += 1
            stop = ends[i]
            return pos_start[i] + (end if end < stop else stop) - starts[i] - before
        return slow_elapsed(start, end)

    def add(start: int, seconds: int) -> int:
        if seconds > 0 and lo <= start < hi:
            k = (start - lo) >> shift
            kind = kinds[k]
            if kind == 0:
                target = values[k] + seconds
            elif kind == 1:
                target = values[k] + start + seconds
            else:
                i = index[k]
                while padded[i + 1] <= start:
                    i += 1
                stop = ends[i]
                target = pos_start[i] + (start if start < stop else stop) - starts[i] + seconds
            if target <= pos_hi:
                j = bisect_left(pos_end, target)
                return starts[j] + target - pos_start[j]
        return slow_add(start, seconds)

    def is_open(t: int) -> bool:
        if lo <= t < hi:
            kind = kinds[(t - lo) >> shift]
            if kind > 1:
                return t < ends[bisect_right(starts, t) - 1]
            return kind == 1
        return slow_open(t)

    return FastPaths(position, elapsed, add, is_open)


def _bisecting(grid: Grid, slow: SlowPaths) -> FastPaths:
    """The same answers without bucket tables (very long horizons)."""
    lo, hi, pos_hi = grid.lo, grid.hi, grid.pos_hi
    starts, ends, pos_start, pos_end = grid.starts, grid.ends, grid.pos_start, grid.pos_end
    slow_position, slow_elapsed, slow_add, slow_open = (
        slow.position,
        slow.elapsed,
        slow.add,
        slow.is_open,
    )

    def position(t: int) -> int:
        if lo <= t < hi:
            i = bisect_right(starts, t) - 1
            stop = ends[i]
            return pos_start[i] + (t if t < stop else stop) - starts[i]
        return slow_position(t)

    def elapsed(start: int, end: int) -> int:
        if lo <= start < hi and lo <= end < hi:
            i = bisect_right(starts, start) - 1
            stop = ends[i]
            before = pos_start[i] + (start if start < stop else stop) - starts[i]
            i = bisect_right(starts, end) - 1
            stop = ends[i]
            return pos_start[i] + (end if end < stop else stop) - starts[i] - before
        return slow_elapsed(start, end)

    def add(start: int, seconds: int) -> int:
        if seconds > 0 and lo <= start < hi:
            i = bisect_right(starts, start) - 1
            stop = ends[i]
            target = pos_start[i] + (start if start < stop else stop) - starts[i] + seconds
            if target <= pos_hi:
                j = bisect_left(pos_end, target)
                return starts[j] + target - pos_start[j]
        return slow_add(start, seconds)

    def is_open(t: int) -> bool:
        if lo <= t < hi:
            return t < ends[bisect_right(starts, t) - 1]
        return slow_open(t)

    return FastPaths(position, elapsed, add, is_open)
