"""Run the test suite with CPU-burning processes beside it, N times; green/red per run and a count.

A suite that passes only on an idle machine is not done: this starts ``--burners`` (3) busy
loops, runs pytest as ``make test`` does (``-n 3 --dist loadgroup``), stops the burners by
their pids, and repeats ``--runs`` times. Each run's output goes to ``--log-dir``.

    .venv/bin/python scripts/loaded_suite.py --runs 20
    .venv/bin/python scripts/loaded_suite.py --runs 2 -- tests/store tests/services/test_live.py

Arguments after ``--`` go to pytest instead of the whole suite. Exit 0 when every run is green.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BURN = "while True: pass"
# pytest's closing line, e.g. "1200 passed, 3 skipped in 341.20s (0:05:41)" (with -q; framed
# in "=" without it).
SUMMARY = re.compile(r"^=* ?(\S.* in [0-9.]+s(?: \([0-9:]+\))?) ?=*$", re.MULTILINE)


@contextmanager
def burning(count: int) -> Iterator[list[int]]:
    """``count`` busy-loop processes for the duration of the block; their pids."""
    burners = [
        subprocess.Popen(
            [sys.executable, "-c", BURN],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        yield [burner.pid for burner in burners]
    finally:
        for burner in burners:
            if burner.poll() is None:
                os.kill(burner.pid, signal.SIGTERM)
        for burner in burners:
            try:
                burner.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(burner.pid, signal.SIGKILL)
                burner.wait()


def run_once(
    number: int, pytest_args: list[str], burners: int, log_dir: Path
) -> tuple[bool, str, float]:
    """One loaded run: (green, pytest's summary line, seconds)."""
    log = log_dir / f"run-{number:02d}.log"
    command = [sys.executable, "-m", "pytest", *pytest_args]
    started = time.monotonic()
    with burning(burners) as pids, log.open("w") as out:
        out.write(f"$ {' '.join(command)}\n# burners (pids): {pids}\n")
        out.flush()
        code = subprocess.call(
            command, cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
    took = time.monotonic() - started
    found = SUMMARY.findall(log.read_text(errors="replace"))
    summary = found[-1] if found else f"no pytest summary (exit {code})"
    return code == 0, summary, took


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in args_in:
        cut = args_in.index("--")
        args_in, passthrough = args_in[:cut], args_in[cut + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="how many loaded runs (default 1)")
    parser.add_argument("--burners", type=int, default=3, help="busy processes (default 3)")
    parser.add_argument("--workers", default="3", help="pytest-xdist workers (default 3)")
    parser.add_argument(
        "--log-dir",
        type=Path,
        default=REPO / ".loaded-runs",
        help="where each run's output goes (default .loaded-runs/)",
    )
    args = parser.parse_args(args_in)
    if args.runs < 1 or args.burners < 0:
        parser.error("--runs must be at least 1 and --burners not negative")
    args.log_dir.mkdir(parents=True, exist_ok=True)
    pytest_args = ["-n", args.workers, "--dist", "loadgroup", "-q", "-p", "no:cacheprovider"]
    pytest_args += passthrough
    green = 0
    for number in range(1, args.runs + 1):
        ok, summary, took = run_once(number, pytest_args, args.burners, args.log_dir)
        green += ok
        print(
            f"run {number}/{args.runs}: {'green' if ok else 'RED'} in {took / 60:.1f} min"
            f" ({summary}; log {args.log_dir / f'run-{number:02d}.log'})",
            flush=True,
        )
    print(f"{green}/{args.runs} loaded runs green ({args.burners} CPU burners beside the suite)")
    return 0 if green == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
