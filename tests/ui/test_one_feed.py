"""One change feed per app: with the queue, a ticket view and the breach board open there is one
watcher thread, and a commit from elsewhere reaches every screen on the stack through it (the
ticket view under the board reloads too), with no fallback re-read to explain it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from pilot_helpers import wait_until
from ticket_helpers import open_test_ticket, show_ticket

from deskui.services.actor import Actor
from deskui.services.tickets.lifecycle import add_note
from deskui.settings import Settings
from deskui.store.session import Database
from deskui.ui.app import DeskApp
from deskui.ui.screens.board import BoardScreen
from deskui.ui.widgets.interaction_log import InteractionLog

SUPERVISOR = "sokafor"  # may watch the board (sample_data/agents.yaml)
QUIET = 600.0  # no safety-net re-read during the test: only the feed may refresh a screen


def watcher_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "deskui-change-watcher" and t.is_alive()]


async def test_three_screens_share_one_feed(
    make_app: Callable[..., DeskApp], demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings)
    # An app of an earlier test in this process may still be stopping its watcher: wait for
    # it, so the count below is this app's alone.
    await wait_until_gone(0)
    before = len(watcher_threads())
    app = make_app(agent=SUPERVISOR, refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        ticket = await show_ticket(app, pilot, ref)
        board = BoardScreen()
        await app.push_screen(board)
        await wait_until(pilot, lambda: board.loads > 0 and bool(app.feed.online))
        assert len(watcher_threads()) == before + 1
        loads = (ticket.loads, board.loads)

        other = Database(demo_settings.database_url)
        try:
            add_note(
                Actor.of(other, "dpatel", at=demo_settings.now), ref, "Noted from another desk"
            )
        finally:
            other.dispose()
        await wait_until(pilot, lambda: board.loads > loads[1], timeout=15)
        await wait_until(pilot, lambda: ticket.loads > loads[0], timeout=15)
        lines = "\n".join(ticket.query_one(InteractionLog).plain_lines())
        assert "Noted from another desk" in lines
    await wait_until_gone(before)


async def wait_until_gone(before: int) -> None:
    """The app's watcher ends with the app (it is told to stop when the app unmounts)."""
    for _ in range(150):
        if len(watcher_threads()) <= before:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{len(watcher_threads()) - before} watcher thread(s) outlived the app")
