"""Shared steps for the workflow tests (services and the five desks' scenarios): open a
ticket for a desk, read its log and its stored columns."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from deskui.services import intake
from deskui.services.actor import Actor
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.views import TicketView
from deskui.store.models import Interaction, Ticket
from deskui.store.session import Database

NEW_YORK = ZoneInfo("America/New_York")
HALIFAX = ZoneInfo("America/Halifax")
LONDON = ZoneInfo("Europe/London")

# IT Works (Riverside University, project manager kwalsh).
MARSH = "h.marsh@riverside-university.example"


def itworks_draft(**changes: object) -> TicketDraft:
    fields: dict[str, object] = {
        "team": "itworks",
        "organisation": "riverside-university",
        "contact_email": MARSH,
        "channel": "phone",
        "category": "technical",
        "product": "itworks-admissions",
        "priority": "medium",
        "subject": "Admissions report totals are wrong",
        "description": "The weekly admissions report double-counts transfer students.",
    }
    fields.update(changes)
    return TicketDraft(**fields)  # type: ignore[arg-type]


def open_draft(desk: Database, draft: TicketDraft, at: dt.datetime) -> TicketView:
    return intake.open_ticket(Actor.of(desk, None, at=at), draft)


def stored(desk: Database, ref: str) -> Ticket:
    with desk.read() as session:
        return session.scalars(select(Ticket).where(Ticket.reference == ref)).one()


def log_of(desk: Database, ref: str) -> list[Interaction]:
    with desk.read() as session:
        return list(
            session.scalars(
                select(Interaction)
                .join(Ticket, Ticket.id == Interaction.ticket_id)
                .where(Ticket.reference == ref)
                .order_by(Interaction.at, Interaction.id)
            )
        )


def kinds(desk: Database, ref: str) -> list[str]:
    return [entry.kind.value for entry in log_of(desk, ref)]
