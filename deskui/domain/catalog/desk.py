"""The installation-wide desk settings: its name, ticket reference prefix and time windows."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from deskui.domain.catalog.fields import SPEC_CONFIG, DurationText, TimeZoneName
from deskui.domain.durations import Duration

_PREFIX = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")


class DeskSpec(BaseModel):
    """One per installation; the teams share it."""

    model_config = SPEC_CONFIG

    name: str = Field(min_length=1)
    # References read ``DSK-000123``: the prefix is upper case so it stands out in subjects.
    reference_prefix: str = "DSK"
    timezone: TimeZoneName
    # A customer reply this long (on the ticket's team calendar) after resolution reopens it.
    reopen_window: DurationText = Duration(days=5)
    # Clocks with less business time than this left are shown as at risk.
    warning_window: DurationText = Duration(seconds=3600)
    description: str = ""

    @field_validator("reference_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not _PREFIX.fullmatch(value):
            raise ValueError(f"{value!r} is not 2-10 upper-case letters or digits, like 'DSK'")
        return value
