"""``send_mail`` against a real SMTP server on loopback (aiosmtpd), and when none answers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from deskui.services.mail.smtp import MailDeliveryError, send_mail
from deskui.settings import Settings


class _Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[EmailMessage] = []

    def handle_message(self, message: EmailMessage) -> None:  # type: ignore[override]
        self.received.append(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, _Inbox]]:
    inbox = _Inbox()
    # A real port: the controller checks it is up by connecting to the port it was given.
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def _message() -> EmailMessage:
    message = EmailMessage()
    message["To"] = "colleen@maritime-health.example"
    message["Subject"] = "[DSK-000001] We have your request"
    message.set_content("Your reference is DSK-000001.")
    return message


def test_the_message_reaches_the_server(smtp_server: tuple[Controller, _Inbox]) -> None:
    controller, inbox = smtp_server
    port = controller.port
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, mail_from="desk@example.test")
    send_mail(settings, _message())
    assert len(inbox.received) == 1
    got = inbox.received[0]
    assert got["From"] == "desk@example.test"
    assert got["Subject"] == "[DSK-000001] We have your request"


def test_no_server_is_a_clear_error() -> None:
    port = _free_port()
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout_seconds=2)
    with pytest.raises(MailDeliveryError, match=rf"via 127.0.0.1:{port} failed"):
        send_mail(settings, _message())


def test_unconfigured_is_a_clear_error() -> None:
    with pytest.raises(MailDeliveryError, match="no SMTP server configured"):
        send_mail(Settings(), _message())
