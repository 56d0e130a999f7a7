"""Eight agents (OS processes) hammering twenty shared tickets, on SQLite and PostgreSQL.

Every operation that reported success must be in the log exactly once (found by the unique
token in its text), each ticket's version must be its starting version plus its successful
operations, every ticket must have one change-feed event per success, references stay
unique, and every refusal is one a person can act on (a conflict, a stale edit, a state
error or "busy, try again") — never a crash or a raw "database is locked".
"""

from __future__ import annotations

import collections
import datetime as dt
import multiprocessing
import re
import time

import pytest
from desk_load_workers import CLEAR_REFUSALS, mixed_operations
from sqlalchemy import func, select
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.domain.vocabulary import InteractionKind
from deskui.services import intake
from deskui.services.actor import Actor
from deskui.services.tickets.draft import TicketDraft
from deskui.store.models import Event, Interaction, Ticket
from deskui.store.session import Database

# One worker runs every 'many-processes' test (under `make test`'s pytest-xdist), one after
# another: each starts several writer processes, so two at once would overload the machine.
pytestmark = pytest.mark.xdist_group("many-processes")

PROCESSES = 8
OPERATIONS = 200
TICKETS = 20
AGENTS = ("cmacdonald", "jleblanc", "dpatel", "lchen", "mbrennan", "kwalsh", "pgreene", "arivera")
TOKEN = re.compile(r"\b([a-z]+-\d+-\d+)$")
REFUSAL_NAMES = {cls.__name__ for cls in CLEAR_REFUSALS}


def open_shared_tickets(database: Database, count: int) -> list[str]:
    opened = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    references = []
    for number in range(count):
        draft = TicketDraft(
            team="velsoft",
            subject=f"Shared ticket {number}",
            channel="email",
            category="technical",
            description="Everyone works this one at once.",
            contact_email="colleen@maritime-health.example",
            priority="high",
        )
        references.append(intake.open_ticket(Actor.of(database, None, at=opened), draft).reference)
    return references


def ticket_state(database: Database) -> dict[str, tuple[int, int, int]]:
    """Per reference: (version, log entries, change-feed events)."""
    with database.read() as session:
        entries = dict(
            session.execute(
                select(Interaction.ticket_id, func.count()).group_by(Interaction.ticket_id)
            ).all()
        )
        events = dict(
            session.execute(
                select(Event.ticket_id, func.count())
                .where(Event.ticket_id.is_not(None))
                .group_by(Event.ticket_id)
            ).all()
        )
        return {
            ref: (version, entries.get(ticket_id, 0), events.get(ticket_id, 0))
            for ticket_id, ref, version in session.execute(
                select(Ticket.id, Ticket.reference, Ticket.version)
            )
        }


def test_eight_agents_two_hundred_operations_each_nothing_lost(desk: Database) -> None:
    references = open_shared_tickets(desk, TICKETS)
    before = ticket_state(desk)
    url = desk.url.render_as_string(hide_password=False)

    context = multiprocessing.get_context("spawn")
    started = time.monotonic()
    with context.Pool(PROCESSES) as pool:
        # Everyone starts at the same wall-clock moment, once every worker has imported deskui.
        start_at = time.time() + 4.0
        jobs = [
            pool.apply_async(
                mixed_operations, (url, handle, references, OPERATIONS, seed, start_at)
            )
            for seed, handle in enumerate(AGENTS)
        ]
        records = [record for job in jobs for record in job.get(timeout=300)]
    elapsed = time.monotonic() - started
    outcomes = collections.Counter(r.get("error", "ok") for r in records)
    print(f"\n{desk.dialect}: {len(records)} operations, {PROCESSES} processes, {elapsed:.1f} s")
    print(f"  outcomes: {dict(outcomes)}")

    assert len(records) == PROCESSES * OPERATIONS
    crashes = [r for r in records if not r["ok"] and r["error"] not in REFUSAL_NAMES]
    assert not crashes, crashes[:5]
    for record in records:
        if not record["ok"]:
            assert record["message"].strip(), record
            assert "database is locked" not in record["message"].lower(), record
    successes = [r for r in records if r["ok"]]
    assert len(successes) > len(records) // 2, collections.Counter(
        (r["kind"], r.get("error")) for r in records
    )

    # Every token-bearing success is in the log exactly once; no refused one is.
    with desk.read() as session:
        bodies = session.scalars(select(Interaction.body)).all()
        taken = session.execute(
            select(Ticket.reference, Interaction.kind, Interaction.meta).join(
                Ticket, Ticket.id == Interaction.ticket_id
            )
        ).all()
        references_stored = session.scalars(select(Ticket.reference)).all()
    found = collections.Counter(
        match.group(1) for body in bodies if (match := TOKEN.search(body or ""))
    )
    for record in records:
        if record["kind"] == "take":
            continue
        expected = 1 if record["ok"] else 0
        assert found[record["token"]] == expected, record

    # Takes: one acknowledgement or "taken" assignment per successful take.
    takes_logged = collections.Counter(
        ref
        for ref, kind, meta in taken
        if kind is InteractionKind.ACKNOWLEDGEMENT
        or (kind is InteractionKind.ASSIGNMENT_CHANGE and (meta or {}).get("taken"))
    )
    takes_ok = collections.Counter(r["ref"] for r in successes if r["kind"] == "take")
    for ref in references:
        assert takes_logged[ref] == takes_ok[ref], ref

    # Versions, log entries and events add up, ticket by ticket.
    after = ticket_state(desk)
    per_ticket = collections.Counter(r["ref"] for r in successes)
    for ref in references:
        version, entries, events = after[ref]
        version0, entries0, events0 = before[ref]
        assert version == version0 + per_ticket[ref], ref
        assert entries == entries0 + per_ticket[ref], ref
        assert events == events0 + per_ticket[ref], ref
    assert len(references_stored) == len(set(references_stored))
