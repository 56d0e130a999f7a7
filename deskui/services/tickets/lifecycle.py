"""The ticket lifecycle: open, take, assign, log contacts and replies, pause, resolve, reopen.

Opening a ticket is ``deskui.services.intake.open_ticket``: it routes, pages and acknowledges,
which are other areas' work.

These are the use cases the desk screens, ``deskui ticket`` and mail intake call. Each is one
short write transaction (``Database.write()``); each takes ``at``, the caller's clock (the app
passes ``settings.time_source().now()``), and the acting agent's handle where someone acts.
Every change appends to the ticket's log, keeps the stored clock columns in step with the log
(``deskui.services.tickets.clocks``) and records a ``ticket.<action>`` change-feed event, all
in the same transaction.

Edits take ``expected_version``, the version the agent was looking at: if someone changed the
ticket since, the edit is refused with ``StaleEditError`` saying what changed and by whom, and
nothing is saved. Appending to the log (contacts, replies, notes, remote sessions) takes no
version and never conflicts. Every action that succeeds raises the version by exactly one.

Errors: ``TicketNotFoundError``, ``TicketConflictError`` (someone else took it),
``TicketValidationError`` (``.field`` names the bad field), ``TicketStateError`` (the status
does not allow it), ``NotFoundError`` (unknown acting agent), ``StaleEditError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from deskui.domain.vocabulary import DONE_STATUSES, InteractionKind, Status
from deskui.services.actor import Actor
from deskui.services.authorization import require_may_assign
from deskui.services.errors import (
    NotFoundError,
    TicketConflictError,
    TicketStateError,
    TicketValidationError,
)
from deskui.services.tickets.clocks import current_clocks
from deskui.services.tickets.customer_contact import apply_customer_contact
from deskui.services.tickets.reads import ticket_summaries, ticket_view
from deskui.services.tickets.sla_context import sla_context
from deskui.services.tickets.unit_of_work import (
    TicketEdit,
    agent_label,
    find_agent,
    load_ticket,
    policy_priority,
    require_aware,
    required_text,
    ticket_write,
)
from deskui.services.tickets.views import TicketSummary, TicketView
from deskui.store.models import Agent
from deskui.store.session import Database

CONTACT_KINDS: tuple[InteractionKind, ...] = (
    InteractionKind.CALL_IN,
    InteractionKind.EMAIL_IN,
    InteractionKind.FAX_IN,
    InteractionKind.ANSWERPHONE,
)
REPLY_KINDS: tuple[InteractionKind, ...] = (InteractionKind.CALL_OUT, InteractionKind.EMAIL_OUT)
# How the reason for resuming or reopening reads ("The customer called.").
CONTACT_VERBS: dict[InteractionKind, str] = {
    InteractionKind.CALL_IN: "called",
    InteractionKind.EMAIL_IN: "replied by email",
    InteractionKind.FAX_IN: "sent a fax",
    InteractionKind.ANSWERPHONE: "left a message",
}


# ---- helpers -------------------------------------------------------------------------------


def _kind(value: InteractionKind | str, allowed: Iterable[InteractionKind]) -> InteractionKind:
    allowed = tuple(allowed)
    try:
        kind = InteractionKind(value)
    except ValueError:
        kind = None
    if kind not in allowed:
        known = ", ".join(k.value for k in allowed)
        raise TicketValidationError("kind", f"{value!r} is not one of: {known}")
    return kind


def _not_done(edit: TicketEdit, action: str) -> None:
    if Status(edit.ticket.status) in DONE_STATUSES:
        raise TicketStateError(
            f"{edit.ticket.reference} is {edit.ticket.status.value}: cannot {action}"
        )


# ---- taking and assigning ------------------------------------------------------------------


def _acknowledge(edit: TicketEdit) -> str:
    ticket, me = edit.ticket, edit.actor
    assert me is not None
    if ticket.assignee_id is not None and ticket.assignee_id != me.id:
        holder = edit.session.get(Agent, ticket.assignee_id)
        raise TicketConflictError(
            f"{ticket.reference} is already taken by {agent_label(holder)}: only they or a "
            "supervisor can pass it on"
        )
    _not_done(edit, "take it")
    status = Status(ticket.status)
    if status is not Status.NEW and ticket.assignee_id == me.id:
        raise TicketStateError(f"{ticket.reference} is already yours ({status.value})")
    taking = ticket.assignee_id is None
    ticket.assignee = me
    if status is Status.NEW:
        ticket.status = Status.ACKNOWLEDGED
        meta = {"from": status.value, "to": Status.ACKNOWLEDGED.value}
        if taking:
            meta["assignee"] = me.handle
        edit.log(InteractionKind.ACKNOWLEDGEMENT, "", meta)
        return "acknowledged"
    edit.log(InteractionKind.ASSIGNMENT_CHANGE, "", {"from": None, "to": me.handle, "taken": True})
    return "assigned"


def acknowledge(actor: Actor, ref: str) -> int:
    """Take the ticket: assign it to ``by`` if unassigned and acknowledge a new one.

    If another agent already has it, ``TicketConflictError`` names them: of two agents taking
    one ticket at once, exactly one gets it. Returns the new version.
    """
    with ticket_write(actor, ref) as edit:
        action = _acknowledge(edit)
        return edit.finish(action)


def _assign(edit: TicketEdit, handle: str | None) -> None:
    ticket = edit.ticket
    if Status(ticket.status) is Status.CLOSED:
        raise TicketStateError(f"{ticket.reference} is closed: it cannot be reassigned")
    new: Agent | None = None
    if handle is not None:
        try:
            new = find_agent(edit.session, handle)
        except NotFoundError as exc:
            raise TicketValidationError("assignee", str(exc)) from None
    old = edit.session.get(Agent, ticket.assignee_id) if ticket.assignee_id is not None else None
    require_may_assign(
        edit.actor,
        old.id if old else None,
        target=ticket.reference,
        at=edit.at,
    )
    if (old.id if old else None) == (new.id if new else None):
        raise TicketValidationError(
            "assignee", f"{ticket.reference} is already assigned to {agent_label(new)}"
        )
    ticket.assignee = new
    edit.log(
        InteractionKind.ASSIGNMENT_CHANGE,
        "",
        {"from": old.handle if old else None, "to": new.handle if new else None},
    )


def assign(
    actor: Actor,
    ref: str,
    handle: str | None,
    *,
    expected_version: int | None = None,
) -> int:
    """Assign the ticket to agent ``handle`` (``None`` unassigns it); the new version.

    ``by`` is the agent making the change; ``None`` logs it as the system (a script). Only a
    supervisor may move someone else's ticket or give one to someone else."""
    with ticket_write(actor, ref, expected_version=expected_version) as edit:
        _assign(edit, handle)
        return edit.finish("assigned", assignee=handle)


# ---- the log -------------------------------------------------------------------------------


def log_contact(
    actor: Actor,
    ref: str,
    kind: InteractionKind | str,
    body: str,
    *,
    author_name: str | None = None,
    resume: bool = False,
) -> int:
    """Log an inbound contact (``call-in``, ``email-in``, ``fax-in``, ``answerphone``).

    ``by`` is the agent who took it down (``None`` for mail intake); ``author_name`` the
    customer, by default the ticket's requester. Never conflicts. Returns the new version.
    With ``resume`` the contact also resumes a ticket waiting on the customer, or reopens a
    resolved one within the reopen window (``deskui.services.tickets.customer_contact``).
    """
    entry_kind = _kind(kind, CONTACT_KINDS)
    text = required_text(body, "body", "what the customer said")
    with ticket_write(actor, ref) as edit:
        name = (author_name or "").strip() or edit.ticket.requester_name or None
        edit.log(entry_kind, text, author_name=name)
        effect = apply_customer_contact(edit, CONTACT_VERBS[entry_kind]) if resume else None
        extra = {"effect": effect} if effect is not None else {}
        return edit.finish("contact", kind=entry_kind.value, **extra)


def reply(
    actor: Actor,
    ref: str,
    kind: InteractionKind | str,
    body: str,
) -> int:
    """Log a reply to the customer (``call-out`` or ``email-out``): it meets the response
    clock (and acknowledgement, if still open). Never conflicts. Returns the new version."""
    entry_kind = _kind(kind, REPLY_KINDS)
    text = required_text(body, "body", "what was said to the customer")
    with ticket_write(actor, ref) as edit:
        edit.log(entry_kind, text)
        return edit.finish("reply", kind=entry_kind.value)


def log_remote_session(
    actor: Actor,
    ref: str,
    body: str,
    *,
    minutes: int | None = None,
) -> int:
    """Log a remote-control session on the customer's machine (what was done, how long)."""
    text = required_text(body, "body", "what was done in the session")
    if minutes is not None and minutes <= 0:
        raise TicketValidationError("minutes", "a session lasts at least one minute")
    with ticket_write(actor, ref) as edit:
        edit.log(InteractionKind.REMOTE_SESSION, text, {"minutes": minutes} if minutes else None)
        return edit.finish("remote-session")


def add_note(actor: Actor, ref: str, body: str) -> int:
    """Add an internal note (never shown to the customer). Never conflicts."""
    text = required_text(body, "body", "the note")
    with ticket_write(actor, ref) as edit:
        edit.log(InteractionKind.NOTE, text)
        return edit.finish("note")


# ---- priority and ETA ----------------------------------------------------------------------


def _change_priority(edit: TicketEdit, slug: str, reason: str) -> str:
    why = required_text(reason, "reason", "a reason for the change")
    _not_done(edit, "change its priority")
    ticket = edit.ticket
    wanted = slug.strip()
    priority = policy_priority(edit.policy, wanted, "priority")
    if priority.slug == ticket.priority:
        raise TicketValidationError("priority", f"{ticket.reference} is already {priority.slug}")
    meta: dict[str, object] = {"from": ticket.priority, "to": priority.slug}
    if wanted != priority.slug:
        meta["requested"] = wanted
    ticket.priority = priority.slug
    ticket.priority_rank = edit.policy.rank(priority.slug)
    # The engine recomputes every due from the opening with the new priority.
    edit.clocks_touched = True
    edit.log(InteractionKind.PRIORITY_CHANGE, why, meta)
    return priority.slug


def change_priority(
    actor: Actor,
    ref: str,
    slug: str,
    reason: str,
    *,
    expected_version: int | None = None,
) -> int:
    """Change the assigned priority (a reason is required). Every due is recomputed from the
    opening time with the new priority's targets, minus the time paused."""
    with ticket_write(actor, ref, expected_version=expected_version) as edit:
        new = _change_priority(edit, slug, reason)
        return edit.finish("priority", priority=new)


def set_eta(
    actor: Actor,
    ref: str,
    eta: dt.datetime,
    *,
    note: str = "",
    expected_version: int | None = None,
) -> int:
    """Record the time given to the customer for the fix. It is also the agreed due of a
    ``negotiated`` resolution clock (Kenco's software errors, IT Works' Low)."""
    at = actor.now()
    if eta.tzinfo is None or eta.utcoffset() is None:
        raise TicketValidationError("eta", "needs a time zone (a UTC offset)")
    if eta <= at:
        raise TicketValidationError("eta", "must be later than now")
    with ticket_write(actor, ref, at=at, expected_version=expected_version) as edit:
        due = apply_eta(edit, eta, note)
        return edit.finish("eta", eta=due)


def apply_eta(edit: TicketEdit, eta: dt.datetime, note: str = "") -> str:
    """``set_eta``'s change inside an edit already begun (the modification steps' "eta" step
    uses it so the ETA is logged the same way); the new due as ISO 8601."""
    if eta.tzinfo is None or eta.utcoffset() is None:
        raise TicketValidationError("eta", "needs a time zone (a UTC offset)")
    if eta <= edit.at:
        raise TicketValidationError("eta", "must be later than now")
    _not_done(edit, "set an ETA")
    previous = edit.ticket.eta_at
    edit.ticket.eta_at = eta.astimezone(dt.UTC)
    due = eta.astimezone(dt.UTC).isoformat()
    edit.log(
        InteractionKind.ETA_CHANGE,
        note.strip(),
        {
            "from": previous.isoformat() if previous else None,
            "to": due,
            "clock": "resolution",
            "due": due,
        },
    )
    return due


# ---- status --------------------------------------------------------------------------------


def _set_waiting(edit: TicketEdit, waiting: bool, note: str) -> str:
    status = Status(edit.ticket.status)
    if waiting:
        edit.change_status(Status.WAITING_ON_CUSTOMER, note.strip())
        return "waiting"
    if status is not Status.WAITING_ON_CUSTOMER:
        raise TicketStateError(f"{edit.ticket.reference} is {status.value}, not waiting")
    edit.change_status(Status.IN_PROGRESS, note.strip())
    return "resumed"


def set_waiting(
    actor: Actor,
    ref: str,
    waiting: bool,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> int:
    """Wait on the customer (pauses the resolution clock) or resume work (the resolution
    due moves later by exactly the business time paused)."""
    with ticket_write(actor, ref, expected_version=expected_version) as edit:
        action = _set_waiting(edit, waiting, note)
        return edit.finish(action)


def start_work(
    actor: Actor,
    ref: str,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> int:
    """Mark an acknowledged ticket as in progress."""
    with ticket_write(actor, ref, expected_version=expected_version) as edit:
        edit.change_status(Status.IN_PROGRESS, note.strip())
        return edit.finish("in-progress")


def resolve_in(edit: TicketEdit, summary: str, breach_reason: str | None) -> None:
    """Resolve inside an edit another service holds (resolving and telling the client in one
    transaction); the checks of ``resolve``."""
    _resolve(edit, summary, breach_reason)


def _resolve(edit: TicketEdit, summary: str, breach_reason: str | None) -> None:
    text = required_text(summary, "summary", "a resolution summary")
    reason = (breach_reason or "").strip() or None
    meta: dict[str, object] = {}
    if reason is not None:
        meta["breach_reason"] = reason
    entry = edit.change_status(Status.RESOLVED, text, **meta)
    states = current_clocks(
        edit.session, edit.context, edit.policy, edit.ticket, edit.new_entries, edit.at
    )
    breached = [state for state in states.values() if state.breached(edit.at)]
    if breached and reason is None:
        names = ", ".join(
            f"{state.clock.value} (due {state.due_at:%Y-%m-%d %H:%M %Z})"
            for state in breached
            if state.due_at is not None
        )
        raise TicketValidationError(
            "breach_reason", f"the SLA was breached ({names}): give the reason for the breach"
        )
    if breached:
        entry.meta = {**entry.meta, "breached": [state.clock.value for state in breached]}


def resolve(
    actor: Actor,
    ref: str,
    summary: str,
    *,
    breach_reason: str | None = None,
    expected_version: int | None = None,
) -> int:
    """Resolve the ticket with a summary. If any clock is breached (met late, or overdue
    now), ``breach_reason`` is required (``TicketValidationError`` on ``breach_reason``)."""
    with ticket_write(actor, ref, expected_version=expected_version) as edit:
        _resolve(edit, summary, breach_reason)
        return edit.finish("resolved")


def _reopen(edit: TicketEdit, reason: str) -> None:
    why = required_text(reason, "reason", "a reason for reopening")
    status = Status(edit.ticket.status)
    if status is not Status.RESOLVED:
        raise TicketStateError(
            f"{edit.ticket.reference} is {status.value}: only a resolved ticket can be reopened"
        )
    edit.change_status(Status.IN_PROGRESS, why, reopened=True)


def reopen(
    actor: Actor,
    ref: str,
    reason: str,
    *,
    expected_version: int | None = None,
) -> int:
    """Reopen a resolved ticket; its resolution clock resumes from where it stopped."""
    with ticket_write(actor, ref, expected_version=expected_version) as edit:
        _reopen(edit, reason)
        return edit.finish("reopened")


def close(
    actor: Actor,
    ref: str,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> int:
    """Close a resolved ticket (kept for reference; closed is final)."""
    at = actor.now()
    with ticket_write(actor, ref, at=at, expected_version=expected_version) as edit:
        edit.change_status(Status.CLOSED, note.strip())
        edit.ticket.closed_at = at
        return edit.finish("closed")


def set_status(
    actor: Actor,
    ref: str,
    status: Status | str,
    *,
    note: str = "",
    breach_reason: str | None = None,
    expected_version: int | None = None,
) -> int:
    """Move the ticket to ``status`` by the matching action (``deskui ticket status``):
    ``acknowledged`` takes it, ``waiting-on-customer`` pauses, ``in-progress`` starts,
    resumes or (from resolved, with ``note`` as the reason) reopens, ``resolved`` resolves
    with ``note`` as the summary, ``closed`` closes."""
    at = actor.now()
    try:
        wanted = Status(status)
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise TicketValidationError(
            "status", f"unknown status {status!r} (known: {known})"
        ) from None
    with ticket_write(actor, ref, at=at, expected_version=expected_version) as edit:
        current = Status(edit.ticket.status)
        if wanted is Status.ACKNOWLEDGED:
            action = _acknowledge(edit)
        elif wanted is Status.WAITING_ON_CUSTOMER:
            action = _set_waiting(edit, True, note)
        elif wanted is Status.IN_PROGRESS and current is Status.WAITING_ON_CUSTOMER:
            action = _set_waiting(edit, False, note)
        elif wanted is Status.IN_PROGRESS and current is Status.RESOLVED:
            _reopen(edit, note)
            action = "reopened"
        elif wanted is Status.RESOLVED:
            _resolve(edit, note, breach_reason)
            action = "resolved"
        else:
            edit.change_status(wanted, note.strip())
            if wanted is Status.CLOSED:
                edit.ticket.closed_at = at
            action = wanted.value
        return edit.finish(action)


# ---- reading -------------------------------------------------------------------------------


def get_ticket(database: Database, ref: str, *, now: dt.datetime) -> TicketView:
    """The ticket with its clocks as they stand at ``now`` and its whole log."""
    require_aware(now, "now")
    with database.read() as session:
        ticket = load_ticket(session, ref)
        context = sla_context(database, session)
        if ticket.policy.name not in context.policies:
            context = sla_context(database, session, reload=True)
        return ticket_view(session, context, ticket, now)


def list_tickets(
    database: Database,
    *,
    status: Status | str | Iterable[Status | str] | None = None,
    team: str | None = None,
    assignee: str | None = None,
    limit: int = 100,
) -> list[TicketSummary]:
    """Tickets in queue order (priority, then soonest due; no running clock last).

    ``status`` is one status or several (``None``: every status, closed ones included).
    """
    if limit <= 0:
        raise TicketValidationError("limit", "must be at least 1")
    statuses: set[str] | None = None
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        statuses = set()
        for value in wanted:
            try:
                statuses.add(Status(value).value)
            except ValueError:
                known = ", ".join(s.value for s in Status)
                raise TicketValidationError(
                    "status", f"unknown status {value!r} (known: {known})"
                ) from None
    with database.read() as session:
        return ticket_summaries(
            session, statuses=statuses, team=team, assignee=assignee, limit=limit
        )
