"""A throwaway PostgreSQL cluster for the test run: initdb into a temp dir, start it on a free
loopback port (socket in the temp dir, trust auth, fsync off), hand out fresh databases cloned
from a migrated template, and remove everything at the end.

PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` user
(created by Debian's package) and the server programs run through ``runuser``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql

SUPERUSER = "postgres"
TEMPLATE = "deskui_template"


class PostgresNotFoundError(RuntimeError):
    """No ``initdb``/``pg_ctl`` on this machine."""


DEBIAN_VERSIONS = Path("/usr/lib/postgresql")


def find_bin_dir(path: str | None = None, versions: Path = DEBIAN_VERSIONS) -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``: on ``path`` (default ``$PATH``), else
    the newest of Debian's ``/usr/lib/postgresql/<version>/bin``."""
    found = shutil.which("pg_ctl", path=path)
    if found and (Path(found).parent / "initdb").exists():
        return Path(found).parent
    candidates = sorted(
        (pg_ctl.parent for pg_ctl in versions.glob("*/bin/pg_ctl")),
        key=lambda bin_dir: int(bin_dir.parent.name) if bin_dir.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    raise PostgresNotFoundError(
        f"no PostgreSQL server programs (initdb, pg_ctl) on PATH or in {versions}/*/bin"
    )


def postgres_unavailable(reason: str, *, ci: bool) -> NoReturn:
    """Skip the PostgreSQL tests with ``reason``, except under CI, where they must run: fail."""
    if ci:
        pytest.fail(f"CI must test PostgreSQL, but: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (install Debian's 'postgresql' package)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    """A running throwaway cluster; ``stop()`` removes it."""

    bin_dir: Path
    root: Path
    port: int
    run_as: str | None = None
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *command]
        return command

    def _run(self, program: str, *args: str, timeout: float = 120) -> None:
        result = subprocess.run(
            self._command(program, *args),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.root,
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(
                f"{program} {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{tail}"
            )

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.root}",
                "-c listen_addresses=127.0.0.1",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
                "-c autovacuum=off",
            ]
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def admin(self) -> psycopg.Connection:
        """An autocommit connection to the ``postgres`` database (CREATE/DROP DATABASE)."""
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        )

    def create_database(self, name: str, template: str | None = None) -> str:
        with self.admin() as connection:
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            connection.execute(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self.admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def fresh_database_name(self, prefix: str = "test") -> str:
        return f"{prefix}_{os.getpid()}_{next(self._counter)}"


def start_cluster(bin_dir: Path | None = None) -> PostgresCluster:
    """Start a throwaway cluster (as the ``postgres`` user when we are root)."""
    bin_dir = bin_dir or find_bin_dir()
    run_as = None
    root = Path(tempfile.mkdtemp(prefix="deskui-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(SUPERUSER)
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            raise PostgresNotFoundError(
                "running as root, and there is no 'postgres' user to run the server as"
            ) from None
        os.chown(root, account.pw_uid, account.pw_gid)
        run_as = SUPERUSER
    cluster = PostgresCluster(bin_dir=bin_dir, root=root, port=free_port(), run_as=run_as)
    error: RuntimeError | None = None
    for _ in range(3):
        try:
            cluster.start()
            break
        except RuntimeError as exc:
            # Another process may have taken the port between choosing and binding it.
            error = exc
            _reset(cluster)
    else:
        cluster.stop()
        assert error is not None
        raise error
    _wait_ready(cluster)
    return cluster


def _reset(cluster: PostgresCluster) -> None:
    with contextlib.suppress(Exception):
        cluster._run("pg_ctl", "-D", str(cluster.data_dir), "-m", "immediate", "-w", "stop")
    shutil.rmtree(cluster.data_dir, ignore_errors=True)
    cluster.port = free_port()


def _wait_ready(cluster: PostgresCluster, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with cluster.admin() as connection:
                connection.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


_SCHEMA_STATE = """
SELECT
    (SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables
     WHERE schemaname = 'public'),
    (SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal),
    (SELECT string_agg(version_num, ',') FROM alembic_version)
"""


class DatabasePool:
    """Fresh migrated databases for tests, cheaply.

    ``CREATE DATABASE … TEMPLATE`` costs about 0.4 s for the deskui schema, so a database a
    test is done with is emptied instead (every table but ``alembic_version``, sequences
    restarted) and handed to the next test. Emptying runs with ``session_replication_role =
    replica``, which skips foreign-key checks and deskui's append-only triggers; that needs the
    superuser and is for tests only. A database whose schema a test changed (tables, triggers,
    revision) is dropped rather than reused.
    """

    def __init__(self, cluster: PostgresCluster, template: str) -> None:
        self.cluster = cluster
        self.template = template
        self._idle: list[str] = []
        self._expected = self._schema_state(template)

    def _connect(self, name: str) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.cluster.port, user=SUPERUSER, dbname=name, autocommit=True
        )

    def _schema_state(self, name: str) -> tuple[object, ...]:
        with self._connect(name) as connection:
            row = connection.execute(_SCHEMA_STATE).fetchone()
        assert row is not None
        return tuple(row)

    def acquire(self) -> str:
        """The name of an empty, migrated database nobody else is using."""
        if self._idle:
            return self._idle.pop()
        name = self.cluster.fresh_database_name()
        self.cluster.create_database(name, template=self.template)
        return name

    def release(self, name: str) -> None:
        """Give back a database: emptied for reuse, or dropped if it cannot be."""
        try:
            reusable = self._empty(name)
        except psycopg.Error:
            reusable = False
        if reusable:
            self._idle.append(name)
        else:
            self.cluster.drop_database(name)

    def _empty(self, name: str) -> bool:
        with self.cluster.admin() as admin:
            # Connections a test left open (pools, listeners) would hold locks and sessions.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
        if self._schema_state(name) != self._expected:
            return False
        with self._connect(name) as connection:
            connection.execute("SET lock_timeout = '2s'")
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            ]
            sequences = [
                row[0]
                for row in connection.execute(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
                )
            ]
            with connection.transaction():
                connection.execute("SET LOCAL session_replication_role = replica")
                for table in tables:
                    connection.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
                for sequence in sequences:
                    connection.execute(
                        sql.SQL("ALTER SEQUENCE {} RESTART").format(sql.Identifier(sequence))
                    )
        return True
