"""Customer text on the ticket screen is shown literally and never runs anything.

Markup that would make a click quit the app (``[@click=app.quit]``, also with a space that
slips past ``escape()``), a bold tag, and terminal escape sequences (a title change, an OSC 52
clipboard write) go into a subject, a description, a requester's name and a logged contact.
The test opens the ticket, the explanation and the command palette, clicks every place those
strings are drawn, and checks they read literally, nothing raw reached the screen, and the app
is still running.
"""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import wait_until
from textual.command import CommandPalette
from textual.pilot import Pilot
from ticket_helpers import open_test_ticket, screen_text, show_ticket

from deskui.services.actor import Actor
from deskui.services.tickets.lifecycle import log_contact
from deskui.settings import Settings
from deskui.store.session import Database
from deskui.ui.app import DeskApp
from deskui.ui.screens.forms.text_modal import TextModal
from deskui.ui.screens.ticket import TicketScreen

HOSTILE = (
    "[@click=app.quit]x[/] [ @click=app.quit]y[/] [b]bold \x1b]0;title\x07 \x1b]52;c;ZXZpbA==\x07"
)
# How the screen must show it: every character there, controls as visible pictures.
LITERAL = "[@click=app.quit]x[/] [ @click=app.quit]y[/] [b]bold ␛]0;title␇ ␛]52;c;ZXZpbA==␇"
CLICK_TARGETS = ("x[/]", "y[/]", "[b]", "␛]0", "␛]52")


def hostile_ticket(settings: Settings) -> str:
    ref = open_test_ticket(
        settings, subject=HOSTILE, description=HOSTILE, requester_name=HOSTILE, requested=None
    )
    assert settings.now is not None
    database = Database(settings.database_url)
    try:
        log_contact(
            Actor.of(database, None, at=settings.now),
            ref,
            "call-in",
            f"said: {HOSTILE}",
            author_name=HOSTILE,
        )
    finally:
        database.dispose()
    return ref


def assert_nothing_raw(app: DeskApp) -> None:
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            assert "\x1b" not in segment.text and "\x07" not in segment.text
            # A link or an action in a segment's style is what a click would run.
            style = segment.style
            assert style is None or not style.meta.get("@click")


async def click_every_target(pilot: Pilot[None], app: DeskApp, only: str = "") -> int:
    """Click each place a hostile fragment is drawn on the current screen (on lines holding
    ``only``, if given); how many places. Stops if a click changes the screen."""
    clicks = 0
    screen = app.screen
    for row, line in enumerate(screen_text(app).splitlines()):
        if only not in line:
            continue
        for target in CLICK_TARGETS:
            column = line.find(target)
            while column != -1:
                await pilot.click(offset=(column, row))
                clicks += 1
                assert app.is_running, f"a click on {target!r} at {column},{row} quit the app"
                await pilot.pause()
                if app.screen is not screen:
                    return clicks
                column = line.find(target, column + 1)
    await pilot.pause()
    return clicks


async def test_hostile_text_shows_literally_and_clicking_it_runs_nothing(
    make_app: Callable[..., DeskApp], demo_settings: Settings
) -> None:
    ref = hostile_ticket(demo_settings)
    app = make_app(refresh_seconds=30.0)
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        text = screen_text(app)
        assert f"{ref} · {LITERAL}" in text  # the title
        assert f"  {LITERAL}" in text  # the description, as the log's first body
        assert f"  said: {LITERAL}" in text  # the logged contact
        assert "call in  [@click=app.quit]x[/] [ @click=app.quit]y[/] [b]bold ␛]0;" in text
        assert_nothing_raw(app)
        assert await click_every_target(pilot, app) >= 3 * len(CLICK_TARGETS)
        assert app.screen is screen and app.return_code is None

        # The explanation quotes the subject.
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, TextModal))
        await pilot.pause()
        assert "[@click=app.quit]x[/] [ @click=app.quit]y[/] [b]bold ␛]0;title␇" in screen_text(app)
        assert_nothing_raw(app)
        assert await click_every_target(pilot, app) >= 3
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)

        # The command palette finds the ticket by reference and shows its subject as text.
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*ref[-3:])
        await wait_until(pilot, lambda: f"Go to {ref}" in screen_text(app))
        assert "[@click=app.quit]x[/] [ @click=app.quit]y[/] [b]bold ␛]0;title␇" in screen_text(app)
        assert_nothing_raw(app)
        # Clicking the hostile text in the hit opens the ticket; nothing else runs.
        assert await click_every_target(pilot, app, only=f"Go to {ref}") >= 1
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        assert app.is_running and app.return_code is None
