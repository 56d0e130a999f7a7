"""On-call rotations: who is paged after hours, week by week, with holiday and swap overrides.

Week ``n`` after ``starts`` (weeks turn over at the handover weekday and time, in the
rotation's time zone) has ``agents[n % len]`` as primary and the next agent in the list as
secondary. An override replaces either or both for a stretch of time.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from deskui.domain.catalog.fields import (
    SPEC_CONFIG,
    Handle,
    Slug,
    TimeOfDay,
    TimeZoneName,
    distinct,
)
from deskui.domain.catalog.terms import Weekday


class HandoverSpec(BaseModel):
    """When one week's on-call hands over to the next."""

    model_config = SPEC_CONFIG

    weekday: Weekday = "mon"
    time: TimeOfDay = dt.time(9, 0)


class EscalationSpec(BaseModel):
    """Minutes without an acknowledgement before the page goes further."""

    model_config = SPEC_CONFIG

    secondary_after_minutes: int = Field(default=15, gt=0)
    supervisor_after_minutes: int = Field(default=30, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> EscalationSpec:
        if self.supervisor_after_minutes <= self.secondary_after_minutes:
            raise ValueError("supervisor_after_minutes must be later than secondary_after_minutes")
        return self


class OverrideSpec(BaseModel):
    """A holiday or a swap: from ``start`` (inclusive) to ``end`` (exclusive), local time."""

    model_config = SPEC_CONFIG

    kind: Literal["holiday", "swap"]
    start: dt.datetime
    end: dt.datetime
    primary: Handle | None = None
    secondary: Handle | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _sane(self) -> OverrideSpec:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("write override times without an offset: they are local times")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.primary is None and self.secondary is None:
            raise ValueError("an override needs primary or secondary (or both)")
        if self.primary is not None and self.primary == self.secondary:
            raise ValueError("primary and secondary must be different agents")
        return self


class OnCallRotationSpec(BaseModel):
    """A weekly rotation for one team."""

    model_config = SPEC_CONFIG

    slug: Slug
    team: Slug
    timezone: TimeZoneName
    # The first week's handover date; it must fall on the handover weekday.
    starts: dt.date
    agents: Annotated[tuple[Handle, ...], AfterValidator(distinct), Field(min_length=2)]
    handover: HandoverSpec = HandoverSpec()
    escalation: EscalationSpec = EscalationSpec()
    overrides: tuple[OverrideSpec, ...] = ()

    @model_validator(mode="after")
    def _starts_on_handover_day(self) -> OnCallRotationSpec:
        weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[self.starts.weekday()]
        if weekday != self.handover.weekday:
            raise ValueError(
                f"starts {self.starts} is a {weekday}, not the handover weekday "
                f"{self.handover.weekday}"
            )
        return self
