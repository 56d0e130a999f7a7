"""How many SSH connections may be open: in all, and per agent.

The counts live in one place so that every connection takes and gives back its slots through
the same two calls, whatever way it ends.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """The SSH server's limits, in seconds and connections."""

    login_timeout: float = 30.0
    idle_timeout: float = 1800.0
    max_per_user: int = 3
    max_sessions: int = 50


class ConnectionSlots:
    """Open connections in all and signed-in connections per agent, against the limits."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._total = 0
        self._per_agent: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return self._total

    def open(self) -> bool:
        """Take a slot for a new connection; false (nothing taken) when the server is full."""
        if self._total >= self._limits.max_sessions:
            return False
        self._total += 1
        return True

    def close(self) -> None:
        self._total -= 1

    def sign_in(self, handle: str) -> bool:
        """Count a signed-in connection for ``handle``; false (nothing counted) at the limit."""
        if self._per_agent[handle] >= self._limits.max_per_user:
            return False
        self._per_agent[handle] += 1
        return True

    def sign_out(self, handle: str) -> None:
        self._per_agent[handle] -= 1
        if self._per_agent[handle] <= 0:
            del self._per_agent[handle]
