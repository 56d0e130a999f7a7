"""Building test messages and a loopback SMTP server (aiosmtpd) for the mail tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

COLLEEN = "colleen@maritime-health.example"  # a Velsoft liaison


def mail(
    *,
    sender: str | None = f"Colleen Doyle <{COLLEEN}>",
    subject: str | None = "Course player shows a blank page",
    body: str = "Since this morning no learner can open the course.",
    message_id: str | None = "<m1@maritime-health.example>",
    in_reply_to: str | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
) -> bytes:
    message = EmailMessage()
    if sender is not None:
        message["From"] = sender
    message["To"] = "support@desk.example"
    if subject is not None:
        message["Subject"] = subject
    if message_id is not None:
        message["Message-ID"] = message_id
    if in_reply_to is not None:
        message["In-Reply-To"] = in_reply_to
    message.set_content(body)
    for name, content_type, data in attachments:
        main, sub = content_type.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


class Inbox(Message):
    def __init__(self, port: int = 0) -> None:
        super().__init__()
        self.received: list[EmailMessage] = []
        self.port = port

    def handle_message(self, message: EmailMessage) -> None:  # type: ignore[override]
        self.received.append(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()
