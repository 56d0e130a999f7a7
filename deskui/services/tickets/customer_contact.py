"""What a customer getting in touch does to an existing ticket: resume it or reopen it.

A contact (call, email, fax, answerphone) on a ticket waiting on the customer resumes it
(in progress; the resolution clock runs again). On a resolved ticket it reopens it when it
comes within the desk's reopen window (``desk.yaml`` ``reopen_window``, counted in business
time on the ticket's team calendar from the resolution); later than that the ticket stays
resolved, and mail intake opens a new ticket that mentions the old one instead.

These run inside the caller's ``TicketEdit`` (the same transaction as the logged contact), and
use the same status changes as ``tickets.set_waiting`` and ``tickets.reopen``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy.orm import Session

from deskui.domain.catalog.desk import DeskSpec
from deskui.domain.durations import Duration
from deskui.domain.vocabulary import Status
from deskui.services.tickets.sla_context import SlaContext
from deskui.services.tickets.unit_of_work import TicketEdit
from deskui.store.models import Desk, Ticket

ContactEffect = Literal["resumed", "reopened"]
DEFAULT_REOPEN_WINDOW = Duration(days=5)


def reopen_window(session: Session) -> Duration:
    """The desk's reopen window (the default five working days without a seeded desk)."""
    row = session.get(Desk, 1)
    if row is None or not row.spec:
        return DEFAULT_REOPEN_WINDOW
    return DeskSpec.model_validate(row.spec).reopen_window


def within_reopen_window(
    session: Session, context: SlaContext, ticket: Ticket, at: dt.datetime
) -> bool:
    """Whether a contact at ``at`` is within the reopen window of ``ticket``'s resolution."""
    if Status(ticket.status) is not Status.RESOLVED or ticket.resolved_at is None:
        return False
    calendar = context.book.get(ticket.team.calendar.name)
    allowed = reopen_window(session).business_seconds(calendar.working_day_seconds)
    if at <= ticket.resolved_at:
        return True
    return calendar.elapsed(ticket.resolved_at, at) <= allowed


def apply_customer_contact(edit: TicketEdit, how: str) -> ContactEffect | None:
    """Resume a waiting ticket or reopen a resolved one within the window; what happened.

    ``how`` says what the customer did, for the logged reason ("replied by email").
    """
    ticket = edit.ticket
    status = Status(ticket.status)
    if status is Status.WAITING_ON_CUSTOMER:
        edit.change_status(Status.IN_PROGRESS, f"The customer {how}: work resumes.", customer=True)
        return "resumed"
    if status is Status.RESOLVED and within_reopen_window(
        edit.session, edit.context, ticket, edit.at
    ):
        edit.change_status(
            Status.IN_PROGRESS,
            f"The customer {how} within the reopen window ({reopen_window(edit.session)}).",
            reopened=True,
            customer=True,
        )
        return "reopened"
    return None
