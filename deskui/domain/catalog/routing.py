"""Routing rules: which agent a new ticket of a team and category is assigned to.

Rules are tried in file order and the first that matches wins. Strategies:

- ``project-manager-then-skill``: the organisation's project manager, else the least-loaded
  agent of the team with the category as a skill (IT Works' training specialist);
- ``least-loaded-product-specialist``: the least-loaded agent with the ticket's product skill;
- ``approvers-queue``: unassigned, in the approvers' review queue;
- ``supervisor``: the team's least-loaded supervisor;
- ``on-call``: whoever is on call for the team now (Kenco pages them).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, model_validator

from deskui.domain.catalog.fields import SPEC_CONFIG, Handle, Slug, distinct
from deskui.domain.catalog.terms import Category, RoutingStrategy


class FallbackSpec(BaseModel):
    """Where a ticket goes when the rule's strategy finds nobody: a strategy or one agent."""

    model_config = SPEC_CONFIG

    strategy: RoutingStrategy | None = None
    agent: Handle | None = None

    @model_validator(mode="after")
    def _one(self) -> FallbackSpec:
        if (self.strategy is None) == (self.agent is None):
            raise ValueError("give exactly one of strategy or agent")
        return self


class RoutingRuleSpec(BaseModel):
    """Tickets of ``team`` in one of ``categories`` (all categories when empty)."""

    model_config = SPEC_CONFIG

    team: Slug
    categories: Annotated[tuple[Category, ...], AfterValidator(distinct)] = ()
    # "no-entitlement": only tickets with no active contract (flagged, sent to a supervisor);
    # "after-hours": only tickets logged while the team's calendar is closed (Kenco's on call).
    when: Literal["always", "no-entitlement", "after-hours"] = "always"
    strategy: RoutingStrategy
    fallback: FallbackSpec | None = None
    description: str = ""

    def matches(
        self, team: str, category: str, *, entitled: bool, after_hours: bool = False
    ) -> bool:
        if team != self.team or (self.when == "no-entitlement" and entitled):
            return False
        if self.when == "after-hours" and not after_hours:
            return False
        return not self.categories or category in self.categories
