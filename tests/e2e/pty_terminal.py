"""Drive the real ``deskui`` binary in a pseudo-terminal and read its screen like a person.

pexpect gives the pty; pyte is the terminal emulator that turns the byte stream into a screen.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

import pexpect
import pyte


class Terminal:
    """A running program on a ``columns`` × ``lines`` screen."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        columns: int = 120,
        lines: int = 40,
        cwd: Path | None = None,
    ) -> None:
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns)}
        full_env.update(env or {})
        self.child = pexpect.spawn(
            argv[0],
            list(argv[1:]),
            env=full_env,
            dimensions=(lines, columns),
            cwd=str(cwd) if cwd else None,
        )

    def pump(self, seconds: float = 0.1) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                data = self.child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return
            self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.2)
            if needle in self.text():
                return self.text()
            if not self.child.isalive():
                self.pump(0.2)
                break
        raise AssertionError(f"{needle!r} never appeared on screen:\n{self.text()}")

    def press(self, keys: str) -> None:
        self.child.send(keys)
        self.pump(0.2)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
