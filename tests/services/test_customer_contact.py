"""A customer getting in touch (``log_contact(resume=True)``, the app's ``c``) resumes a waiting
ticket and reopens a resolved one within the reopen window, on both backends.

Velsoft (Mon-Fri 08:00-16:30 America/Halifax); the sample reopen window is five working days.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.tickets.draft import TicketDraft
from deskui.store.changes import events_after
from deskui.store.models import Interaction, Ticket
from deskui.store.session import Database

HALIFAX = ZoneInfo("America/Halifax")
ALICE = "cmacdonald"


def hfx(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=HALIFAX)


def opened(desk: Database) -> str:
    draft = TicketDraft(
        team="velsoft",
        subject="Course player blank",
        channel="phone",
        category="technical",
        contact_email="colleen@maritime-health.example",
        priority="high",
    )
    ref = intake.open_ticket(Actor.of(desk, None, at=hfx(2, 9)), draft).reference
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 5)), ref)
    return ref


def state(desk: Database, ref: str) -> tuple[str, Interaction]:
    with desk.read() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.reference == ref)).one()
        last = session.scalars(
            select(Interaction)
            .where(Interaction.ticket_id == ticket.id)
            .order_by(Interaction.id.desc())
            .limit(1)
        ).one()
        return ticket.status.value, last


def test_a_call_resumes_a_ticket_waiting_on_the_customer(desk: Database) -> None:
    ref = opened(desk)
    tickets.set_waiting(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, True)
    tickets.log_contact(
        Actor.of(desk, ALICE, at=hfx(2, 11)), ref, "call-in", "Here is the log", resume=True
    )
    status, last = state(desk, ref)
    assert status == "in-progress"
    assert last.meta == {"from": "waiting-on-customer", "to": "in-progress", "customer": True}
    assert last.body == "The customer called: work resumes."
    with desk.read() as session:
        contact = [e for e in events_after(session, 0) if e.kind == "ticket.contact"][-1]
    assert contact.payload["effect"] == "resumed"


def test_without_resume_the_status_is_left_alone(desk: Database) -> None:
    ref = opened(desk)
    tickets.set_waiting(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, True)
    tickets.log_contact(Actor.of(desk, ALICE, at=hfx(2, 11)), ref, "call-in", "FYI")
    assert state(desk, ref)[0] == "waiting-on-customer"


def test_a_contact_within_the_window_reopens_and_after_it_does_not(desk: Database) -> None:
    ref = opened(desk)
    tickets.resolve(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, "Fixed")
    # Mon 10:00 + five working days of 8h30 = the next Monday 10:00.
    tickets.log_contact(Actor.of(desk, None, at=hfx(9, 10)), ref, "email-in", "Back", resume=True)
    status, last = state(desk, ref)
    assert status == "in-progress" and last.meta["reopened"] is True
    assert "within the reopen window (5d)" in last.body

    tickets.resolve(Actor.of(desk, ALICE, at=hfx(9, 11)), ref, "Fixed again")
    tickets.log_contact(Actor.of(desk, None, at=hfx(18, 12)), ref, "email-in", "Late", resume=True)
    status, last = state(desk, ref)
    assert status == "resolved" and last.body == "Late"
