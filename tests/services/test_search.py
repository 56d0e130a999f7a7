"""Search everything: the index follows every write (triggers), bulk loads and the migration,
on SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.catalog.generate import generate_tickets
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.search import SearchQueryError, parse_query, search
from deskui.store import search as index
from deskui.store.migrate import downgrade, upgrade
from deskui.store.models import Organisation, Ticket
from deskui.store.search import Term
from deskui.store.session import Database

OPENED = dt.datetime(2026, 2, 2, 13, 0, tzinfo=dt.UTC)
COLLEEN = "colleen@maritime-health.example"  # a Velsoft liaison
AGENT = "cmacdonald"


def open_one(desk: Database, subject: str, description: str, **more: object) -> str:
    draft = TicketDraft(
        team="velsoft",
        subject=subject,
        channel="email",
        category="technical",
        description=description,
        contact_email=COLLEEN,
        priority="high",
        **more,  # type: ignore[arg-type]
    )
    return intake.open_ticket(Actor.of(desk, at=OPENED), draft).reference


def refs(desk: Database, query: str, **options: object) -> list[str]:
    return [hit.reference for hit in search(desk, query, **options).hits]  # type: ignore[arg-type]


def test_parse_query_words_phrases_prefixes() -> None:
    assert parse_query('Printer "paper JAM" log* DSK-000123') == [
        Term(("printer",)),
        Term(("paper", "jam")),
        Term(("log",), prefix=True),
        Term(("dsk", "000123")),
    ]
    # Operators a person types are words, never syntax of either backend.
    assert parse_query("a AND (b) OR -c 'd'") == [
        Term(("a",)),
        Term(("and",)),
        Term(("b",)),
        Term(("or",)),
        Term(("c",)),
        Term(("d",)),
    ]


@pytest.mark.parametrize("query", ["", "   ", "-- ** ''", '""'])
def test_a_query_without_words_is_refused(query: str) -> None:
    with pytest.raises(SearchQueryError, match="at least one word"):
        parse_query(query)


def test_subject_description_requester_organisation_reference(desk: Database) -> None:
    first = open_one(desk, "Course player shows a blank page", "No learner can open Módulo 3.")
    second = open_one(desk, "Certificates do not print", "The printer queue is stuck.")
    assert refs(desk, "blank page") == [first]
    assert refs(desk, "printer") == [second]
    assert refs(desk, "print*") == [second]
    assert refs(desk, "colleen") == [second, first]  # the requester; newest first on a tie
    assert refs(desk, "maritime health") == [second, first]  # the organisation
    assert refs(desk, first) == [first]  # the reference as typed
    assert refs(desk, first.lower().split("-")[1]) == [first]
    assert refs(desk, '"player shows"') == [first]
    assert refs(desk, '"shows player"') == []
    assert refs(desk, "blank printer") == []  # every word must match the same ticket
    assert refs(desk, "nothing-like-this") == []
    assert refs(desk, "Course", open_only=True) == [first]


def test_the_log_is_searched_as_it_grows_and_closed_tickets_stay_found(desk: Database) -> None:
    ref = open_one(desk, "Login fails", "Since this morning nobody can sign in.")
    assert refs(desk, "kerberos") == []
    at = OPENED + dt.timedelta(hours=1)
    tickets.acknowledge(Actor.of(desk, AGENT, at=at), ref)
    tickets.add_note(Actor.of(desk, AGENT, at=at), ref, "Kerberos ticket expired on the proxy")
    assert refs(desk, "kerberos") == [ref]
    assert refs(desk, "kerberos login") == [ref]  # words from the log and from the subject
    tickets.reply(Actor.of(desk, AGENT, at=at), ref, "email-out", "Fixed the clock skew")
    tickets.start_work(Actor.of(desk, AGENT, at=at), ref)
    tickets.resolve(Actor.of(desk, AGENT, at=at + dt.timedelta(minutes=5)), ref, "skew corrected")
    tickets.close(Actor.of(desk, AGENT, at=at + dt.timedelta(days=10)), ref)
    results = search(desk, "skew")
    assert [(h.reference, h.status) for h in results.hits] == [(ref, "closed")]
    assert "skew" in results.hits[0].snippet.lower()
    assert refs(desk, "skew", open_only=True) == []


def test_ranking_prefers_the_subject_over_the_log(desk: Database) -> None:
    in_log = open_one(desk, "Slow reports", "Reports take minutes.")
    tickets.add_note(Actor.of(desk, AGENT, at=OPENED), in_log, "Maybe the archive job")
    in_subject = open_one(desk, "Archive job fails", "Nightly run stops.")
    assert refs(desk, "archive") == [in_subject, in_log]


def test_editing_the_subject_and_renaming_the_organisation_reindex(desk: Database) -> None:
    ref = open_one(desk, "Old words here", "Body.")
    with desk.write() as session:
        session.execute(update(Ticket).where(Ticket.reference == ref).values(subject="Fresh"))
    assert refs(desk, "fresh") == [ref]
    assert refs(desk, "old") == []
    with desk.write() as session:
        session.execute(
            update(Organisation)
            .where(Organisation.id == select(Ticket.organisation_id).scalar_subquery())
            .values(name="Harbour Clinics")
        )
    assert refs(desk, "harbour clinics") == [ref]
    assert refs(desk, "training") == []  # the old name (its email still says maritime-health)


def test_customer_text_is_never_query_syntax(desk: Database) -> None:
    ref = open_one(desk, 'He said "NEAR(a b)" * OR NOT', "x:y ^ {col} : 'quote'")
    for query in ['"NEAR(a b)"', "OR NOT", "col", "x:y", "'quote'", "NEAR* a:*"]:
        assert refs(desk, query) == [ref], query


def test_limits_and_paging(desk: Database) -> None:
    made = [open_one(desk, f"Batch item {n}", "Same words.") for n in range(5)]
    first = search(desk, "batch", limit=2)
    assert [h.reference for h in first.hits] == made[::-1][:2] and first.more
    rest = search(desk, "batch", limit=10, offset=2)
    assert [h.reference for h in rest.hits] == made[::-1][2:] and not rest.more
    with pytest.raises(SearchQueryError):
        search(desk, "batch", limit=0)


def test_ranking_by_where_the_words_are_then_newest(desk: Database) -> None:
    in_text = open_one(desk, "Item one", "a common thing")
    in_subject = open_one(desk, "Common word", "x")
    newer_text = open_one(desk, "Item two", "common again")
    in_subject_and_text = open_one(desk, "Common trouble", "common")
    with desk.read() as session:
        ids = dict(session.execute(select(Ticket.reference, Ticket.id)).all())
        scores = {
            m.ticket_id: m.score
            for m in index.search_tickets(session, parse_query("common"), limit=10)
        }
    assert refs(desk, "common") == [in_subject_and_text, in_subject, newer_text, in_text]
    assert scores[ids[in_subject]] == 3.0 and scores[ids[in_text]] == 1.0
    assert refs(desk, "common", limit=2, offset=1) == [in_subject, newer_text]
    # Words split over the subject and the text count as found in the text.
    assert refs(desk, "trouble common") == [in_subject_and_text]
    assert refs(desk, "colleen item") == [newer_text, in_text]  # requester + subject: people


def _documents(desk: Database) -> dict[int, object]:
    with desk.read() as session:
        if desk.dialect == "sqlite":
            rows = session.execute(
                text("SELECT rowid, reference, subject, people, body FROM ticket_fts")
            )
            return {row[0]: tuple(row[1:]) for row in rows}
        rows = session.execute(text("SELECT ticket_id, document::text FROM ticket_search"))
        return {row[0]: row[1] for row in rows}


def test_bulk_indexing_builds_the_documents_the_triggers_build(desk: Database) -> None:
    ref = open_one(desk, "Triggered", "Built by the triggers.")
    tickets.add_note(Actor.of(desk, AGENT, at=OPENED), ref, "and appended to")
    by_triggers = _documents(desk)
    with desk.write() as session:
        index.index_tickets(session, list(by_triggers))
    rebuilt = _documents(desk)
    if desk.dialect == "postgresql":
        # Appending a log entry shifts its word positions past the previous text; the
        # words and their weights are the same.
        def words(doc: object) -> set[str]:
            return {part.split(":")[0] for part in str(doc).split()}

        assert {k: words(v) for k, v in rebuilt.items()} == {
            k: words(v) for k, v in by_triggers.items()
        }
    else:
        # The same words in every column (the triggers' spacing may differ).
        def words(doc: object) -> list[list[str]]:
            return [index.words_of(column) for column in doc]  # type: ignore[attr-defined]

        assert {k: words(v) for k, v in rebuilt.items()} == {
            k: words(v) for k, v in by_triggers.items()
        }


def test_generated_tickets_are_indexed_in_bulk(desk: Database) -> None:
    summary = generate_tickets(desk, 300, now=OPENED, chunk_size=120)
    with desk.read() as session:
        count = session.execute(
            text(
                "SELECT count(*) FROM "
                + ("ticket_fts" if desk.dialect == "sqlite" else "ticket_search")
            )
        ).scalar_one()
        paused = session.execute(text("SELECT count(*) FROM search_index_pause")).scalar_one()
        subject, reference = session.execute(
            text("SELECT subject, reference FROM ticket ORDER BY id DESC LIMIT 1")
        ).one()
    assert (count, paused) == (summary.tickets, 0)
    assert reference in refs(desk, f'"{subject}" {reference}')
    # After a bulk load the triggers run again for ordinary writes.
    ref = open_one(desk, "After the load", "Zanzibar.")
    assert refs(desk, "zanzibar") == [ref]


def test_the_migration_indexes_a_seeded_desk(seeded_url: str, tmp_path: Path) -> None:
    database = Database(seeded_url)
    try:
        ref = open_one(database, "Before the index existed", "Quokka sighting.")
        downgrade(database.engine, "0003")
        assert database.dialect == "postgresql" or "ticket_fts" not in _tables(database)
        upgrade(database.engine)
        assert refs(database, "quokka") == [ref]
    finally:
        database.dispose()


def _tables(database: Database) -> set[str]:
    with database.read() as session:
        return set(
            session.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars()
        )
