"""Roles are enforced in the services: a refused action says why and leaves an audit row."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.authorization import RoleRefusedError
from deskui.services.errors import PermissionDeniedError
from deskui.services.tickets.draft import TicketDraft
from deskui.store.models import AuditRefusal, Ticket
from deskui.store.session import Database

SUPERVISOR, AGENT, OTHER = "cmacdonald", "jleblanc", "amorgan"
COLLEEN = "colleen@maritime-health.example"  # a Velsoft liaison
AT = dt.datetime(2026, 2, 2, 9, 0, tzinfo=ZoneInfo("America/Halifax"))


def _open(desk: Database) -> str:
    draft = TicketDraft(
        team="velsoft",
        subject="Course player shows a blank page",
        channel="email",
        category="technical",
        description="Blank.",
        contact_email=COLLEEN,
        priority="high",
    )
    return intake.open_ticket(Actor.of(desk, None, at=AT), draft).reference


def _assignee(desk: Database, ref: str) -> str | None:
    with desk.read() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.reference == ref)).one()
        return ticket.assignee.handle if ticket.assignee else None


def test_an_agent_may_not_move_a_colleagues_ticket(desk: Database) -> None:
    ref = _open(desk)
    tickets.assign(Actor.of(desk, SUPERVISOR, at=AT), ref, SUPERVISOR)
    with pytest.raises(PermissionDeniedError) as refused:
        tickets.assign(Actor.of(desk, AGENT, at=AT), ref, AGENT)
    assert str(refused.value) == (
        f"{AGENT} may not reassign tickets on {ref}: that needs the supervisor role "
        f"({AGENT} has: agent)"
    )
    assert _assignee(desk, ref) == SUPERVISOR
    with desk.read() as session:
        row = session.scalars(select(AuditRefusal)).one()
        assert (row.actor, row.action, row.target) == (AGENT, "reassign tickets", ref)
        assert row.reason == str(refused.value)


def test_a_supervisor_and_an_admin_may_move_anyones_ticket(desk: Database) -> None:
    ref = _open(desk)
    tickets.assign(Actor.of(desk, AGENT, at=AT), ref, AGENT)
    tickets.assign(Actor.of(desk, SUPERVISOR, at=AT), ref, OTHER)
    tickets.assign(Actor.of(desk, OTHER, at=AT), ref, SUPERVISOR)  # admin implies supervisor
    assert _assignee(desk, ref) == SUPERVISOR
    with desk.read() as session:
        assert session.scalars(select(AuditRefusal)).all() == []


def test_an_agent_may_pass_on_their_own_ticket(desk: Database) -> None:
    ref = _open(desk)
    tickets.assign(Actor.of(desk, AGENT, at=AT), ref, AGENT)
    tickets.assign(Actor.of(desk, AGENT, at=AT), ref, SUPERVISOR)
    assert _assignee(desk, ref) == SUPERVISOR


def test_the_refusal_type_carries_the_audit_fields(desk: Database) -> None:
    ref = _open(desk)
    tickets.assign(Actor.of(desk, SUPERVISOR, at=AT), ref, SUPERVISOR)
    with pytest.raises(RoleRefusedError) as refused:
        tickets.assign(Actor.of(desk, AGENT, at=AT), ref, None)
    assert (refused.value.actor, refused.value.target) == (AGENT, ref)
