"""Engines for SQLite and PostgreSQL, set up the way deskui needs them.

SQLite: WAL (readers never block the writer), ``foreign_keys=ON``, a busy timeout, and
``synchronous=NORMAL`` (durable at checkpoints, safe against corruption in WAL mode). The
``sqlite3`` driver's own transaction handling is switched off (``isolation_level = None``) and
SQLAlchemy's ``begin`` event emits ``BEGIN`` itself, as the SQLAlchemy SQLite documentation
describes, so that reads are real snapshots and a connection carrying the execution option
``sqlite_begin="IMMEDIATE"`` (``Database.write()``) takes the write lock at ``BEGIN``. A
deferred transaction that reads and then writes fails at once with ``SQLITE_BUSY_SNAPSHOT``
under contention, whatever the busy timeout.

PostgreSQL: ``postgresql+psycopg://``; plain ``postgresql://`` and ``postgres://`` are rewritten.
Sessions run in UTC with a lock timeout, so a stuck row lock becomes ``StoreBusyError`` instead of
a frozen screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

BUSY_TIMEOUT_SECONDS = 10
BEGIN_OPTION = "sqlite_begin"
_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})


def normalise_url(url: str | URL) -> URL:
    """``url`` with the driver deskui uses: psycopg 3 for PostgreSQL, pysqlite for SQLite."""
    parsed = make_url(url) if isinstance(url, str) else url
    backend, _, driver = parsed.drivername.partition("+")
    if backend in {"postgresql", "postgres"}:
        if driver not in {"", "psycopg"}:
            raise ValueError(f"deskui talks to PostgreSQL through psycopg 3, not {driver!r}")
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if driver not in {"", "pysqlite"}:
            raise ValueError(f"deskui talks to SQLite through the sqlite3 module, not {driver!r}")
        return parsed.set(drivername="sqlite+pysqlite")
    raise ValueError(
        f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: "
        "use sqlite:///PATH or postgresql://USER@HOST/NAME"
    )


def is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in {None, "", ":memory:"}


def make_engine(
    url: str | URL, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS, **kwargs: Any
) -> Engine:
    """An engine for ``url`` (SQLite or PostgreSQL) with deskui's connection settings.

    ``busy_timeout`` (seconds) is how long a write waits for another writer's lock (SQLite) or
    a row lock (PostgreSQL ``lock_timeout``) before giving up with ``StoreBusyError``. Extra
    ``kwargs`` go to ``sqlalchemy.create_engine`` (``echo=True`` to see the SQL).
    """
    parsed = normalise_url(url)
    if busy_timeout <= 0:
        raise ValueError("busy_timeout must be positive")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, busy_timeout, **kwargs)
    return _postgresql_engine(parsed, busy_timeout, **kwargs)


def _sqlite_engine(url: URL, busy_timeout: float, **kwargs: Any) -> Engine:
    memory = is_memory_sqlite(url)
    if not memory and url.database and not url.database.startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args: dict[str, Any] = {"timeout": busy_timeout, "check_same_thread": False}
    connect_args.update(kwargs.pop("connect_args", {}))
    if memory:
        # Every connection to ":memory:" is a new empty database: share one.
        kwargs.setdefault("poolclass", StaticPool)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below); the driver must not add its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if not memory:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = str(connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")).upper()
        if mode not in _BEGIN_MODES:
            raise ValueError(f"{BEGIN_OPTION} must be one of {sorted(_BEGIN_MODES)}, not {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _postgresql_engine(url: URL, busy_timeout: float, **kwargs: Any) -> Engine:
    options = f"-c timezone=UTC -c lock_timeout={int(busy_timeout * 1000)}"
    given = url.query.get("options")
    if given:
        # Options in the URL come last so an operator can override ours.
        options = f"{options} {given if isinstance(given, str) else ' '.join(given)}"
        url = url.difference_update_query(["options"])
    # Named, so pg_stat_activity tells deskui's pooled connections from its feed ("deskui-feed").
    connect_args: dict[str, Any] = {"options": options}
    if "application_name" not in url.query:
        connect_args["application_name"] = "deskui"
    connect_args.update(kwargs.pop("connect_args", {}))
    # A restarted server leaves dead pooled connections: check before handing one out.
    kwargs.setdefault("pool_pre_ping", True)
    # A small pool: a desk process runs a few short reads at once (queue, header, presence);
    # two stay open between them, up to three more only while a burst lasts. One server's
    # max_connections then serves many desks (see docs/benchmarks.md, "Connections").
    kwargs.setdefault("pool_size", 2)
    kwargs.setdefault("max_overflow", 3)
    return create_engine(url, connect_args=connect_args, **kwargs)
