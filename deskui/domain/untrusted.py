"""Make customer-written text safe to show: control characters become visible tokens.

Ticket subjects, bodies, names and email addresses come from outside. Terminal escape
sequences (ESC, C0/C1 controls), bidi overrides and zero-width characters must never reach the
terminal raw; they are replaced with visible stand-ins so an agent can see they were there.
The UI wraps the result in a ``Content``/``Text`` object so it is never parsed as markup.
"""

from __future__ import annotations

_BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_INVISIBLE = (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E)
_BIDI_AND_INVISIBLE = frozenset((*_BIDI_CONTROLS, *_INVISIBLE))


def _stand_in(code: int) -> str:
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode control pictures: ESC shows as ␛
    if code == 0x7F:
        return "␡"
    return f"<U+{code:04X}>"


def _table(keep_newlines: bool) -> dict[int, str]:
    codes = [*range(0x20), *range(0x7F, 0xA0), *_BIDI_AND_INVISIBLE]
    kept = {0x0A, 0x09} if keep_newlines else set()
    return {code: _stand_in(code) for code in codes if code not in kept}


# str.translate does the whole replacement in C: bodies of thousands of log entries stay cheap.
_FOR_LINES = _table(keep_newlines=False)
_FOR_BODIES = _table(keep_newlines=True)


def visible_text(text: str | None, *, keep_newlines: bool = False) -> str:
    """``text`` with every control, bidi or invisible character replaced by a visible token.

    With ``keep_newlines`` (message bodies), line feeds and tabs stay so long bodies wrap;
    otherwise (subjects, names, table cells) they are shown as tokens too.
    """
    if not text:
        return ""
    if keep_newlines:
        return text.replace("\r\n", "\n").translate(_FOR_BODIES)
    return text.translate(_FOR_LINES)


def one_line(text: str | None, limit: int | None = None) -> str:
    """A single visible line (for table cells), cut with an ellipsis past ``limit`` characters."""
    line = visible_text(text)
    if limit is not None and len(line) > limit:
        return line[: max(limit - 1, 0)] + "…"
    return line
