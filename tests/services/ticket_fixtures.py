"""Databases seeded with the sample catalog, for the ticket service tests (both backends).

Seeding takes a fraction of a second, so it happens once per backend per test module: a
seeded SQLite file is copied for each test, a seeded PostgreSQL database is each test's
template. A test module takes the fixtures with ``from ticket_fixtures import *`` (a star
import, so that fixture parameters do not read as redefinitions to the linter).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskui.domain.calendar.book import CalendarBook
from deskui.services.catalog.load import Catalog, load_catalog_from_directory
from deskui.services.catalog.seeding import seed_catalog
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
SEEDED_AT = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
BACKENDS = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))

__all__ = [
    "SAMPLE_DATA",
    "desk",
    "sample_book",
    "sample_catalog",
    "seeded_postgres_template",
    "seeded_sqlite_template",
    "seeded_url",
]


@pytest.fixture(scope="session")
def sample_catalog() -> Catalog:
    return load_catalog_from_directory(SAMPLE_DATA)


@pytest.fixture(scope="session")
def sample_book(sample_catalog: Catalog) -> CalendarBook:
    """The sample calendars compiled straight from the files (not from the database)."""
    return CalendarBook(sample_catalog.calendars.values())


def _seed(url: str, catalog: Catalog) -> None:
    database = Database(url)
    try:
        seed_catalog(database, catalog, now=SEEDED_AT)
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def seeded_sqlite_template(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, sample_catalog: Catalog
) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    shutil.copyfile(sqlite_template, path)
    _seed(f"sqlite:///{path}", sample_catalog)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="module")
def seeded_postgres_template(
    postgres_cluster,  # tests/pg.py's PostgresCluster
    postgres_pool,  # tests/pg.py's DatabasePool: its template is migrated and empty
    sample_catalog: Catalog,
) -> Iterator[str]:
    name = postgres_cluster.fresh_database_name("seeded")
    _seed(postgres_cluster.create_database(name, template=postgres_pool.template), sample_catalog)
    try:
        yield name
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture(params=BACKENDS)
def seeded_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database holding the sample catalog and no tickets."""
    if request.param == "sqlite":
        path = tmp_path / "desk.db"
        shutil.copyfile(request.getfixturevalue("seeded_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    template = request.getfixturevalue("seeded_postgres_template")
    name = cluster.fresh_database_name()
    url = cluster.create_database(name, template=template)
    try:
        yield url
    finally:
        cluster.drop_database(name)


@pytest.fixture
def desk(seeded_url: str) -> Iterator[Database]:
    database = Database(seeded_url)
    try:
        yield database
    finally:
        database.dispose()
