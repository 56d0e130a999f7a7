"""Helpers for the ticket screen tests: open tickets in the demo desk, drive the screen.

The demo desk (``tests/ui/conftest.py``) signs in ``mbrennan`` of IT Works (New York). The
tickets opened here come from Pacific State College (Los Angeles), so the log shows the
customer's local time beside the agent's.
"""

from __future__ import annotations

import datetime as dt

from pilot_helpers import wait_until
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from deskui.services.actor import Actor
from deskui.services.intake import open_ticket
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.lifecycle import get_ticket
from deskui.services.tickets.views import TicketView
from deskui.services.workflow import triage
from deskui.settings import Settings
from deskui.store.session import Database
from deskui.ui.app import DeskApp
from deskui.ui.screens.forms.base import ActionForm
from deskui.ui.screens.ticket import TicketScreen

AGENT = "mbrennan"
CONTACT = "linda.tran@pacific-state.example"


def open_test_ticket(
    settings: Settings,
    *,
    subject: str = "Fee statements print blank",
    description: str = "Since Monday every fee statement prints as a blank page.",
    hours_ago: float = 1.0,
    priority: str = "high",
    requested: str | None = "medium",
    requester_name: str = "",
) -> str:
    """A new ticket in the demo desk, opened ``hours_ago`` before its frozen now; the reference."""
    assert settings.now is not None
    opened = settings.now - dt.timedelta(hours=hours_ago)
    database = Database(settings.database_url)
    try:
        draft = TicketDraft(
            team="itworks",
            subject=subject,
            channel="email",
            category="technical",
            description=description,
            organisation="pacific-state-college",
            contact_email=CONTACT,
            requester_name=requester_name,
            product="itworks-finance",
            requested_priority=requested,
            priority=priority,
            opened_at=opened,
        )
        return open_ticket(Actor.of(database, None, at=opened), draft).reference
    finally:
        database.dispose()


def stored(settings: Settings, ref: str) -> TicketView:
    """The ticket as the services read it from the database now."""
    assert settings.now is not None
    database = Database(settings.database_url)
    try:
        return get_ticket(database, ref, now=settings.now)
    finally:
        database.dispose()


def screen_text(app: DeskApp) -> str:
    """What the top screen shows, as plain text (one line per terminal row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def show_ticket(app: DeskApp, pilot: Pilot[None], ref: str) -> TicketScreen:
    """Push the ticket screen over the queue and wait until the ticket is on it."""
    await wait_until(pilot, lambda: app.screen.__class__.__name__ == "QueueScreen")
    screen = TicketScreen(ref)
    await app.push_screen(screen)
    await wait_until(pilot, lambda: screen.page is not None)
    await pilot.pause()
    return screen


async def reloaded(pilot: Pilot[None], screen: TicketScreen, loads: int) -> None:
    """Wait until ``screen`` has shown the ticket again since it had shown it ``loads`` times.

    (Not by version: an entry appended at the same frozen instant leaves the version alone.)
    """
    await wait_until(pilot, lambda: screen.loads > loads)


async def press_and_reload(pilot: Pilot[None], screen: TicketScreen, key: str) -> None:
    """Press a key that writes without a form, and wait for the screen to show the result."""
    loads = screen.loads
    await pilot.press(key)
    await reloaded(pilot, screen, loads)


async def open_form(pilot: Pilot[None], app: DeskApp, key: str) -> ActionForm:  # type: ignore[type-arg]
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, ActionForm))
    assert isinstance(app.screen, ActionForm)
    return app.screen


async def type_in(pilot: Pilot[None], form: ActionForm, field: str, text: str) -> None:  # type: ignore[type-arg]
    """Focus a field of ``form`` and type ``text`` into it key by key."""
    widget = form.query_one(f"#field-{field}")
    assert isinstance(widget, Input | TextArea)
    widget.focus()
    await pilot.pause()
    await pilot.press(*text)


async def submit(
    pilot: Pilot[None],
    app: DeskApp,
    form: ActionForm,  # type: ignore[type-arg]
    screen: TicketScreen | None = None,
) -> None:
    """ctrl+s, then wait until the form shows an error or is gone; once gone, until ``screen``
    (if given) has shown the ticket again."""
    loads = screen.loads if screen is not None else 0
    await pilot.press("ctrl+s")
    await wait_until(
        pilot, lambda: app.screen is not form or (bool(form.errors) and not form.saving)
    )
    if screen is not None and app.screen is not form:
        await reloaded(pilot, screen, loads)
    await pilot.pause()


def triage_form(settings: Settings, ref: str) -> triage.TriageForm:
    """The ticket's triage checklist as stored (answers, notes, who answered)."""
    database = Database(settings.database_url)
    try:
        return triage.triage_form(database, ref)
    finally:
        database.dispose()
