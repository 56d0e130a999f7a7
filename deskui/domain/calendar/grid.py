"""One immutable snapshot of a compiled calendar: merged UTC open intervals, prefix sums, the
working days, and a bucket table that lets the hot paths skip the binary search.

``build_grid`` is pure: it takes the per-day open pieces of a range of years and returns a
``Grid``; ``CompiledCalendar`` swaps in a new one whenever its horizon grows.

Positions: ``B(t)`` is the business seconds between the calendar's fixed anchor instant and
``t`` (negative before the anchor). With interval ``i`` the last one starting at or before
``t``: ``B(t) = pos_start[i] + min(t, ends[i]) - starts[i]``.

Buckets: the covered span is cut into 4096-second buckets. A bucket with no opening or
closing strictly inside it is wholly open (``B(t) = value + t``) or wholly shut
(``B(t) = value``); only the few buckets holding a boundary need the interval index, which the
table also gives (``index[k]``: the last interval starting at or before the bucket's start).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Epochs = npt.NDArray[np.int64]

BUCKET_SHIFT = 12  # 4096-second buckets: about 6% of them hold a boundary on a 9-5 calendar
# Beyond this span the tables would cost more memory than they save time: plain bisect then.
MAX_TABLE_SECONDS = 16 * 366 * 86400
SHUT, OPEN, MIXED = 0, 1, 2
_FAR = 1 << 62


@dataclass(frozen=True, slots=True)
class Grid:
    """Index 0 of the interval lists is an empty sentinel at ``lo``, so every covered instant
    has an interval starting at or before it; ``starts_padded`` ends with a far sentinel."""

    first_year: int
    last_year: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    pos_start: list[int]
    pos_end: list[int]
    starts_padded: list[int]
    a_starts: Epochs
    a_ends: Epochs
    a_pos_start: Epochs
    a_pos_end: Epochs
    pos_lo: int
    pos_hi: int
    bucket_kind: list[int]  # empty when the span is too long for tables
    bucket_value: list[int]
    bucket_index: list[int]
    a_bucket_kind: npt.NDArray[np.int8]  # the same two tables for numpy batch work
    a_bucket_value: Epochs
    piece_days: list[int]
    piece_starts: list[int]
    piece_ends: list[int]
    work_days: list[int]
    work_close: list[int]


def _merge(
    piece_starts: list[int], piece_ends: list[int], lo: int, hi: int
) -> tuple[list[int], list[int]]:
    """Pieces (sorted by start) clipped to ``[lo, hi)``; overlapping or touching ones merged."""
    starts: list[int] = [lo]
    ends: list[int] = [lo]
    for start, end in zip(piece_starts, piece_ends, strict=True):
        start, end = max(start, lo), min(end, hi)
        if end <= start:
            continue
        if len(starts) > 1 and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _positions(a_starts: Epochs, a_ends: Epochs, a_pos_start: Epochs, values: Epochs) -> Epochs:
    i = np.searchsorted(a_starts, values, side="right") - 1
    return a_pos_start[i] + np.minimum(values, a_ends[i]) - a_starts[i]


def _bucket_tables(
    lo: int, hi: int, a_starts: Epochs, a_ends: Epochs, a_pos_start: Epochs
) -> tuple[npt.NDArray[np.int8], Epochs, Epochs]:
    if hi - lo > MAX_TABLE_SECONDS:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(0, dtype=np.int8), empty, empty
    width = 1 << BUCKET_SHIFT
    t0 = lo + (np.arange(((hi - lo) >> BUCKET_SHIFT) + 1, dtype=np.int64) << BUCKET_SHIFT)
    t1 = t0 + width
    index = np.searchsorted(a_starts, t0, side="right") - 1
    following = np.append(a_starts, _FAR)[index + 1]
    end = a_ends[index]
    is_open = t0 < end
    mixed = (is_open & (end < t1)) | (following < t1)
    at_start = a_pos_start[index] + np.minimum(t0, end) - a_starts[index]
    kind = np.where(mixed, MIXED, np.where(is_open, OPEN, SHUT)).astype(np.int8)
    value = np.where(is_open, at_start - t0, at_start)
    return kind, value, index


def build_grid(
    first_year: int,
    last_year: int,
    lo: int,
    hi: int,
    piece_days: list[int],
    piece_starts: list[int],
    piece_ends: list[int],
    anchor: int,
) -> Grid:
    """The grid for local years ``first_year..last_year`` covering instants ``[lo, hi)``.

    ``piece_*`` are the open pieces of each local day (closures already removed), sorted by
    start; ``anchor`` is the instant whose position is 0.
    """
    starts, ends = _merge(piece_starts, piece_ends, lo, hi)
    a_starts = np.array(starts, dtype=np.int64)
    a_ends = np.array(ends, dtype=np.int64)
    lengths = a_ends - a_starts
    a_pos_end = np.cumsum(lengths)
    a_pos_start = a_pos_end - lengths
    shift = int(_positions(a_starts, a_ends, a_pos_start, np.array([anchor]))[0])
    a_pos_start -= shift
    a_pos_end -= shift

    work_close: dict[int, int] = {}
    for day, end in zip(piece_days, piece_ends, strict=True):
        if end > work_close.get(day, end - 1):
            work_close[day] = end
    work_days = sorted(work_close)
    kind, value, index = _bucket_tables(lo, hi, a_starts, a_ends, a_pos_start)
    return Grid(
        first_year=first_year,
        last_year=last_year,
        lo=lo,
        hi=hi,
        starts=starts,
        ends=ends,
        pos_start=a_pos_start.tolist(),
        pos_end=a_pos_end.tolist(),
        starts_padded=[*starts, _FAR],
        a_starts=a_starts,
        a_ends=a_ends,
        a_pos_start=a_pos_start,
        a_pos_end=a_pos_end,
        pos_lo=int(a_pos_start[0]),
        pos_hi=int(a_pos_end[-1]),
        bucket_kind=kind.tolist(),
        bucket_value=value.tolist(),
        bucket_index=index.tolist(),
        a_bucket_kind=kind,
        a_bucket_value=value,
        piece_days=piece_days,
        piece_starts=piece_starts,
        piece_ends=piece_ends,
        work_days=work_days,
        work_close=[work_close[d] for d in work_days],
    )


def positions(grid: Grid, values: Epochs) -> Epochs:
    """``B(t)`` for an array of covered instants."""
    return _positions(grid.a_starts, grid.a_ends, grid.a_pos_start, values)
