"""The validated entries of each section, each with its position in the file's list.

Positions let a finding point back at ``organisations[2].contracts[0]`` even when an earlier
entry failed validation and was left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel

from deskui.domain.calendar.spec import CalendarSpec
from deskui.domain.catalog.agents import AgentSpec
from deskui.domain.catalog.desk import DeskSpec
from deskui.domain.catalog.oncall import OnCallRotationSpec
from deskui.domain.catalog.organisations import OrganisationSpec
from deskui.domain.catalog.routing import RoutingRuleSpec
from deskui.domain.catalog.teams import ProductSpec, TeamSpec
from deskui.domain.catalog.triage import ModificationStepsSpec, TriageChecklistSpec
from deskui.domain.sla.policy import PolicySpec

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Entry(Generic[M]):
    """A validated entry and its position in its section's list."""

    index: int
    spec: M


@dataclass
class CatalogParts:
    """Everything that validated, section by section, before cross-references are checked."""

    desk: DeskSpec | None = None
    calendars: list[Entry[CalendarSpec]] = field(default_factory=list)
    policies: list[Entry[PolicySpec]] = field(default_factory=list)
    teams: list[Entry[TeamSpec]] = field(default_factory=list)
    products: list[Entry[ProductSpec]] = field(default_factory=list)
    organisations: list[Entry[OrganisationSpec]] = field(default_factory=list)
    agents: list[Entry[AgentSpec]] = field(default_factory=list)
    triage_checklists: list[Entry[TriageChecklistSpec]] = field(default_factory=list)
    modification_steps: list[Entry[ModificationStepsSpec]] = field(default_factory=list)
    routing_rules: list[Entry[RoutingRuleSpec]] = field(default_factory=list)
    oncall_rotations: list[Entry[OnCallRotationSpec]] = field(default_factory=list)
    # Names of entries that failed validation, per section: a reference to one of them is
    # not reported again as unknown (the entry's own problem is already listed).
    invalid_names: dict[str, set[str]] = field(default_factory=dict)
    # Sections some file holds (valid or not), so a required one is known to be there.
    seen: set[str] = field(default_factory=set)
    # Sections that may exist in a file that could not be parsed: references into them
    # cannot be judged, so they are not checked.
    unverifiable: set[str] = field(default_factory=set)

    def add(self, section: str, index: int, spec: BaseModel) -> None:
        if section == "desk":
            self.desk = spec  # type: ignore[assignment]
        else:
            getattr(self, section).append(Entry(index, spec))
