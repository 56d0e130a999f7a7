"""Where a worker thread's result lands on its screen: only while that screen still has widgets.

Every screen loads on worker threads and hands the result to the UI thread. On a loaded machine
the result can arrive after the agent left the screen, or while the app is shutting down and
the screen's widgets are already gone: a ``query_one`` then raises ``NoMatches`` and Textual
fails the worker (one did, in a CI run, for the ticket screen's "also open by" line). A result
for a screen that is no longer there has nowhere to go, so it is dropped.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from textual.css.query import NoMatches
from textual.screen import Screen


def land(screen: Screen[Any], callback: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """From a worker thread: run ``callback(*args, **kwargs)`` on the UI thread, if it can land."""

    async def arrive() -> None:
        if not screen.is_attached:
            return
        try:
            result = callback(*args, **kwargs)
            if inspect.isawaitable(result):
                await result
        except NoMatches:
            return  # the screen's widgets went while the result was on its way

    try:
        app = screen.app
    except RuntimeError:  # NoActiveAppError: the screen left its app; this thread knows none
        return
    # call_from_thread awaits a coroutine function; its stub's types do not say so.
    app.call_from_thread(arrive)  # type: ignore[arg-type]
