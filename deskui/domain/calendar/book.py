"""A set of calendars by name, each compiled on first use and then kept."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from deskui.domain.calendar.compiled import CompiledCalendar, compile_calendar
from deskui.domain.calendar.errors import UnknownCalendarError
from deskui.domain.calendar.spec import CalendarSpec


class CalendarBook:
    """Calendars by name; ``get`` compiles lazily and caches (thread-safe)."""

    def __init__(self, specs: Iterable[CalendarSpec]) -> None:
        self._specs: dict[str, CalendarSpec] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValueError(f"calendar {spec.name!r} is defined twice")
            self._specs[spec.name] = spec
        self._compiled: dict[str, CompiledCalendar] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        return sorted(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def spec(self, name: str) -> CalendarSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownCalendarError(name, self._specs) from None

    def get(self, name: str) -> CompiledCalendar:
        """The compiled calendar ``name``; ``UnknownCalendarError`` names the known ones."""
        compiled = self._compiled.get(name)
        if compiled is not None:
            return compiled
        spec = self.spec(name)
        with self._lock:
            compiled = self._compiled.get(name)
            if compiled is None:
                compiled = compile_calendar(spec)
                self._compiled[name] = compiled
        return compiled
