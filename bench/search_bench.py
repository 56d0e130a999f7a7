"""Search benchmark: ``deskui.services.tickets.search.search`` over a generated database.

Run: ``.venv/bin/python bench/search_bench.py`` (generates 20,000 tickets into a temporary
SQLite file), or ``--db URL`` for a database you built, e.g. with ``deskui db seed
sample_data`` then ``deskui db generate --tickets 1000000``. Prints, per query, the median and
worst wall time of a few runs of a 20-hit search (ranking, the page's ticket rows and
snippets), and the number of matches behind it. Measures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from deskui.services.catalog.generate import generate_tickets
from deskui.services.catalog.load import load_catalog_from_directory
from deskui.services.catalog.seeding import seed_catalog
from deskui.services.tickets.search import parse_query, search
from deskui.store import search as index
from deskui.store.migrate import upgrade
from deskui.store.session import Database

REPO = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 12, 2, 14, 0, tzinfo=dt.UTC)


def queries(database: Database) -> list[str]:
    """A mix: a reference, a person, a rare pair, a phrase, a prefix, a common word."""
    with database.read() as session:
        reference, requester = session.execute(
            text("SELECT reference, requester_name FROM ticket ORDER BY id DESC LIMIT 1")
        ).one()
    surname = requester.split()[-1]
    return [
        reference,
        surname,
        f"{surname} bulk editing",
        '"new user"',
        "disconn*",
        "printer",
        "reproduced problem",
    ]


def count(database: Database, query: str) -> int:
    with database.read() as session:
        return len(index.search_tickets(session, parse_query(query), limit=10**7))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL holding generated tickets")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--no-count", action="store_true", help="skip counting every match")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db
        if url is None:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            database = Database(url)
            seed_catalog(database, load_catalog_from_directory(REPO / "sample_data"), now=NOW)
            generate_tickets(database, args.tickets, now=NOW)
        else:
            database = Database(url)
        with database.read() as session:
            total = session.execute(text("SELECT count(*) FROM ticket")).scalar_one()
        print(f"{database.dialect}, {total:,} tickets")
        medians = []
        for query in queries(database):
            search(database, query)  # warm the cache
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                results = search(database, query)
                times.append((time.perf_counter() - started) * 1000)
            median = statistics.median(times)
            medians.append(median)
            matches = "" if args.no_count else f", {count(database, query):,} matches"
            print(
                f"{query!r:32} median {median:7.1f} ms  worst {max(times):7.1f} ms"
                f"  ({len(results.hits)} shown{matches})"
            )
        print(f"median of the medians: {statistics.median(medians):.1f} ms")
        database.dispose()


if __name__ == "__main__":
    main()
