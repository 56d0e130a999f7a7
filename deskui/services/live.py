"""``LiveFeed``: what the UI uses to hear about other agents' changes without importing the store.

It wraps the store's ``ChangeWatcher`` (PostgreSQL ``LISTEN/NOTIFY`` with catch-up, SQLite
``PRAGMA data_version`` polling; see ``deskui/store/feed.py``). ``on_change(latest_event_id)``
means "re-read what you show"; ``on_state(online)`` drives the offline badge. Both run on the
feed's own thread: a Textual screen passes them through ``app.call_from_thread``.
"""

from __future__ import annotations

from collections.abc import Callable

from deskui.store.feed import ChangeWatcher
from deskui.store.session import Database


class LiveFeed:
    """Change notifications for one open app; ``start()`` on mount, ``stop()`` on unmount."""

    def __init__(
        self,
        database: Database,
        on_change: Callable[[int], object],
        on_state: Callable[[bool], object] | None = None,
        *,
        poll_interval: float = 0.25,
        safety_interval: float = 5.0,
        listen_url: str | None = None,
    ) -> None:
        """``listen_url``: where the PostgreSQL feed connects, if not where the pool does."""
        self._watcher = ChangeWatcher(
            database,
            on_change,
            on_state,
            poll_interval=poll_interval,
            safety_interval=safety_interval,
            listen_url=listen_url,
        )

    @property
    def online(self) -> bool | None:
        """``None`` until the first connection attempt, then whether the database answers."""
        return self._watcher.online

    @property
    def running(self) -> bool:
        return self._watcher.running

    def start(self) -> None:
        """Start listening (idempotent; never raises: failures become ``on_state(False)``)."""
        self._watcher.start()

    def stop(self, *, wait: bool = True) -> None:
        """Stop listening. From the UI thread pass ``wait=False``: a callback may be waiting
        for that very thread (``call_from_thread``), so joining could stall shutdown."""
        self._watcher.stop(timeout=5.0 if wait else 0)
