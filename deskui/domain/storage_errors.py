"""Failures of the database that a person can act on, in words the UI and CLI can show.

The store turns driver errors into these (``deskui.store.session``) so no layer above it has to
know SQLite or PostgreSQL error codes; they live in the domain so the UI, which may not import
the store, can still catch them.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of the database failures below; ``str()`` is a sentence for a person."""


class StoreBusyError(StoreError):
    """Another writer held the database (or the row) for too long; trying again may work."""


class StoreUnavailableError(StoreError):
    """The database cannot be reached at all (server down, file missing): the app is offline."""


class StoreFailedError(StoreError):
    """Any other database failure (a refused statement, a driver fault), in one
    sentence naming what failed; the driver's error is its ``__cause__``."""


class BadDatabaseUrlError(StoreError):
    """The configured database URL is not one deskui can open (its text says why)."""


class StaleEditError(StoreError):
    """Someone else saved a newer version of the record first; the edit was not applied.

    ``expected`` is the version the edit was based on, ``actual`` the one now stored (either may
    be unknown). Never retried silently: the person decides what to do with their draft.
    """

    def __init__(
        self,
        message: str,
        *,
        expected: int | None = None,
        actual: int | None = None,
    ) -> None:
        super().__init__(message)
        self.expected = expected
        self.actual = actual
