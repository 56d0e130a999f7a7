"""SLA report benchmark: ``sla_report`` over every ticket of an existing database, per grouping.

Run: ``.venv/bin/python bench/report_bench.py --db sqlite:///PATH`` on a database filled by
``deskui db generate --tickets 1000000 --data sample_data`` (about 3 minutes into SQLite).
Prints the wall time of the whole-history report without grouping and with each ``--by``.
Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from deskui.services.supervision.reports import GROUPINGS, sla_report, utc_day_range
from deskui.store.session import Database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL holding generated tickets")
    args = parser.parse_args(argv)
    start, end = utc_day_range(dt.date(2000, 1, 1), dt.date(2100, 12, 31))
    now = dt.datetime.now(dt.UTC)
    for by in (None, *GROUPINGS):
        database = Database(args.db)  # a fresh one each time: no calendar cache carried over
        try:
            began = time.perf_counter()
            groups = sla_report(database, start=start, end=end, now=now, by=by)
            took = time.perf_counter() - began
        finally:
            database.dispose()
        opened = sum(group.opened for group in groups)
        print(f"by {by or '-':<13} {len(groups):>4} groups {opened:>9} tickets {took:6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
