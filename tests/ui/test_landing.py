"""A worker's result lands on its screen only while the screen and its widgets are there.

On a loaded CI machine the ticket screen's "also open by" line came back from its worker while
the app was closing: ``query_one`` found no widget and Textual failed the worker. ``land`` drops
such a result; one for a live screen still arrives, coroutine callbacks included.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from deskui.ui.landing import land


class Holder(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("", id="line")

    def show(self, text: str) -> None:
        self.query_one("#line", Static).update(text)
        self.shown.append(text)

    shown: list[str]


class Host(App[None]):
    pass


async def _from_a_worker(call: Callable[[], None]) -> list[BaseException]:
    """Run ``call`` on a thread (as a worker would) while the UI loop keeps running."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # the test reports whatever the thread raised
            failures.append(exc)

    # Textual's workers run in a copy of the UI's context (the active app among it).
    thread = threading.Thread(target=contextvars.copy_context().run, args=(run,))
    thread.start()
    while thread.is_alive():
        await asyncio.sleep(0.02)
    return failures


async def _pushed(app: App[None], pilot: Pilot[None]) -> Holder:
    """A fresh ``Holder`` on top of the app, composed and showing nothing yet."""
    screen = Holder()
    screen.shown = []
    await app.push_screen(screen)
    await pilot.pause()
    return screen


async def test_a_result_for_a_live_screen_lands() -> None:
    app = Host()
    async with app.run_test() as pilot:
        screen = await _pushed(app, pilot)
        failures = await _from_a_worker(lambda: land(screen, screen.show, "Lin Chen"))
        assert failures == []
        assert screen.shown == ["Lin Chen"]
        assert str(screen.query_one("#line", Static).render()) == "Lin Chen"


async def test_a_coroutine_callback_is_awaited() -> None:
    app = Host()
    async with app.run_test() as pilot:
        screen = await _pushed(app, pilot)

        async def show_later(text: str) -> None:
            screen.show(text)

        failures = await _from_a_worker(lambda: land(screen, show_later, "later"))
        assert failures == []
        assert screen.shown == ["later"]


async def test_a_result_for_widgets_already_gone_is_dropped() -> None:
    app = Host()
    async with app.run_test() as pilot:
        screen = await _pushed(app, pilot)
        await screen.query_one("#line").remove()  # as when the app tears the screen down
        failures = await _from_a_worker(lambda: land(screen, screen.show, "too late"))
        assert failures == []
        assert screen.shown == []


async def test_a_result_for_a_screen_that_was_left_is_dropped() -> None:
    app = Host()
    async with app.run_test() as pilot:
        screen = await _pushed(app, pilot)
        app.pop_screen()
        await pilot.pause()
        assert not screen.is_attached
        failures = await _from_a_worker(lambda: land(screen, screen.shown.append, "gone"))
        assert failures == []
        assert screen.shown == []
