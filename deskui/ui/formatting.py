"""How times and durations read on screen: short, fixed-width friendly, agent's zone."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rich.text import Text

if TYPE_CHECKING:
    from textual.widgets import DataTable


def business_remaining(seconds: int | None) -> str:
    """``5400`` → ``"1h 30m"``; negative (breached) → ``"-1h 30m"``; None → ``"—"``."""
    if seconds is None:
        return "—"
    sign = "-" if seconds < 0 else ""
    minutes = abs(int(seconds)) // 60
    hours, minutes = divmod(minutes, 60)
    if hours >= 100:
        return f"{sign}{hours}h"
    return f"{sign}{hours}h {minutes:02d}m" if hours else f"{sign}{minutes}m"


def age(opened_at: dt.datetime, now: dt.datetime) -> str:
    """Wall-clock age: ``45m``, ``3h``, ``2d 4h``."""
    seconds = max(int((now - opened_at).total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {rest // 60:02d}m"
    return f"{rest // 60}m"


def local_time(instant: dt.datetime | None, zone: dt.tzinfo, fmt: str = "%a %d %b %H:%M") -> str:
    if instant is None:
        return "—"
    return instant.astimezone(zone).strftime(fmt)


def update_cell_if_changed(table: DataTable[Any], row: str, column: str, cell: Text) -> None:
    """Set a cell only when its text or colour changed: most countdowns move once a minute,
    and an unchanged ``update_cell`` still re-measures and repaints the row every second."""
    current = table.get_cell(row, column)
    if isinstance(current, Text) and current.plain == cell.plain and current.style == cell.style:
        return
    table.update_cell(row, column, cell)
