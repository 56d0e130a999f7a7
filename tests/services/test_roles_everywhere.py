"""Roles on every ticket write path (both backends): an approver-only account may not work
tickets, whatever the action; the refusal says why and is in the audit trail; agents and
supervisors (and admins, who are supervisors too) may."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select
from test_many_agents import open_shared_tickets
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.authorization import RoleRefusedError, list_refusals
from deskui.services.tickets.draft import TicketDraft
from deskui.store.models import Ticket
from deskui.store.session import Database

APPROVER = "tnakamura"  # approver only
AT = dt.datetime.now(dt.UTC)

ACTIONS: dict[str, Callable[[Database, str, str], object]] = {
    "take": lambda db, ref, by: tickets.acknowledge(Actor.of(db, by, at=AT), ref),
    "assign": lambda db, ref, by: tickets.assign(Actor.of(db, by, at=AT), ref, None),
    "note": lambda db, ref, by: tickets.add_note(Actor.of(db, by, at=AT), ref, "x"),
    "reply": lambda db, ref, by: tickets.reply(Actor.of(db, by, at=AT), ref, "email-out", "x"),
    "contact": lambda db, ref, by: tickets.log_contact(
        Actor.of(db, by, at=AT), ref, "call-in", "x"
    ),
    "remote": lambda db, ref, by: tickets.log_remote_session(Actor.of(db, by, at=AT), ref, "x"),
    "priority": lambda db, ref, by: tickets.change_priority(
        Actor.of(db, by, at=AT), ref, "medium", "x"
    ),
    "waiting": lambda db, ref, by: tickets.set_waiting(Actor.of(db, by, at=AT), ref, True),
    "resolve": lambda db, ref, by: tickets.resolve(Actor.of(db, by, at=AT), ref, "x"),
}


def version(desk: Database, ref: str) -> int:
    with desk.read() as session:
        return session.scalars(select(Ticket.version).where(Ticket.reference == ref)).one()


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_an_approver_only_account_may_not_work_tickets(desk: Database, action: str) -> None:
    (ref,) = open_shared_tickets(desk, 1)
    before = version(desk, ref)
    with pytest.raises(RoleRefusedError) as refused:
        ACTIONS[action](desk, ref, APPROVER)
    assert str(refused.value) == (
        f"{APPROVER} may not work tickets on {ref}: that needs the agent or supervisor role "
        f"({APPROVER} has: approver)"
    )
    assert version(desk, ref) == before
    trail = list_refusals(desk)
    assert [(r.actor, r.action, r.target) for r in trail] == [(APPROVER, "work tickets", ref)]


def test_opening_a_ticket_is_ticket_work_too(desk: Database) -> None:
    draft = TicketDraft(
        team="velsoft",
        subject="Blank page",
        channel="email",
        category="technical",
        contact_email="colleen@maritime-health.example",
        priority="high",
    )
    with pytest.raises(RoleRefusedError, match="may not open tickets"):
        intake.open_ticket(Actor.of(desk, APPROVER, at=AT), draft)
    assert intake.open_ticket(
        Actor.of(desk, "amorgan", at=AT), draft
    ).reference  # admin: supervisor


def test_agents_supervisors_and_the_system_may(desk: Database) -> None:
    (ref,) = open_shared_tickets(desk, 1)
    tickets.add_note(Actor.of(desk, "jleblanc", at=AT), ref, "by an agent")
    tickets.add_note(Actor.of(desk, "amorgan", at=AT), ref, "by an admin")
    tickets.log_contact(Actor.of(desk, None, at=AT), ref, "email-in", "mail intake")
    assert list_refusals(desk) == []
