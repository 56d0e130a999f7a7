"""The change feed's ``listen_url``: the PostgreSQL ``LISTEN`` connection goes where it says, not
through the pooled URL (for a pooler that pools by transaction, where ``LISTEN`` cannot work)."""

from __future__ import annotations

import threading

import pytest
from pg import DatabasePool, PostgresCluster

from deskui.store.changes import record_event
from deskui.store.feed import ChangeWatcher
from deskui.store.session import Database

EVENTUALLY = 15.0


def write_event(database: Database) -> int:
    with database.write() as session:
        return record_event(session, "test.change")


def feed_databases(cluster: PostgresCluster) -> list[str]:
    with cluster.admin() as admin:
        rows = admin.execute(
            "SELECT datname FROM pg_stat_activity WHERE application_name = 'deskui-feed'"
        ).fetchall()
    return [name for (name,) in rows]


@pytest.mark.postgres
def test_the_feed_listens_on_listen_url(
    postgres_cluster: PostgresCluster, postgres_pool: DatabasePool
) -> None:
    pooled_name, listened_name = postgres_pool.acquire(), postgres_pool.acquire()
    pooled = Database(postgres_cluster.url(pooled_name))
    listened = Database(postgres_cluster.url(listened_name))
    seen: list[int] = []
    online = threading.Event()
    changed = threading.Condition()

    def on_change(latest: int) -> None:
        with changed:
            seen.append(latest)
            changed.notify_all()

    watcher = ChangeWatcher(
        pooled,
        on_change,
        lambda up: online.set() if up else None,
        listen_url=postgres_cluster.url(listened_name),
    )
    watcher.start()
    try:
        assert online.wait(EVENTUALLY)
        assert feed_databases(postgres_cluster) == [listened_name]
        first = write_event(listened)
        with changed:
            assert changed.wait_for(lambda: first in seen, EVENTUALLY), seen
    finally:
        watcher.stop()
        pooled.dispose()
        listened.dispose()
        postgres_pool.release(pooled_name)
        postgres_pool.release(listened_name)
