"""Read models the UI and CLI show: plain dataclasses, no ORM objects leak upward."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One open ticket as a queue pane shows it."""

    ticket_id: int
    reference: str
    priority: str
    priority_label: str
    priority_rank: int
    subject: str
    organisation: str
    status: str
    assignee: str | None
    next_clock: str | None
    next_due_at: dt.datetime | None
    calendar: str | None
    opened_at: dt.datetime
    product: str | None = None
    version: int = 1
    policy: str | None = None  # its SLA policy's name (the warning window is per policy)


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    breached: int = 0  # the first ``breached`` rows are the breached band


# ---- tickets (deskui.services.tickets.lifecycle) -------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactView:
    """Who raised a ticket, and whether they are a designated liaison of its contract."""

    name: str
    email: str | None
    is_liaison: bool
    known: bool  # matched a contact of the organisation (else only what the sender gave)


@dataclass(frozen=True, slots=True)
class PriorityView:
    """A priority of the ticket's policy; ``handled_as`` differs when a mapping applies
    (Velsoft: ``low`` is handled as ``medium``)."""

    slug: str
    label: str
    definition: str
    handled_as: str
    rank: int | None  # None: not a priority of the policy (any more)


@dataclass(frozen=True, slots=True)
class ClockView:
    """One SLA clock of a ticket at a moment.

    ``state``: ``running``, ``paused`` (waiting on the customer), ``met`` (on time),
    ``breached`` (met late, or unmet past its due), ``no-target`` (no SLA for this clock) or
    ``no-due`` (negotiated, nothing agreed yet). ``business_seconds``: time left while running
    or paused, by how much it was met (positive) or breached (negative) otherwise; ``None``
    without a due.
    """

    clock: str
    target: str | None
    calendar: str | None
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    state: str
    business_seconds: int | None
    paused_business_seconds: int


@dataclass(frozen=True, slots=True)
class InteractionView:
    """One entry of a ticket's log; ``author`` is the agent's name, else the name given."""

    id: int
    at: dt.datetime
    kind: str
    direction: str
    author: str
    author_handle: str | None
    body: str
    meta: dict[str, object]
    attachments: tuple[dict[str, object], ...] = ()


@dataclass(frozen=True, slots=True)
class TicketView:
    """Everything the ticket view, ``deskui ticket show`` and the tests read about a ticket.

    ``contract_status``: ``active``, ``expired``, ``not-yet-active`` (on the day asked about)
    or ``none``. ``flags``: ``non-liaison``, ``no-entitlement``.
    """

    ticket_id: int
    reference: str
    subject: str
    description: str
    team: str
    team_name: str
    organisation: str | None
    organisation_name: str | None
    contact: ContactView
    contract_reference: str | None
    contract_status: str
    product: str | None
    product_name: str | None
    channel: str
    category: str
    requested_priority: PriorityView | None
    priority: PriorityView
    policy: str
    status: str
    assignee: str | None
    assignee_name: str | None
    opened_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    eta_at: dt.datetime | None
    version: int
    flags: tuple[str, ...]
    clocks: tuple[ClockView, ...]
    next_clock: str | None
    next_due_at: dt.datetime | None
    interactions: tuple[InteractionView, ...]

    def clock(self, name: str) -> ClockView:
        """The clock called ``name`` (``acknowledgement``, ``response``, ``resolution``)."""
        return next(c for c in self.clocks if c.clock == name)


@dataclass(frozen=True, slots=True)
class TicketSummary:
    """One line of ``list_tickets``."""

    ticket_id: int
    reference: str
    subject: str
    status: str
    priority: str
    priority_rank: int
    team: str
    organisation: str | None
    assignee: str | None
    next_clock: str | None
    next_due_at: dt.datetime | None
    opened_at: dt.datetime
    version: int


@dataclass(frozen=True, slots=True)
class AgentChoice:
    """An agent a ticket can be assigned to."""

    handle: str
    name: str


@dataclass(frozen=True, slots=True)
class TicketMatch:
    """A ticket whose reference matched what was typed (for "go to ticket")."""

    reference: str
    subject: str
    status: str


@dataclass(frozen=True, slots=True)
class TicketPage:
    """What the ticket screen shows: the ticket, plus what the view model does not carry.

    ``customer_timezone`` is the contact's zone, else the organisation's (``None`` when the
    ticket has neither); ``priorities`` are the ticket policy's, highest first, for the
    change-priority form.
    """

    ticket: TicketView
    customer_timezone: str | None
    priorities: tuple[PriorityView, ...]
    # The team's canned replies filled in for this ticket (the reply form searches them) and
    # whether resolving emails the summary to the client unless the agent says not to.
    canned: tuple[CannedReply, ...] = ()
    tells_client: bool = False


@dataclass(frozen=True, slots=True)
class CannedReply:
    """A team's canned reply with the ticket's placeholders filled in."""

    name: str
    subject: str
    body: str
