"""``parse_mail`` on awkward messages: HTML only, alternatives, broken charsets, nested mail,
encoded headers, and the messages it refuses (with the reason kept for the quarantine)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from deskui.services.intake.mail_parse import MailRejectedError, parse_mail


def _message(**headers: str) -> EmailMessage:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def test_html_only_is_reduced_to_text() -> None:
    message = _message(From="a@b.example", Subject="Hi")
    message.set_content(
        "<html><style>p{}</style><p>Line&nbsp;one<br>Line &amp; two</p></html>", subtype="html"
    )
    mail = parse_mail(message.as_bytes())
    assert mail.body == "Line\xa0one\nLine & two"


def test_plain_is_preferred_and_ids_are_read() -> None:
    message = _message(
        From='"Doe, Jane" <Jane.Doe@B.example>',
        Subject="=?utf-8?q?Caf=C3=A9_down?=",
        Message_ID="<x1@b.example>",
        In_Reply_To="<ack1@desk.example>",
        References="<a@b> <ack0@desk.example>",
    )
    message.set_content("plain words")
    message.add_alternative("<p>html words</p>", subtype="html")
    mail = parse_mail(message.as_bytes())
    assert (mail.sender, mail.sender_name, mail.subject) == (
        "jane.doe@b.example",
        "Doe, Jane",
        "Café down",
    )
    assert mail.body == "plain words" and mail.message_id == "<x1@b.example>"
    assert mail.thread_ids == ["<ack1@desk.example>", "<a@b>", "<ack0@desk.example>"]


def test_a_forwarded_message_is_kept_as_an_attachment() -> None:
    inner = _message(From="c@d.example", Subject="inner")
    inner.set_content("inner body")
    outer = _message(From="a@b.example", Subject="Fwd")
    outer.set_content("see attached")
    outer.add_attachment(inner)
    mail = parse_mail(outer.as_bytes())
    [(name, content_type, data)] = mail.attachments
    assert content_type == "message/rfc822" and b"inner body" in data
    assert name == "attachment-1"


def test_undecodable_bytes_are_replaced_and_noted() -> None:
    raw = (
        b"From: a@b.example\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"bad \xff\xfe bytes\r\n"
    )
    mail = parse_mail(raw)
    assert "\ufffd" in mail.body and mail.body.startswith("bad ")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"   \r\n", "empty input"),
        (b"\r\n\r\nbody only\r\n", "no headers"),
        (b"To: x@y.example\r\n\r\nbody\r\n", "no From header"),
        (b"From: Someone\r\n\r\nbody\r\n", "no usable email address"),
    ],
)
def test_refused_messages_say_why(raw: bytes, reason: str) -> None:
    with pytest.raises(MailRejectedError, match=reason):
        parse_mail(raw)
