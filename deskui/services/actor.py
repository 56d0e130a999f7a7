"""Who acts, on which database, by which clock and with which settings: the ``Actor``.

Every use case of the services layer that changes something takes an ``Actor`` first, so the
four things a write needs travel together and no front end can forget one: the CLI builds it
from ``--as`` and its settings, the app when the agent signs in, the SSH and web front ends per
session (through the app), mail intake and the pager as the system (``handle=None``).

A use case reads ``actor.now()`` once, at its start, and uses that instant throughout, so one
action has one time even on a running clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from deskui.domain.timesource import FrozenTime, SystemTime, TimeSource
from deskui.settings import Settings
from deskui.store.session import Database


def default_settings() -> Settings:
    """The defaults alone (no environment, no file): for an Actor built without settings."""
    return Settings.model_construct()


@dataclass(frozen=True, slots=True)
class Actor:
    """``handle`` acting on ``database`` (``None``: the system, i.e. the operator or a daemon)."""

    database: Database
    handle: str | None = None
    clock: TimeSource = field(default_factory=SystemTime)
    settings: Settings = field(default_factory=default_settings)

    @classmethod
    def of(
        cls,
        database: Database,
        handle: str | None = None,
        *,
        at: dt.datetime | None = None,
        settings: Settings | None = None,
    ) -> Actor:
        """An actor whose clock is frozen at ``at`` (else the settings' clock)."""
        chosen = settings if settings is not None else default_settings()
        clock: TimeSource = FrozenTime(at) if at is not None else chosen.time_source()
        return cls(database, handle, clock, chosen)

    @classmethod
    def from_settings(cls, database: Database, settings: Settings) -> Actor:
        """The actor ``settings`` describe: ``settings.agent`` on the settings' clock."""
        return cls(database, settings.agent, settings.time_source(), settings)

    def now(self) -> dt.datetime:
        return self.clock.now()

    def at(self, when: dt.datetime) -> Actor:
        """The same actor with its clock frozen at ``when``."""
        return dataclasses.replace(self, clock=FrozenTime(when))

    def acting_as(self, handle: str | None) -> Actor:
        """The same database, clock and settings, acting as ``handle`` (``None``: the system)."""
        return dataclasses.replace(self, handle=handle)

    def as_system(self) -> Actor:
        """The same database, clock and settings, acting as the system."""
        return dataclasses.replace(self, handle=None)
