"""The full-text index over tickets and their logs: ranked matches, and bulk indexing.

The index itself (SQLite FTS5 ``ticket_fts``, PostgreSQL ``ticket_search`` with a GIN index)
and the triggers that keep it up to date in every writing transaction are made by migration
0005. A ticket's document is its reference, subject, people (requester name and email, the
organisation's name) and text (description and every log body). Ranking: by where the words
are found (reference or subject, people, anywhere), then newest first (``search_tickets``).

A query is a list of ``Term``: a word or a phrase, optionally a prefix (``print*``). Every term
must match (AND). Words are cut on anything that is not a letter or a digit, as the index cuts
them on both backends, so ``DSK-000123`` or ``jane@example.com`` are phrases of their parts.

``pause_triggers`` / ``index_tickets`` are for bulk loads: pause the triggers inside the
load's transaction, insert, then index the new tickets in one statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from deskui.store.models import SearchIndexPause

# Tables the index adds outside the ORM metadata (FTS5 makes its shadow tables itself).
INDEX_TABLE_PREFIXES = ("ticket_fts", "ticket_title_fts", "ticket_people_fts", "ticket_search")

_WORD = re.compile(r"[^\W_]+")


def is_index_table(name: str) -> bool:
    """Whether ``name`` is one of the search index's own tables (not in the ORM metadata)."""
    return name.startswith(INDEX_TABLE_PREFIXES)


@dataclass(frozen=True)
class Term:
    """One part of a query: ``words`` in a row (one word, or a phrase); ``prefix`` lets the
    last word match any word it begins."""

    words: tuple[str, ...]
    prefix: bool = False


def words_of(value: str) -> list[str]:
    """The words of ``value`` as the index cuts them, lower-cased."""
    return [word.lower() for word in _WORD.findall(value)]


def _fts5_query(terms: Sequence[Term]) -> str:
    parts = []
    for term in terms:
        # Each word is quoted, so FTS5 operators typed by a person are taken as text.
        phrase = '"' + " ".join(term.words) + '"'
        parts.append(phrase + ("*" if term.prefix else ""))
    return " AND ".join(parts)


def _tsquery(terms: Sequence[Term], weights: str = "") -> str:
    parts = []
    for term in terms:
        words = [f"'{word}'" for word in term.words]
        if term.prefix:
            words[-1] += ":*"
        if weights:
            # 'word':AB matches the word only where it carries weight A or B.
            words = [w + ("" if w.endswith("*") else ":") + weights for w in words]
        parts.append(words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")")
    return " & ".join(parts)


@dataclass(frozen=True, slots=True)
class SearchMatch:
    """A matching ticket id and its rank (higher is better, comparable within one query)."""

    ticket_id: int
    score: float


# Where every word of the query is found, best first: in the reference and subject; in the
# people (requester, organisation); anywhere (words may then be spread over the fields). SQLite
# keeps a small FTS5 table per tier; PostgreSQL's weight labels (A reference, B subject,
# C people, D text) say the same.
_TIER_TABLES = ("ticket_title_fts", "ticket_people_fts", "ticket_fts")
_TIER_WEIGHTS = ("AB", "C", "")


def search_tickets(
    session: Session,
    terms: Sequence[Term],
    *,
    limit: int,
    offset: int = 0,
    open_only: bool = False,
) -> list[SearchMatch]:
    """The best ``limit`` tickets matching every term: by where the words are found (score 3
    reference or subject, 2 people, 1 anywhere), then newest first.

    Not bm25/ts_rank: bm25 needs each word's document frequency, a pass over every ticket that
    contains the word, which took 0.1-1 s for common words at 1,000,000 tickets; column filters
    read the positions of every such ticket. Each tier here is a walk of one index in
    ticket-id order that stops after ``offset + limit`` matches: enough, since a tier's first
    matches can only be displaced by tickets already counted in a better tier.
    """
    if not terms or limit < 1 or offset < 0:
        return []
    dialect = session.get_bind().dialect.name
    wanted = offset + limit
    parts = []
    params: dict[str, object] = {"wanted": wanted, "limit": limit, "offset": offset}
    for tier, table in enumerate(_TIER_TABLES):
        score = len(_TIER_TABLES) - tier
        if dialect == "sqlite":
            params[f"q{tier}"] = _fts5_query(terms)
            parts.append(
                f"SELECT * FROM (SELECT f.rowid AS ticket_id, {score} AS score FROM {table} f"
                + (" JOIN ticket t ON t.id = f.rowid" if open_only else "")
                + f" WHERE {table} MATCH :q{tier}"
                + (" AND t.is_open" if open_only else "")
                + " ORDER BY f.rowid DESC LIMIT :wanted)"
            )
        else:
            params[f"q{tier}"] = _tsquery(terms, _TIER_WEIGHTS[tier])
            parts.append(
                f"(SELECT s.ticket_id, {score} AS score FROM ticket_search s"
                + (" JOIN ticket t ON t.id = s.ticket_id" if open_only else "")
                + f" WHERE s.document @@ to_tsquery('simple', :q{tier})"
                + (" AND t.is_open" if open_only else "")
                + " ORDER BY s.ticket_id DESC LIMIT :wanted)"
            )
    statement = text(
        "SELECT ticket_id, max(score) AS best FROM ("
        + " UNION ALL ".join(parts)
        + ") AS tiers GROUP BY ticket_id ORDER BY best DESC, ticket_id DESC"
        " LIMIT :limit OFFSET :offset"
    )
    rows = session.execute(statement, params)
    return [SearchMatch(int(ticket_id), float(score)) for ticket_id, score in rows]


# The same documents as migration 0005's triggers build (a test checks they agree).
_PEOPLE = """t.requester_name || ' ' || coalesce(t.requester_email, '') || ' '
           || coalesce((SELECT o.name FROM organisation o WHERE o.id = t.organisation_id), '')"""
_SQLITE_DOCUMENTS = {
    "ticket_fts": (
        "reference, subject, people, body",
        f"""SELECT t.id, t.reference, t.subject, {_PEOPLE},
       t.description || ' '
           || coalesce((SELECT group_concat(i.body, ' ') FROM interaction i
                        WHERE i.ticket_id = t.id), '')
FROM ticket t""",
    ),
    "ticket_title_fts": ("reference, subject", "SELECT t.id, t.reference, t.subject FROM ticket t"),
    "ticket_people_fts": ("people", f"SELECT t.id, {_PEOPLE} FROM ticket t"),
}


def pause_triggers(session: Session) -> None:
    """Stop the index triggers for the rest of this transaction (see ``SearchIndexPause``)."""
    session.add(SearchIndexPause(id=1))
    session.flush()


def resume_triggers(session: Session) -> None:
    """Undo ``pause_triggers`` (before the transaction commits)."""
    session.query(SearchIndexPause).delete()
    session.flush()


def index_tickets(session: Session, ticket_ids: Iterable[int]) -> None:
    """(Re)build the documents of ``ticket_ids`` in one statement per consecutive run."""
    for low, high in _runs(sorted(set(ticket_ids))):
        params = {"low": low, "high": high}
        if session.get_bind().dialect.name == "sqlite":
            for name, (columns, document) in _SQLITE_DOCUMENTS.items():
                session.execute(
                    text(f"DELETE FROM {name} WHERE rowid BETWEEN :low AND :high"), params
                )
                session.execute(
                    text(
                        f"INSERT INTO {name}(rowid, {columns}) {document}"
                        " WHERE t.id BETWEEN :low AND :high"
                    ),
                    params,
                )
        else:
            session.execute(
                text(
                    "SELECT deskui_search_reindex(id) FROM ticket WHERE id BETWEEN :low AND :high"
                ),
                params,
            )


def _runs(ids: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for value in ids:
        if runs and runs[-1][1] == value - 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def optimize(session: Session) -> None:
    """Merge the index's segments (SQLite FTS5 ``optimize``; PostgreSQL needs nothing)."""
    if session.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_DOCUMENTS:
            session.execute(text(f"INSERT INTO {name}({name}) VALUES ('optimize')"))
