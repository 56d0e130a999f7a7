"""Business positions of instants spread over many calendars, in one vectorised pass.

The queue and the breach board need "business time left" for every open ticket, each on its
own calendar. Grouping a million tickets by calendar (a sort) costs more than the lookups, so
instead every calendar's bucket table (see ``grid``) is laid end to end: one gather answers
the instants whose 4096-second bucket is wholly open or shut, and one ``searchsorted`` over
all calendars' intervals (kept apart by a per-calendar offset) answers the few others.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from deskui.domain.calendar.compiled import CompiledCalendar
from deskui.domain.calendar.grid import BUCKET_SHIFT, MIXED, OPEN

Epochs = npt.NDArray[np.int64]

# Each calendar's intervals live in their own stretch of this width in the combined index.
_SPAN = 1 << 42


def positions_across(
    calendars: Sequence[CompiledCalendar],
    calendar_index: npt.ArrayLike,
    instants: npt.ArrayLike,
) -> Epochs:
    """``calendars[calendar_index[i]].position_epoch(instants[i])`` for every ``i``."""
    index = np.asarray(calendar_index, dtype=np.intp)
    values = np.asarray(instants, dtype=np.int64)
    if index.shape != values.shape:
        raise ValueError("calendar_index and instants must have the same shape")
    if values.size == 0:
        return values.copy()
    if index.min() < 0 or index.max() >= len(calendars):
        raise ValueError("calendar_index refers to a calendar that is not in the list")
    low, high = int(values.min()), int(values.max())
    grids = [calendar.snapshot(low, high) for calendar in calendars]

    lo = np.array([g.lo for g in grids], dtype=np.int64)
    # A calendar without bucket tables (a very long horizon) gets one always-mixed bucket.
    kinds = [g.a_bucket_kind if g.a_bucket_kind.size else np.array([MIXED], np.int8) for g in grids]
    tables = [g.a_bucket_value if g.a_bucket_value.size else np.zeros(1, np.int64) for g in grids]
    sizes = np.array([k.size for k in kinds], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    kind = np.concatenate(kinds)
    value = np.concatenate(tables)

    relative = values - lo[index]
    bucket = offsets[index] + np.minimum(relative >> BUCKET_SHIFT, sizes[index] - 1)
    bucket_kind = kind[bucket]
    result = value[bucket] + np.where(bucket_kind == OPEN, values, 0)

    mixed = np.flatnonzero(bucket_kind == MIXED)
    if mixed.size:
        starts = np.concatenate([g.a_starts - g.lo + k * _SPAN for k, g in enumerate(grids)])
        ends = np.concatenate([g.a_ends - g.lo + k * _SPAN for k, g in enumerate(grids)])
        pos_start = np.concatenate([g.a_pos_start for g in grids])
        keys = relative[mixed] + index[mixed] * _SPAN
        i = np.searchsorted(starts, keys, side="right") - 1
        result[mixed] = pos_start[i] + np.minimum(keys, ends[i]) - starts[i]
    return result
