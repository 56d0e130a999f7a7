"""Numbered steps as written in sample data: keys ``"1"``, ``"2"``, … in order, sub-steps
``"5a"``, ``"5b"``, … under their step.

YAML reads an unquoted ``1:`` as a number, so keys are turned into text before checking.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any


def keys_as_text(value: Any) -> Any:
    """A ``BeforeValidator`` for step mappings: ``{1: …}`` → ``{"1": …}``."""
    if isinstance(value, Mapping):
        return {str(key): item for key, item in value.items()}
    return value


def check_step_numbers(keys: list[str]) -> None:
    """Steps must be numbered ``1``, ``2``, … in order, with no gap."""
    expected = [str(n) for n in range(1, len(keys) + 1)]
    if keys != expected:
        raise ValueError(
            f"steps must be numbered {', '.join(expected)} in order (found {', '.join(keys)})"
        )


def check_substep_letters(parent: str, keys: list[str]) -> None:
    """Sub-steps of step ``5`` must be ``5a``, ``5b``, … in order."""
    expected = [f"{parent}{letter}" for letter in string.ascii_lowercase[: len(keys)]]
    if keys != expected:
        raise ValueError(
            f"sub-steps of step {parent} must be {', '.join(expected)} in order "
            f"(found {', '.join(keys)})"
        )
