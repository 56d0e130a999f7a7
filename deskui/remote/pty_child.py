"""One program on its own pseudo-terminal, driven from asyncio: bytes in, bytes out, resizes.

The SSH session runs the desk as a separate OS process so that one agent's app cannot block or
crash another's. The child gets the pty as its controlling terminal (its own session), so the
kernel delivers SIGWINCH on a resize and SIGHUP when the line drops, as with a real login.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import signal
import struct
import sys
import termios
from collections.abc import Callable, Mapping, Sequence

# How long a child gets after SIGHUP, then after SIGTERM, before the next signal.
_HANGUP_GRACE = 2.0
_TERM_GRACE = 3.0
_READ_CHUNK = 65536
# How long a finished child's last output may take to reach the master side of its pty.
_DRAIN_SECONDS = 1.0


# Run first in the child, after ``setsid``: make stdin (the pty) the controlling terminal, then
# become the real program. A separate step rather than ``preexec_fn``, which runs Python between
# fork and exec in a process that has threads (asyncio's thread pool) and can deadlock there.
_ADOPT_TERMINAL = (
    "import fcntl, os, sys, termios; "
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execvp(sys.argv[1], sys.argv[1:])"
)


class PtyChild:
    """A running child on a pty; output goes to ``on_output``, its end to ``on_exit``."""

    def __init__(
        self,
        process: asyncio.subprocess.Process,
        master: int,
        on_output: Callable[[bytes], None],
    ) -> None:
        self._process = process
        self._master = master
        self._on_output = on_output
        self._pending = bytearray()
        self._loop = asyncio.get_running_loop()
        self._reading = False
        self._closed = False
        self.resume_output()

    @classmethod
    async def start(
        cls,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        columns: int,
        lines: int,
        on_output: Callable[[bytes], None],
    ) -> PtyChild:
        master, slave = os.openpty()
        try:
            set_window_size(master, columns, lines)
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                _ADOPT_TERMINAL,
                *argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=dict(env),
                start_new_session=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        return cls(process, master, on_output)

    @property
    def pid(self) -> int:
        return self._process.pid

    def write(self, data: bytes) -> None:
        """Send ``data`` to the child's terminal; what the pty cannot take yet waits."""
        if self._closed:
            return
        self._pending += data
        self._flush()

    def _flush(self) -> None:
        try:
            written = os.write(self._master, self._pending) if self._pending else 0
        except BlockingIOError:
            written = 0
        except OSError:
            self._pending.clear()
            return
        del self._pending[:written]
        if self._pending:
            self._loop.add_writer(self._master, self._flush_from_loop)

    def _flush_from_loop(self) -> None:
        self._loop.remove_writer(self._master)
        if not self._closed:
            self._flush()

    def resize(self, columns: int, lines: int) -> None:
        """Tell the terminal its new size; the child learns of it through SIGWINCH."""
        if self._closed or columns <= 0 or lines <= 0:
            return
        set_window_size(self._master, columns, lines)
        # The kernel signals the terminal's foreground group; signalling the child's own group
        # as well covers a child that has not taken the terminal yet.
        self._signal_group(signal.SIGWINCH)

    def pause_output(self) -> None:
        if self._reading:
            self._loop.remove_reader(self._master)
            self._reading = False

    def resume_output(self) -> None:
        if not self._reading and not self._closed:
            self._loop.add_reader(self._master, self._read)
            self._reading = True

    def _read(self) -> None:
        try:
            data = os.read(self._master, _READ_CHUNK)
        except BlockingIOError:
            return
        except OSError as exc:
            # EIO: every process holding the pty's other end has gone.
            if exc.errno != errno.EIO:
                raise
            data = b""
        if data:
            self._on_output(data)
        else:
            self.pause_output()

    async def wait(self) -> int:
        """Wait for the child to end; its remaining output is delivered first. Exit status."""
        status = await self._process.wait()
        await self._drain()
        self._close_master()
        return status if status >= 0 else 128 - status

    async def _drain(self) -> None:
        """Read what the child wrote before it ended, up to the pty's end-of-file (EIO).

        Linux moves a pty's output to the master side asynchronously, so the last bytes may
        arrive just after the child has gone: "nothing to read yet" is waited out (briefly)
        rather than taken as the end.
        """
        if self._closed:
            return
        self.pause_output()
        # A hard limit: a grandchild still holding the pty could otherwise keep it open.
        deadline = self._loop.time() + _DRAIN_SECONDS
        while self._loop.time() < deadline:
            try:
                data = os.read(self._master, _READ_CHUNK)
            except BlockingIOError:
                await asyncio.sleep(0.01)
                continue
            except OSError:
                return  # EIO: the other end is closed and everything has been read
            if not data:
                return
            self._on_output(data)

    async def hang_up(self) -> None:
        """End the child as a dropped line does: SIGHUP, then SIGTERM, then SIGKILL."""
        for sig, grace in (
            (signal.SIGHUP, _HANGUP_GRACE),
            (signal.SIGTERM, _TERM_GRACE),
            (signal.SIGKILL, None),
        ):
            if self._process.returncode is not None:
                return
            self._signal_group(sig)
            if grace is None:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._process.wait()), grace)

    def _signal_group(self, sig: signal.Signals) -> None:
        if self._process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, sig)

    def _close_master(self) -> None:
        if self._closed:
            return
        self.pause_output()
        self._loop.remove_writer(self._master)
        self._closed = True
        os.close(self._master)


def set_window_size(fd: int, columns: int, lines: int) -> None:
    """Set the terminal size of ``fd`` (a pty end) in characters."""
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
