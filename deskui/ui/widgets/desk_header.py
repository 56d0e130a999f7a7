"""The top line: desk name, signed-in agent, local time, open/after hours, who is on call (for
an agent whose team has a rotation), and a badge.

The badge says how fresh the data is: ``● live`` (the change feed is connected and the last
read worked), ``● stale`` (a read failed but the database still answers the feed) or
``● offline`` (the database cannot be reached: what is shown is what was last read, and the
app reconnects by itself).
"""

from __future__ import annotations

import datetime as dt

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static


class DeskHeader(Static):
    """Re-rendered every second by the screen that owns it."""

    DEFAULT_CSS = """
    DeskHeader { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    live: reactive[bool] = reactive(True)
    # "on call: kenco lchen/jmorales", set by the screen from a worker; None shows nothing.
    on_call: str | None = None
    badge = "live"  # what the badge says now: "live", "stale" or "offline" (tests read it)

    def __init__(self, desk_name: str, agent: str, zone: dt.tzinfo) -> None:
        super().__init__("", markup=False)
        self._desk_name = desk_name
        self._agent = agent
        self._zone = zone

    def show(self, now: dt.datetime, *, open_now: bool, live: bool, offline: bool = False) -> None:
        local = now.astimezone(self._zone).strftime("%a %d %b %H:%M:%S %Z")
        hours = "OPEN" if open_now else "AFTER HOURS"
        if offline:
            self.badge, badge = "offline", ("● offline", "bold $error")
        elif live:
            self.badge, badge = "live", ("● live", "$success")
        else:
            self.badge, badge = "stale", ("● stale", "$warning")
        self.update(
            Content.assemble(
                (self._desk_name, "bold"),
                "  ·  ",
                Content(self._agent),
                "  ·  ",
                local,
                "  ·  ",
                (hours, "bold $success" if open_now else "bold $warning"),
                "  ·  ",
                *((self.on_call, "  ·  ") if self.on_call else ()),
                badge,
            ),
            # One line of fixed height: a new second needs a repaint of this line only, not
            # a layout of the whole screen (which, every second, was most of an idle desk's CPU).
            layout=False,
        )
