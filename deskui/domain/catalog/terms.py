"""The closed vocabularies sample data refers to.

Roles and categories are the desk-wide enums of ``deskui.domain.vocabulary`` (one spelling in
every layer); routing strategies and weekdays only exist in configuration, so they are
``Literal`` types here. Either way a typo is rejected with the list of allowed words.
"""

from __future__ import annotations

from typing import Literal, get_args

from deskui.domain.vocabulary import Category, Channel, Role

__all__ = [
    "ROUTING_STRATEGIES",
    "WEEKDAYS",
    "Category",
    "Channel",
    "Role",
    "RoutingStrategy",
    "Weekday",
]

RoutingStrategy = Literal[
    "project-manager-then-skill",
    "least-loaded-product-specialist",
    "approvers-queue",
    "supervisor",
    "on-call",
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

ROUTING_STRATEGIES: tuple[str, ...] = get_args(RoutingStrategy)
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
