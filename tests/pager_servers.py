"""Real servers on loopback for the paging tests: an SMTP inbox (aiosmtpd) and an HTTP server
recording the JSON POSTed to it, answering with a status the test chooses."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

__all__ = ["Hook", "Inbox", "free_port", "smtp_inbox", "webhook"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[EmailMessage] = []
        self.port = 0

    def handle_message(self, message: EmailMessage) -> None:  # type: ignore[override]
        self.received.append(message)


@dataclass
class Hook:
    """The webhook receiver: what it got, and the status it answers with."""

    url: str
    status: int = 200
    posts: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[Hook]:
    hook = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            hook.posts.append(json.loads(self.rfile.read(length)))
            hook.headers.append(dict(self.headers))
            self.send_response(hook.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/page"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
