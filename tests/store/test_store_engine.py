"""Engine set-up: URLs, the SQLite pragmas, and SQLite write transactions that BEGIN IMMEDIATE."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, text

from deskui.store.engine import make_engine, normalise_url
from deskui.store.session import Database


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h/d", "postgresql+psycopg"),
        ("postgres://u@h/d", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite+pysqlite"),
    ],
)
def test_urls_get_deskuis_drivers(url: str, driver: str) -> None:
    assert normalise_url(url).drivername == driver


@pytest.mark.parametrize("url", ["postgresql+psycopg2://u@h/d", "mysql://u@h/d"])
def test_other_drivers_are_refused_by_name(url: str) -> None:
    with pytest.raises(ValueError, match=r"psycopg2|unsupported database URL"):
        normalise_url(url)


def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "deskui.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert path.exists()
    finally:
        engine.dispose()


def test_sqlite_pragmas_are_in_effect(sqlite_db_url: str) -> None:
    db = Database(sqlite_db_url)
    try:
        with db.read() as session:
            pragma = {
                name: session.execute(text(f"PRAGMA {name}")).scalar_one()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
        assert pragma == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": 10_000,
            "synchronous": 1,  # NORMAL
        }
    finally:
        db.dispose()


def test_in_memory_sqlite_shares_one_database() -> None:
    db = Database("sqlite://")
    try:
        with db.write() as session:
            session.execute(text("CREATE TABLE t (x INTEGER)"))
            session.execute(text("INSERT INTO t VALUES (1)"))
        with db.read() as session:
            assert session.execute(text("SELECT x FROM t")).scalar_one() == 1
    finally:
        db.dispose()


def _statements(db: Database) -> list[str]:
    seen: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _record(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen.append(statement)

    return seen


def test_sqlite_writes_begin_immediate_and_reads_begin_deferred(sqlite_db_url: str) -> None:
    db = Database(sqlite_db_url)
    seen = _statements(db)
    try:
        with db.write() as session:
            session.execute(text("SELECT 1"))
        with db.read() as session:
            session.execute(text("SELECT 1"))
        assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]
    finally:
        db.dispose()


def test_sqlite_write_transaction_holds_the_write_lock_from_the_start(sqlite_db_url: str) -> None:
    """The behaviour BEGIN IMMEDIATE buys: once a write block has started, no other connection
    can start writing, even before the block has written anything."""
    path = sqlite_db_url.removeprefix("sqlite:///")
    db = Database(sqlite_db_url)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with db.read() as session:
            session.execute(text("SELECT count(*) FROM ticket")).scalar_one()
            other.execute("BEGIN IMMEDIATE")  # a reader does not block a writer
            other.execute("ROLLBACK")
        with db.write() as session:
            session.execute(text("SELECT count(*) FROM ticket")).scalar_one()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()
        db.dispose()
