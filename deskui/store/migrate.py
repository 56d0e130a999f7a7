"""Schema migrations, driven from code: ``upgrade(url)`` and ``current_revision(url)``.

Alembic is configured programmatically (``script_location = deskui.store:migrations``), so an
installed deskui needs no ``alembic.ini``. Upgrades run in one transaction (SQLite included)
under a lock, so two processes upgrading at once do not trip over each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import URL

from deskui.store.engine import BEGIN_OPTION, make_engine
from deskui.store.session import translate_errors

SCRIPT_LOCATION = "deskui.store:migrations"
# pg_advisory_xact_lock key serialising concurrent upgrades of one PostgreSQL database.
_MIGRATION_LOCK_KEY = 0x6D696772  # "migr"


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic ``Config`` pointing at deskui's migrations (for ``alembic.command``)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if url is not None:
        text = url if isinstance(url, str) else url.render_as_string(hide_password=False)
        # ConfigParser interpolates '%': a URL-encoded password must survive it.
        config.set_main_option("sqlalchemy.url", text.replace("%", "%%"))
    return config


@contextmanager
def _engine_for(target: str | URL | Engine) -> Iterator[Engine]:
    if isinstance(target, Engine):
        yield target
        return
    engine = make_engine(target)
    try:
        yield engine
    finally:
        engine.dispose()


def upgrade(target: str | URL | Engine, revision: str = "head") -> None:
    """Bring the database at ``target`` (a URL or an engine) up to ``revision``."""
    config = alembic_config()
    # IMMEDIATE on SQLite: take the write lock before reading the current revision.
    with (
        _engine_for(target) as engine,
        engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"}).begin() as connection,
    ):
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_KEY)))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(target: str | URL | Engine, revision: str) -> None:
    """Take the database at ``target`` back to ``revision`` (``"base"`` drops everything)."""
    config = alembic_config()
    with (
        _engine_for(target) as engine,
        engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"}).begin() as connection,
    ):
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(target: str | URL | Engine) -> str | None:
    """The revision the database is at; ``None`` for a database never migrated."""
    with translate_errors(), _engine_for(target) as engine, engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision this version of deskui ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("deskui ships no migrations")
    return head


def is_up_to_date(target: str | URL | Engine) -> bool:
    return current_revision(target) == head_revision()
