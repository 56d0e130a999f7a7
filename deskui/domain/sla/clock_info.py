"""What each SLA clock is called and how it behaves: the one place that names a clock.

The engine (``deskui.domain.sla.clocks``) reads what meets a clock and whether it pauses; the
store mapping reads the policy column of its target and the ticket columns of its met and due
instants; the board, the reports, the CLI and every screen read its label, short name and key.
Adding a fourth clock is a member of ``Clock`` and an entry here (plus its columns).
"""

from __future__ import annotations

from dataclasses import dataclass

from deskui.domain.sla.policy import CLOCKS, Clock


@dataclass(frozen=True, slots=True)
class ClockInfo:
    """One clock's names and rules.

    ``label`` is how a screen titles it ("Response"), ``short`` the queue and board column
    ("resp"), ``key`` the name in report keys, CSV columns and chart legends ("response").
    ``met_by`` are the clock events that meet it; ``pauses`` says whether waiting on the
    customer (and a resolved ticket waiting to be reopened) stops it. ``target_field`` is the
    policy priority's column for its target; ``met_field`` and ``due_field`` the ticket's
    columns for when it was met and when it is due.
    """

    clock: Clock
    label: str
    short: str
    key: str
    met_by: frozenset[str]
    pauses: bool
    target_field: str
    met_field: str
    due_field: str


CLOCK_INFO: dict[Clock, ClockInfo] = {
    Clock.ACKNOWLEDGEMENT: ClockInfo(
        Clock.ACKNOWLEDGEMENT,
        label="Ack",
        short="ack",
        key="ack",
        met_by=frozenset({"acknowledged", "responded", "resolved"}),
        pauses=False,
        target_field="acknowledgement_target",
        met_field="acknowledged_at",
        due_field="ack_due_at",
    ),
    Clock.RESPONSE: ClockInfo(
        Clock.RESPONSE,
        label="Response",
        short="resp",
        key="response",
        met_by=frozenset({"responded", "resolved"}),
        pauses=False,
        target_field="response_target",
        met_field="first_response_at",
        due_field="response_due_at",
    ),
    Clock.RESOLUTION: ClockInfo(
        Clock.RESOLUTION,
        label="Resolution",
        short="res",
        key="resolution",
        met_by=frozenset({"resolved"}),
        pauses=True,
        target_field="resolution_target",
        met_field="resolved_at",
        due_field="resolution_due_at",
    ),
}
assert tuple(CLOCK_INFO) == CLOCKS, "every clock is named here, in order"


def clock_info(clock: Clock | str) -> ClockInfo:
    """The names and rules of ``clock`` (a ``Clock`` or its value)."""
    return CLOCK_INFO[Clock(clock)]


def short_name(clock: Clock | str | None, missing: str = "—") -> str:
    """The queue/board column name of ``clock`` (``missing`` when there is none)."""
    if not clock:
        return missing
    try:
        return clock_info(clock).short
    except ValueError:
        return missing


def label(clock: Clock | str) -> str:
    """The screen title of ``clock``; an unknown name is shown as it is."""
    try:
        return clock_info(clock).label
    except ValueError:
        return str(clock)
