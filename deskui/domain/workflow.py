"""Which ticket status may follow which, and what each step means for the SLA clocks.

The lifecycle (design guide): ``new`` → ``acknowledged`` → ``in-progress`` ⇄
``waiting-on-customer`` → ``resolved`` → ``closed``, and ``resolved`` → ``in-progress`` on
reopen. Two deliberate readings of that chain:

- ``acknowledged`` may go straight to ``waiting-on-customer`` or ``resolved``: taking a ticket
  and at once asking the customer for information, or fixing it on the first call, is work in
  progress in all but name, and forcing an extra status change would only add noise to the log;
- ``waiting-on-customer`` may be resolved without resuming first (the customer confirmed the
  fix, or never came back); resolving ends the pause.

``new`` only goes to ``acknowledged`` (someone must take a ticket before working it), and
``closed`` is final. The service layer asks ``check_transition`` before every status change
and logs the change with ``{"from": …, "to": …}``; ``clock_event_kind`` is how such a log entry
reads to the SLA clocks.
"""

from __future__ import annotations

from typing import Literal

from deskui.domain.vocabulary import Status

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.ACKNOWLEDGED}),
    Status.ACKNOWLEDGED: frozenset(
        {Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER, Status.RESOLVED}
    ),
    Status.IN_PROGRESS: frozenset({Status.WAITING_ON_CUSTOMER, Status.RESOLVED}),
    Status.WAITING_ON_CUSTOMER: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

StatusClockEvent = Literal["acknowledged", "paused", "resumed", "resolved", "reopened"]


class IllegalTransitionError(ValueError):
    """A status change the lifecycle does not allow; the message says what is allowed."""

    def __init__(self, current: Status, wanted: Status) -> None:
        allowed = sorted(s.value for s in TRANSITIONS[current])
        options = ", ".join(allowed) if allowed else "nothing: it is final"
        super().__init__(
            f"a ticket that is {current.value} cannot become {wanted.value} "
            f"(from {current.value} it can become: {options})"
        )
        self.current = current
        self.wanted = wanted


def can_transition(current: Status, wanted: Status) -> bool:
    return wanted in TRANSITIONS[current]


def check_transition(current: Status, wanted: Status) -> None:
    """Raise ``IllegalTransitionError`` unless ``current`` → ``wanted`` is allowed."""
    if not can_transition(current, wanted):
        raise IllegalTransitionError(current, wanted)


def allowed_next(current: Status) -> tuple[Status, ...]:
    """The statuses ``current`` may become, in lifecycle order (for menus and help)."""
    return tuple(s for s in Status if s in TRANSITIONS[current])


def clock_event_kind(previous: str | None, new: str | None) -> StatusClockEvent | None:
    """What a logged status change ``previous`` → ``new`` means to the SLA clocks, if anything.

    Entering ``waiting-on-customer`` pauses; leaving it for ``in-progress`` resumes;
    entering ``resolved`` resolves (from waiting too: resolving ends the pause); leaving
    ``resolved`` for ``in-progress`` reopens; entering ``acknowledged`` acknowledges. Values
    that are not statuses (a damaged log entry) mean nothing rather than failing the ticket.
    """
    try:
        before = Status(previous) if previous is not None else None
        after = Status(new) if new is not None else None
    except ValueError:
        return None
    if after is None or before == after:
        return None
    if after is Status.WAITING_ON_CUSTOMER:
        return "paused"
    if after is Status.RESOLVED:
        return "resolved"
    if after is Status.ACKNOWLEDGED:
        return "acknowledged"
    if after is Status.IN_PROGRESS and before is Status.WAITING_ON_CUSTOMER:
        return "resumed"
    if after is Status.IN_PROGRESS and before is Status.RESOLVED:
        return "reopened"
    return None
