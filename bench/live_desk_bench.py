"""How fast the paths the live-desk tests check are, on SQLite and PostgreSQL (figures only).

The tests (``tests/store/test_store_feed.py``, ``tests/services/test_live.py``,
``tests/ui/test_live_desk.py``) assert that these things happen, within a bound only a real
failure exceeds; the speed is measured here, and printed as min / median / max:

1. **desk**: another process opens a ticket and adds a note to the ticket open in a headless
   app (``run_test``, as the test drives it); from each commit to the new row in the queue pane
   and to the note in the ticket view's log. The fallback polls and the feed's safety read are
   a minute away, so only the change feed explains the delay. Target: 1 s PostgreSQL, 2 s SQLite.
2. **stop**: ``ChangeWatcher.stop()`` of a connected watcher (it joins the watcher thread), and
   ``LiveFeed.stop(wait=False)`` while a callback is still running (it must not wait).

The commit-to-callback delay of the feed alone is ``live_bench.py``'s "feed" line.
Run: ``.venv/bin/python bench/live_desk_bench.py`` (``--rounds N``, ``--quick`` for 3 rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"
sys.path[:0] = [str(TESTS), str(TESTS / "ui")]
SAMPLE_DATA = HERE.parent / "sample_data"
FROZEN_NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
QUIET = 60.0

from deskui.store.feed import ChangeWatcher  # noqa: E402 - after the path set-up
from deskui.store.session import Database  # noqa: E402


def figures(label: str, values: list[float], target: float | None = None) -> str:
    """One line: count, min, median, max in milliseconds (and the target, when there is one)."""
    line = (
        f"{label:<34} {len(values):>3} runs   min {min(values) * 1000:9.2f} ms   "
        f"median {statistics.median(values) * 1000:9.2f} ms   max {max(values) * 1000:9.2f} ms"
    )
    if target is not None:
        met = statistics.median(values) < target
        line += f"   (target {target:g} s: {'met' if met else 'MISSED'})"
    return line


# ---------------------------------------------------------------- commit → queue and ticket view
@contextmanager
def quiet_safety_read() -> Iterator[None]:
    """Every watcher started meanwhile reads the newest event only when told."""
    original = ChangeWatcher.__init__

    def quiet_init(self: ChangeWatcher, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **{**kwargs, "safety_interval": QUIET})

    ChangeWatcher.__init__ = quiet_init  # type: ignore[method-assign]
    try:
        yield
    finally:
        ChangeWatcher.__init__ = original  # type: ignore[method-assign]


def _other_agent(url: str, ref: str, note: str, subject: str) -> tuple[float, float]:
    """Run ``tests/ui/live_workers.py`` (a ticket opened, then a note): its two commit times."""
    done = subprocess.run(
        [sys.executable, str(TESTS / "ui" / "live_workers.py"), url, ref, note, subject,
         FROZEN_NOW.isoformat()],
        capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    _, opened, noted = json.loads(done.stdout)
    return float(opened), float(noted)


async def _desk_rounds(url: str, rounds: int) -> tuple[list[float], list[float]]:
    from pilot_helpers import wait_until
    from ticket_helpers import open_test_ticket, show_ticket

    from deskui.services.catalog.demo import DEMO_AGENT
    from deskui.services.tickets.desk import DeskService
    from deskui.settings import Settings
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.queue import QueueScreen
    from deskui.ui.widgets.interaction_log import InteractionLog

    settings = Settings(database_url=url, now=FROZEN_NOW, agent=DEMO_AGENT, refresh_seconds=QUIET)
    ref = open_test_ticket(settings)
    app = DeskApp(DeskService.open(settings), refresh_seconds=QUIET)
    app.animation_level = "none"
    to_queue: list[float] = []
    to_ticket: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        queue = next(s for s in app.screen_stack if isinstance(s, QueueScreen))
        await wait_until(pilot, lambda: queue._totals.get("open", 0) > 0)
        log = screen.query_one(InteractionLog)
        for number in range(rounds):
            note, subject = f"Bench note {number}", f"Bench ticket {number}"
            job = asyncio.create_task(asyncio.to_thread(_other_agent, url, ref, note, subject))
            seen: dict[str, float] = {}
            deadline = time.monotonic() + 60
            while len(seen) < 2 and time.monotonic() < deadline:
                await pilot.pause()
                if "queue" not in seen and any(r.subject == subject for r in queue._rows["open"]):
                    seen["queue"] = time.time()
                if "ticket" not in seen and note in "\n".join(log.plain_lines()):
                    seen["ticket"] = time.time()
                await asyncio.sleep(0.02)
            opened, noted = await job
            if set(seen) != {"queue", "ticket"}:
                raise RuntimeError(f"round {number}: only {sorted(seen)} showed the change")
            to_queue.append(seen["queue"] - opened)
            to_ticket.append(seen["ticket"] - noted)
    return to_queue, to_ticket


def measure_desk(url: str, rounds: int) -> tuple[list[float], list[float]]:
    with quiet_safety_read():
        return asyncio.run(_desk_rounds(url, rounds))


# ---------------------------------------------------------------- stopping the feed
def _connected(database: Database, on_change: Callable[[int], None]) -> ChangeWatcher:
    online = threading.Event()
    watcher = ChangeWatcher(database, on_change, lambda up: online.set() if up else None)
    watcher.start()
    if not online.wait(30):
        raise RuntimeError(f"the watcher could not connect to {database}")
    return watcher


def measure_stop(url: str, rounds: int) -> list[float]:
    """Seconds for ``ChangeWatcher.stop()`` of a connected, idle watcher."""
    database = Database(url)
    took = []
    try:
        for _ in range(rounds):
            watcher = _connected(database, lambda latest: None)
            started = time.perf_counter()
            watcher.stop()
            took.append(time.perf_counter() - started)
    finally:
        database.dispose()
    return took


def measure_stop_without_waiting(url: str, rounds: int) -> list[float]:
    """Seconds for ``LiveFeed.stop(wait=False)`` while its thread is inside a callback."""
    from deskui.services.live import LiveFeed
    from deskui.store.changes import record_event

    database = Database(url)
    took = []
    try:
        for _ in range(rounds):
            inside, release, online = threading.Event(), threading.Event(), threading.Event()

            def on_change(latest: int, inside: Any = inside, release: Any = release) -> None:
                inside.set()
                release.wait(30)

            feed = LiveFeed(
                database, on_change, lambda up, online=online: online.set() if up else None
            )
            feed.start()
            if not online.wait(30):
                raise RuntimeError(f"the feed could not connect to {database}")
            with database.write() as session:
                record_event(session, "bench.stop")
            if not inside.wait(30):
                raise RuntimeError("the change never reached the callback")
            started = time.perf_counter()
            feed.stop(wait=False)
            took.append(time.perf_counter() - started)
            release.set()
            feed.stop()
    finally:
        database.dispose()
    return took


# ---------------------------------------------------------------- driver
def run_backend(backend: str, url: str, rounds: int, target: float) -> bool:
    from deskui.services.catalog.demo import DEMO_AGENT, build_demo_database
    from deskui.settings import Settings

    build_demo_database(Settings(database_url=url, now=FROZEN_NOW, agent=DEMO_AGENT), SAMPLE_DATA)
    to_queue, to_ticket = measure_desk(url, rounds)
    print(figures(f"{backend} commit -> queue", to_queue, target), flush=True)
    print(figures(f"{backend} commit -> ticket view", to_ticket, target), flush=True)
    print(figures(f"{backend} watcher stop()", measure_stop(url, rounds)), flush=True)
    stop_now = measure_stop_without_waiting(url, rounds)
    print(figures(f"{backend} feed stop(wait=False)", stop_now), flush=True)
    return statistics.median(to_queue) < target and statistics.median(to_ticket) < target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="3 rounds per backend")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else args.rounds
    ok = True
    with tempfile.TemporaryDirectory(prefix="deskui-live-desk-bench-") as scratch:
        ok &= run_backend("sqlite", f"sqlite:///{Path(scratch) / 'desk.db'}", rounds, 2.0)
    import pg  # tests/pg.py: the suite's throwaway server

    try:
        cluster = pg.start_cluster()
    except pg.PostgresNotFoundError as exc:
        print(f"postgresql skipped: {exc}")
        return 0 if ok else 1
    try:
        ok &= run_backend("postgresql", cluster.create_database("live_desk_bench"), rounds, 1.0)
    finally:
        cluster.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
