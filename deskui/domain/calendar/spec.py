"""The declarative description of a business calendar, as written in sample data and stored.

A ``CalendarSpec`` is what a person edits; ``deskui.domain.calendar.compiled`` turns it into
UTC open intervals with prefix sums for the SLA math.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from deskui.domain.names import check_slug

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

Slug = Annotated[str, AfterValidator(check_slug)]


def _minutes(hours: str, minutes: str, *, allow_48h: bool) -> int:
    value = int(hours) * 60 + int(minutes)
    limit = 48 * 60 if allow_48h else 24 * 60
    if int(minutes) >= 60 or value > limit:
        raise ValueError(f"{hours}:{minutes} is not a valid time of day")
    return value


class OpenInterval(BaseModel):
    """Local opening from ``start`` to ``end`` minutes after the midnight of the day it starts.

    ``end`` may pass 24:00 (an interval that runs past midnight belongs to the day it starts),
    and may be exactly 24:00.
    """

    model_config = ConfigDict(frozen=True)

    start_minute: int = Field(ge=0, lt=24 * 60)
    end_minute: int = Field(gt=0, le=48 * 60)

    @model_validator(mode="after")
    def _ordered(self) -> OpenInterval:
        if self.end_minute <= self.start_minute:
            raise ValueError("an opening interval must end after it starts")
        if self.end_minute - self.start_minute > 24 * 60:
            raise ValueError("an opening interval cannot be longer than 24 hours")
        return self

    @classmethod
    def parse(cls, text: str) -> OpenInterval:
        """Parse ``"09:00-17:00"``; an end at or before the start runs past midnight."""
        match = _INTERVAL.match(text)
        if not match:
            raise ValueError(f"{text!r} is not an interval like '09:00-17:00'")
        start = _minutes(match[1], match[2], allow_48h=False)
        end = _minutes(match[3], match[4], allow_48h=False)
        if start == 24 * 60:
            raise ValueError(f"{text!r} cannot start at 24:00")
        if end <= start:
            end += 24 * 60
        return cls(start_minute=start, end_minute=end)

    def __str__(self) -> str:
        def fmt(m: int) -> str:
            return f"{m // 60 % 24 if m != 24 * 60 else 24:02d}:{m % 60:02d}"

        return f"{fmt(self.start_minute)}-{fmt(self.end_minute)}"


class HolidaySource(BaseModel):
    """Public holidays from the ``holidays`` package (observed substitute days included)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    country: str
    subdivision: str | None = None
    categories: tuple[str, ...] = ("public",)


class Closure(BaseModel):
    """An extra closure: a whole local date, or part of one when ``start``/``end`` are given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    start: dt.time | None = None
    end: dt.time | None = None
    reason: str = "closure"

    @model_validator(mode="after")
    def _partial_day(self) -> Closure:
        if (self.start is None) != (self.end is None):
            raise ValueError("a partial-day closure needs both start and end")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("a closure must end after it starts")
        return self


class CalendarSpec(BaseModel):
    """Opening hours per weekday in one IANA time zone, minus holidays and closures."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Slug
    timezone: str
    description: str = ""
    always_open: bool = False
    hours: dict[Weekday, tuple[OpenInterval, ...]] = Field(default_factory=dict)
    holidays: HolidaySource | None = None
    closures: tuple[Closure, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("hours", mode="before")
    @classmethod
    def _parse_intervals(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        parsed: dict[object, object] = {}
        for day, intervals in value.items():
            if isinstance(intervals, str):
                intervals = [intervals]
            if isinstance(intervals, list | tuple):
                intervals = tuple(
                    OpenInterval.parse(item) if isinstance(item, str) else item
                    for item in intervals
                )
            parsed[day] = intervals
        return parsed

    @model_validator(mode="after")
    def _has_hours(self) -> CalendarSpec:
        if not self.always_open and not any(self.hours.values()):
            raise ValueError("a calendar needs opening hours or always_open: true")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
