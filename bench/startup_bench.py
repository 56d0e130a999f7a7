"""Start-up cost of one CLI call: wall time and peak memory of ``deskui …`` in a fresh process.

Run: ``.venv/bin/python bench/startup_bench.py`` (``--runs N``, ``--quick`` for 3 runs). A seeded
SQLite database with one ticket is built once under ``bench/.cache/``; each command runs ``N``
times after one warm-up (warm file cache), its peak RSS read from ``wait4``. The machine's load
average is printed with the figures, since the machine may be shared.
Targets (median, idle machine): ``--version`` ≤ 0.15 s, ``sla due`` ≤ 0.35 s, ``ticket note``
≤ 0.35 s, ``ticket list --json`` ≤ 0.5 s, peak memory of a CLI call ≤ 60 MB. Each call's CPU
time (user + system) is printed beside its wall time: on a loaded machine wall time is mostly
waiting for a core, CPU time is what the call itself costs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".cache"
DB_PATH = CACHE / "startup.db"
DB = f"sqlite:///{DB_PATH}"
NOW = "2026-12-01T15:00:00+00:00"
DESKUI = [sys.executable, "-m", "deskui"]

# Name, arguments, target seconds (median).
COMMANDS: tuple[tuple[str, list[str], float], ...] = (
    ("--version", ["--version"], 0.15),
    (
        "sla due",
        [
            "sla",
            "due",
            "--calendar",
            "velsoft-halifax",
            "--start",
            "2026-12-24T15:00",
            "--duration",
            "1d",
            "--data",
            str(REPO / "sample_data"),
        ],
        0.35,
    ),
    (
        "ticket note",
        ["--db", DB, "ticket", "note", "DSK-000001", "--as", "jmorales", "--body", "x"],
        0.35,
    ),
    ("ticket list --json", ["--db", DB, "ticket", "list", "--json"], 0.5),
)
MEMORY_TARGET_MB = 60.0


def _env() -> dict[str, str]:
    return {**os.environ, "DESKUI_NOW": NOW}


def build_database() -> None:
    """A seeded desk with one open ticket (built once, reused)."""
    if DB_PATH.exists():
        return
    CACHE.mkdir(exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run([*DESKUI, "--db", DB, *args], check=True, env=_env(), capture_output=True)

    run("db", "upgrade")
    run("db", "seed", str(REPO / "sample_data"))
    run(
        "ticket", "new", "--org", "acme-foods", "--contact", "maria.lopez@acme-foods.example",
        "--channel", "phone", "--category", "technical", "--priority", "location-down",
        "--subject", "Scanners down", "--body", "RF guns fail",
    )  # fmt: skip


def measure(arguments: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one ``deskui`` call."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [*DESKUI, *arguments], env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"deskui {' '.join(arguments)} failed: {error.strip()}")
    if process.stderr:
        process.stderr.close()
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024  # ru_maxrss is in KB on Linux


def spread(values: list[float], unit: str, digits: int = 3) -> str:
    return (
        f"min {min(values):.{digits}f} / median {statistics.median(values):.{digits}f} / "
        f"max {max(values):.{digits}f} {unit}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command")
    parser.add_argument("--quick", action="store_true", help="3 runs per command")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs
    build_database()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    for name, arguments, target in COMMANDS:
        measure(arguments)  # warm-up: file cache, .pyc files
        times, cpu, memory = zip(*(measure(arguments) for _ in range(runs)), strict=True)
        median = statistics.median(times)
        verdict = "met" if median <= target else f"NOT met ({median / target:.1f}x)"
        # CPU time is what the call costs whatever the machine's load; wall time is what a user
        # waits, and on a shared machine it is mostly waiting for a core.
        print(
            f"deskui {name:<20} wall {spread(list(times), 's')}  target {target} s: {verdict}; "
            f"CPU {spread(list(cpu), 's')}; peak {max(memory):.1f} MB "
            f"(target {MEMORY_TARGET_MB:.0f} MB)"
        )
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
