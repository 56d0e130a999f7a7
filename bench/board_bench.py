"""Breach board benchmark: ``board_snapshot`` over a generated database, whole desk and filtered.

Run: ``.venv/bin/python bench/board_bench.py`` (generates 50,000 tickets into a temporary SQLite
file; ``--quick`` for 10,000; ``--db URL`` to time an existing database such as one filled by
``deskui db generate --tickets 1000000``). Prints the median wall time of a few snapshots (the
calendars are compiled by the first, untimed one), and the board's counts. The board refreshes
on every change an agent commits, so this is the cost of one refresh. Figures are printed, not
asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from deskui.services.catalog.generate import generate_tickets
from deskui.services.catalog.seeding import seed_directory
from deskui.services.supervision.board import BoardFilter, board_choices, board_snapshot
from deskui.store.migrate import upgrade
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"
NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
RUNS = 5


def _time(database: Database, now: dt.datetime, wanted: BoardFilter) -> None:
    board_snapshot(database, now, wanted)  # compiles the calendars it needs
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        snap = board_snapshot(database, now, wanted)
        times.append(time.perf_counter() - began)
    print(
        f"{wanted.describe():<32} open {snap.open_total:>7}  breached {snap.breached_total:>7}  "
        f"<60m {snap.within_60_total:>4}  agents {len(snap.agents):>3}  "
        f"median {statistics.median(times) * 1000:7.1f} ms",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="10,000 tickets")
    parser.add_argument("--db", default=None, help="an existing database URL (no generating)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="deskui-board-bench-") as directory:
        url = args.db
        now = NOW if args.db is None else dt.datetime.now(dt.UTC)
        if url is None:
            url = f"sqlite:///{Path(directory) / 'board.db'}"
            upgrade(url)
            database = Database(url)
            try:
                n = 10_000 if args.quick else args.tickets
                seed_directory(database, SAMPLE_DATA, now=NOW)
                started = time.perf_counter()
                generate_tickets(database, n, now=NOW)
                print(f"generated {n:,} tickets in {time.perf_counter() - started:.1f} s")
            finally:
                database.dispose()
        database = Database(url)
        try:
            choices = board_choices(database)
            _time(database, now, BoardFilter())
            if choices.policies:
                _time(database, now, BoardFilter(policy=choices.policies[0]))
            if choices.teams:
                _time(database, now, BoardFilter(team=choices.teams[0]))
        finally:
            database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
