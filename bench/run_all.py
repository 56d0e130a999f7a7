"""Run every benchmark in ``bench/`` one after another (``make bench``); figures are printed.

Each benchmark is a script with a ``main(argv)``; extra arguments (``--quick``) pass through.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

BENCHMARKS = (
    "sla_bench",
    "generate_bench",
    "live_bench",
    "live_desk_bench",
    "tui_bench",
    "ticket_log_bench",
    "board_bench",
    "startup_bench",
    "idle_bench",
    "connections_bench",
    "ssh_bench",
)


def _load(name: str) -> object | None:
    path = Path(__file__).with_name(f"{name}.py")
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    failures = 0
    for name in BENCHMARKS:
        module = _load(name)
        if module is None:
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        code = module.main(args)  # type: ignore[attr-defined]
        print(f"--- {name}: exit {code}, {time.perf_counter() - started:.1f} s", flush=True)
        failures += bool(code)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
