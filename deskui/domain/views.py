"""Queue views: a named pane defined by filters and a sort, as an agent saves it.

``ViewSpec`` is the validated shape (stored as JSON per agent, see
``deskui.services.tickets.saved_views``); ``DEFAULT_VIEWS`` are the desk's four panes of old,
which every agent has unless they save a view of the same name.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from deskui.domain.vocabulary import OPEN_STATUSES, Status

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def _view_name(value: object) -> object:
    if not isinstance(value, str):
        return value
    name = value.strip().lower()
    if not _NAME.fullmatch(name):
        raise ValueError(
            "a view's name is 1 to 40 letters, digits, '-' or '_', starting with a letter or "
            f"digit (not {value!r})"
        )
    return name


ViewName = Annotated[str, BeforeValidator(_view_name)]
# Who a view's tickets belong to, besides an agent's handle.
ME = "me"
NOBODY = "nobody"


class ViewSort(StrEnum):
    """How a view orders its tickets (every order ends on the ticket id, so paging is stable)."""

    PRIORITY = "priority"  # priority rank, then soonest due (the queue's order)
    DUE = "due"  # soonest due first, whatever the priority
    OPENED = "opened"  # newest first
    UPDATED = "updated"  # most recently changed first


class ViewSpec(BaseModel):
    """One view. Empty lists mean "any"; ``assignee`` is ``me``, ``nobody``, a handle or None
    (anyone). ``breached`` keeps tickets whose next clock is overdue; ``due_within_minutes``
    keeps those due within that many business minutes (breached ones included)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ViewName
    title: str = Field(default="", max_length=40)
    teams: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = tuple(sorted(OPEN_STATUSES))
    priorities: tuple[str, ...] = ()
    assignee: str | None = None
    organisations: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    breached: bool = False
    due_within_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 365)
    sort: ViewSort = ViewSort.PRIORITY

    @field_validator("statuses")
    @classmethod
    def _some_status(cls, value: tuple[Status, ...]) -> tuple[Status, ...]:
        if not value:
            raise ValueError("a view needs at least one status")
        return tuple(sorted(set(value)))

    @field_validator("teams", "priorities", "organisations", "products")
    @classmethod
    def _slugs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))

    @property
    def label(self) -> str:
        return self.title or self.name.replace("-", " ").capitalize()

    @property
    def open_only(self) -> bool:
        return set(self.statuses) <= OPEN_STATUSES


_OPEN = tuple(sorted(OPEN_STATUSES))

# The queue's four panes, now views: names and filters as before.
DEFAULT_VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(name="mine", title="My tickets", assignee=ME, statuses=_OPEN),
    ViewSpec(name="unassigned", title="Unassigned", assignee=NOBODY, statuses=_OPEN),
    ViewSpec(name="open", title="All open", statuses=_OPEN),
    ViewSpec(name="waiting", title="Waiting on customer", statuses=(Status.WAITING_ON_CUSTOMER,)),
)
