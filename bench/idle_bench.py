"""CPU of an idle desk: the queue, a ticket view and the breach board left open, nothing changing.

Run: ``.venv/bin/python bench/idle_bench.py`` (``--seconds 60`` by default, ``--quick`` for 10 s;
``--postgres URL`` for an empty migrated database of your own, else a throwaway server as in
``tests/pg.py``). Each screen runs in its own headless app process on the demo desk, with the
real clock and the default settings (a 30 s safety-net re-read beside the change feed). After
the first paint settles, the process's CPU time (every thread: UI, workers, feed) and the SQL
statements sent through its engine are counted over the window. The six processes run at the
same time to keep the run short; CPU time is per process, so they barely disturb each other's
figure. Target (issue "cost per seat"): at most 1 % of a core over 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAMPLE_DATA = REPO / "sample_data"
AGENT = "sokafor"  # a supervisor: may watch the board (sample_data/agents.yaml)
SETTLE_SECONDS = 5.0
TARGET_PERCENT = 1.0
SCREENS = ("queue", "ticket", "board")

PROBE = r"""
import asyncio, cProfile, json, os, pstats, sys, time
from sqlalchemy import event, select
from deskui.services.tickets.desk import DeskService
from deskui.settings import Settings
from deskui.store.models import Ticket
from deskui.ui.app import DeskApp
from deskui.ui.screens.board import BoardScreen
from deskui.ui.screens.ticket import TicketScreen

url, screen, window, settle = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
profile = bool(os.environ.get("IDLE_BENCH_PROFILE"))  # where the CPU goes, on stderr
desk = DeskService.open(Settings(database_url=url, agent=sys.argv[5]))
statements = [0]
def count(*_args):
    statements[0] += 1
event.listen(desk.database.engine, "before_cursor_execute", count)
app = DeskApp(desk)
app.animation_level = "none"

async def main():
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        if screen == "ticket":
            with desk.database.read() as session:
                ref = session.scalars(select(Ticket.reference).order_by(Ticket.id)).first()
            app.push_screen(TicketScreen(ref))
        elif screen == "board":
            app.push_screen(BoardScreen())
        await asyncio.sleep(settle)
        cpu, queries, wall = time.process_time(), statements[0], time.monotonic()
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
        await asyncio.sleep(window)
        cpu, queries = time.process_time() - cpu, statements[0] - queries
        if profile:
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
        wall = time.monotonic() - wall
        shown = type(app.screen).__name__
        print(json.dumps({"cpu": cpu, "wall": wall, "queries": queries, "screen": shown}))

asyncio.run(main())
"""


def demo_database(url: str) -> None:
    """The demo desk (sample catalog plus stories spread around now) in ``url``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "deskui",
            "--db",
            url,
            "demo",
            "--no-app",
            "--data",
            str(SAMPLE_DATA),
        ],
        check=True,
        capture_output=True,
    )


def start(url: str, screen: str, seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", PROBE, url, screen, str(seconds), str(SETTLE_SECONDS), AGENT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def measure(urls: dict[str, str], seconds: float) -> bool:
    """Every screen on every backend at once; one line each."""
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    running = {(b, s): start(url, s, seconds) for b, url in urls.items() for s in SCREENS}
    ok = True
    for (backend, screen), process in running.items():
        out, err = process.communicate(timeout=seconds + 180)
        if process.returncode != 0:
            print(f"{backend:<10} {screen:<7} FAILED: {err.strip().splitlines()[-1:]}")
            ok = False
            continue
        figures = json.loads(out.strip().splitlines()[-1])
        percent = 100 * figures["cpu"] / figures["wall"]
        met = percent <= TARGET_PERCENT
        ok &= met
        print(
            f"{backend:<10} {screen:<7} {percent:5.2f} % of a core over {figures['wall']:.0f} s "
            f"({figures['cpu']:.2f} s CPU), {figures['queries']} SQL statements "
            f"({60 * figures['queries'] / figures['wall']:.1f}/min) on {figures['screen']}; "
            f"target {TARGET_PERCENT} %: {'met' if met else 'NOT met'}",
            flush=True,
        )
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="idle window measured")
    parser.add_argument("--quick", action="store_true", help="a 10 s window")
    parser.add_argument("--postgres", help="URL of an empty migrated PostgreSQL database")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    seconds = 10.0 if args.quick else args.seconds
    with tempfile.TemporaryDirectory(prefix="deskui-idle-bench-") as scratch:
        urls = {"sqlite": f"sqlite:///{Path(scratch) / 'idle.db'}"}
        demo_database(urls["sqlite"])
        if args.sqlite_only:
            return 0 if measure(urls, seconds) else 1
        if args.postgres:
            demo_database(args.postgres)
            return 0 if measure({**urls, "postgresql": args.postgres}, seconds) else 1
        sys.path.insert(0, str(REPO / "tests"))
        import pg  # tests/pg.py: the suite's throwaway server

        try:
            cluster = pg.start_cluster()
        except pg.PostgresNotFoundError as exc:
            print(f"postgresql skipped: {exc}")
            return 0 if measure(urls, seconds) else 1
        try:
            urls["postgresql"] = cluster.create_database("idle_bench")
            demo_database(urls["postgresql"])
            return 0 if measure(urls, seconds) else 1
        finally:
            cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
