"""The real ``deskui`` binary in a pseudo-terminal, used the way a person would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from pty_terminal import Terminal

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-12-01T15:00:00+00:00"


def _deskui() -> str:
    found = shutil.which("deskui", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("the deskui console script is not installed next to this Python")
    return found


@pytest.fixture
def demo_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {**os.environ, "DESKUI_NOW": NOW, "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run(
        [_deskui(), "--db", url, "demo", "--no-app", "--data", str(REPO / "sample_data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "signed in as mbrennan" in done.stdout
    return url


def test_open_the_desk_see_the_queue_and_quit(demo_db: str, tmp_path: Path) -> None:
    term = Terminal(
        [_deskui(), "--db", demo_db, "run", "--as", "mbrennan"],
        env={"DESKUI_NOW": NOW, "XDG_STATE_HOME": str(tmp_path / "state")},
        cwd=tmp_path,
    )
    try:
        term.wait_for("All open (")
        term.press("3")
        screen = term.wait_for("Registration screen")
        assert "Brennan" in screen
        term.press("q")
        term.child.expect(pexpect.EOF, timeout=10)
        term.child.close()
        assert term.child.exitstatus == 0
    finally:
        term.close()


def test_open_a_ticket_add_a_note_and_find_it_in_the_database(demo_db: str, tmp_path: Path) -> None:
    term = Terminal(
        [_deskui(), "--db", demo_db, "run", "--as", "mbrennan"],
        env={"DESKUI_NOW": NOW, "XDG_STATE_HOME": str(tmp_path / "state")},
        cwd=tmp_path,
    )
    try:
        term.wait_for("All open (")
        term.press("3")
        term.wait_for("Whole site locked")
        term.press("\r")  # enter: open the ticket under the cursor (the top of All open)
        screen = term.wait_for("oldest first")
        reference = next(word for word in screen.split() if word.startswith("DSK-"))
        assert "All open (" not in screen  # the ticket covers the queue: its return is seen
        term.press("n")
        term.wait_for("Note (never shown to the customer)")
        term.press("Called the site manager from the car park")
        term.press("\x13")  # ctrl+s: save
        term.wait_for("Called the site manager from the car park")
        term.press("\x1b")
        # Back on the queue before the next key: an escape and a key read together are one
        # alt+key to any terminal program (under load, CI's desk read them together).
        term.wait_for("All open (")
        term.press("q")
        term.child.expect(pexpect.EOF, timeout=10)
    finally:
        term.close()
    shown = subprocess.run(
        [_deskui(), "--db", demo_db, "ticket", "show", reference, "--json"],
        env={**os.environ, "DESKUI_NOW": NOW},
        capture_output=True,
        text=True,
        check=True,
    )
    log = json.loads(shown.stdout)["interactions"]
    notes = [entry for entry in log if entry["kind"] == "note"]
    assert notes[-1]["body"] == "Called the site manager from the car park"
    assert notes[-1]["author_handle"] == "mbrennan"
