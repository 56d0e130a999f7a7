"""PostgreSQL connections held by idle desks: 1, 10 and 50 desk processes on one database.

Run: ``.venv/bin/python bench/connections_bench.py`` (``--desks 1 10 50`` by default, ``--quick``
for 1 and 5; ``--postgres URL`` for an empty migrated database of your own, else a throwaway
server as in ``tests/pg.py``). Each desk is a headless app process on the demo desk showing the
queue, started ten at a time; once all have painted and settled, ``pg_stat_activity`` is read
and the connections to the database counted by ``application_name`` (``deskui`` for the pool,
``deskui-feed`` for the change feed). Memory per desk process (RSS) is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
from idle_bench import demo_database  # the same demo desk the idle bench measures
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
AGENT = "mbrennan"
SETTLE_SECONDS = 3.0
BATCH = 10

# A desk that paints its queue, says "ready" and idles until its stdin closes.
PROBE = r"""
import asyncio, sys
from deskui.services.tickets.desk import DeskService
from deskui.settings import Settings
from deskui.ui.app import DeskApp

app = DeskApp(DeskService.open(Settings(database_url=sys.argv[1], agent=sys.argv[2])))
app.animation_level = "none"

async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await asyncio.sleep(float(sys.argv[3]))
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def connections(url: str) -> Counter[str]:
    """Client connections to the database of ``url``, by application name."""
    database = make_url(url).database
    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        rows = conn.execute(
            "SELECT application_name FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            (database,),
        ).fetchall()
    return Counter(name or "(none)" for (name,) in rows)


def measure(url: str, desks: int) -> None:
    started = time.perf_counter()
    processes: list[subprocess.Popen[str]] = []
    try:
        for first in range(0, desks, BATCH):
            batch = [
                subprocess.Popen(
                    [sys.executable, "-c", PROBE, url, AGENT, str(SETTLE_SECONDS)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
                for _ in range(first, min(desks, first + BATCH))
            ]
            for process in batch:
                assert process.stdout is not None
                if process.stdout.readline().strip() != "ready":
                    raise RuntimeError("a desk process did not start")
            processes += batch
        counted = connections(url)
        memory = [rss_mb(p.pid) for p in processes]
        total = sum(counted.values())
        print(
            f"{desks:>3} desks: {total:>4} connections ({total / desks:.2f} per desk: "
            + ", ".join(f"{name} {n}" for name, n in sorted(counted.items()))
            + f"); RSS per desk min {min(memory):.0f} / median {statistics.median(memory):.0f} / "
            f"max {max(memory):.0f} MB; started in {time.perf_counter() - started:.0f} s; "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    finally:
        for process in processes:
            if process.stdin is not None:
                process.stdin.close()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desks", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--quick", action="store_true", help="1 and 5 desks")
    parser.add_argument("--postgres", help="URL of an empty migrated PostgreSQL database")
    args = parser.parse_args(argv)
    counts = [1, 5] if args.quick else args.desks
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    if args.postgres:
        demo_database(args.postgres)
        for desks in counts:
            measure(args.postgres, desks)
        return 0
    sys.path.insert(0, str(REPO / "tests"))
    import pg  # tests/pg.py: the suite's throwaway server

    try:
        cluster = pg.start_cluster()
    except pg.PostgresNotFoundError as exc:
        print(f"postgresql skipped: {exc}")
        return 0
    try:
        url = cluster.create_database("connections_bench")
        demo_database(url)
        for desks in counts:
            measure(url, desks)
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
