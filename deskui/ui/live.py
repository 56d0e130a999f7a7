"""The app's one change feed, as Textual messages: ``DeskChanged`` and ``FeedState``.

``DeskApp`` runs a single ``LiveFeed`` (one database connection on PostgreSQL, one
``PRAGMA data_version`` poll on SQLite) and hands what it hears to every screen on its stack
as these messages, so a screen never opens a watcher of its own. Neither bubbles: a screen
that gets one must not send it back up to the app that broadcast it.
"""

from __future__ import annotations

from textual.message import Message


class DeskChanged(Message, bubble=False):
    """Another process committed a change: re-read what you show."""

    def __init__(self, latest_event_id: int) -> None:
        super().__init__()
        self.latest_event_id = latest_event_id


class FeedState(Message, bubble=False):
    """The database became reachable (``online``) or was lost."""

    def __init__(self, online: bool) -> None:
        super().__init__()
        self.online = online
