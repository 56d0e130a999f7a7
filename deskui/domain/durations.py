"""Durations written as ``Nd``, ``Nh`` and ``Nm`` parts (``1h30m``, ``2d``) and their display.

A ``d`` is one working day of whatever calendar the duration is applied to, so a parsed
duration keeps days and seconds apart until a calendar says how long its day is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PART = re.compile(r"(\d+)\s*([dhm])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[dhm]\s*)+$")


@dataclass(frozen=True, slots=True)
class Duration:
    """``days`` working days plus ``seconds`` of business time."""

    days: int = 0
    seconds: int = 0

    def business_seconds(self, working_day_seconds: int) -> int:
        return self.days * working_day_seconds + self.seconds

    def __str__(self) -> str:
        parts = []
        if self.days:
            parts.append(f"{self.days}d")
        hours, rest = divmod(self.seconds, 3600)
        if hours:
            parts.append(f"{hours}h")
        if rest // 60 or not parts:
            parts.append(f"{rest // 60}m")
        return "".join(parts)


def parse_duration(text: str) -> Duration:
    """Parse ``1h30m``, ``2d``, ``90m``; raise ``ValueError`` naming the bad text."""
    if not isinstance(text, str) or not _WHOLE.match(text):
        raise ValueError(f"{text!r} is not a duration like '90m', '4h', '1h30m' or '2d'")
    days = seconds = 0
    seen: set[str] = set()
    for amount, unit in _PART.findall(text):
        if unit in seen:
            raise ValueError(f"{text!r} gives '{unit}' twice")
        seen.add(unit)
        if unit == "d":
            days += int(amount)
        elif unit == "h":
            seconds += int(amount) * 3600
        else:
            seconds += int(amount) * 60
    if days == 0 and seconds == 0:
        raise ValueError(f"{text!r} is a zero duration")
    return Duration(days=days, seconds=seconds)


def format_business_seconds(seconds: int) -> str:
    """``158400`` → ``"44h 0m"``; negative values get a leading minus."""
    sign = "-" if seconds < 0 else ""
    minutes = abs(int(seconds)) // 60
    return f"{sign}{minutes // 60}h {minutes % 60}m"
