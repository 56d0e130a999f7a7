"""A ticket's SLA clocks, one row each: target, due time in the agent's zone, and the business
time left or by how much the clock was met or breached, coloured from the theme.

The screen feeds it ``ClockView``s and, every second, the business seconds as they stand now
(``show``); choosing a row (``enter``) posts ``DataTable.RowSelected`` with the clock's name as
the row key, which the screen answers with the clock's explanation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from deskui.domain.sla.clock_info import label as clock_label
from deskui.services.tickets.views import ClockView
from deskui.ui.formatting import business_remaining, local_time, update_cell_if_changed

# Sized so the panel fits 80 columns; the last column says the state in words.
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("clock", "Clock", 10),
    ("target", "Target", 17),
    ("due", "Due", 16),
    ("left", "Business time", 22),
)


def clock_state(clock: ClockView, seconds: int | None) -> str:
    """The state at the moment ``seconds`` was computed: a running clock past due is breached."""
    if clock.state in ("running", "paused") and seconds is not None and seconds < 0:
        return "breached"
    return clock.state


def describe_time(clock: ClockView, seconds: int | None) -> str:
    """``"1h 30m left"``, ``"met, 20m to spare"``, ``"breached by 45m"``, ``"no SLA"`` …"""
    state = clock_state(clock, seconds)
    if state == "no-target":
        return "no SLA"
    if state == "no-due":
        return "no due agreed yet"
    if seconds is None:
        return "—"
    amount = business_remaining(abs(seconds))
    if state == "running":
        return f"{amount} left"
    if state == "paused":
        return f"{amount} left (paused)"
    if state == "met":
        return f"met, {amount} to spare"
    if clock.met_at is not None:
        return f"met late by {amount}"
    return f"breached by {amount}"


class ClockPanel(DataTable[Text]):
    """The three clocks of one ticket."""

    DEFAULT_CSS = """
    ClockPanel { height: auto; max-height: 5; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, show_cursor=True)
        self.warning_seconds = 3600

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    @property
    def current_clock(self) -> str | None:
        """The clock under the cursor (the first one if the table has no cursor yet)."""
        if not self.row_count:
            return None
        row = min(max(self.cursor_row, 0), self.row_count - 1)
        return str(self.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value)

    def show(
        self,
        clocks: Sequence[ClockView],
        seconds: Mapping[str, int | None],
        zone: dt.tzinfo,
    ) -> None:
        """Show ``clocks``; ``seconds`` is each clock's business time as of now."""
        wanted = [clock.clock for clock in clocks]
        current = [str(key.value) for key in self.rows]
        rows = {clock.clock: self._cells(clock, seconds.get(clock.clock), zone) for clock in clocks}
        if wanted != current:
            cursor = self.cursor_row
            self.clear()
            for name in wanted:
                self.add_row(*rows[name], key=name)
            if wanted:
                self.move_cursor(row=min(max(cursor, 0), len(wanted) - 1), animate=False)
            return
        for name, cells in rows.items():
            for (column, _, _), cell in zip(COLUMNS, cells, strict=True):
                update_cell_if_changed(self, name, column, cell)

    def _cells(self, clock: ClockView, seconds: int | None, zone: dt.tzinfo) -> list[Text]:
        state = clock_state(clock, seconds)
        colour = self._colour(state, seconds)
        due = local_time(clock.due_at, zone)
        return [
            Text(clock_label(clock.clock)),
            Text(clock.target or "none", no_wrap=True, overflow="ellipsis"),
            Text(due),
            Text(describe_time(clock, seconds), style=colour),
        ]

    def _colour(self, state: str, seconds: int | None) -> str:
        variables = self.app.theme_variables
        if state == "breached":
            return variables.get("sla-breached", "red")
        if state in ("running", "paused") and seconds is not None:
            if seconds <= self.warning_seconds:
                return variables.get("sla-warning", "yellow")
            return variables.get("sla-safe", "green")
        if state == "met":
            return variables.get("sla-safe", "green")
        return ""
