"""The desk's closed vocabularies that sample data refers to: roles, categories, strategies.

Kept as ``Literal`` types so a typo in sample data is rejected with the list of allowed words.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["agent", "supervisor", "admin", "approver"]

# Ticket categories from intake (issue 5); the slugs are what tickets and rules store.
Category = Literal[
    "technical",
    "training",
    "change-request",
    "enhancement",
    "data",
    "installation",
    "security",
    "hardware-network",
]

Channel = Literal["phone", "email", "fax", "answerphone", "web", "walk-in"]

RoutingStrategy = Literal[
    "project-manager-then-skill",
    "least-loaded-product-specialist",
    "approvers-queue",
    "supervisor",
    "on-call",
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

ROLES: tuple[str, ...] = get_args(Role)
CATEGORIES: tuple[str, ...] = get_args(Category)
CHANNELS: tuple[str, ...] = get_args(Channel)
ROUTING_STRATEGIES: tuple[str, ...] = get_args(RoutingStrategy)
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
