"""The shipped sample calendars and policies, read straight from the YAML files (so the
domain tests do not depend on the catalog loader)."""

from __future__ import annotations

from pathlib import Path

import yaml

from deskui.domain.calendar.spec import CalendarSpec
from deskui.domain.sla.policy import PolicySpec

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


def sample_calendar_specs() -> list[CalendarSpec]:
    raw = yaml.safe_load((SAMPLE_DATA / "calendars.yaml").read_text())
    return [CalendarSpec.model_validate(item) for item in raw["calendars"]]


def sample_policy_specs() -> list[PolicySpec]:
    raw = yaml.safe_load((SAMPLE_DATA / "policies.yaml").read_text())
    return [PolicySpec.model_validate(item) for item in raw["policies"]]
