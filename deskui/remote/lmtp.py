"""An LMTP listener (RFC 2033, aiosmtpd's ``LMTP``) so an MTA hands mail to the desk over a
socket instead of starting a process per message (``deskui serve lmtp``).

Each message is filed once per recipient (the recipient tells intake which team's address it
came to; a second filing of the same message is recognised as a duplicate), in a worker
thread so the event loop keeps talking to other connections. LMTP answers per recipient after
the data: ``250`` filed (or quarantined: the desk keeps it either way, the MTA must not retry),
``451`` when the database cannot be reached right now (the MTA keeps the message and retries).
The remote layer knows nothing of intake: the CLI passes ``file`` (one message, one recipient →
an ``LmtpAnswer``) and ``after`` (run after each message, e.g. sending the outbox).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiosmtpd.lmtp import LMTP

log = logging.getLogger("deskui.lmtp")
MAX_MESSAGE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LmtpAnswer:
    """What became of a message for one recipient: ``ok`` (kept), else a temporary failure."""

    ok: bool
    text: str


@dataclass(frozen=True)
class LmtpConfig:
    host: str
    port: int
    file: Callable[[bytes, str], LmtpAnswer]
    after: Callable[[], None] | None = None
    hostname: str = "deskui"


class IntakeHandler:
    """aiosmtpd handler: files the message for each recipient, one answer line each."""

    def __init__(self, config: LmtpConfig) -> None:
        self.config = config
        self._after_lock = threading.Lock()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        raw = envelope.original_content or b""
        lines = []
        for recipient in envelope.rcpt_tos:
            try:
                answer = await asyncio.to_thread(self.config.file, raw, recipient)
            except Exception as exc:  # never drop the connection: the MTA retries a 451
                log.exception("filing mail for %s failed", recipient)
                answer = LmtpAnswer(False, f"could not file it now: {type(exc).__name__}")
            code = "250 2.0.0" if answer.ok else "451 4.3.0"
            lines.append(f"{code} <{recipient}> {answer.text}")
        if self.config.after is not None:
            asyncio.get_running_loop().run_in_executor(None, self._after)
        return "\r\n".join(lines) or "503 5.5.1 no valid recipients"

    def _after(self) -> None:
        # One run at a time; a run already going will see this message's queued mail too.
        if not self._after_lock.acquire(blocking=False):
            return
        try:
            assert self.config.after is not None
            self.config.after()
        except Exception:
            log.exception("after-filing step failed")
        finally:
            self._after_lock.release()


async def serve_lmtp(
    config: LmtpConfig,
    *,
    on_ready: Callable[[str, int], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Listen until ``stop`` is set (or forever); ``on_ready(host, port)`` once bound."""
    handler = IntakeHandler(config)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: LMTP(
            handler,
            hostname=config.hostname,
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
        ),
        host=config.host,
        port=config.port,
    )
    host, port = server.sockets[0].getsockname()[:2]
    if on_ready is not None:
        on_ready(str(host), int(port))
    async with server:
        if stop is None:
            await server.serve_forever()
        else:
            await stop.wait()
