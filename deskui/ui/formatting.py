"""How times and durations read on screen: one duration style, one date style, agent's zone.

Durations (business time left, ages, waits) all read the same way: ``45m``, ``3h 05m``,
``2d 04h`` (a day is 24 hours of the time counted), a leading ``-`` once past due. Dates and
times all read ``Tue 01 Dec 10:00`` in the agent's zone. A cut cell ends with ``…``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rich.text import Text

if TYPE_CHECKING:
    from textual.widgets import DataTable

DATE_TIME = "%a %d %b %H:%M"
ELLIPSIS = "…"
# Breach is never told by colour alone: a mark goes before the countdown.
BREACHED_MARK = "✗"
WARNING_MARK = "!"


def duration(seconds: int | float | None) -> str:
    """``300`` → ``"5m"``, ``5400`` → ``"1h 30m"``, ``190800`` → ``"2d 05h"``; negative keeps
    its ``-``; None → ``"—"``."""
    if seconds is None:
        return "—"
    sign = "-" if seconds < 0 else ""
    minutes = abs(int(seconds)) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{sign}{days}d {hours:02d}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    return f"{sign}{minutes}m"


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


def local_time(instant: dt.datetime | None, zone: dt.tzinfo, fmt: str = DATE_TIME) -> str:
    """``instant`` in ``zone`` (naive instants are UTC, as the store keeps them)."""
    if instant is None:
        return "—"
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(zone).strftime(fmt)


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
