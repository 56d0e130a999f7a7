"""One incoming RFC 5322 message read as forgivingly as the standard library allows.

``parse_mail`` gives intake what it needs (sender, subject, ids for threading, the body text,
attachments) or raises ``MailRejectedError`` with the reason the message cannot be filed (no
headers at all, no ``From``, no usable address). A body in a character set Python does not
know, or with bytes its charset cannot decode, is decoded with replacement characters (and a
note says so); an HTML-only body is reduced to its text; a missing subject reads
``(no subject)``. Text is kept as written: screens show it through ``deskui.domain.untrusted``.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from deskui.domain.untrusted import one_line
from deskui.services.errors import ServiceError

NO_SUBJECT = "(no subject)"
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)


class MailRejectedError(ServiceError):
    """The message cannot be filed; the text is the reason kept with it in the quarantine."""


@dataclass
class ParsedMail:
    """What intake needs from a message, decoded as forgivingly as the standard allows."""

    sender: str | None
    sender_name: str
    subject: str
    message_id: str | None
    thread_ids: list[str]
    body: str
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _header(message: Message, name: str, notes: list[str]) -> str | None:
    try:
        value = message.get(name)
    except Exception as exc:  # a header the parser cannot make sense of
        notes.append(f"unreadable {name} header ({exc.__class__.__name__})")
        return None
    return None if value is None else str(value)


def _decode_part(part: Message, notes: list[str]) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, AttributeError, ValueError):
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:
        notes.append(f"unknown character set {charset!r}: decoded as UTF-8 with replacements")
        text = payload.decode("utf-8", errors="replace")
    if "\ufffd" in text:
        notes.append("some characters could not be decoded and were replaced")
    return text


def _html_text(markup: str) -> str:
    text = _TAGS.sub(" ", re.sub(r"(?i)<br\s*/?>|</p>", "\n", markup))
    return html.unescape(re.sub(r"[ \t]+", " ", text)).strip()


def _body(message: EmailMessage, notes: list[str]) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        part = None
    if part is None:
        if message.is_multipart():
            return ""
        part = message
    text = _decode_part(part, notes)
    if part.get_content_type() == "text/html":
        text = _html_text(text)
    return text.replace("\r\n", "\n").strip()


def _attachments(message: EmailMessage) -> list[tuple[str, str, bytes]]:
    found: list[tuple[str, str, bytes]] = []
    try:
        parts = list(message.iter_attachments())
    except Exception:
        return found
    for number, part in enumerate(parts, start=1):
        name = part.get_filename() or f"attachment-{number}"
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            inner = part.get_payload()
            # A message/rfc822 part holds the attached message itself, not bytes.
            first = inner[0] if isinstance(inner, list) and inner else inner
            payload = first.as_bytes() if isinstance(first, Message) else str(first or "").encode()
        found.append((one_line(name, 200), part.get_content_type(), payload))
    return found


def _message_ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def parse_mail(raw: bytes) -> ParsedMail:
    """The parts of ``raw`` intake uses; ``MailRejectedError`` when it is not a message."""
    if not raw.strip():
        raise MailRejectedError("empty input: not an RFC 5322 message")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    if not message.keys():
        raise MailRejectedError("no headers: not an RFC 5322 message")
    notes: list[str] = []
    from_value = _header(message, "From", notes)
    if from_value is None:
        raise MailRejectedError("no From header: there is nobody to file it for or reply to")
    name, address = parseaddr(from_value)
    if not address:
        pairs = getaddresses([from_value])
        name, address = pairs[0] if pairs else ("", "")
    address = address.strip().lower()
    if "@" not in address or any(c.isspace() for c in address):
        raise MailRejectedError(f"From {one_line(from_value, 80)!r} holds no usable email address")
    subject = one_line(_header(message, "Subject", notes) or "", 500).strip()
    if not subject:
        notes.append("no subject")
        subject = NO_SUBJECT
    message_id = next(iter(_message_ids(_header(message, "Message-ID", notes))), None)
    threads = _message_ids(_header(message, "In-Reply-To", notes)) + _message_ids(
        _header(message, "References", notes)
    )
    return ParsedMail(
        sender=address,
        sender_name=one_line(name, 200),
        subject=subject,
        message_id=message_id,
        thread_ids=threads,
        body=_body(message, notes),
        attachments=_attachments(message),
        notes=notes,
    )
