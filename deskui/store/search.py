"""The full-text index over tickets and their logs: ranked matches, and bulk indexing.

The index itself (SQLite FTS5 ``ticket_fts``, PostgreSQL ``ticket_search`` with a GIN index)
and the triggers that keep it up to date in every writing transaction are made by migration
0005. A ticket's document is its reference, subject, people (requester name and email, the
organisation's name) and text (description and every log body). Ranking: SQLite ``bm25``
with column weights, PostgreSQL ``ts_rank`` with the same weights as A/B/C/D labels; ties go
to the newest ticket.

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
INDEX_TABLE_PREFIXES = ("ticket_fts", "ticket_search")

_WORD = re.compile(r"[^\W_]+")

# bm25 weights of ticket_fts(reference, subject, people, body); ts_rank's {D, C, B, A}.
_BM25_WEIGHTS = "10.0, 4.0, 2.0, 1.0"
_TS_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"


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


def _tsquery(terms: Sequence[Term]) -> str:
    parts = []
    for term in terms:
        words = [f"'{word}'" for word in term.words]
        if term.prefix:
            words[-1] += ":*"
        parts.append(words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")")
    return " & ".join(parts)


@dataclass(frozen=True, slots=True)
class SearchMatch:
    """A matching ticket id and its rank (higher is better, comparable within one query)."""

    ticket_id: int
    score: float


def search_tickets(
    session: Session,
    terms: Sequence[Term],
    *,
    limit: int,
    offset: int = 0,
    open_only: bool = False,
) -> list[SearchMatch]:
    """The best ``limit`` tickets matching every term, best first (then newest first)."""
    if not terms or limit < 1 or offset < 0:
        return []
    dialect = session.get_bind().dialect.name
    open_filter = " AND t.is_open" if open_only else ""
    if dialect == "sqlite":
        # bm25 is "lower is better"; ticket_fts's rowid is the ticket id.
        statement = text(
            f"SELECT f.rowid, -bm25(ticket_fts, {_BM25_WEIGHTS}) AS score "
            "FROM ticket_fts f"
            + (" JOIN ticket t ON t.id = f.rowid" if open_only else "")
            + f" WHERE ticket_fts MATCH :query{open_filter}"
            " ORDER BY score DESC, f.rowid DESC LIMIT :limit OFFSET :offset"
        )
        query = _fts5_query(terms)
    else:
        statement = text(
            f"SELECT s.ticket_id, ts_rank(CAST('{_TS_WEIGHTS}' AS real[]), s.document, q.query) "
            "AS score "
            "FROM ticket_search s, to_tsquery('simple', :query) AS q(query)"
            + (" , ticket t" if open_only else "")
            + " WHERE s.document @@ q.query"
            + (" AND t.id = s.ticket_id" + open_filter if open_only else "")
            + " ORDER BY score DESC, s.ticket_id DESC LIMIT :limit OFFSET :offset"
        )
        query = _tsquery(terms)
    rows = session.execute(statement, {"query": query, "limit": limit, "offset": offset})
    return [SearchMatch(int(ticket_id), float(score)) for ticket_id, score in rows]


# The same document as migration 0005's triggers build (a test checks they agree).
_SQLITE_DOCUMENT = """
INSERT INTO ticket_fts(rowid, reference, subject, people, body)
SELECT t.id, t.reference, t.subject,
       t.requester_name || ' ' || coalesce(t.requester_email, '') || ' '
           || coalesce((SELECT o.name FROM organisation o WHERE o.id = t.organisation_id), ''),
       t.description || ' '
           || coalesce((SELECT group_concat(i.body, ' ') FROM interaction i
                        WHERE i.ticket_id = t.id), '')
FROM ticket t WHERE t.id BETWEEN :low AND :high
"""


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
            session.execute(
                text("DELETE FROM ticket_fts WHERE rowid BETWEEN :low AND :high"), params
            )
            session.execute(text(_SQLITE_DOCUMENT), params)
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
        session.execute(text("INSERT INTO ticket_fts(ticket_fts) VALUES ('optimize')"))
