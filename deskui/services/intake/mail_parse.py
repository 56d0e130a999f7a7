"""One incoming RFC 5322 message read as forgivingly as the standard library allows.

``parse_mail`` gives intake what it needs (sender, subject, ids for threading, the body text,
attachments) or raises ``MailRejectedError`` with the reason the message cannot be filed (no
headers at all, no ``From``, no usable address). A body in a character set Python does not
know, or with bytes its charset cannot decode, is decoded with replacement characters (and a
note says so); an HTML-only body is reduced to its text; a missing subject reads
``(no subject)``. Text is kept as written: screens show it through ``deskui.domain.untrusted``.

Hostile input is bounded before the parser runs (``deskui.services.intake.mail_limits``: size,
nesting depth, parts, header fields and bytes) and after it (attachments); whatever the parser
still chokes on (``RecursionError`` included) is a ``MailRejectedError`` too, never a crash.
Text that no database column can hold — NUL characters, lone surrogates from undecodable
header bytes — is replaced (NUL by ``␀``, a surrogate by ``\ufffd``) and a note says so.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr

from deskui.domain.mail_rules import LOOP_HEADERS
from deskui.domain.untrusted import one_line
from deskui.services.errors import ServiceError
from deskui.services.intake.mail_limits import (
    DEFAULT_LIMITS,
    MailLimits,
    MailUnreadableError,
    check_shape,
)

NO_SUBJECT = "(no subject)"
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_SURROGATES = re.compile("[\ud800-\udfff]")
# The longest Message-ID kept for threading (the column's size; RFC 5322's line limit).
MAX_MESSAGE_ID = 998
# References beyond this many (the newest are kept) add nothing to finding the thread.
MAX_THREAD_IDS = 50
MAX_ADDRESS = 320
WHOLE_MESSAGE_NAME = "original-message.eml"


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
    # The addressees (lower-cased): To for recognising a team's addresses, Cc to keep on
    # replies.
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    # The headers that say a message is automatic (``deskui.domain.mail_rules.LOOP_HEADERS``).
    loop_headers: dict[str, str | None] = field(default_factory=dict)
    bounce: Bounce | None = None


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification (RFC 3464): the Message-IDs of the mail that bounced,
    the recipients it failed for and what the report said."""

    original_ids: tuple[str, ...]
    recipients: tuple[str, ...]
    reason: str


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


def _attachments(
    message: EmailMessage, raw: bytes, notes: list[str]
) -> list[tuple[str, str, bytes]]:
    found: list[tuple[str, str, bytes]] = []
    try:
        parts = list(message.iter_attachments())
    except Exception as exc:
        # Nothing is dropped: the whole message is kept instead of its separate attachments.
        notes.append(
            f"the attachments could not be separated ({exc.__class__.__name__}); "
            f"the whole message is attached as {WHOLE_MESSAGE_NAME}"
        )
        return [(WHOLE_MESSAGE_NAME, "message/rfc822", raw)]
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
    return [i for i in re.findall(r"<[^<>\s]+>", value or "") if len(i) <= MAX_MESSAGE_ID]


def storable(text: str, notes: list[str] | None = None, what: str = "text") -> str:
    """``text`` with what no database text column holds replaced: NUL by ``␀``, lone
    surrogates (undecodable bytes in headers) by ``\ufffd``; ``notes`` says it happened."""
    cleaned = _SURROGATES.sub("\ufffd", text.replace("\x00", "\u2400"))
    if cleaned != text and notes is not None:
        notes.append(f"the {what} held NUL characters or undecodable bytes; they were replaced")
    return cleaned


def _threads(message: Message, notes: list[str]) -> list[str]:
    found = _message_ids(_header(message, "In-Reply-To", notes)) + _message_ids(
        _header(message, "References", notes)
    )
    unique = list(dict.fromkeys(storable(i) for i in found))
    return unique[-MAX_THREAD_IDS:]


def _addresses(message: Message, name: str, notes: list[str]) -> list[str]:
    value = _header(message, name, notes)
    if not value:
        return []
    found = [a.strip().lower() for _n, a in getaddresses([value]) if "@" in a]
    return list(dict.fromkeys(found))


def _bounce(message: Message) -> Bounce | None:
    """The delivery report in ``message``, if it is one (``multipart/report``)."""
    if message.get_content_type() != "multipart/report":
        return None
    report_type = message.get_param("report-type")
    if not isinstance(report_type, str) or report_type.lower() != "delivery-status":
        return None
    originals: list[str] = []
    recipients: list[str] = []
    reasons: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if not isinstance(block, Message):
                    continue
                recipient = str(block.get("Final-Recipient") or "")
                if recipient:
                    recipients.append(recipient.rpartition(";")[2].strip().lower())
                for header in ("Status", "Diagnostic-Code"):
                    if block.get(header):
                        reasons.append(f"{header}: {one_line(str(block.get(header)), 200)}")
        elif kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                originals += _message_ids(str(inner[0].get("Message-ID") or ""))
        elif kind == "text/rfc822-headers":
            text = part.get_payload(decode=True)
            if not isinstance(text, bytes):
                continue
            headers = email.message_from_bytes(text, policy=email.policy.default)
            originals += _message_ids(str(headers.get("Message-ID") or ""))
    return Bounce(tuple(originals), tuple(dict.fromkeys(recipients)), "; ".join(reasons))


def parse_mail(raw: bytes, limits: MailLimits = DEFAULT_LIMITS) -> ParsedMail:
    """The parts of ``raw`` intake uses; ``MailRejectedError`` when it is not a message, is
    past ``limits``, or is one the parser cannot read."""
    if not raw.strip():
        raise MailRejectedError("empty input: not an RFC 5322 message")
    # Before parsing: the parser recurses per nested part, so depth is measured flat.
    check_shape(raw, limits)
    try:
        mail = _parse(raw)
    except MailRejectedError:
        raise
    except RecursionError:
        raise MailUnreadableError(
            "the message is nested too deeply for the mail parser (RecursionError)"
        ) from None
    except Exception as exc:  # whatever the parser chokes on: the message goes to quarantine
        raise MailUnreadableError(
            f"the mail parser could not read it "
            f"({exc.__class__.__name__}: {one_line(str(exc), 200)})"
        ) from exc
    if len(mail.attachments) > limits.max_attachments:
        raise MailUnreadableError(
            f"the message has {len(mail.attachments)} attachments; the limit is "
            f"{limits.max_attachments} (mail_max_attachments)"
        )
    return mail


def _parse(raw: bytes) -> ParsedMail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    mail = _from_headers(message)
    mail.body = storable(_body(message, mail.notes), mail.notes, "body")
    mail.attachments = [
        (storable(n), storable(t), data) for n, t, data in _attachments(message, raw, mail.notes)
    ]
    return mail


def _from_headers(message: Message) -> ParsedMail:
    """Sender, subject and thread ids (body and attachments left empty)."""
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
    if (
        "@" not in address
        or any(c.isspace() for c in address)
        or len(address) > MAX_ADDRESS
        or storable(address) != address
        or not address.isprintable()
    ):
        raise MailRejectedError(f"From {one_line(from_value, 80)!r} holds no usable email address")
    subject = storable(
        one_line(_header(message, "Subject", notes) or "", 500).strip(), notes, "subject"
    )
    if not subject:
        notes.append("no subject")
        subject = NO_SUBJECT
    message_id = next(iter(_message_ids(_header(message, "Message-ID", notes))), None)
    return ParsedMail(
        sender=address,
        sender_name=storable(one_line(name, 200), notes, "sender's name"),
        subject=subject,
        message_id=storable(message_id) if message_id is not None else None,
        thread_ids=_threads(message, notes),
        body="",
        notes=notes,
        to=_addresses(message, "To", notes) + _addresses(message, "Delivered-To", notes),
        cc=_addresses(message, "Cc", notes),
        loop_headers={name: _header(message, name, notes) for name in LOOP_HEADERS},
        bounce=_bounce(message),
    )


def parse_whole(raw: bytes) -> ParsedMail:
    """``raw`` read from its top-level headers alone, the whole message as the one attachment:
    how a message that cannot be read (past the limits, or one the parser chokes on) is filed
    when a person retries it from the quarantine. The body is never parsed."""
    if not raw.strip():
        raise MailRejectedError("empty input: not an RFC 5322 message")
    try:
        head = raw[: DEFAULT_LIMITS.max_header_bytes]
        message = BytesHeaderParser(policy=email.policy.default).parsebytes(head)
        mail = _from_headers(message)
    except MailRejectedError:
        raise
    except Exception as exc:  # the headers themselves cannot be read
        raise MailRejectedError(
            f"even the headers cannot be read ({exc.__class__.__name__}: {one_line(str(exc), 200)})"
        ) from exc
    mail.body = (
        f"(The message could not be read as mail; it is attached whole as "
        f"{WHOLE_MESSAGE_NAME}, {len(raw)} bytes.)"
    )
    mail.attachments = [(WHOLE_MESSAGE_NAME, "message/rfc822", raw)]
    mail.notes.append("filed whole: the body was not read")
    return mail
