"""Search everything: every ticket (open, resolved, closed) and its log, ranked.

The API (for the app, the CLI and scripts)::

    hits = search(database, "printer jam*", limit=20)        # -> SearchResults
    for hit in hits.hits: hit.reference, hit.subject, hit.status, hit.snippet, ...
    hits.more                                                # a further page exists

    parse_query('"label printer" jam*')  # -> (Term(("label", "printer")), Term(("jam",), True))

Query syntax: words (every one must appear somewhere in the ticket or its log), ``"a
phrase"`` (the words in a row), ``word*`` (a word beginning so). Case and, on SQLite, accents
do not matter; punctuation splits words, so ``DSK-000123`` and ``jane@example.com`` work as
typed. A query with no words raises ``SearchQueryError`` (a ``TicketValidationError`` on the
field ``query``). Matches are ranked by where all the words are found: in the reference or
subject, else in the people (requester, organisation), else anywhere (the description and log
too); then newest first. The index is kept up to date by the database in the writing
transaction (see ``deskui.store.search`` and migration 0005), so a ticket is found the moment
its write commits.

``snippet`` is a short excerpt of the first text (subject, description, log entries in order)
that contains one of the words; it is customer text: draw it through ``deskui.ui.safe``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from deskui.services.errors import TicketValidationError
from deskui.store import search as index
from deskui.store.models import Agent, Interaction, Organisation, SlaPriority, Team, Ticket
from deskui.store.search import Term
from deskui.store.session import Database

MAX_LIMIT = 500
MAX_TERMS = 16
_SNIPPET_WIDTH = 120
# A quoted phrase, or a run of anything but spaces and quotes (a word, maybe ending in '*').
_PIECE = re.compile(r'"([^"]*)"?|([^\s"]+)')


class SearchQueryError(TicketValidationError):
    """The query cannot be searched for (no words, too many, a bad limit)."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching ticket, as a results list shows it."""

    ticket_id: int
    reference: str
    subject: str
    status: str
    priority: str
    priority_label: str
    team: str
    organisation: str
    requester: str
    assignee: str | None
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    score: float
    snippet: str


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    more: bool  # at least one more match beyond this page


def parse_query(query: str) -> list[Term]:
    """The terms of ``query`` (see the module docstring); ``SearchQueryError`` if none."""
    terms: list[Term] = []
    for match in _PIECE.finditer(query):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            words = index.words_of(phrase)
            prefix = False
        else:
            prefix = word.endswith("*")
            words = index.words_of(word)
        if words:
            terms.append(Term(tuple(words), prefix=prefix))
    if not terms:
        raise SearchQueryError("query", "type at least one word to search for")
    if len(terms) > MAX_TERMS:
        raise SearchQueryError("query", f"at most {MAX_TERMS} words or phrases, not {len(terms)}")
    return terms


def search(
    database: Database,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    open_only: bool = False,
) -> SearchResults:
    """The best ``limit`` tickets for ``query``, best first; ``open_only`` skips resolved and
    closed ones."""
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchQueryError("limit", f"must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise SearchQueryError("offset", f"cannot be negative ({offset})")
    terms = parse_query(query)
    with database.read() as session:
        matches = index.search_tickets(
            session, terms, limit=limit + 1, offset=offset, open_only=open_only
        )
        more = len(matches) > limit
        matches = matches[:limit]
        hits = _hits(session, matches, {w for t in terms for w in t.words}, terms)
    return SearchResults(query=query, hits=hits, more=more)


def _hits(
    session: Session, matches: list[index.SearchMatch], words: set[str], terms: list[Term]
) -> list[SearchHit]:
    if not matches:
        return []
    ids = [m.ticket_id for m in matches]
    assignee = aliased(Agent)
    rows = session.execute(
        select(
            Ticket.id,
            Ticket.reference,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            SlaPriority.label,
            Team.name,
            Organisation.name,
            Ticket.requester_name,
            assignee.handle,
            Ticket.opened_at,
            Ticket.resolved_at,
            Ticket.closed_at,
            Ticket.description,
        )
        .join(Team, Team.id == Ticket.team_id)
        .outerjoin(
            SlaPriority,
            (SlaPriority.policy_id == Ticket.policy_id) & (SlaPriority.slug == Ticket.priority),
        )
        .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .where(Ticket.id.in_(ids))
    ).all()
    by_id = {row[0]: row for row in rows}
    prefixes = {t.words[-1] for t in terms if t.prefix}
    snippets = _snippets(session, by_id, words, prefixes)
    hits = []
    for match in matches:
        row = by_id.get(match.ticket_id)
        if row is None:  # indexed but gone (cannot happen with the triggers; be safe)
            continue
        hits.append(
            SearchHit(
                ticket_id=row[0],
                reference=row[1],
                subject=row[2],
                status=str(row[3]),
                priority=row[4],
                priority_label=row[5] or row[4],
                team=row[6],
                organisation=row[7] or "",
                requester=row[8],
                assignee=row[9],
                opened_at=row[10],
                resolved_at=row[11],
                closed_at=row[12],
                score=match.score,
                snippet=snippets.get(row[0], ""),
            )
        )
    return hits


def _snippets(
    session: Session, rows: Mapping[int, Sequence[object]], words: set[str], prefixes: set[str]
) -> dict[int, str]:
    """Per ticket, an excerpt of the first description or log body holding a query word."""
    found: dict[int, str] = {}
    for ticket_id, row in rows.items():
        excerpt = _excerpt(str(row[13]), words, prefixes)
        if excerpt:
            found[ticket_id] = excerpt
    missing = [ticket_id for ticket_id in rows if ticket_id not in found]
    if missing:
        bodies = session.execute(
            select(Interaction.ticket_id, Interaction.body)
            .where(Interaction.ticket_id.in_(missing))
            .order_by(Interaction.ticket_id, Interaction.id)
        )
        for ticket_id, body in bodies:
            if ticket_id not in found:
                excerpt = _excerpt(body, words, prefixes)
                if excerpt:
                    found[ticket_id] = excerpt
    return found


def _excerpt(body: str, words: set[str], prefixes: set[str]) -> str:
    for match in re.finditer(r"[^\W_]+", body):
        word = match.group().lower()
        if word in words or any(word.startswith(p) for p in prefixes):
            start = max(0, match.start() - _SNIPPET_WIDTH // 3)
            text = " ".join(body[start : start + _SNIPPET_WIDTH].split())
            return (
                ("…" if start else "") + text + ("…" if start + _SNIPPET_WIDTH < len(body) else "")
            )
    return ""
