"""Schema migrations, driven from code: ``upgrade(url)`` and ``current_revision(url)``.

Alembic is configured programmatically (``script_location = deskui.store:migrations``), so an
installed deskui needs no ``alembic.ini``. Upgrades run in one transaction (SQLite included)
under a lock, so two processes upgrading at once do not trip over each other.

Every command checks the schema, so that check stays cheap: ``current_revision`` reads the
``alembic_version`` table with one plain query and ``head_revision`` reads the revision ids
from the migration files' text (a test keeps it equal to Alembic's own answer). Alembic itself
(a tenth of a second to import) is loaded only to upgrade or downgrade.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import URL

from deskui.store.engine import BEGIN_OPTION, make_engine
from deskui.store.session import translate_errors

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = "deskui.store:migrations"
# pg_advisory_xact_lock key serialising concurrent upgrades of one PostgreSQL database.
_MIGRATION_LOCK_KEY = 0x6D696772  # "migr"
VERSIONS_DIR = Path(__file__).with_name("migrations") / "versions"
VERSION_TABLE = "alembic_version"
# ``revision: str = "0003"`` and ``down_revision: str | None = "0002"`` (or a tuple of ids).
_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic ``Config`` pointing at deskui's migrations (for ``alembic.command``)."""
    from alembic.config import Config

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
    from alembic import command

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
    from alembic import command

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
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    if len(rows) > 1:
        raise RuntimeError(f"the database is at several revisions: {sorted(r[0] for r in rows)}")
    return rows[0][0] if rows else None


@cache
def head_revision() -> str:
    """The newest revision this version of deskui ships: the one no other revision revises."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in VERSIONS_DIR.glob("*.py"):
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            ids = _QUOTED.findall(value)
            (revisions if name == "revision" else revised).update(ids)
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"deskui's migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def is_up_to_date(target: str | URL | Engine) -> bool:
    return current_revision(target) == head_revision()
