"""The top-level keys a sample-data file may hold, and the model each entry is checked with.

Sections may sit in any ``*.yaml`` file of the directory (one file per kind is the habit),
but each section may appear in only one file.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Section:
    """``many``: a list of entries (else one mapping); ``name_field``: what names an entry."""

    key: str
    model: type[BaseModel]
    many: bool = True
    name_field: str | None = None
    required: bool = False


SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section("desk", DeskSpec, many=False, required=True),
        Section("calendars", CalendarSpec, name_field="name", required=True),
        Section("policies", PolicySpec, name_field="name", required=True),
        Section("teams", TeamSpec, name_field="slug", required=True),
        Section("products", ProductSpec, name_field="slug"),
        Section("organisations", OrganisationSpec, name_field="slug"),
        Section("agents", AgentSpec, name_field="handle"),
        Section("triage_checklists", TriageChecklistSpec, name_field="slug"),
        Section("modification_steps", ModificationStepsSpec, name_field="slug"),
        Section("routing_rules", RoutingRuleSpec),
        Section("oncall_rotations", OnCallRotationSpec, name_field="slug"),
    )
}
