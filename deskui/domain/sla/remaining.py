"""Business time remaining for many open tickets spread over several calendars, fast.

The due instants of open tickets change only on events, while "now" moves every second. So
``RemainingBoard`` turns each due into its calendar's business position once (one vectorised
pass over all calendars, see ``calendar.fleet``), and ``remaining(now)`` is then one position
lookup per calendar plus one vectorised subtraction:
``remaining = B(due) - B(now) = elapsed(now, due)``, negative once business time has passed
the due. Positions are stable for the life of a ``CompiledCalendar`` (its horizon only
grows), so the board stays valid as calendars compile more years.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from deskui.domain.calendar.compiled import CompiledCalendar
from deskui.domain.calendar.fleet import positions_across

Epochs = npt.NDArray[np.int64]


class RemainingBoard:
    """Open tickets as (calendar index, due epoch second); answers remaining business time."""

    def __init__(
        self,
        calendars: Sequence[CompiledCalendar],
        calendar_index: npt.ArrayLike,
        due: npt.ArrayLike,
    ) -> None:
        index = np.asarray(calendar_index, dtype=np.intp)
        dues = np.asarray(due, dtype=np.int64)
        self._calendars = tuple(calendars)
        self._index = index
        self._due = dues
        self._due_positions = positions_across(self._calendars, index, dues)

    def __len__(self) -> int:
        return int(self._due.size)

    def remaining(self, now: int) -> Epochs:
        """Business seconds from ``now`` to each ticket's due, on that ticket's calendar."""
        now_positions = np.fromiter(
            (calendar.position_epoch(now) for calendar in self._calendars),
            dtype=np.int64,
            count=len(self._calendars),
        )
        return self._due_positions - now_positions[self._index]
