"""Validation of the slugs used to name calendars, policies, priorities, teams and the like."""

import re

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_slug(value: str) -> str:
    """Return ``value`` if it is lower-case kebab case, else raise ``ValueError``."""
    if not SLUG_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not a lower-case kebab-case name (like 'very-high')")
    return value
