"""Where "now" comes from: the system clock, or a frozen instant (``DESKUI_NOW``) for tests,
training and demos. Every caller asks a ``TimeSource`` instead of calling ``datetime.now``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class TimeSource(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemTime:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class FrozenTime:
    instant: dt.datetime

    def __post_init__(self) -> None:
        if self.instant.tzinfo is None:
            raise ValueError("a frozen instant needs a UTC offset")

    def now(self) -> dt.datetime:
        return self.instant.astimezone(dt.UTC)
