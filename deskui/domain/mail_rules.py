"""Pure rules about mail: which messages must never be answered automatically, the priority a
customer states in a message, enhancement requests, and filling in a canned reply.

No I/O here: callers hand in header values and text already decoded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from deskui.domain.catalog.team_mail import TeamMailSpec

# Headers that mark a message as automatic or bulk (RFC 3834, Microsoft's X-Auto-Response-
# Suppress, mailing lists); a message carrying one is never acknowledged.
LOOP_HEADERS = ("Auto-Submitted", "Precedence", "X-Auto-Response-Suppress", "List-Id")
BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_DAEMONS = re.compile(
    r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|no-?reply|do-?not-?reply)@",
    re.IGNORECASE,
)


def no_acknowledgement_reason(headers: Mapping[str, str | None], sender: str) -> str | None:
    """Why a message with these headers from ``sender`` must get no automatic reply, or
    ``None`` when one may be sent."""
    auto = (headers.get("Auto-Submitted") or "").strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto}"
    precedence = (headers.get("Precedence") or "").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    if headers.get("X-Auto-Response-Suppress"):
        return "X-Auto-Response-Suppress"
    if headers.get("List-Id"):
        return "List-Id (a mailing list)"
    if _DAEMONS.match(sender.strip()):
        return f"from {sender.split('@')[0]} (an automatic sender)"
    return None


_TAG = re.compile(r"\[([^\[\]]{1,40})\]")
_PRIORITY_LINE = re.compile(r"^\s*priority\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


def _matches(word: str, candidates: Iterable[str]) -> bool:
    folded = word.strip().casefold()
    return any(folded == c.strip().casefold() for c in candidates)


def stated_priority(subject: str, body: str, words: Mapping[str, Iterable[str]]) -> str | None:
    """The priority slug the customer asked for: a ``[High]`` tag in the subject, else a
    ``Priority: high`` line in the body, matched against each slug's words."""
    stated = [m.group(1) for m in _TAG.finditer(subject)]
    line = _PRIORITY_LINE.search(body or "")
    if line is not None:
        stated.append(line.group(1))
    for text in stated:
        for slug, names in words.items():
            if _matches(text, names):
                return slug
    return None


def is_enhancement(subject: str, recipients: Iterable[str], spec: TeamMailSpec) -> bool:
    """Mail to one of the team's enhancement addresses, or tagged with an enhancement word."""
    addresses = {a.casefold() for a in spec.enhancement_addresses}
    if any(r.strip().casefold() in addresses for r in recipients):
        return True
    return any(_matches(m.group(1), spec.enhancement_tags) for m in _TAG.finditer(subject))


class _Keep(dict[str, str]):
    """Placeholders nobody filled stay as written, so a typo shows instead of crashing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_template(text: str, values: Mapping[str, str]) -> str:
    """``text`` with ``{first_name}``-style placeholders replaced from ``values``."""
    try:
        return text.format_map(_Keep(values))
    except (ValueError, IndexError):  # a stray brace: the text as written
        return text


def first_name(full_name: str) -> str:
    parts = full_name.strip().split()
    return parts[0] if parts else "there"


@dataclass(frozen=True, slots=True)
class Ranked:
    """A candidate and how well the query matched it (higher is better)."""

    score: int
    name: str


def fuzzy_score(query: str, text: str) -> int:
    """How well ``query`` matches ``text`` as a subsequence (0: not at all): consecutive
    letters and matches at word starts count more, like a command palette."""
    q, t = query.casefold().strip(), text.casefold()
    if not q:
        return 1
    score, position, previous = 0, 0, -2
    for char in q:
        if char == " ":
            continue
        found = t.find(char, position)
        if found < 0:
            return 0
        score += 1
        if found == previous + 1:
            score += 3
        if found == 0 or not t[found - 1].isalnum():
            score += 2
        previous, position = found, found + 1
    return score


def fuzzy_rank(query: str, names: Iterable[str]) -> list[str]:
    """``names`` that match ``query``, best first (ties keep their order)."""
    ranked = [(fuzzy_score(query, n), i, n) for i, n in enumerate(names)]
    return [n for s, _i, n in sorted(ranked, key=lambda r: (-r[0], r[1])) if s > 0]
