"""The errors calendar code raises, so callers can tell a bad name from a bad calendar."""

from __future__ import annotations

from collections.abc import Iterable


class CalendarError(ValueError):
    """A calendar that cannot be compiled or answered (bad holiday source, no open time)."""


class UnknownCalendarError(KeyError):
    """A calendar name that is not in the book; the message names it and the known names."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(sorted(known))
        super().__init__(name)

    def __str__(self) -> str:
        # KeyError's own str() would quote the whole message; one plain line reads better.
        known = ", ".join(self.known) or "none"
        return f"unknown calendar {self.name!r} (known: {known})"
