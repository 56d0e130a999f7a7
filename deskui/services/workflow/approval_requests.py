"""Putting a ticket to the approvers inside an edit already begun: the ``approval`` row, the
ticket's ``awaiting_approval`` flag and the ``approval`` log entry.

Its own module (nothing but the edit and the models) so that opening a ticket, whose routing
can send a change request straight to the approvers' queue, can ask without importing the rest
of the approvals workflow.
"""

from __future__ import annotations

from sqlalchemy import select

from deskui.domain.vocabulary import DONE_STATUSES, InteractionKind, Status
from deskui.services.errors import TicketStateError
from deskui.services.tickets.unit_of_work import TicketEdit, required_text
from deskui.store.models import Approval


def pending_request(edit: TicketEdit) -> Approval | None:
    """The ticket's request still waiting for a decision, if any."""
    return edit.session.scalars(
        select(Approval)
        .where(Approval.ticket_id == edit.ticket.id, Approval.decision.is_(None))
        .order_by(Approval.id.desc())
        .limit(1)
    ).first()


def apply_request(edit: TicketEdit, reason: str) -> Approval:
    """``request_approval``'s change inside an edit already begun."""
    why = required_text(reason, "reason", "what the approvers are asked to decide")
    ticket = edit.ticket
    if Status(ticket.status) in DONE_STATUSES:
        raise TicketStateError(
            f"{ticket.reference} is {ticket.status.value}: cannot ask for approval"
        )
    if pending_request(edit) is not None:
        raise TicketStateError(f"{ticket.reference} is already waiting for an approver")
    approval = Approval(
        ticket_id=ticket.id,
        requested_at=edit.at,
        requested_by_id=edit.actor.id if edit.actor is not None else None,
        reason=why,
        note="",
    )
    edit.session.add(approval)
    ticket.awaiting_approval = True
    edit.log(InteractionKind.APPROVAL, why, {"event": "requested"})
    return approval
