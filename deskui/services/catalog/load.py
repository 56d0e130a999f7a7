"""The catalog: every calendar, policy, team, product, organisation, agent, checklist, rule
and rotation the desk is configured with, loaded from a sample-data directory or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deskui.domain.calendar.spec import CalendarSpec
from deskui.domain.catalog.agents import AgentSpec, SkillsSpec
from deskui.domain.catalog.desk import DeskSpec
from deskui.domain.catalog.errors import Problem, SampleDataError
from deskui.domain.catalog.oncall import OnCallRotationSpec
from deskui.domain.catalog.organisations import ContactSpec, ContractSpec, OrganisationSpec
from deskui.domain.catalog.parts import CatalogParts
from deskui.domain.catalog.routing import RoutingRuleSpec
from deskui.domain.catalog.team_mail import TeamMailSpec
from deskui.domain.catalog.teams import ProductSpec, TeamSpec
from deskui.domain.catalog.triage import ModificationStepsSpec, TriageChecklistSpec
from deskui.domain.sla.policy import PolicySpec
from deskui.domain.vocabulary import Category, Role
from deskui.services.catalog.sample_files import load_parts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from deskui.settings import Settings
    from deskui.store import models

__all__ = [
    "Catalog",
    "CatalogNotSeededError",
    "Problem",
    "SampleDataError",
    "catalog_from_parts",
    "catalog_from_session",
    "load_catalog_from_database",
    "load_catalog_from_directory",
]


@dataclass(frozen=True)
class Catalog:
    """Named things are keyed by name (slug or handle) in file order; routing rules are
    ordered (the first matching rule wins)."""

    calendars: dict[str, CalendarSpec]
    policies: dict[str, PolicySpec]
    desk: DeskSpec
    teams: dict[str, TeamSpec]
    products: dict[str, ProductSpec]
    organisations: dict[str, OrganisationSpec]
    agents: dict[str, AgentSpec]
    triage_checklists: dict[str, TriageChecklistSpec]
    routing_rules: tuple[RoutingRuleSpec, ...]
    oncall_rotations: dict[str, OnCallRotationSpec]
    modification_steps: dict[str, ModificationStepsSpec]

    def checklist_for(self, policy: str, team: str) -> TriageChecklistSpec | None:
        """The policy's checklist, else the team's."""
        by_policy = next((c for c in self.triage_checklists.values() if c.policy == policy), None)
        if by_policy is not None:
            return by_policy
        return next((c for c in self.triage_checklists.values() if c.team == team), None)

    def modification_steps_for(self, policy: str, team: str) -> ModificationStepsSpec | None:
        """The policy's modification steps, else the team's."""
        steps = self.modification_steps.values()
        by_policy = next((m for m in steps if m.policy == policy), None)
        return by_policy or next((m for m in steps if m.team == team), None)

    def rotation_for(self, team: str) -> OnCallRotationSpec | None:
        return next((r for r in self.oncall_rotations.values() if r.team == team), None)


def catalog_from_parts(parts: CatalogParts) -> Catalog:
    """A catalog from parts that passed every check (``load_parts`` guarantees it)."""
    if parts.desk is None:
        raise ValueError("catalog parts without a desk: they were not checked")
    return Catalog(
        calendars={e.spec.name: e.spec for e in parts.calendars},
        policies={e.spec.name: e.spec for e in parts.policies},
        desk=parts.desk,
        teams={e.spec.slug: e.spec for e in parts.teams},
        products={e.spec.slug: e.spec for e in parts.products},
        organisations={e.spec.slug: e.spec for e in parts.organisations},
        agents={e.spec.handle: e.spec for e in parts.agents},
        triage_checklists={e.spec.slug: e.spec for e in parts.triage_checklists},
        routing_rules=tuple(e.spec for e in parts.routing_rules),
        oncall_rotations={e.spec.slug: e.spec for e in parts.oncall_rotations},
        modification_steps={e.spec.slug: e.spec for e in parts.modification_steps},
    )


def load_catalog_from_directory(path: Path) -> Catalog:
    """Read and check every ``*.yaml`` in ``path``; ``SampleDataError`` lists all problems,
    one ``FILE:LINE: FIELD: REASON`` line each."""
    return catalog_from_parts(load_parts(Path(path)))


class CatalogNotSeededError(ValueError):
    """The database holds no desk configuration yet."""


def load_catalog_from_database(settings: Settings) -> Catalog:
    """The catalog as seeded into the configured database.

    Calendars, policies, triage checklists, rotations, routing rules (in position order) and
    modification plans come back from their JSON ``spec`` columns exactly as saved; the desk,
    teams, products, organisations and agents from their tables. Agents' SSH keys stay in the
    ``ssh_key`` table (the SSH server reads them there).
    """
    # Imported here so reading sample data never needs the database layer.
    from deskui.store.session import Database

    database = Database(settings.database_url)
    try:
        with database.read() as session:
            return catalog_from_session(session)
    finally:
        database.dispose()


def catalog_from_session(session: Session) -> Catalog:
    """The catalog held by the database ``session`` reads from."""
    from sqlalchemy import select

    from deskui.store import models
    from deskui.store.catalog_store import load_calendar_specs, load_policy_specs

    calendars = load_calendar_specs(session)
    desk_row = session.get(models.Desk, 1)
    if desk_row is None or not calendars:
        raise CatalogNotSeededError(
            "the database holds no desk configuration yet; load one with `deskui db seed DIR`"
        )
    desk = DeskSpec.model_validate(
        {
            **(desk_row.spec or {}),
            "name": desk_row.name,
            "reference_prefix": desk_row.reference_prefix,
            "timezone": desk_row.timezone,
        }
    )
    teams = {
        row.slug: _team(row)
        for row in session.scalars(select(models.Team).order_by(models.Team.id))
    }
    products = {
        row.slug: ProductSpec(
            slug=row.slug, name=row.name, team=row.team.slug, description=row.description
        )
        for row in session.scalars(select(models.Product).order_by(models.Product.id))
    }
    organisations = {
        row.slug: _organisation(row)
        for row in session.scalars(select(models.Organisation).order_by(models.Organisation.id))
    }
    agents = {
        row.handle: _agent(row)
        for row in session.scalars(select(models.Agent).order_by(models.Agent.id))
        if row.active
    }
    checklists = {
        row.slug: TriageChecklistSpec.model_validate(row.spec)
        for row in session.scalars(
            select(models.TriageChecklist).order_by(models.TriageChecklist.id)
        )
    }
    rotations = {
        row.slug: OnCallRotationSpec.model_validate(row.spec)
        for row in session.scalars(select(models.OnCallRotation).order_by(models.OnCallRotation.id))
    }
    routing_rules = tuple(
        RoutingRuleSpec.model_validate(row.spec)
        for row in session.scalars(select(models.RoutingRule).order_by(models.RoutingRule.position))
    )
    plans = {
        row.slug: ModificationStepsSpec.model_validate(row.spec)
        for row in session.scalars(
            select(models.ModificationPlan).order_by(models.ModificationPlan.id)
        )
    }
    return Catalog(
        calendars=calendars,
        policies=load_policy_specs(session),
        desk=desk,
        teams=teams,
        products=products,
        organisations=organisations,
        agents=agents,
        triage_checklists=checklists,
        routing_rules=routing_rules,
        oncall_rotations=rotations,
        modification_steps=plans,
    )


def _team(row: models.Team) -> TeamSpec:
    if row.policy is None:
        raise CatalogNotSeededError(f"team {row.slug!r} has no default policy in the database")
    return TeamSpec(
        slug=row.slug,
        name=row.name,
        calendar=row.calendar.name,
        policy=row.policy.name,
        description=row.description,
        mail=TeamMailSpec.model_validate(row.mail) if row.mail else None,
    )


def _organisation(row: models.Organisation) -> OrganisationSpec:
    return OrganisationSpec(
        slug=row.slug,
        name=row.name,
        timezone=row.timezone,
        project_manager=row.project_manager.handle if row.project_manager else None,
        contacts=tuple(
            ContactSpec(name=c.name, email=c.email, phone=c.phone, timezone=c.timezone, role=c.role)
            for c in sorted(row.contacts, key=lambda c: c.id)
        ),
        contracts=tuple(
            ContractSpec(
                reference=k.reference,
                policy=k.policy.name,
                team=k.team.slug,
                active_from=k.active_from,
                active_to=k.active_to,
                liaisons=tuple(c.email for c in sorted(k.liaisons, key=lambda c: c.id)),
            )
            for k in sorted(row.contracts, key=lambda k: k.id)
        ),
    )


def _agent(row: models.Agent) -> AgentSpec:
    # The tables keep roles, teams and skills as sets: give them back in a stable order
    # (vocabulary order for roles and categories, by slug for teams and products).
    return AgentSpec(
        handle=row.handle,
        name=row.name,
        email=row.email,
        timezone=row.timezone,
        title=row.title,
        roles=tuple(role for role in Role if role in row.roles),
        teams=tuple(sorted(team.slug for team in row.teams)),
        skills=SkillsSpec(
            products=tuple(sorted(product.slug for product in row.product_skills)),
            categories=tuple(c for c in Category if c in row.category_skills),
        ),
    )
