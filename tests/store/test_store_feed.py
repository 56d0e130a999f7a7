"""The change feed's read side (``deskui/store/feed.py``) on SQLite and a real PostgreSQL:
commits in another OS process reach the callback (by NOTIFY / ``data_version``: the safety read
is set a minute away), a dropped listener goes offline and comes back with a catch-up, stop()
returns, nothing raises. How fast is measured, not asserted: ``bench/live_bench.py`` (delivery)
and ``bench/live_desk_bench.py`` (stop)."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pg import PostgresCluster, free_port
from sqlalchemy.engine import make_url
from store_workers import record_events

from deskui.store.changes import record_event
from deskui.store.feed import ChangeWatcher
from deskui.store.session import Database

# One worker runs every 'live-feed' test (under `make test`'s pytest-xdist), one after
# another: they time the change feed's deliveries, so they should not compete with each other.
pytestmark = pytest.mark.xdist_group("live-feed")

EVENTUALLY = 10.0
# Only a delivery that never comes exceeds this, however loaded the machine; the speed targets
# (1 s PostgreSQL, 2 s SQLite) are figures of bench/live_bench.py.
GENEROUS = 15.0
# The watcher's periodic safety read is pushed past GENEROUS, so a change that arrives within it
# came by NOTIFY (PostgreSQL) or a ``data_version`` poll (SQLite).
NO_SAFETY_READ = 60.0


class Recorder:
    """Collects callbacks (with wall-clock arrival times) from the watcher thread."""

    def __init__(self) -> None:
        self.changes: list[tuple[float, int]] = []
        self.states: list[bool] = []
        self._condition = threading.Condition()

    def on_change(self, latest: int) -> None:
        with self._condition:
            self.changes.append((time.time(), latest))
            self._condition.notify_all()

    def on_state(self, online: bool) -> None:
        with self._condition:
            self.states.append(online)
            self._condition.notify_all()

    def latest(self) -> int:
        return self.changes[-1][1] if self.changes else 0

    def wait_for(self, predicate: Callable[[], bool], timeout: float = EVENTUALLY) -> bool:
        with self._condition:
            return self._condition.wait_for(predicate, timeout)

    def first_seen(self, event_id: int) -> float:
        return next(at for at, latest in self.changes if latest >= event_id)


def watch(database: Database, recorder: Recorder, **kwargs: Any) -> ChangeWatcher:
    watcher = ChangeWatcher(database, recorder.on_change, recorder.on_state, **kwargs)
    watcher.start()
    return watcher


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def watcher(database: Database, recorder: Recorder) -> Iterator[ChangeWatcher]:
    started = watch(database, recorder, retry_delay=0.1, safety_interval=NO_SAFETY_READ)
    try:
        assert recorder.wait_for(lambda: recorder.states == [True]), recorder.states
        yield started
    finally:
        started.stop()


def write_event(database: Database, kind: str = "test.change") -> int:
    with database.write() as session:
        return record_event(session, kind)


def test_a_commit_in_another_process_reaches_the_callback(
    database: Database, db_url: str, watcher: ChangeWatcher, recorder: Recorder
) -> None:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        committed = pool.apply(record_events, (db_url, 6, 0.3))
    last_id = committed[-1][0]
    assert recorder.wait_for(lambda: recorder.latest() >= last_id, GENEROUS), recorder.changes
    delays = [recorder.first_seen(event_id) - at for event_id, at in committed]
    # Every commit is told, each before the safety read could have found it.
    assert max(delays) < GENEROUS, delays
    assert [latest for _, latest in recorder.changes] == sorted(
        latest for _, latest in recorder.changes
    )
    assert recorder.states == [True]
    assert watcher.last_event_id == last_id


def test_existing_events_are_the_baseline_unless_after_id_is_given(
    database: Database, recorder: Recorder
) -> None:
    existing = write_event(database)
    quiet = watch(database, recorder)
    told = Recorder()
    catching_up = watch(database, told, after_id=0)
    try:
        assert told.wait_for(lambda: told.latest() == existing)
        assert recorder.wait_for(lambda: recorder.states == [True])
        time.sleep(0.6)
        assert recorder.changes == []
        assert quiet.last_event_id == existing
    finally:
        quiet.stop()
        catching_up.stop()


def test_stop_is_prompt_and_silences_the_callbacks(
    database: Database, watcher: ChangeWatcher, recorder: Recorder
) -> None:
    started = time.monotonic()
    watcher.stop()
    assert time.monotonic() - started < GENEROUS
    assert not watcher.running
    write_event(database)
    time.sleep(0.6)
    assert recorder.changes == []
    watcher.stop()  # a second stop is harmless


def test_start_right_after_a_stop_without_waiting_watches_again(
    database: Database, watcher: ChangeWatcher, recorder: Recorder
) -> None:
    watcher.stop(timeout=0)
    watcher.start()
    assert watcher.running
    time.sleep(0.5)  # the new thread has connected and taken its baseline
    change = write_event(database)
    assert recorder.wait_for(lambda: recorder.latest() == change)
    assert recorder.states == [True]  # the new thread found the watcher already online


def test_a_failing_callback_does_not_stop_the_watcher(database: Database) -> None:
    seen: list[int] = []

    def on_change(latest: int) -> None:
        seen.append(latest)
        if len(seen) == 1:
            raise RuntimeError("a broken screen")

    done = threading.Event()
    watcher = ChangeWatcher(database, lambda latest: (on_change(latest), done.set())[0])
    watcher.start()
    try:
        time.sleep(0.5)  # connected, baseline taken
        first = write_event(database)
        deadline = time.monotonic() + EVENTUALLY
        while first not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
        second = write_event(database)
        while second not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen == [first, second]
        assert watcher.running
    finally:
        watcher.stop()


@pytest.mark.postgres
def test_a_dropped_listener_goes_offline_then_catches_up(
    postgres_db_url: str, postgres_cluster: PostgresCluster, recorder: Recorder
) -> None:
    name = make_url(postgres_db_url).database
    database = Database(postgres_db_url)
    watcher = watch(
        database,
        recorder,
        retry_delay=0.1,
        max_retry_delay=0.2,
        safety_interval=NO_SAFETY_READ,
    )
    try:
        assert recorder.wait_for(lambda: recorder.states == [True])
        with database.read() as session:  # a pooled connection that outlives the lock-out
            session.connection()
        with postgres_cluster.admin() as admin:
            # Keep the watcher out while a change commits, so that only catch-up can tell it.
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            try:
                killed = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = %s AND application_name = 'deskui-feed'",
                    (name,),
                ).fetchone()
                assert killed == (1,)
                assert recorder.wait_for(lambda: recorder.states == [True, False])
                missed = write_event(database)
                time.sleep(0.3)  # several failed reconnects
                assert recorder.changes == []
            finally:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert recorder.wait_for(lambda: recorder.states == [True, False, True])
        assert recorder.wait_for(lambda: recorder.latest() == missed)
        # Listening again: a new commit arrives by NOTIFY (the safety read is a minute away).
        again = write_event(database)
        committed = time.time()
        assert recorder.wait_for(lambda: recorder.latest() == again, GENEROUS)
        assert recorder.first_seen(again) - committed < GENEROUS
    finally:
        watcher.stop()
        database.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_unreachable_database_is_reported_offline(
    backend: str, tmp_path: Path, recorder: Recorder
) -> None:
    if backend == "sqlite":
        # A directory where the file should be: SQLite cannot open it.
        url = f"sqlite:///{tmp_path}"
    else:
        url = f"postgresql://nobody@127.0.0.1:{free_port()}/nothing"
    database = Database(url)
    watcher = watch(database, recorder, retry_delay=0.1)
    try:
        assert recorder.wait_for(lambda: recorder.states == [False])
        time.sleep(0.3)
        assert recorder.states == [False]
        assert watcher.online is False
        started = time.monotonic()
        watcher.stop()
        assert time.monotonic() - started < GENEROUS
        assert not watcher.running
    finally:
        database.dispose()
