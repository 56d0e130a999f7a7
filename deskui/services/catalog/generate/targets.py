"""SLA targets as lookup tables, and due instants for whole arrays of tickets at once.

``Targets`` holds, per (policy, priority rank, clock), the target's kind, the calendar it
counts on and its business seconds (``d`` = that calendar's working day) or ``cob`` working
days, so a batch of tickets turns into dues with one ``add_many`` call per calendar. It also
says around how much business time each clock's event (acknowledging, replying, resolving) is
drawn: the target itself, or a default where the target is ``cob``, ``negotiated`` or absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.calendar.compiled import CompiledCalendar
from deskui.domain.sla.due import target_seconds
from deskui.domain.sla.policy import (
    CLOCKS,
    BusinessTarget,
    CloseOfBusinessTarget,
    NegotiatedTarget,
    PolicySpec,
)

Ints = npt.NDArray[np.int64]

# "No instant" in epoch arrays; every real instant here is far above it.
NONE = -1
NO_SLA, BUSINESS, COB, NEGOTIATED = 0, 1, 2, 3
# Where a clock has no duration target, its event is drawn around this much business time
# on the policy's calendar: 1 h to acknowledge, 4 h to reply, 2 working days to resolve.
DEFAULT_EVENT_SECONDS = (3600, 4 * 3600, None)
DEFAULT_RESOLUTION_DAYS = 2


@dataclass(frozen=True)
class Targets:
    """Lookup tables indexed ``[policy, rank, clock]`` (clock in ``CLOCKS`` order)."""

    calendars: tuple[CompiledCalendar, ...]
    kind: npt.NDArray[np.int8]
    calendar: npt.NDArray[np.int16]
    seconds: Ints
    cob_days: Ints
    event_calendar: npt.NDArray[np.int16]
    event_seconds: Ints
    priorities: Ints  # how many priorities each policy has

    def dues(self, policy: Ints, rank: Ints, opened: Ints) -> list[Ints]:
        """Each clock's due (epoch seconds, ``NONE`` for no due), as the SLA engine's
        ``due_epoch`` gives it, for tickets of ``policy``/``rank`` opened at ``opened``."""
        out = []
        for c in range(len(CLOCKS)):
            kind = self.kind[policy, rank, c]
            calendar = self.calendar[policy, rank, c]
            due = np.full(len(opened), NONE, dtype=np.int64)
            business = kind == BUSINESS
            if business.any():
                due[business] = add_on_calendars(
                    self.calendars,
                    calendar[business],
                    opened[business],
                    self.seconds[policy, rank, c][business],
                )
            cob_days = self.cob_days[policy, rank, c]
            # Few desks use "cob", and its day logic lives in the scalar call: one per ticket.
            for i in np.flatnonzero(kind == COB).tolist():
                due[i] = self.calendars[int(calendar[i])].close_of_business_epoch(
                    int(opened[i]), int(cob_days[i])
                )
            out.append(due)
        return out

    def events(
        self, policy: Ints, rank: Ints, opened: Ints, fractions: Sequence[Any]
    ) -> list[Ints]:
        """When each clock's event happens: ``fractions[c]`` of its reference business time
        after opening (at least a minute), on the calendar that clock counts on."""
        out = []
        for c in range(len(CLOCKS)):
            reference = self.event_seconds[policy, rank, c]
            delay = np.maximum(60, np.round(reference * fractions[c])).astype(np.int64)
            out.append(
                add_on_calendars(
                    self.calendars, self.event_calendar[policy, rank, c], opened, delay
                )
            )
        return out


def build_targets(book: CalendarBook, policies: Sequence[PolicySpec]) -> Targets:
    names = book.names()
    calendars = tuple(book.get(name) for name in names)
    index = {name: i for i, name in enumerate(names)}
    shape = (len(policies), max(len(p.priorities) for p in policies), len(CLOCKS))
    kind = np.zeros(shape, dtype=np.int8)
    calendar = np.zeros(shape, dtype=np.int16)
    seconds = np.zeros(shape, dtype=np.int64)
    cob_days = np.zeros(shape, dtype=np.int64)
    event_calendar = np.zeros(shape, dtype=np.int16)
    event_seconds = np.zeros(shape, dtype=np.int64)
    for p, policy in enumerate(policies):
        home = index[policy.calendar]
        resolution_default = DEFAULT_RESOLUTION_DAYS * calendars[home].working_day_seconds
        for r, priority in enumerate(policy.priorities):
            for c, clock in enumerate(CLOCKS):
                target = priority.target(clock)
                calendar[p, r, c] = event_calendar[p, r, c] = home
                event_seconds[p, r, c] = DEFAULT_EVENT_SECONDS[c] or resolution_default
                if isinstance(target, BusinessTarget):
                    on = index[target.calendar or policy.calendar]
                    kind[p, r, c] = BUSINESS
                    calendar[p, r, c] = event_calendar[p, r, c] = on
                    seconds[p, r, c] = event_seconds[p, r, c] = target_seconds(
                        target, calendars[on]
                    )
                elif isinstance(target, CloseOfBusinessTarget):
                    kind[p, r, c] = COB
                    cob_days[p, r, c] = target.working_days
                elif isinstance(target, NegotiatedTarget):
                    kind[p, r, c] = NEGOTIATED
    priorities = np.array([len(p.priorities) for p in policies], dtype=np.int64)
    return Targets(
        calendars, kind, calendar, seconds, cob_days, event_calendar, event_seconds, priorities
    )


def add_on_calendars(
    calendars: Sequence[CompiledCalendar],
    which: npt.NDArray[Any],
    starts: Ints,
    seconds: Ints,
) -> Ints:
    """``add_many`` with element ``i`` on ``calendars[which[i]]`` (one batch per calendar)."""
    out = np.empty_like(starts)
    for k in np.unique(which).tolist():
        mask = which == k
        out[mask] = calendars[k].add_many(starts[mask], seconds[mask])
    return out
