"""`deskui serve ssh`: an asyncssh server that signs agents in by their stored public keys.

Public-key authentication only; the agent is the one whose stored key the client proved it
holds, whatever user name it gave. Each session runs the desk in its own process on a pty (see
``ssh_session``). Port forwarding is refused here, agent and X11 forwarding in the session;
the login timeout, idle timeout and connection limits come from ``Limits``. Every login,
refusal and disconnect is logged on the ``deskui.remote.ssh`` logger with the agent's handle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from deskui.remote.host_key import load_or_create_host_key
from deskui.remote.limits import ConnectionSlots, Limits
from deskui.remote.ssh_session import DeskSession
from deskui.services.access.keys import KeyOwner

log = logging.getLogger("deskui.remote.ssh")

# How long shutting down waits for the desks to end before closing regardless.
_SHUTDOWN_GRACE = 8.0
_NOBODY = "-"


@dataclass(frozen=True)
class SshConfig:
    """Everything the server needs; the CLI builds it from flags and settings."""

    host: str
    port: int
    host_key: Path
    limits: Limits
    # The command line of the desk for an agent handle, and the environment it runs with.
    desk_command: Callable[[str], Sequence[str]]
    desk_env: Mapping[str, str]
    # The agent holding the public key with this SSH wire blob (blocking; run in a thread).
    key_owner: Callable[[bytes], KeyOwner | None]


@dataclass
class _Shared:
    config: SshConfig
    slots: ConnectionSlots
    sessions: set[DeskSession] = field(default_factory=set)


class DeskSSHServer(asyncssh.SSHServer):
    """One client connection: authentication, limits, forwarding refusals, its one session."""

    def __init__(self, shared: _Shared) -> None:
        self._shared = shared
        self._conn: asyncssh.SSHServerConnection | None = None
        self._has_slot = False
        self._offered: KeyOwner | None = None
        self._owner: KeyOwner | None = None
        self._session: DeskSession | None = None
        self._no_session_timer: asyncio.TimerHandle | None = None
        self.handle = _NOBODY
        self.peer = "?"
        self.idle_timeout = shared.config.limits.idle_timeout

    # ---- connection and authentication ----------------------------------------------------

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        peer = conn.get_extra_info("peername") or ("?", 0)
        self.peer = f"{peer[0]}:{peer[1]}"
        self._has_slot = self._shared.slots.open()

    def begin_auth(self, username: str) -> bool:
        if not self._has_slot:
            limit = self._shared.config.limits.max_sessions
            log.warning("refused %s (user %r): the server is full (%d)", self.peer, username, limit)
            self._disconnect(
                asyncssh.DISC_TOO_MANY_CONNECTIONS,
                f"deskui: the server is full ({limit} connections); try again later",
            )
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        blob = key.public_data
        try:
            owner = await asyncio.to_thread(self._shared.config.key_owner, blob)
        except Exception:
            # The database is down or broken: nobody signs in, and the reason is in the log.
            log.exception("refused %s (user %r): the key lookup failed", self.peer, username)
            return False
        if owner is None:
            log.warning(
                "refused unknown key %s (user %r) from %s",
                key.get_fingerprint("sha256"),
                username,
                self.peer,
            )
            return False
        # asyncssh asks again with the signature before accepting, so the key asked about
        # last is the one the client proved it holds.
        self._offered = owner
        return True

    def auth_completed(self) -> None:
        owner = self._offered
        assert owner is not None, "asyncssh completed a public-key login without a key"
        if not self._shared.slots.sign_in(owner.handle):
            limit = self._shared.config.limits.max_per_user
            log.warning(
                "refused %s from %s: %d connection(s) open already", owner.handle, self.peer, limit
            )
            self._disconnect(
                asyncssh.DISC_TOO_MANY_CONNECTIONS,
                f"deskui: {owner.handle} has {limit} connection(s) open already, the most allowed",
            )
            return
        self._owner = owner
        self.handle = owner.handle
        # A signed-in connection that never opens a session (``ssh -N``, forwarding only)
        # would hold its slot for ever: it gets as long as signing in did.
        wait = self._shared.config.limits.login_timeout
        if wait > 0:
            loop = asyncio.get_running_loop()
            self._no_session_timer = loop.call_later(wait, self._no_session)
        log.info(
            "login %s (%s) from %s with key %s",
            owner.handle,
            ",".join(owner.roles) or "no role",
            self.peer,
            owner.fingerprint,
        )

    def _no_session(self) -> None:
        self._no_session_timer = None
        log.warning("refused %s from %s: no session opened", self.handle, self.peer)
        self._disconnect(
            asyncssh.DISC_BY_APPLICATION, "deskui: no session opened; connect with ssh -t"
        )

    def _cancel_no_session_timer(self) -> None:
        if self._no_session_timer is not None:
            self._no_session_timer.cancel()
            self._no_session_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_no_session_timer()
        if self._owner is not None:
            self._shared.slots.sign_out(self._owner.handle)
            self._owner = None
        if self._has_slot:
            self._shared.slots.close()
            self._has_slot = False
        reason = str(exc) if exc is not None else "closed"
        log.info("disconnect %s from %s: %s", self.handle, self.peer, reason)

    def _disconnect(self, code: int, reason: str) -> None:
        assert self._conn is not None
        self._conn.disconnect(code, reason)

    # ---- sessions and forwarding ----------------------------------------------------------

    def session_requested(self) -> DeskSession:
        if self._session is not None:
            log.warning("refused a second session for %s from %s", self.handle, self.peer)
            raise asyncssh.ChannelOpenError(
                asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, "deskui: one session per connection"
            )
        self._cancel_no_session_timer()
        self._session = DeskSession(self)
        self._shared.sessions.add(self._session)
        return self._session

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        log.warning(
            "refused local port forwarding to %s:%d for %s", dest_host, dest_port, self.handle
        )
        raise asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, "deskui: port forwarding is refused"
        )

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        log.warning(
            "refused remote port forwarding from %s:%d for %s",
            listen_host,
            listen_port,
            self.handle,
        )
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        log.warning("refused socket forwarding to %r for %s", dest_path, self.handle)
        raise asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, "deskui: socket forwarding is refused"
        )

    def unix_server_requested(self, listen_path: str) -> bool:
        log.warning("refused remote socket forwarding %r for %s", listen_path, self.handle)
        return False

    # ---- what the session asks of its connection (ssh_session.SessionHost) ----------------

    def desk_command(self, handle: str) -> Sequence[str]:
        return self._shared.config.desk_command(handle)

    def desk_env(self) -> Mapping[str, str]:
        return self._shared.config.desk_env

    def session_ended(self, session: DeskSession) -> None:
        self._shared.sessions.discard(session)


async def serve_ssh(
    config: SshConfig,
    *,
    on_ready: Callable[[str, int, str], None],
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until ``stop`` is set (or SIGINT/SIGTERM); ``on_ready(host, port, fingerprint)``."""
    host_key = load_or_create_host_key(config.host_key)
    shared = _Shared(config, ConnectionSlots(config.limits))
    stop = stop or asyncio.Event()
    server = await asyncssh.create_server(
        lambda: DeskSSHServer(shared),
        config.host,
        config.port,
        server_host_keys=[host_key],
        login_timeout=config.limits.login_timeout,
        encoding=None,
        line_editor=False,
        agent_forwarding=False,
        x11_forwarding=False,
        allow_scp=False,
        sftp_factory=None,
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        sockname = server.sockets[0].getsockname()
        fingerprint = host_key.get_fingerprint("sha256")
        log.info("SSH on %s:%d, host key %s", sockname[0], sockname[1], fingerprint)
        on_ready(sockname[0], sockname[1], fingerprint)
        await stop.wait()
        log.info("shutting down: %d session(s) open", len(shared.sessions))
    finally:
        server.close()
        sessions = list(shared.sessions)
        for session in sessions:
            session.end("the server is shutting down")
        if sessions:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.gather(*(s.finished() for s in sessions), return_exceptions=True),
                    _SHUTDOWN_GRACE,
                )
        await server.wait_closed()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
