"""Opening the configured database for a front end: connect, check the schema, act.

The CLI, the app and ``sla explain`` open the database here, so there is one message for a
database that was never set up and one for a bad URL. ``desk`` is the usual door: the database
with its schema checked, the ``Actor`` that acts on it, and the connections closed after.
``Database`` is re-exported so the front ends can name the type without importing the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from sqlalchemy import select

from deskui.services.actor import Actor
from deskui.services.errors import ServiceError
from deskui.settings import Settings
from deskui.store.migrate import current_revision, head_revision, is_up_to_date, upgrade
from deskui.store.models import Agent, Desk
from deskui.store.session import Database, shown_url, translate_errors

__all__ = [
    "Database",
    "NoSchemaError",
    "desk",
    "open_database",
    "require_schema",
    "schema_is_current",
    "schema_revision",
    "shown_url",
    "upgrade_schema",
]

NO_SCHEMA = (
    "the database has no deskui schema yet: run 'deskui db upgrade' and "
    "'deskui db seed sample_data' (or 'make demo')"
)


class NoSchemaError(ServiceError):
    """The configured database was never set up for deskui."""


def open_database(url: str) -> Database:
    """The database at ``url``; ``BadDatabaseUrlError`` ("bad database URL: …") if it is not one."""
    return Database(url)


def schema_revision(database: Database) -> str | None:
    """The schema revision the database is at (``None``: never set up)."""
    return current_revision(database.engine)


def require_schema(database: Database) -> None:
    """``NoSchemaError`` unless the database has a deskui schema."""
    if schema_revision(database) is None:
        raise NoSchemaError(NO_SCHEMA)


def schema_is_current(database: Database) -> tuple[bool, str]:
    """Whether the schema is at this deskui's newest revision, and that revision."""
    with translate_errors():
        return is_up_to_date(database.engine), head_revision()


def upgrade_schema(database: Database) -> None:
    """Bring the schema to this deskui's newest revision."""
    with translate_errors():
        upgrade(database.engine)


@contextmanager
def desk(settings: Settings, handle: str | None = None) -> Iterator[Actor]:
    """``handle`` (``None``: the system) acting on the configured database, its schema
    checked, on the settings' clock; the connections are closed when the block ends."""
    database = open_database(settings.database_url)
    try:
        require_schema(database)
        yield Actor(database, handle, settings.time_source(), settings)
    finally:
        database.dispose()


def display_zone(database: Database, handle: str | None) -> ZoneInfo:
    """The zone a person reads times in: agent ``handle``'s, else the desk's (``desk.yaml``),
    else UTC. Every front end prints human times in it (``deskui/domain/display.py``)."""
    with database.read() as session:
        zone = (
            session.scalar(select(Agent.timezone).where(Agent.handle == handle)) if handle else None
        )
        if zone is None:
            desk_row = session.get(Desk, 1)
            zone = desk_row.timezone if desk_row is not None else "UTC"
    return ZoneInfo(zone)
