"""``Database``: the one way services touch the database.

``with db.read() as session:`` runs one read transaction (a consistent snapshot, rolled back at
the end); ``with db.write() as session:`` runs one short write transaction (``BEGIN IMMEDIATE``
on SQLite), committed when the block ends and rolled back if it raises. Driver errors a person
can act on come out as the domain's ``StoreBusyError``, ``StaleEditError`` and
``StoreUnavailableError``; every other driver error (a constraint violation, a driver fault) as
``StoreFailedError`` with the driver's error as its cause, so no layer above names a driver.

Objects loaded in a block stay readable after it (no expiry on commit) but are detached: turn
them into plain view objects inside the block.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from deskui.domain.storage_errors import (
    BadDatabaseUrlError,
    StaleEditError,
    StoreBusyError,
    StoreFailedError,
    StoreUnavailableError,
)
from deskui.store.engine import BEGIN_OPTION, make_engine, normalise_url

# PostgreSQL SQLSTATEs meaning "someone else holds what you need; try again later".
_PG_BUSY = {
    "40001": "a concurrent change conflicted with this one (serialization failure)",
    "40P01": "two changes waited on each other (deadlock)",
    "55P03": "a record stayed locked by another agent for too long",
}
_SQLITE_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


class Database:
    """An engine plus sessions for one database URL (SQLite file or PostgreSQL)."""

    def __init__(self, url: str | URL | Engine, **engine_kwargs: Any) -> None:
        if isinstance(url, Engine):
            self.engine = url
        else:
            try:
                self.engine = make_engine(normalise_url(url), **engine_kwargs)
            except (ValueError, ArgumentError) as exc:
                raise BadDatabaseUrlError(f"bad database URL: {exc}") from exc
        self.url = self.engine.url
        write_bind = self.engine
        if self.dialect == "sqlite":
            write_bind = self.engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False, autoflush=True)
        self._writer = sessionmaker(bind=write_bind, expire_on_commit=False, autoflush=True)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One read transaction; nothing is committed."""
        # Closing (not rolling back) ends the transaction without expiring the loaded objects.
        with translate_errors(), self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, committed when the block ends without an exception."""
        with translate_errors(), self._writer() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection (before a fork, or when done with the database)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn busy, stale and unreachable-database driver errors into the domain's errors."""
    try:
        yield
    except StaleDataError as exc:
        raise StaleEditError(
            "someone else saved this record first; your change was not applied. "
            "Reload it to see what changed, then apply your change again."
        ) from exc
    except DBAPIError as exc:
        translated = translate_dbapi_error(exc)
        if translated is None:
            translated = StoreFailedError(f"the database refused: {_first_line(exc.orig)}")
        raise translated from exc


def shown_url(url: str | URL) -> str:
    """``url`` without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return str(url)


def translate_dbapi_error(exc: DBAPIError) -> Exception | None:
    """The domain error for a driver error, or ``None`` when it is not one we translate."""
    original = exc.orig
    if isinstance(original, sqlite3.Error):
        code = getattr(original, "sqlite_errorcode", None)
        text = str(original).lower()
        # The extended codes (BUSY_SNAPSHOT, LOCKED_SHAREDCACHE, ...) share the low byte.
        if (code is not None and code & 0xFF in _SQLITE_BUSY_CODES) or "locked" in text:
            return StoreBusyError(
                "the database is busy with another agent's change; nothing was saved. "
                "Try again in a moment."
            )
        if "unable to open database" in text:
            return StoreUnavailableError(f"cannot open the database file: {original}")
        return None
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate in _PG_BUSY:
        return StoreBusyError(f"{_PG_BUSY[sqlstate]}; nothing was saved. Try again.")
    if exc.connection_invalidated or (sqlstate or "").startswith("08") or _no_connection(exc):
        return StoreUnavailableError(f"the database cannot be reached: {_first_line(original)}")
    return None


def _no_connection(exc: DBAPIError) -> bool:
    # psycopg raises OperationalError without a SQLSTATE when the server is unreachable.
    original = exc.orig
    module = type(original).__module__
    return (
        module.startswith("psycopg")
        and type(original).__name__ == "OperationalError"
        and getattr(original, "sqlstate", None) is None
    )


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
