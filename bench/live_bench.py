"""Live-feed delay: from a commit in one process to the ``ChangeWatcher`` callback in another.

Run: ``.venv/bin/python bench/live_bench.py`` (``--changes 50``, ``--quick`` for 15). A child
process commits events one write transaction at a time, a little apart (with jitter, so the
commits do not line up with SQLite's poll); this process watches and notes when each event id
is first reported. Median, 95th percentile and worst delay are printed per backend. PostgreSQL
is a throwaway server started the way the test suite does (``tests/pg.py``), or ``--postgres
URL`` (an empty, migrated database). Targets (issue 6): within 1 s on PostgreSQL, 2 s on SQLite.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from deskui.store.changes import record_event  # noqa: E402 - after the path set-up
from deskui.store.feed import ChangeWatcher  # noqa: E402
from deskui.store.migrate import upgrade  # noqa: E402
from deskui.store.session import Database  # noqa: E402


def commit_events(url: str, count: int, seed: int) -> list[tuple[int, float]]:
    """Child process: commit ``count`` events; ``(id, wall-clock time after commit)`` each."""
    jitter = random.Random(seed)
    database = Database(url)
    committed = []
    try:
        with database.read() as session:
            session.connection()
        for number in range(count):
            with database.write() as session:
                event_id = record_event(session, "bench.change", None, {"n": number})
            committed.append((event_id, time.time()))
            time.sleep(0.05 + jitter.random() * 0.15)
    finally:
        database.dispose()
    return committed


def measure(url: str, count: int) -> list[float]:
    """Delays in seconds, one per committed event, in commit order."""
    seen: list[tuple[float, int]] = []
    online = threading.Event()
    database = Database(url)
    watcher = ChangeWatcher(
        database,
        lambda latest: seen.append((time.time(), latest)),
        lambda state: online.set() if state else None,
    )
    watcher.start()
    try:
        if not online.wait(30):
            raise RuntimeError(f"the watcher could not connect to {database}")
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            committed = pool.apply(commit_events, (url, count, 1))
        deadline = time.monotonic() + 15
        while (not seen or seen[-1][1] < committed[-1][0]) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        watcher.stop()
        database.dispose()
    delays = []
    for event_id, at in committed:
        arrival = next((when for when, latest in seen if latest >= event_id), None)
        if arrival is None:
            raise RuntimeError(f"event {event_id} never reached the watcher")
        delays.append(arrival - at)
    return delays


def report(backend: str, delays: list[float], target: float) -> bool:
    ordered = sorted(delays)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    print(
        f"{backend:<10} {len(delays):>4} changes   median {median * 1000:7.1f} ms   "
        f"p95 {p95 * 1000:7.1f} ms   max {ordered[-1] * 1000:7.1f} ms   "
        f"(target {target:.0f} s: {'met' if median < target and p95 < target else 'MISSED'})",
        flush=True,
    )
    return median < target and p95 < target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="15 changes per backend")
    parser.add_argument("--postgres", help="URL of an empty migrated PostgreSQL database")
    args = parser.parse_args(argv)
    count = 15 if args.quick else args.changes
    ok = True
    with tempfile.TemporaryDirectory(prefix="deskui-live-bench-") as scratch:
        sqlite_url = f"sqlite:///{Path(scratch) / 'live.db'}"
        upgrade(sqlite_url)
        ok &= report("sqlite", measure(sqlite_url, count), target=2.0)
    if args.postgres:
        ok &= report("postgresql", measure(args.postgres, count), target=1.0)
        return 0 if ok else 1
    import pg  # tests/pg.py: the suite's throwaway server

    try:
        cluster = pg.start_cluster()
    except pg.PostgresNotFoundError as exc:
        print(f"postgresql skipped: {exc}")
        return 0 if ok else 1
    try:
        url = cluster.create_database("live_bench")
        upgrade(url)
        ok &= report("postgresql", measure(url, count), target=1.0)
    finally:
        cluster.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
