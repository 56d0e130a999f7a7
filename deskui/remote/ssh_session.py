"""One SSH session channel: the desk on a pty for the signed-in agent, or a one-line refusal.

Only an interactive shell on a terminal runs the desk. Commands (``ssh host cmd``, ``scp -O``),
subsystems (sftp, and scp through sftp), sessions without a terminal and sessions that asked
for agent or X11 forwarding get one line on stderr saying why, and exit status 1.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import asyncssh

from deskui.remote.pty_child import PtyChild

log = logging.getLogger("deskui.remote.ssh")

# Variables a client may send (``SendEnv``) that reach the desk; everything else is dropped.
_CLIENT_ENV = ("COLORTERM", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "NO_COLOR")
_DEFAULT_TERM = "xterm-256color"


class SessionHost(Protocol):
    """What a session needs from its connection and the server."""

    handle: str
    peer: str
    idle_timeout: float

    def desk_command(self, handle: str) -> Sequence[str]: ...

    def desk_env(self) -> Mapping[str, str]: ...

    def session_ended(self, session: DeskSession) -> None: ...


class DeskSession(asyncssh.SSHServerSession[bytes]):
    """Runs ``deskui run --as HANDLE`` on a pty and relays bytes both ways."""

    def __init__(self, host: SessionHost) -> None:
        self._host = host
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._term: str | None = None
        self._size = (80, 24)
        self._refusal: str | None = None
        self._child: PtyChild | None = None
        self._task: asyncio.Task[None] | None = None
        self._end_message: str | None = None
        self._last_input = 0.0
        self._idle_timer: asyncio.TimerHandle | None = None
        self._gone = False
        self._ending = False
        self._hang_up_task: asyncio.Task[None] | None = None

    # ---- requests before the session starts ---------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self._chan = chan
        # asyncssh refuses agent and X11 forwarding itself (both off in the server options) but
        # tells the session nothing; OpenSSH does not even wait for the answer to an agent
        # request. Catching the two requests on this channel lets the session say so instead
        # of running as if nothing had been asked. The handlers are asyncssh's private
        # per-request methods, replaced on this one channel object (setattr: they are methods,
        # not attributes meant to be assigned).
        setattr(  # noqa: B010
            chan,
            "_process_auth_agent_req_at_openssh_dot_com_request",
            self._forwarding_handler(
                "agent forwarding is refused; connect without -A (ForwardAgent no)"
            ),
        )
        setattr(  # noqa: B010
            chan,
            "_process_x11_req_request",
            self._forwarding_handler(
                "X11 forwarding is refused; connect without -X/-Y (ForwardX11 no)"
            ),
        )

    def _forwarding_handler(self, message: str) -> Callable[[Any], bool]:
        def refuse(_packet: Any) -> bool:
            self._refuse_later(message)
            return False

        return refuse

    def _refuse_later(self, message: str) -> None:
        if self._refusal is None:
            self._refusal = message

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Any
    ) -> bool:
        self._term = term_type or _DEFAULT_TERM
        columns, lines = term_size[0], term_size[1]
        if columns > 0 and lines > 0:
            self._size = (columns, lines)
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        # Accepted only to answer with a reason: a refused request shows the client nothing
        # better than "exec request failed".
        self._refuse_later(
            f"commands are not run here (asked: {command[:60]!r}); "
            "connect with ssh -t and no command"
        )
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self._refuse_later(f"the {subsystem[:30]!r} subsystem (sftp/scp) is not offered here")
        return True

    # ---- the running session -------------------------------------------------------------

    def session_started(self) -> None:
        if self._refusal is None and self._term is None:
            self._refusal = "the desk needs a terminal; connect with ssh -t (not -T)"
        if self._refusal is not None:
            self._refuse(self._refusal)
            return
        self._task = asyncio.get_running_loop().create_task(self._run_desk())

    def _refuse(self, message: str) -> None:
        log.warning("refused %s from %s: %s", self._host.handle, self._host.peer, message)
        assert self._chan is not None
        newline = "\r\n" if self._term is not None else "\n"
        self._chan.write_stderr(f"deskui: {message}{newline}".encode())
        self._chan.exit(1)

    async def _run_desk(self) -> None:
        chan = self._chan
        assert chan is not None and self._term is not None
        env = dict(self._host.desk_env())
        env["TERM"] = self._term
        client_env = chan.get_environment()
        env.update({name: client_env[name] for name in _CLIENT_ENV if name in client_env})
        columns, lines = self._size
        try:
            self._child = await PtyChild.start(
                self._host.desk_command(self._host.handle),
                env=env,
                columns=columns,
                lines=lines,
                on_output=self._output,
            )
        except OSError as exc:
            log.error("cannot start the desk for %s: %s", self._host.handle, exc)
            chan.write_stderr(b"deskui: the desk could not be started\r\n")
            chan.exit(1)
            return
        log.info("desk started for %s (pid %d)", self._host.handle, self._child.pid)
        if self._gone or self._ending:
            self._hang_up()
        self._start_idle_timer()
        status = await self._child.wait()
        self._stop_idle_timer()
        if self._gone:
            return
        if self._end_message is not None:
            chan.write_stderr(f"\r\ndeskui: {self._end_message}\r\n".encode())
        chan.exit(status)

    def _output(self, data: bytes) -> None:
        if not self._gone and self._chan is not None:
            self._chan.write(data)

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self._last_input = asyncio.get_running_loop().time()
        if self._child is not None:
            self._child.write(data)

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self._size = (width, height)
        if self._child is not None:
            self._child.resize(width, height)

    def pause_writing(self) -> None:
        if self._child is not None:
            self._child.pause_output()

    def resume_writing(self) -> None:
        if self._child is not None:
            self._child.resume_output()

    def eof_received(self) -> bool:
        # The client will send no more input: the desk cannot be used, so end it.
        self.end(None)
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._gone = True
        self._stop_idle_timer()
        self._hang_up()
        self._host.session_ended(self)

    def end(self, message: str | None) -> None:
        """End the desk (as a dropped line would); ``message`` is shown once it has gone."""
        if self._end_message is None:
            self._end_message = message
        self._ending = True
        if self._child is not None:
            self._hang_up()
        elif self._chan is not None and self._task is None:
            self._chan.close()
        # Otherwise the desk is starting: ``_run_desk`` hangs it up as soon as it runs.

    def _hang_up(self) -> None:
        # The task is kept so that it is not collected before it has finished.
        if self._child is not None and self._hang_up_task is None:
            self._hang_up_task = asyncio.get_running_loop().create_task(self._child.hang_up())

    async def finished(self) -> None:
        """Wait until the desk process of this session has ended."""
        if self._task is not None:
            await asyncio.shield(self._task)

    # ---- idle timeout --------------------------------------------------------------------

    def _start_idle_timer(self) -> None:
        timeout = self._host.idle_timeout
        if timeout <= 0:
            return
        loop = asyncio.get_running_loop()
        self._last_input = loop.time()
        self._idle_timer = loop.call_later(timeout, self._check_idle)

    def _check_idle(self) -> None:
        loop = asyncio.get_running_loop()
        timeout = self._host.idle_timeout
        quiet = loop.time() - self._last_input
        if quiet < timeout:
            self._idle_timer = loop.call_later(timeout - quiet, self._check_idle)
            return
        self._idle_timer = None
        log.info("idle timeout %s from %s (%g s)", self._host.handle, self._host.peer, timeout)
        self.end(f"no input for {timeout:g} s; disconnected")

    def _stop_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
