"""The command palette (``ctrl+p``): every action of the current screen, "go to ticket" by
reference, and a theme switch.

Actions come from the screen's own bindings, so the palette and the keys never disagree.
References are looked up in the database (a thread, not the UI loop) as the agent types.
Every hit is a ``Content`` built here: ``Matcher.highlight`` parses its candidate as markup,
and a ticket's subject is customer text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from pydantic import BaseModel, field_validator
from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.style import Style

from deskui.domain.untrusted import one_line
from deskui.services.errors import TicketNotFoundError
from deskui.services.tickets.desk import DeskService
from deskui.services.tickets.lookups import find_tickets, ticket_version
from deskui.ui.screens.forms.base import ActionForm, FieldSpec

GO_TO = "Go to ticket by reference…"
MATCH_STYLE = Style(reverse=True)


def highlighted(matcher: Matcher, text: str) -> Content:
    """``text`` (taken literally) with the characters ``matcher`` matched highlighted."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(MATCH_STYLE, offset, offset + 1)
    return content


def desk_of(app: App[Any]) -> DeskService | None:
    desk = getattr(app, "desk", None)
    return desk if isinstance(desk, DeskService) else None


def open_ticket(app: App[Any], reference: str) -> None:
    """Show ticket ``reference``: in place of the ticket on screen, else over the queue."""
    from deskui.ui.screens.ticket import TicketScreen

    if isinstance(app.screen, TicketScreen):
        app.switch_screen(TicketScreen(reference))
    else:
        app.push_screen(TicketScreen(reference))


class GoToValues(BaseModel):
    reference: str

    @field_validator("reference", mode="before")
    @classmethod
    def _given(cls, value: object) -> str:
        text = str(value or "").strip().upper()
        if not text:
            raise ValueError("a reference is required, like DSK-000123")
        return text


def show_go_to(app: App[Any]) -> None:
    """A one-field form; the ticket opens once its reference is found."""
    desk = desk_of(app)
    if desk is None:
        return
    found: list[str] = []

    def check(values: GoToValues, _version: int | None) -> None:
        if ticket_version(desk.database, values.reference) is None:
            raise TicketNotFoundError(f"no ticket {values.reference!r}")
        found.append(values.reference)

    def closed(opened: bool | None) -> None:
        if opened and found:
            open_ticket(app, found[-1])

    form = ActionForm(
        "Go to ticket",
        [FieldSpec("reference", "Reference", placeholder="DSK-000123", required=True)],
        GoToValues,
        check,
        submit_label="Open",
    )
    app.push_screen(form, callback=closed)


class DeskCommands(Provider):
    """Commands for the screen the palette was opened on."""

    def _actions(self) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        screen, app = self.screen, self.app
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.system or not binding.description or active.node is not screen:
                continue
            if binding.action in ("keys", "app.show_keys") or binding.description in seen:
                continue
            seen.add(binding.description)
            key = app.get_key_display(binding)
            yield (
                binding.description,
                f"key {key}",
                partial(app.run_action, binding.action, active.node),
            )
        if desk_of(app) is not None:
            yield (
                GO_TO,
                "type a reference here, or pick this to enter one",
                partial(show_go_to, app),
            )

    async def discover(self) -> Hits:
        for name, help_text, callback in self._actions():
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlighted(matcher, name), callback, text=name, help=help_text)
        for name in sorted(self.app.available_themes):
            label = f"Theme: {name}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score,
                    highlighted(matcher, label),
                    partial(setattr, self.app, "theme", name),
                    text=label,
                    help="switch the colours (remembered for next time)",
                )
        async for hit in self._tickets(query):
            yield hit

    async def _tickets(self, query: str) -> Hits:
        desk = desk_of(self.app)
        wanted = query.strip()
        if desk is None or len(wanted) < 2 or not any(c.isdigit() for c in wanted):
            return
        try:
            matches = await asyncio.to_thread(find_tickets, desk.database, wanted)
        except Exception:  # the palette must not fail because the database is away
            return
        for match in matches:
            exact = match.reference == wanted.upper()
            label = f"Go to {match.reference}"
            display = Content.assemble(
                (label, "bold"), " · ", Content(one_line(match.subject, 60)), f" ({match.status})"
            )
            yield Hit(
                1.0 if exact else 0.9,
                display,
                partial(open_ticket, self.app, match.reference),
                text=label,
                help="open the ticket",
            )
