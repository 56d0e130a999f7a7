"""Read models the UI and CLI show: plain dataclasses, no ORM objects leak upward."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One open ticket as a queue pane shows it."""

    ticket_id: int
    reference: str
    priority: str
    priority_label: str
    priority_rank: int
    subject: str
    organisation: str
    status: str
    assignee: str | None
    next_clock: str | None
    next_due_at: dt.datetime | None
    calendar: str | None
    opened_at: dt.datetime
    product: str | None = None
    version: int = 1


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    counts: dict[str, int] = field(default_factory=dict)
