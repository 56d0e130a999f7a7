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

from deskui.ui.formatting import fit


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

    _last: tuple[dt.datetime, bool, bool, bool] | None = None

    def on_resize(self) -> None:
        # The line is fitted to the width: a screen that shows it before layout (or only now
        # and then, like the board) gets it re-fitted once the width is known.
        if self._last is not None:
            now, open_now, live, offline = self._last
            self.show(now, open_now=open_now, live=live, offline=offline)

    def show(self, now: dt.datetime, *, open_now: bool, live: bool, offline: bool = False) -> None:
        self._last = (now, open_now, live, offline)
        local = now.astimezone(self._zone).strftime("%a %d %b %H:%M:%S %Z")
        hours = "OPEN" if open_now else "AFTER HOURS"
        if offline:
            self.badge, badge = "offline", ("● offline", "bold $error")
        elif live:
            self.badge, badge = "live", ("● live", "$success")
        else:
            self.badge, badge = "stale", ("● stale", "$warning")
        # One line of fixed height: a new second needs a repaint of this line only, not
        # a layout of the whole screen (which, every second, was most of an idle desk's CPU).
        self.update(self._line(local, hours, open_now, badge), layout=False)

    def _line(self, local: str, hours: str, open_now: bool, badge: tuple[str, str]) -> Content:
        """The line for the width there is: the clock, the hours and the badge always; the
        desk name and the agent cut with ``…``, the on-call line left out, when narrow."""
        sep = "  ·  "
        room = (self.size.width or 120) - 2  # padding 0 1
        hours_part = (hours, "bold $success" if open_now else "bold $warning")
        must = len(local) + len(sep) + len(hours) + len(sep) + len(badge[0])
        on_call = self.on_call
        if on_call and must + len(sep) + len(on_call) + len(sep) + 20 > room:
            on_call = None  # the first thing to go: the board and `?` still say who is on call
        if on_call:
            must += len(sep) + len(on_call)
        left = room - must - 2 * len(sep)
        desk, agent = self._desk_name, self._agent
        if len(desk) + len(agent) > left:
            # "Michael Brennan (mbrennan)" → "mbrennan": the handle is what identifies them.
            if agent.endswith(")") and "(" in agent:
                agent = agent[agent.rindex("(") + 1 : -1]
            # The agent (or "wall display") keeps its whole name if the desk keeps six cells.
            agent = fit(agent, max(left // 2, min(len(agent), left - 6), 8))
            desk = fit(desk, max(left - len(agent), 6))
        return Content.assemble(
            (desk, "bold"),
            sep,
            Content(agent),
            sep,
            local,
            sep,
            hours_part,
            sep,
            *((on_call, sep) if on_call else ()),
            badge,
        )


class TickingHeader(DeskHeader):
    """The header for screens with no clock of their own (quarantine, reports): it re-renders
    itself every second from the app's desk and tracks the app's feed state."""

    def __init__(self) -> None:
        super().__init__("", "", dt.UTC)
        self.online = True

    def on_mount(self) -> None:
        desk = getattr(self.app, "desk", None)
        if desk is not None:
            self._desk_name, self._agent, self._zone = (
                desk.desk_name,
                desk.agent_label,
                desk.agent_zone,
            )
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        desk = getattr(self.app, "desk", None)
        if desk is None:
            return
        now = desk.now()
        self.show(now, open_now=desk.is_open(now), live=self.online, offline=not self.online)
