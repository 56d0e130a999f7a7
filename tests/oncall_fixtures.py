"""Databases seeded with the sample catalog around late November 2026, so Kenco's on-call
shifts cover the weekday nights, the weekend and Thanksgiving the paging tests use.

Like ``tests/services/ticket_fixtures.py``: seeded once per backend per test module (a SQLite
file copied for each test, a PostgreSQL template cloned for each test). A test module takes
the fixtures with ``from oncall_fixtures import *``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskui.services.catalog.seeding import seed_directory
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"
ONCALL_SEEDED_AT = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
BACKENDS = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))

__all__ = ["oncall_postgres_template", "oncall_sqlite_template", "oncall_url", "seeded"]


def _seed(url: str) -> None:
    database = Database(url)
    try:
        seed_directory(database, SAMPLE_DATA, now=ONCALL_SEEDED_AT)
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def oncall_sqlite_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("oncall") / "seeded.db"
    shutil.copyfile(sqlite_template, path)
    _seed(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="module")
def oncall_postgres_template(
    postgres_cluster,  # tests/pg.py's PostgresCluster
    postgres_pool,  # tests/pg.py's DatabasePool: its template is migrated and empty
) -> Iterator[str]:
    name = postgres_cluster.fresh_database_name("oncall")
    _seed(postgres_cluster.create_database(name, template=postgres_pool.template))
    try:
        yield name
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture(params=BACKENDS)
def oncall_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database holding the sample catalog and its shifts, and no tickets."""
    if request.param == "sqlite":
        path = tmp_path / "desk.db"
        shutil.copyfile(request.getfixturevalue("oncall_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    template = request.getfixturevalue("oncall_postgres_template")
    name = cluster.fresh_database_name()
    url = cluster.create_database(name, template=template)
    try:
        yield url
    finally:
        cluster.drop_database(name)


@pytest.fixture
def seeded(oncall_url: str) -> Iterator[Database]:
    database = Database(oncall_url)
    try:
        yield database
    finally:
        database.dispose()
