"""Test-database fixtures shared by the whole suite (documented in docs/store.md).

- ``db_url``: a fresh, migrated, empty database per test, parametrized over ``sqlite`` and
  ``postgres`` (the latter marked ``postgres``), so one test body runs on both backends.
- ``database``: a ``deskui.store.session.Database`` on ``db_url``.
- ``sqlite_db_url`` / ``postgres_db_url``: the same for one backend only.
- ``postgres_cluster``: the throwaway PostgreSQL server, started on first use for the run.

Fresh databases are cheap: SQLite copies a migrated template file; PostgreSQL clones a migrated
template database (``CREATE DATABASE … TEMPLATE``) and, after a test, empties it for the next
one (``pg.DatabasePool``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg import (
    DatabasePool,
    PostgresCluster,
    PostgresNotFoundError,
    postgres_unavailable,
    start_cluster,
)

from deskui.store.migrate import upgrade
from deskui.store.session import Database

BACKENDS = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the PostgreSQL server ``postgres`` (``-m "not postgres"``)."""
    for item in items:
        if "postgres_cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The run's own cache directory (the holiday tables), so tests never touch ~/.cache."""
    path = tmp_path_factory.mktemp("xdg-cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(path)
    try:
        yield path
    finally:
        if before is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(autouse=True)
def private_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test's own user data, state and config directories (inherited by every desk
    process it starts), so no test reads another's form drafts, theme or settings, and none
    writes into the real user's. Two tests on two workers once opened the same ticket's note
    form as the same agent: one restored the other's autosaved draft and saved both texts."""
    root = tmp_path_factory.mktemp("xdg")
    for name, sub in (("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"),
                      ("XDG_CONFIG_HOME", "config")):  # fmt: skip
        monkeypatch.setenv(name, str(root / sub))
    return root


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL server for this test run; skipped (or, under CI, failed) if none exists."""
    try:
        cluster = start_cluster()
    except PostgresNotFoundError as exc:
        postgres_unavailable(str(exc), ci=os.environ.get("CI") == "true")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_pool(postgres_cluster: PostgresCluster) -> DatabasePool:
    """Fresh migrated databases: cloned from a migrated template, emptied and reused."""
    upgrade(postgres_cluster.create_database("deskui_template"))
    return DatabasePool(postgres_cluster, "deskui_template")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file that fresh test databases are copied from."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    # Fold the WAL into the main file so that copying the one file copies everything.
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def sqlite_db_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh migrated SQLite database file for this test."""
    path = tmp_path / "deskui.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_db_url(
    postgres_cluster: PostgresCluster, postgres_pool: DatabasePool
) -> Iterator[str]:
    """A fresh migrated, empty PostgreSQL database for this test."""
    name = postgres_pool.acquire()
    try:
        yield postgres_cluster.url(name)
    finally:
        postgres_pool.release(name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database for this test, once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_db_url"))


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A ``Database`` on this test's fresh database (both backends)."""
    db = Database(db_url)
    try:
        yield db
    finally:
        db.dispose()
