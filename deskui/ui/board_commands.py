"""Palette commands for the breach board and the reports screen (keys ``b`` and ``R``).

They are app-wide actions, so the screen-bindings provider (``commands.DeskCommands``) does not
list them; this provider does, on every screen, unless the app is a read-only wall display.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from deskui.ui.commands import highlighted

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Breach board", "board", "key b · live breaches, loads and on call (supervisors)"),
    ("Reports: SLA figures and charts", "reports", "key R · compliance, response times, backlog"),
)


class SupervisorCommands(Provider):
    """ "Breach board" and "Reports" in the command palette."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        if getattr(self.app, "read_only", False):
            return
        for name, action, help_text in COMMANDS:
            yield name, help_text, partial(self.app.run_action, action)

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlighted(matcher, name), callback, text=name, help=help_text)
