"""The catalog read back from a database holds what was seeded into it (SQLite and
PostgreSQL). The seeding here is a minimal stand-in written with the store's models."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from deskui.domain.catalog.agents import AgentSpec, SkillsSpec
from deskui.domain.vocabulary import Category, Role
from deskui.services.catalog.load import (
    Catalog,
    CatalogNotSeededError,
    load_catalog_from_database,
    load_catalog_from_directory,
)
from deskui.settings import Settings
from deskui.store import models
from deskui.store.catalog_store import save_calendar, save_policy
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


def _seed(session: Session, catalog: Catalog) -> None:
    desk = catalog.desk
    session.add(
        models.Desk(
            name=desk.name,
            reference_prefix=desk.reference_prefix,
            timezone=desk.timezone,
            spec=desk.model_dump(mode="json"),
        )
    )
    calendars = {name: save_calendar(session, spec) for name, spec in catalog.calendars.items()}
    policies = {name: save_policy(session, spec) for name, spec in catalog.policies.items()}
    teams = {}
    for slug, team in catalog.teams.items():
        teams[slug] = models.Team(
            slug=slug,
            name=team.name,
            calendar=calendars[team.calendar],
            policy=policies[team.policy],
            description=team.description,
            mail=team.mail.model_dump(mode="json") if team.mail is not None else None,
        )
        session.add(teams[slug])
    products = {}
    for slug, product in catalog.products.items():
        products[slug] = models.Product(
            slug=slug, name=product.name, team=teams[product.team], description=product.description
        )
        session.add(products[slug])
    agents = {}
    for handle, agent in catalog.agents.items():
        row = models.Agent(
            handle=handle,
            name=agent.name,
            email=agent.email,
            timezone=agent.timezone,
            title=agent.title,
            teams=[teams[t] for t in agent.teams],
            product_skills=[products[p] for p in agent.skills.products],
        )
        row.roles.update(agent.roles)
        row.category_skills.update(agent.skills.categories)
        agents[handle] = row
        session.add(row)
    session.flush()
    for slug, org in catalog.organisations.items():
        contacts = {
            c.email: models.Contact(
                name=c.name, email=c.email, phone=c.phone, timezone=c.timezone, role=c.role
            )
            for c in org.contacts
        }
        row = models.Organisation(
            slug=slug,
            name=org.name,
            timezone=org.timezone,
            project_manager=agents[org.project_manager] if org.project_manager else None,
            contacts=list(contacts.values()),
        )
        session.add(row)
        session.flush()
        for contract in org.contracts:
            row.contracts.append(
                models.Contract(
                    reference=contract.reference,
                    policy=policies[contract.policy],
                    team=teams[contract.team],
                    active_from=contract.active_from,
                    active_to=contract.active_to,
                    liaisons=[contacts[e] for e in contract.liaisons],
                )
            )
    for slug, checklist in catalog.triage_checklists.items():
        session.add(
            models.TriageChecklist(
                slug=slug,
                title=checklist.title,
                policy_id=policies[checklist.policy].id if checklist.policy else None,
                team_id=teams[checklist.team].id if checklist.team else None,
                spec=checklist.model_dump(mode="json"),
            )
        )
    for slug, rotation in catalog.oncall_rotations.items():
        session.add(
            models.OnCallRotation(
                slug=slug, team_id=teams[rotation.team].id, spec=rotation.model_dump(mode="json")
            )
        )


def _in_table_order(agent: AgentSpec) -> AgentSpec:
    """The agent as the database gives it back: roles, teams and skills are sets there."""
    return agent.model_copy(
        update={
            "roles": tuple(r for r in Role if r in agent.roles),
            "teams": tuple(sorted(agent.teams)),
            "skills": SkillsSpec(
                products=tuple(sorted(agent.skills.products)),
                categories=tuple(c for c in Category if c in agent.skills.categories),
            ),
        }
    )


@pytest.fixture(scope="module")
def sample() -> Catalog:
    return load_catalog_from_directory(SAMPLE_DATA)


def test_catalog_reads_back_what_was_seeded(db_url: str, sample: Catalog) -> None:
    database = Database(db_url)
    try:
        with database.write() as session:
            _seed(session, sample)
    finally:
        database.dispose()

    loaded = load_catalog_from_database(Settings.model_construct(database_url=db_url))

    assert loaded.calendars == sample.calendars
    assert loaded.policies == sample.policies
    assert loaded.desk == sample.desk
    assert loaded.teams == sample.teams
    assert loaded.products == sample.products
    assert loaded.organisations == sample.organisations
    assert loaded.agents == {handle: _in_table_order(a) for handle, a in sample.agents.items()}
    assert loaded.triage_checklists == sample.triage_checklists
    assert loaded.oncall_rotations == sample.oncall_rotations
    # This hand-made seed writes no routing rules or modification plans (test_seeding.py has
    # the real seeding read back with them).
    assert loaded.routing_rules == ()
    assert loaded.modification_steps == {}


def test_empty_database_says_how_to_seed_it(sqlite_db_url: str) -> None:
    with pytest.raises(CatalogNotSeededError, match="deskui db seed DIR"):
        load_catalog_from_database(Settings.model_construct(database_url=sqlite_db_url))
