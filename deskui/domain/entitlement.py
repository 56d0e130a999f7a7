"""When a contract is in force: the rule every path that asks "which contract is active" uses.

A contract runs from ``active_from`` to ``active_to`` inclusive (open-ended without an end),
by the dates of the team's time zone: the services turn an instant into that date first.
"""

from __future__ import annotations

import datetime as dt


def contract_state(active_from: dt.date, active_to: dt.date | None, day: dt.date) -> str:
    """``active``, ``not-yet-active`` or ``expired`` on ``day``."""
    if day < active_from:
        return "not-yet-active"
    if active_to is not None and day > active_to:
        return "expired"
    return "active"


def active_on(active_from: dt.date, active_to: dt.date | None, day: dt.date) -> bool:
    """Whether a contract with these dates is in force on ``day``."""
    return contract_state(active_from, active_to, day) == "active"
