"""Open the demo desk from an installed deskui in a pseudo-terminal and check what a person sees.

``.ci/run`` installs the built wheel into a fresh venv outside the checkout; this then runs that
venv's ``deskui demo`` from another directory, as a new user would, reads the screen through a
terminal emulator (pyte) and checks: the four queue panes are there with tickets on them, and
the screen is painted in the bundled ``deskui-dark`` theme (its background colour, read from
the theme file inside the installed package). ``q`` must then quit with status 0.

    .venv/bin/python scripts/wheel_app_check.py --deskui VENV/bin/deskui --cwd SOMEWHERE_ELSE

Needs pexpect and pyte (the test extras) in the Python that runs it, not in the checked venv.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pyte

PANES = ("My tickets", "Unassigned", "All open", "Waiting on customer")
COLUMNS, LINES = 120, 40


def _theme_background(deskui: Path) -> str:
    """The ``deskui-dark`` background as the installed package ships it (``15191f``)."""
    python = deskui.parent / "python"
    found = subprocess.run(
        [str(python), "-c",
         "import json, tomllib; from deskui.ui.themes import bundled_themes_dir;"
         "path = bundled_themes_dir() / 'deskui-dark.toml';"
         "print(json.dumps(tomllib.loads(path.read_text())['background']))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return str(json.loads(found.stdout)).lstrip("#").lower()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deskui", type=Path, required=True, help="the installed deskui script")
    parser.add_argument("--cwd", type=Path, required=True, help="where to run it from")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds for the first paint")
    args = parser.parse_args()

    background = _theme_background(args.deskui)
    screen = pyte.Screen(COLUMNS, LINES)
    stream = pyte.ByteStream(screen)
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    env.pop("DESKUI_THEME", None)
    database = f"sqlite:///{args.cwd / 'demo.db'}"
    child = pexpect.spawn(
        str(args.deskui), ["--db", database, "demo"], env=env, cwd=str(args.cwd),
        dimensions=(LINES, COLUMNS),
    )  # fmt: skip

    def text() -> str:
        return "\n".join(screen.display)

    def seen() -> bool:
        shown = text()
        return all(pane in shown for pane in PANES) and "DSK-" in shown

    deadline = time.monotonic() + args.timeout
    try:
        while time.monotonic() < deadline and not seen():
            try:
                stream.feed(child.read_nonblocking(65536, timeout=0.2))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                break
        time.sleep(1.0)  # let the first paint finish before reading colours
        try:
            while True:
                stream.feed(child.read_nonblocking(65536, timeout=0.3))
        except (pexpect.TIMEOUT, pexpect.EOF):
            pass
        if not seen():
            print(f"the demo desk never showed its four panes with tickets:\n{text()}")
            return 1
        colours = collections.Counter(
            str(cell.bg).lower() for row in screen.buffer.values() for cell in row.values()
        )
        tickets = sum(1 for line in screen.display if "DSK-" in line)
        counts = {pane: re.search(re.escape(pane) + r" \((\d+)", text()) for pane in PANES}
        panes = ", ".join(f"{pane} {m.group(1) if m else '?'}" for pane, m in counts.items())
        if not any(m and int(m.group(1)) > 0 for m in counts.values()):
            print(f"no pane counts any ticket ({panes}):\n{text()}")
            return 1
        if background not in colours:
            print(f"the screen is not in deskui-dark (no #{background}); colours seen: "
                  f"{colours.most_common(5)}")  # fmt: skip
            return 1
        child.send("q")
        child.expect(pexpect.EOF, timeout=30)
        child.close()
        if child.exitstatus != 0:
            print(f"deskui demo exited with {child.exitstatus}")
            return 1
    finally:
        if child.isalive():
            child.terminate(force=True)
    print(
        f"deskui demo from {args.cwd}: the four panes with their tickets ({panes}), "
        f"{tickets} ticket rows on screen, deskui-dark background #{background}; q quit with 0"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
