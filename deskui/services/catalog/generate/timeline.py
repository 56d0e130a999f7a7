"""Each ticket's life in numbers: its SLA dues, when it was acknowledged, answered, paused,
resolved and closed, its status, and the due the queue sorts it by.

- Dues come from the SLA engine in batches (``Targets.dues``), from the opening instant.
- Events are drawn around the targets: a lognormal share of the clock's business time on the
  clock's own calendar, so about one acknowledgement in twenty-five, one reply in ten and one
  resolution in six is late. A reply also acknowledges; a resolution follows the reply.
- Done tickets are resolved by now (a history that would run past now is squeezed into the
  time there was) and closed a week after resolution (a few are never closed).
- Open tickets take their status from their age among the open ones: the newest are new
  (nobody has taken them), the next acknowledged, the rest answered and in progress or
  waiting on the customer, which pauses the resolution clock.
- ``next_due`` / ``next_clock``: the earliest due of a running, unmet clock (ties in clock
  order), as ``deskui.domain.sla.clocks.next_due`` gives it for these events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deskui.domain.vocabulary import Status
from deskui.services.catalog.generate.plan import DAY
from deskui.services.catalog.generate.targets import NONE, Targets

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

STATUSES: tuple[Status, ...] = tuple(Status)
_CODE = {status: i for i, status in enumerate(STATUSES)}
# Event delay as a share of the clock's business time: lognormal (median, sigma).
DELAY = ((0.35, 0.6), (0.45, 0.65), (0.5, 0.7))
NEW_SHARE = 0.08  # of open tickets, the newest: not taken yet
ACKNOWLEDGED_SHARE = 0.12  # the next: taken, not answered yet
WAITING_SHARE = 0.3  # of answered open tickets
CLOSE_AFTER_DAYS = 7
LEFT_RESOLVED_SHARE = 0.05  # resolved tickets nobody ever closed
_FAR = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Timeline:
    status: Ints  # index into STATUSES
    acknowledged_at: Ints
    first_response_at: Ints
    started_at: Ints  # the move to in-progress of an answered open ticket, else NONE
    paused_at: Ints
    resolved_at: Ints
    closed_at: Ints
    ack_due: Ints
    response_due: Ints
    resolution_due: Ints
    next_due: Ints
    next_clock: Ints  # index into CLOCKS, or NONE
    late: Bools  # [clock, ticket]: a done ticket's clock met after its due
    updated_at: Ints


def draw_timeline(
    targets: Targets,
    policy: Ints,
    rank: Ints,
    opened: Ints,
    is_open: Bools,
    open_age: Floats,
    now: int,
    rng: np.random.Generator,
) -> Timeline:
    n = len(opened)
    ack_due, response_due, resolution_due = targets.dues(policy, rank, opened)
    fractions = [rng.lognormal(np.log(median), sigma, n) for median, sigma in DELAY]
    ack, reply, resolved = targets.events(policy, rank, opened, fractions)
    ack = np.minimum(ack, reply)
    resolved = np.maximum(resolved, reply + 300)

    done = ~is_open
    late_history = done & (resolved > now - 60)
    if late_history.any():
        # Squeeze the whole history proportionally into [opened, now).
        span = (resolved - opened)[late_history].astype(float)
        room = (now - 60 - opened[late_history]) * rng.uniform(0.3, 1.0, int(late_history.sum()))
        ratio = np.minimum(1.0, room / np.maximum(span, 1.0))
        start = opened[late_history]
        for series in (ack, reply, resolved):
            series[late_history] = start + np.floor((series[late_history] - start) * ratio).astype(
                np.int64
            )
    left_open = rng.random(n) < LEFT_RESOLVED_SHARE
    closed = done & (resolved + CLOSE_AFTER_DAYS * DAY <= now) & ~left_open
    closed_at = np.where(
        closed,
        np.minimum(now, resolved + CLOSE_AFTER_DAYS * DAY + rng.integers(0, 2 * DAY, n)),
        NONE,
    )

    age = np.nan_to_num(open_age, nan=1.0)
    taken = done | (age >= NEW_SHARE)
    answered = done | (age >= NEW_SHARE + ACKNOWLEDGED_SHARE)
    # An open ticket whose drawn event lies ahead of now had it earlier: between then and now.
    ack = np.where(
        is_open & (ack > now),
        opened + ((now - opened) * rng.uniform(0.05, 0.5, n)).astype(np.int64),
        ack,
    )
    reply = np.where(
        is_open & (reply > now),
        ack + ((now - ack) * rng.uniform(0.1, 0.9, n)).astype(np.int64),
        reply,
    )
    waiting = is_open & answered & (rng.random(n) < WAITING_SHARE)
    in_progress = is_open & answered & ~waiting
    status = np.select(
        [closed, done, ~taken, ~answered, waiting],
        [
            _CODE[Status.CLOSED],
            _CODE[Status.RESOLVED],
            _CODE[Status.NEW],
            _CODE[Status.ACKNOWLEDGED],
            _CODE[Status.WAITING_ON_CUSTOMER],
        ],
        _CODE[Status.IN_PROGRESS],
    )
    ack = np.where(taken, ack, NONE)
    reply = np.where(answered, reply, NONE)
    resolved = np.where(done, resolved, NONE)
    paused_at = np.where(
        waiting, reply + ((now - reply) * rng.uniform(0.2, 0.9, n)).astype(np.int64), NONE
    )
    started_at = np.where(in_progress, reply, NONE)

    running = np.stack(
        [
            np.where(is_open & ~taken & (ack_due != NONE), ack_due, _FAR),
            np.where(is_open & ~answered & (response_due != NONE), response_due, _FAR),
            np.where(is_open & ~waiting & (resolution_due != NONE), resolution_due, _FAR),
        ]
    )
    next_clock = np.argmin(running, axis=0)
    next_due = running[next_clock, np.arange(n)]
    none_running = next_due == _FAR
    met = (ack, reply, resolved)
    dues = (ack_due, response_due, resolution_due)
    late = np.stack([done & (due != NONE) & (at > due) for at, due in zip(met, dues, strict=True)])
    return Timeline(
        status=status,
        acknowledged_at=ack,
        first_response_at=reply,
        started_at=started_at,
        paused_at=paused_at,
        resolved_at=resolved,
        closed_at=closed_at,
        ack_due=ack_due,
        response_due=response_due,
        resolution_due=resolution_due,
        next_due=np.where(none_running, NONE, next_due),
        next_clock=np.where(none_running, NONE, next_clock),
        late=late,
        updated_at=np.maximum.reduce([opened, ack, reply, paused_at, resolved, closed_at]),
    )
