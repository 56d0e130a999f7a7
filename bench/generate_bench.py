"""Ticket generation benchmark: ``deskui db generate`` throughput into a fresh SQLite file.

Run: ``.venv/bin/python bench/generate_bench.py`` (100,000 tickets; ``--quick`` for 20,000,
``--tickets 1000000`` for the full-scale run, ``--db URL`` for another database, e.g. a
PostgreSQL one that has been created empty). Seeds ``sample_data/`` first, then reports the
time per chunk, tickets and log entries per second, and the database file size. Figures are
printed, not asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from deskui.services.catalog.generate import CHUNK_SIZE, generate_tickets
from deskui.services.catalog.seeding import seed_directory
from deskui.store.migrate import upgrade
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"
NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="20,000 tickets")
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite file)")
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    args = parser.parse_args(argv)
    n = 20_000 if args.quick else args.tickets

    with tempfile.TemporaryDirectory(prefix="deskui-bench-") as directory:
        path = Path(directory) / "bench.db"
        url = args.db or f"sqlite:///{path}"
        started = time.perf_counter()
        upgrade(url)
        database = Database(url)
        try:
            seed_directory(database, SAMPLE_DATA, now=NOW)
            print(f"schema and seed: {time.perf_counter() - started:.1f} s", flush=True)
            last = [time.perf_counter()]

            def progress(done: int, total: int) -> None:
                now = time.perf_counter()
                print(f"  {done:>9}/{total} tickets  chunk {now - last[0]:5.2f} s", flush=True)
                last[0] = now

            summary = generate_tickets(
                database, n, now=NOW, chunk_size=args.chunk_size, progress=progress
            )
        finally:
            database.dispose()
        print(summary)
        seconds = summary.seconds
        print(f"{n / seconds:,.0f} tickets/s, {summary.interactions / seconds:,.0f} log entries/s")
        if args.db is None:
            size = sum(p.stat().st_size for p in Path(directory).glob("bench.db*"))
            print(f"database size: {size / 2**20:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
