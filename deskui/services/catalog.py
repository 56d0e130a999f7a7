"""The catalog: every calendar, policy, team, product, organisation, agent, checklist, rule
and rotation the desk is configured with, loaded from a sample-data directory or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deskui.domain.calendar.spec import CalendarSpec
from deskui.domain.catalog.agents import AgentSpec
from deskui.domain.catalog.desk import DeskSpec
from deskui.domain.catalog.errors import Problem, SampleDataError
from deskui.domain.catalog.oncall import OnCallRotationSpec
from deskui.domain.catalog.organisations import OrganisationSpec
from deskui.domain.catalog.parts import CatalogParts
from deskui.domain.catalog.routing import RoutingRuleSpec
from deskui.domain.catalog.teams import ProductSpec, TeamSpec
from deskui.domain.catalog.triage import ModificationStepsSpec, TriageChecklistSpec
from deskui.domain.sla.policy import PolicySpec
from deskui.services.sample_data import load_parts

if TYPE_CHECKING:
    from deskui.settings import Settings

__all__ = [
    "Catalog",
    "Problem",
    "SampleDataError",
    "catalog_from_parts",
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


def load_catalog_from_database(settings: Settings) -> Catalog:
    """The catalog as seeded into the configured database."""
    raise NotImplementedError(
        "reading the catalog from the database is not available yet "
        f"(database {settings.database_url!r})"
    )
