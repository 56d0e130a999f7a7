"""How times and durations read on screen: one duration style, one date style, agent's zone.

Durations (business time left, ages, waits) all read the same way (``deskui/domain/display.py``,
which the command line uses too): ``45m``, ``3h 05m``,
``2d 04h`` (a day is 24 hours of the time counted), a leading ``-`` once past due. Dates and
times all read ``Tue 01 Dec 10:00`` in the agent's zone. A cut cell ends with ``…``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rich.text import Text

# The one duration and date style is shared with the command line (``deskui/domain/display.py``).
from deskui.domain.display import DATE_TIME, duration, local_time

__all__ = [
    "DATE_TIME",
    "age",
    "breach_text",
    "business_remaining",
    "duration",
    "fit",
    "local_time",
    "update_cell_if_changed",
]

if TYPE_CHECKING:
    from textual.widgets import DataTable

ELLIPSIS = "…"
# Breach is never told by colour alone: a mark goes before the countdown.
BREACHED_MARK = "✗"
WARNING_MARK = "!"


def business_remaining(seconds: int | None) -> str:
    """Business time left in the one duration style (kept as a name the screens know)."""
    return duration(seconds)


def breach_text(seconds: int | None, warning_seconds: int) -> str:
    """The countdown with its mark: ``✗ -1h 00m`` breached, ``! 40m`` within the warning
    window, ``45m`` otherwise."""
    if seconds is None:
        return duration(None)
    if seconds < 0:
        return f"{BREACHED_MARK} {duration(seconds)}"
    if seconds <= warning_seconds:
        return f"{WARNING_MARK} {duration(seconds)}"
    return duration(seconds)


def age(opened_at: dt.datetime, now: dt.datetime) -> str:
    """Wall-clock age in the one duration style (never negative)."""
    return duration(max(int((now - opened_at).total_seconds()), 0))


def fit(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells; a cut ends with ``…``."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + ELLIPSIS


def update_cell_if_changed(table: DataTable[Any], row: str, column: str, cell: Text) -> None:
    """Set a cell only when its text or colour changed: most countdowns move once a minute,
    and an unchanged ``update_cell`` still re-measures and repaints the row every second."""
    current = table.get_cell(row, column)
    if isinstance(current, Text) and current.plain == cell.plain and current.style == cell.style:
        return
    table.update_cell(row, column, cell)
