"""Triage checklists (IT Works' five steps with sub-steps) and the software-modification steps.

A checklist belongs to a policy or to a team (exactly one). A step may carry outcome hints:
what the agent may find at that step and what it leads to (reclassify the ticket, or start
the modification steps or an approval).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from deskui.domain.catalog.fields import SPEC_CONFIG, Slug
from deskui.domain.catalog.steps import check_step_numbers, check_substep_letters, keys_as_text
from deskui.domain.catalog.terms import Category

Workflow = Literal["modification", "approval"]


class OutcomeSpec(BaseModel):
    """A finding at a step and what follows from it."""

    model_config = SPEC_CONFIG

    when: str = Field(min_length=1)
    reclassify: Category | None = None
    start: Workflow | None = None
    note: str = ""

    @model_validator(mode="after")
    def _leads_somewhere(self) -> OutcomeSpec:
        if self.reclassify is None and self.start is None:
            raise ValueError("an outcome needs reclassify or start (or both)")
        return self


class SubStepSpec(BaseModel):
    """A lettered sub-step (``5a``)."""

    model_config = SPEC_CONFIG

    text: str = Field(min_length=1)
    outcomes: tuple[OutcomeSpec, ...] = ()


class TriageStepSpec(BaseModel):
    """A numbered step, answered yes / no / not applicable with notes."""

    model_config = SPEC_CONFIG

    text: str = Field(min_length=1)
    outcomes: tuple[OutcomeSpec, ...] = ()
    substeps: Annotated[dict[str, SubStepSpec], BeforeValidator(keys_as_text)] = Field(
        default_factory=dict
    )


class _Scoped(BaseModel):
    """Belongs to exactly one of a policy or a team."""

    model_config = SPEC_CONFIG

    policy: Slug | None = None
    team: Slug | None = None

    @model_validator(mode="after")
    def _one_scope(self) -> _Scoped:
        if (self.policy is None) == (self.team is None):
            raise ValueError("give exactly one of policy or team")
        return self


class TriageChecklistSpec(_Scoped):
    """An ordered checklist an agent works through on a ticket (``t`` in the app)."""

    slug: Slug
    title: str = Field(min_length=1)
    description: str = ""
    steps: Annotated[dict[str, TriageStepSpec], BeforeValidator(keys_as_text)]

    @field_validator("steps")
    @classmethod
    def _numbered(cls, steps: dict[str, TriageStepSpec]) -> dict[str, TriageStepSpec]:
        if not steps:
            raise ValueError("a checklist needs at least one step")
        check_step_numbers(list(steps))
        for key, step in steps.items():
            if step.substeps:
                check_substep_letters(key, list(step.substeps))
        return steps

    def outcomes(self) -> tuple[OutcomeSpec, ...]:
        """Every outcome hint of every step and sub-step, in order."""
        found: list[OutcomeSpec] = []
        for step in self.steps.values():
            found.extend(step.outcomes)
            for sub in step.substeps.values():
                found.extend(sub.outcomes)
        return tuple(found)


class ModificationStepSpec(BaseModel):
    """One step of a modification; ``records`` says what the agent records when doing it."""

    model_config = SPEC_CONFIG

    text: str = Field(min_length=1)
    # "eta": the completion date given to the client becomes the ticket's ETA;
    # "release": the release that carries the fix; "quote": the price for a change request;
    # "approval": the client's or an approver's decision.
    records: Literal["eta", "release", "quote", "approval"] | None = None


class ModificationStepsSpec(_Scoped):
    """The tracked steps of a software modification, and those that come before it for a
    change request (specification, quote, client approval)."""

    slug: Slug
    title: str = Field(min_length=1)
    steps: Annotated[dict[str, ModificationStepSpec], BeforeValidator(keys_as_text)]
    change_request_steps: Annotated[
        dict[str, ModificationStepSpec], BeforeValidator(keys_as_text)
    ] = Field(default_factory=dict)

    @field_validator("steps", "change_request_steps")
    @classmethod
    def _numbered(
        cls, steps: dict[str, ModificationStepSpec], info: ValidationInfo
    ) -> dict[str, ModificationStepSpec]:
        if not steps and info.field_name == "steps":
            raise ValueError("a modification needs at least one step")
        check_step_numbers(list(steps))
        return steps
