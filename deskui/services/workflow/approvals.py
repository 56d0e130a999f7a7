"""Change and modification requests put to the approvers, and their decisions.

IT Works' change requests and Kenco's modification requests (the Manager of Software
Development with the VP Technology) need an approver's decision before work starts. Any agent
may ask (``request_approval``: an ``approval`` row, ``ticket.awaiting_approval`` set, an
``approval`` log entry ``{"event": "requested"}``); only an agent with the approver role may
decide (``decide``; a refusal is explained and written to ``audit_refusal``).

A decision needs a note. A quote is required when the ticket's modification plan prices
changes (its change-request steps record a quote: IT Works), and is optional otherwise.
Where the ticket goes next:

- approved: the modification steps start (change-request steps first for a change request)
  when the ticket has a plan; a Kenco request has none, so the ticket just moves on to
  ``in-progress`` and the log says the work is approved;
- declined: back to the assignee, who tells the client why (a logged reply) and resolves it.
  The processes leave this to the desk, and a decline is news the client must hear from a
  person, so it is not resolved automatically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from deskui.domain.vocabulary import InteractionKind, Role, Status
from deskui.services.actor import Actor
from deskui.services.authorization import refusals_recorded, require_role
from deskui.services.errors import TicketStateError, TicketValidationError
from deskui.services.tickets.unit_of_work import (
    TicketEdit,
    find_agent,
    load_ticket,
    required_text,
    ticket_write,
)
from deskui.services.workflow.approval_requests import apply_request, pending_request
from deskui.services.workflow.modification import apply_start, plan_for, quote_required
from deskui.store.models import Approval, Ticket, TicketTask
from deskui.store.session import Database

__all__ = [
    "DECISIONS",
    "PendingApproval",
    "decide",
    "pending_approvals",
    "request_approval",
    "require_approver",
]

DECISIONS = ("approved", "declined")


@dataclass(frozen=True, slots=True)
class PendingApproval:
    """A ticket in the approvers' review queue."""

    reference: str
    subject: str
    category: str
    requested_at: dt.datetime
    reason: str


def request_approval(
    actor: Actor,
    ref: str,
    reason: str,
    *,
    expected_version: int | None = None,
) -> int:
    """Put the ticket to the approvers with ``reason``; the new version."""
    with ticket_write(actor, ref, expected_version=expected_version) as edit:
        apply_request(edit, reason)
        return edit.finish("approval-requested")


def require_approver(actor: Actor, ref: str) -> None:
    """Refuse (``RoleRefusedError``, recorded) unless ``by`` may decide requests on ``ref``:
    the app asks before it opens the decision form, so a non-approver is told at once."""
    at, by = actor.now(), actor.handle
    with refusals_recorded(actor.database), actor.database.read() as session:
        ticket = load_ticket(session, ref)
        agent = find_agent(session, by) if by is not None else None
        require_role(
            agent,
            Role.APPROVER,
            action="decide change and modification requests",
            target=ticket.reference,
            at=at,
        )


def decide(
    actor: Actor,
    ref: str,
    decision: str,
    note: str,
    *,
    quote: str | None = None,
    expected_version: int | None = None,
) -> int:
    """Approve or decline the ticket's pending request with ``note`` (and ``quote``); the
    new version. ``RoleRefusedError`` (recorded) unless ``by`` is an approver."""
    at = actor.now()
    wanted = decision.strip().lower()
    if wanted not in DECISIONS:
        raise TicketValidationError(
            "decision", f"{decision!r} is not one of: {', '.join(DECISIONS)}"
        )
    text = required_text(note, "note", "a note on the decision")
    with ticket_write(actor, ref, at=at, expected_version=expected_version) as edit:
        session = edit.session
        ticket = edit.ticket
        require_role(
            edit.actor,
            Role.APPROVER,
            action="decide change and modification requests",
            target=ticket.reference,
            at=at,
        )
        approval = pending_request(edit)
        if approval is None:
            raise TicketStateError(f"{ticket.reference} has no request waiting for an approver")
        price = (quote or "").strip() or None
        if wanted == "approved" and price is None and quote_required(session, ticket):
            raise TicketValidationError(
                "quote", f"{ticket.policy.name} needs a quote with an approval"
            )
        approval.decision = wanted
        approval.decided_at = at
        approval.decided_by_id = edit.actor.id if edit.actor is not None else None
        approval.note = text
        approval.quote = price
        ticket.awaiting_approval = False
        meta: dict[str, object] = {"event": wanted}
        if price is not None:
            meta["quote"] = price
        if wanted == "declined":
            meta["next"] = "back to the assignee to tell the client and resolve"
            edit.log(InteractionKind.APPROVAL, text, meta)
            return edit.finish("approval-declined")
        edit.log(InteractionKind.APPROVAL, text, meta)
        _move_on(edit)
        return edit.finish("approval-approved")


def _move_on(edit: TicketEdit) -> None:
    """After an approval: start the plan's steps, or (no plan) just get on with the work."""
    ticket = edit.ticket
    started = edit.session.scalar(
        select(TicketTask.id).where(TicketTask.ticket_id == ticket.id).limit(1)
    )
    if plan_for(edit.session, ticket) is not None and started is None:
        apply_start(edit)
        return
    if Status(ticket.status) in (Status.ACKNOWLEDGED, Status.WAITING_ON_CUSTOMER):
        edit.change_status(Status.IN_PROGRESS, "approved: work starts")


def pending_approvals(database: Database, *, limit: int = 100) -> list[PendingApproval]:
    """The approvers' review queue: undecided requests, oldest first."""
    with database.read() as session:
        rows = session.execute(
            select(Ticket.reference, Ticket.subject, Ticket.category, Approval)
            .join(Approval, Approval.ticket_id == Ticket.id)
            .where(Approval.decision.is_(None))
            .order_by(Approval.requested_at, Approval.id)
            .limit(limit)
        )
        return [
            PendingApproval(ref, subject, str(category.value), row.requested_at, row.reason)
            for ref, subject, category, row in rows
        ]
