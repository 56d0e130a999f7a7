"""SLA policies as configured: a calendar, ordered priorities and a target per clock.

Target forms, as written in sample data (strings, so the YAML stays readable):

- ``"4h"``, ``"90m"``, ``"2d"``: business time on the policy's calendar (``d`` = its working day);
- ``"1h on kenco-24x7"``: business time on another calendar (a 24x7 one makes it wall-clock);
- ``"cob"`` / ``"cob+1"``: by close of business of the working day the ticket starts counting
  in (same business day), or N working days later (next business day);
- ``"negotiated"``: no due time until an agent sets one (the fix time promised to a caller);
- ``"none"`` or leaving the clock out: that clock has no SLA for the priority.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from deskui.domain.durations import Duration, parse_duration
from deskui.domain.names import check_slug

Slug = Annotated[str, AfterValidator(check_slug)]


class Clock(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    RESPONSE = "response"
    RESOLUTION = "resolution"


CLOCKS: tuple[Clock, ...] = (Clock.ACKNOWLEDGEMENT, Clock.RESPONSE, Clock.RESOLUTION)

_ON_CALENDAR = re.compile(r"^\s*(\S+)\s+on\s+([a-z0-9-]+)\s*$")
_COB = re.compile(r"^\s*cob(?:\s*\+\s*(\d+))?\s*$")


class BusinessTarget(BaseModel):
    """A business duration, on the policy's calendar unless ``calendar`` names another."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["business"] = "business"
    duration: Duration
    calendar: str | None = None

    def __str__(self) -> str:
        return f"{self.duration} on {self.calendar}" if self.calendar else str(self.duration)


class CloseOfBusinessTarget(BaseModel):
    """Close of business of the working day counting starts in, plus ``working_days``."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["cob"] = "cob"
    working_days: int = Field(ge=0)

    def __str__(self) -> str:
        return f"cob+{self.working_days}" if self.working_days else "cob"


class NegotiatedTarget(BaseModel):
    """No due time until an agent agrees one with the customer."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["negotiated"] = "negotiated"

    def __str__(self) -> str:
        return "negotiated"


Target = BusinessTarget | CloseOfBusinessTarget | NegotiatedTarget


def parse_target(text: str) -> Target | None:
    """Parse one target string (see the module docstring); ``None`` means no SLA."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a target (like '4h', 'cob+1' or 'negotiated')")
    stripped = text.strip().lower()
    if stripped in {"none", "no-sla", ""}:
        return None
    if stripped == "negotiated":
        return NegotiatedTarget()
    if match := _COB.match(stripped):
        return CloseOfBusinessTarget(working_days=int(match[1] or 0))
    if match := _ON_CALENDAR.match(stripped):
        return BusinessTarget(duration=parse_duration(match[1]), calendar=match[2])
    try:
        return BusinessTarget(duration=parse_duration(stripped))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a target: use a duration ('4h', '2d', '1h30m'), "
            "'1h on CALENDAR', 'cob', 'cob+N', 'negotiated' or 'none'"
        ) from None


class PrioritySpec(BaseModel):
    """One priority of a policy, highest first in the policy's list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: Slug
    label: str
    definition: str = ""
    targets: dict[Clock, Target | None] = Field(default_factory=dict)

    @field_validator("targets", mode="before")
    @classmethod
    def _parse_targets(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        parsed: dict[object, object] = {}
        for clock, target in value.items():
            if clock not in {c.value for c in CLOCKS}:
                raise ValueError(
                    f"unknown clock {clock!r} (known: {', '.join(c.value for c in CLOCKS)})"
                )
            parsed[clock] = parse_target(target) if isinstance(target, str) else target
        return parsed

    def target(self, clock: Clock) -> Target | None:
        return self.targets.get(clock)

    @property
    def has_sla(self) -> bool:
        return any(t is not None for t in self.targets.values())


class PolicySpec(BaseModel):
    """A calendar plus ordered priorities (highest first) and a priority mapping."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Slug
    calendar: Slug
    description: str = ""
    priorities: tuple[PrioritySpec, ...]
    # A requested priority that is handled as another (Velsoft: low is treated as medium).
    mapping: dict[Slug, Slug] = Field(default_factory=dict)
    default_priority: Slug | None = None
    # How long before a due time a clock counts as "about to breach" (the queue's warning
    # colour, the desk's alerts), in business minutes; None: the desk's ``warning_minutes``.
    warning_minutes: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> PolicySpec:
        slugs = [p.slug for p in self.priorities]
        if not slugs:
            raise ValueError("a policy needs at least one priority")
        if len(set(slugs)) != len(slugs):
            raise ValueError("priority slugs must be unique within a policy")
        for source, dest in self.mapping.items():
            if dest not in slugs:
                raise ValueError(f"mapping {source!r} → {dest!r}: {dest!r} is not a priority")
        if self.default_priority and self.default_priority not in slugs:
            raise ValueError(f"default_priority {self.default_priority!r} is not a priority")
        return self

    def warning_seconds(self, default_minutes: int) -> int:
        """The warning window in business seconds (this policy's, else ``default_minutes``)."""
        minutes = self.warning_minutes if self.warning_minutes is not None else default_minutes
        return minutes * 60

    def resolve_priority(self, slug: str) -> PrioritySpec:
        """The priority a requested slug is handled as; ``KeyError`` names the known slugs."""
        slug = self.mapping.get(slug, slug)
        for priority in self.priorities:
            if priority.slug == slug:
                return priority
        known = [p.slug for p in self.priorities] + list(self.mapping)
        raise KeyError(f"unknown priority {slug!r} (known: {', '.join(known)})")

    def rank(self, slug: str) -> int:
        """0 for the highest priority; mapped slugs take their target's rank."""
        resolved = self.resolve_priority(slug).slug
        return next(i for i, p in enumerate(self.priorities) if p.slug == resolved)

    def calendars_used(self) -> set[str]:
        names = {self.calendar}
        for priority in self.priorities:
            for target in priority.targets.values():
                if isinstance(target, BusinessTarget) and target.calendar:
                    names.add(target.calendar)
        return names
