"""Time to first painted queue and peak memory: a 1,000,000-ticket desk (100,000 open) vs empty.

Run: ``.venv/bin/python bench/tui_bench.py`` (``--quick`` for 20,000 tickets). Databases are
built once under ``bench/.cache/`` with ``deskui db seed`` and ``deskui db generate`` and reused.
Each measurement runs in a fresh process: start-up, sign-in, the first page of every pane
queried and painted in a headless app; peak RSS from ``getrusage``.
Targets (issue 4): first paint at most 2× the empty case, memory at most 60 MB more.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".cache"
NOW = "2026-12-01T15:00:00+00:00"
AGENT = "mbrennan"

PROBE = r"""
import json, resource, sys, time
started = time.perf_counter()
from deskui.services.tickets.desk import DeskService
from deskui.settings import Settings
from deskui.ui.app import DeskApp
from deskui.ui.screens.queue import QueueScreen

settings = Settings(database_url=sys.argv[1], now=sys.argv[2], agent=sys.argv[3])
app = DeskApp(DeskService.open(settings), refresh_seconds=60)
painted = {}
apply_pages = QueueScreen._apply_pages

def first_paint(screen, pages):
    apply_pages(screen, pages)
    if not painted:
        # The frame that shows the first page is drawn after this refresh.
        def done():
            painted["s"] = time.perf_counter() - started
            app.exit()
        screen.call_after_refresh(done)

QueueScreen._apply_pages = first_paint
app.run(headless=True, size=(120, 40))
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"first_paint_s": painted["s"], "peak_rss_mb": peak_kib / 1024}))
"""


def _deskui(*args: str) -> None:
    command = [str(Path(sys.executable).with_name("deskui")), *args]
    subprocess.run(command, check=True, env=_env())


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "DESKUI_NOW": NOW}


def build(name: str, tickets: int) -> str:
    path = CACHE / f"{name}.db"
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = CACHE / f"{name}.partial.db"
    for stale in CACHE.glob(f"{name}.partial.db*"):
        stale.unlink()
    partial_url = f"sqlite:///{partial}"
    started = time.perf_counter()
    _deskui("--db", partial_url, "db", "seed", str(REPO / "sample_data"))
    if tickets:
        _deskui(
            "--db",
            partial_url,
            "db",
            "generate",
            "--tickets",
            str(tickets),
            "--open-fraction",
            "0.1",
        )
    print(f"built {name} ({tickets:,} tickets) in {time.perf_counter() - started:.1f} s")
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)
    return url


def measure(url: str, runs: int) -> dict[str, float]:
    results = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", PROBE, url, NOW, AGENT],
            check=True,
            capture_output=True,
            text=True,
            env=_env(),
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        "first_paint_s": statistics.median(r["first_paint_s"] for r in results),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 tickets instead of 1,000,000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    tickets = 20_000 if args.quick else 1_000_000
    empty = measure(build("empty", 0), args.runs)
    big = measure(build(f"tickets-{tickets}", tickets), args.runs)
    ratio = big["first_paint_s"] / empty["first_paint_s"]
    extra = big["peak_rss_mb"] - empty["peak_rss_mb"]
    print(f"{'database':<28}{'first paint':>14}{'peak RSS':>12}")
    for label, figures in (("empty (seeded, no tickets)", empty), (f"{tickets:,} tickets", big)):
        paint, rss = figures["first_paint_s"], figures["peak_rss_mb"]
        print(f"{label:<28}{paint:>12.3f} s{rss:>9.1f} MB")
    print(f"first paint {ratio:.2f}x empty (target <= 2x), memory {extra:+.1f} MB (target <= 60)")
    return 0 if ratio <= 2 and extra <= 60 else 1


if __name__ == "__main__":
    sys.exit(main())
