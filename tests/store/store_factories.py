"""Minimal rows for store tests: one calendar, policy, team, client, contact, agents, product,
and a ticket builder. Built from domain specs in code so the store tests do not depend on the
sample-data loader."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from deskui.domain.calendar.spec import CalendarSpec
from deskui.domain.sla.policy import PolicySpec
from deskui.domain.vocabulary import Category, Channel, Role, Status
from deskui.store.catalog_store import save_calendar, save_policy
from deskui.store.models import Agent, Contact, Organisation, Product, Team, Ticket
from deskui.store.references import next_reference

T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)

CALENDAR = CalendarSpec.model_validate(
    {
        "name": "test-et",
        "timezone": "America/New_York",
        "hours": {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": {"country": "US"},
    }
)
POLICY = PolicySpec.model_validate(
    {
        "name": "test-standard",
        "calendar": "test-et",
        "priorities": [
            {
                "slug": "very-high",
                "label": "Very High",
                "targets": {"response": "2h", "resolution": "4h"},
            },
            {"slug": "high", "label": "High", "targets": {"response": "4h", "resolution": "8h"}},
            {
                "slug": "medium",
                "label": "Medium",
                "targets": {"response": "8h", "resolution": "2d"},
            },
            {
                "slug": "low",
                "label": "Low",
                "targets": {"response": "3d", "resolution": "negotiated"},
            },
        ],
        "mapping": {"lowest": "low"},
    }
)
RANKS = {priority.slug: rank for rank, priority in enumerate(POLICY.priorities)}


@dataclass(frozen=True)
class Seeded:
    """Ids of the rows ``seed_minimal`` made."""

    policy_id: int
    team_id: int
    other_team_id: int
    organisation_id: int
    contact_id: int
    agent_ids: dict[str, int]
    product_id: int


def seed_minimal(session: Session) -> Seeded:
    save_calendar(session, CALENDAR)
    policy = save_policy(session, POLICY)
    team = Team(slug="itworks", name="IT Works", calendar=policy.calendar, policy=policy)
    other = Team(slug="keystone", name="Keystone", calendar=policy.calendar, policy=policy)
    organisation = Organisation(slug="acme-college", name="Acme College", timezone="UTC")
    contact = Contact(organisation=organisation, name="Pat Liaison", email="pat@acme.example")
    product = Product(slug="admissions", name="Admissions", team=team)
    agents = {
        handle: Agent(
            handle=handle,
            name=handle.title(),
            email=f"{handle}@desk.example",
            timezone="America/New_York",
        )
        for handle in ("alice", "bob", "carol")
    }
    agents["alice"].roles = {Role.AGENT, Role.SUPERVISOR}
    agents["bob"].roles = {Role.AGENT}
    agents["carol"].roles = {Role.APPROVER}
    session.add_all([team, other, organisation, contact, product, *agents.values()])
    session.flush()
    return Seeded(
        policy_id=policy.id,
        team_id=team.id,
        other_team_id=other.id,
        organisation_id=organisation.id,
        contact_id=contact.id,
        agent_ids={handle: agent.id for handle, agent in agents.items()},
        product_id=product.id,
    )


def make_ticket(
    session: Session,
    seeded: Seeded,
    *,
    priority: str = "medium",
    status: Status = Status.NEW,
    subject: str = "Cannot log in",
    next_due_at: dt.datetime | None = None,
    assignee_id: int | None = None,
    team_id: int | None = None,
    opened_at: dt.datetime = T0,
    **extra: Any,
) -> Ticket:
    """A ticket with a fresh reference, added and flushed in ``session``."""
    ticket = Ticket(
        reference=next_reference(session, "DSK"),
        team_id=team_id or seeded.team_id,
        organisation_id=seeded.organisation_id,
        contact_id=seeded.contact_id,
        product_id=seeded.product_id,
        channel=Channel.EMAIL,
        category=Category.TECHNICAL,
        subject=subject,
        policy_id=seeded.policy_id,
        priority=priority,
        priority_rank=RANKS[priority],
        status=status,
        assignee_id=assignee_id,
        created_at=opened_at,
        opened_at=opened_at,
        updated_at=opened_at,
        next_due_at=next_due_at,
        **extra,
    )
    session.add(ticket)
    session.flush()
    return ticket
