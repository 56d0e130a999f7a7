"""How big and how deep an incoming message may be, measured on the raw bytes before parsing.

The standard library's email parser recurses once per nested part (``multipart/*`` inside
``multipart/*``, ``message/rfc822`` inside that, …), and so do ``get_body``,
``iter_attachments`` and ``as_bytes``: a "MIME bomb" of a few thousand nested multiparts ends
in ``RecursionError`` (or takes minutes) however it is caught afterwards. So the shape of the
message is measured here with a flat scan of its lines first — nesting depth, number of parts,
the top-level header block's field count and size, the total size — and a message past any
limit is refused with ``MailRejectedError`` before the parser ever sees it (intake then
quarantines it whole, byte for byte).

The scan errs on the side of counting too much (a boundary named in a body's text counts as
if it were a header), so a message it lets through is never deeper than it says; the parser
is still run under a ``RecursionError`` guard as a safety net.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from deskui.services.errors import ServiceError


class MailUnreadableError(ServiceError):
    """The message cannot be read as mail at all (past a limit, or the parser choked on it);
    it can still be filed whole (``parse_whole``)."""


class MailLimitError(MailUnreadableError):
    """The message is past one of the ``MailLimits``; the text names the limit and setting."""


@dataclass(frozen=True, slots=True)
class MailLimits:
    """The largest message intake reads; each field is a ``mail_max_*`` setting."""

    max_bytes: int = 25 * 1024 * 1024
    max_depth: int = 30
    max_parts: int = 500
    max_headers: int = 500
    max_header_bytes: int = 256 * 1024
    max_attachments: int = 100


DEFAULT_LIMITS = MailLimits()


def limits_from(settings: Any) -> MailLimits:
    """The limits the ``mail_max_*`` settings set (a ``deskui.settings.Settings``)."""
    return MailLimits(
        max_bytes=settings.mail_max_bytes,
        max_depth=settings.mail_max_depth,
        max_parts=settings.mail_max_parts,
        max_headers=settings.mail_max_headers,
        max_header_bytes=settings.mail_max_header_bytes,
        max_attachments=settings.mail_max_attachments,
    )


@dataclass(frozen=True, slots=True)
class MailShape:
    """What the flat scan measured (``depth`` and ``parts`` are upper bounds)."""

    size: int
    depth: int
    parts: int
    headers: int
    header_bytes: int


_BOUNDARY = re.compile(rb'boundary\s*\*?\s*=\s*(?:"([^"\r\n]*)"|([^\s;"]+))', re.IGNORECASE)
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")
_MESSAGE_TYPE = re.compile(rb"^\s*message/", re.IGNORECASE)


def _header_block(lines: list[bytes]) -> tuple[int, int]:
    """The number of fields and bytes of the top-level header block (up to the blank line)."""
    fields = size = 0
    for line in lines:
        if not line.strip(b"\r\n"):
            break
        size += len(line)
        if line[:1] not in (b" ", b"\t"):
            fields += 1
    return fields, size


def measure(raw: bytes) -> MailShape:
    """The message's size, nesting depth, part count and top-level header block, from its
    lines alone (no parsing)."""
    lines = raw.splitlines(keepends=True)
    headers, header_bytes = _header_block(lines)
    # A stack of the boundaries of the multiparts (and ``None`` for message/* parts) that
    # enclose the line being read: the parser nests exactly like this.
    stack: list[bytes | None] = []
    open_counts: dict[bytes, int] = {}
    depth = parts = 0
    in_headers = True
    field = b""
    content_type = b""
    for line in lines:
        text = line.rstrip(b"\r\n")
        if stack and text.startswith(b"--"):
            name = text[2:].rstrip(b" \t")
            closing = name.endswith(b"--") and open_counts.get(name[:-2], 0) > 0
            if closing:
                name = name[:-2]
            if open_counts.get(name, 0) > 0:
                while stack and stack[-1] != name:
                    _pop(stack, open_counts)
                if closing:
                    _pop(stack, open_counts)
                    in_headers = False
                else:
                    parts += 1
                    in_headers, field, content_type = True, b"", b""
                continue
        if not in_headers:
            continue
        if not text.strip():
            # The end of a part's headers: a message/* part's body starts with more headers.
            in_headers = False
            if _MESSAGE_TYPE.match(content_type):
                stack.append(None)
                parts += 1
                depth = max(depth, len(stack))
                in_headers, content_type = True, b""
            continue
        if line[:1] in (b" ", b"\t"):
            value = text
        else:
            match = _FIELD.match(text)
            field = match.group(1).lower() if match else b""
            value = text[match.end() :] if match else b""
            if field == b"content-type":
                content_type = value
        if field == b"content-type":
            for found in _BOUNDARY.finditer(value):
                boundary = (found.group(1) if found.group(1) is not None else found.group(2))[:200]
                stack.append(boundary)
                open_counts[boundary] = open_counts.get(boundary, 0) + 1
                depth = max(depth, len(stack))
    return MailShape(len(raw), depth, parts, headers, header_bytes)


def _pop(stack: list[bytes | None], open_counts: dict[bytes, int]) -> None:
    top = stack.pop()
    if top is not None:
        open_counts[top] -= 1


def check_shape(raw: bytes, limits: MailLimits = DEFAULT_LIMITS) -> MailShape:
    """The message's shape; ``MailLimitError`` naming the first limit it is past."""
    if len(raw) > limits.max_bytes:
        raise MailLimitError(
            f"the message is {len(raw)} bytes; the limit is {limits.max_bytes} (mail_max_bytes)"
        )
    shape = measure(raw)
    checks = (
        (shape.depth, limits.max_depth, "is nested {} parts deep", "mail_max_depth"),
        (shape.parts, limits.max_parts, "has {} parts", "mail_max_parts"),
        (shape.headers, limits.max_headers, "has {} header fields", "mail_max_headers"),
        (
            shape.header_bytes,
            limits.max_header_bytes,
            "has {} bytes of headers",
            "mail_max_header_bytes",
        ),
    )
    for value, limit, what, setting in checks:
        if value > limit:
            raise MailLimitError(
                f"the message {what.format(value)}; the limit is {limit} ({setting})"
            )
    return shape
