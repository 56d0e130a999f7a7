"""Routing of new tickets by the seeded sample rules, on SQLite and PostgreSQL.

IT Works (America/New_York) is used for most cases: training goes to the organisation's
project manager (Riverside: kwalsh), else the least-loaded training specialist; technical
issues to the least-loaded specialist of the product; change requests to the approvers'
queue; an organisation with no active contract (Lakeside's ended in 2025) to a supervisor.

"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures
from ticket_workers import open_routed_tickets

from deskui.domain.vocabulary import InteractionKind
from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.oncall.shifts import on_call
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.views import TicketView
from deskui.store.models import Agent, Interaction, Organisation, Ticket
from deskui.store.session import Database

NEW_YORK = ZoneInfo("America/New_York")
AT = dt.datetime(2026, 2, 3, 10, 0, tzinfo=NEW_YORK)  # a Tuesday morning
RIVERSIDE = "h.marsh@riverside-university.example"


def draft(**changes: object) -> TicketDraft:
    fields: dict[str, object] = {
        "team": "itworks",
        "subject": "Cannot post a journal",
        "channel": "phone",
        "category": "technical",
        "organisation": "riverside-university",
        "contact_email": RIVERSIDE,
        "product": "itworks-finance",
        "priority": "high",
    }
    fields.update(changes)
    return TicketDraft(**fields)  # type: ignore[arg-type]


def open_routed(desk: Database, minute: int = 0, **changes: object) -> TicketView:
    return intake.open_ticket(
        Actor.of(desk, None, at=AT + dt.timedelta(minutes=minute)), draft(**changes), route=True
    )


def row(desk: Database, ref: str) -> tuple[Ticket, list[Interaction]]:
    with desk.read() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.reference == ref)).one()
        entries = list(
            session.scalars(
                select(Interaction)
                .where(Interaction.ticket_id == ticket.id)
                .order_by(Interaction.id)
            )
        )
        return ticket, entries


def assignee(desk: Database, ref: str) -> str | None:
    with desk.read() as session:
        return session.scalar(
            select(Agent.handle)
            .join(Ticket, Ticket.assignee_id == Agent.id)
            .where(Ticket.reference == ref)
        )


def open_kenco_routed_to_on_call(
    desk: Database, at: dt.datetime, product: str | None
) -> TicketView:
    """Open a routed Kenco software error at ``at``; check it went to the engineer on call."""
    view = intake.open_ticket(
        Actor.of(desk, None, at=at),
        draft(
            team="kenco",
            organisation="acme-foods",
            contact_email="maria.lopez@acme-foods.example",
            product=product,
            priority="software-error",
        ),
        route=True,
    )
    [kenco] = on_call(desk, at, "kenco")
    assert kenco.primary is not None
    assert assignee(desk, view.reference) == kenco.primary.handle
    return view


def routing_entry(desk: Database, ref: str) -> Interaction:
    _, entries = row(desk, ref)
    routed = [e for e in entries if e.kind is InteractionKind.ASSIGNMENT_CHANGE]
    assert len(routed) == 1
    return routed[0]


def test_training_goes_to_the_project_manager(desk: Database) -> None:
    view = open_routed(desk, category="training", product=None)
    assert assignee(desk, view.reference) == "kwalsh"
    entry = routing_entry(desk, view.reference)
    assert entry.meta["strategy"] == "project-manager-then-skill"
    assert entry.meta["to"] == "kwalsh" and entry.meta["routed"] is True
    assert "project manager of riverside-university" in entry.body
    assert entry.body.startswith(f"Routing rule {entry.meta['rule']} (project-manager-then-skill)")
    # Routing is part of the first version: one flush, one event.
    assert row(desk, view.reference)[0].version == 1


def test_training_without_a_project_manager_goes_to_the_least_loaded_specialist(
    desk: Database,
) -> None:
    with desk.write() as session:
        session.execute(
            update(Organisation)
            .where(Organisation.slug == "riverside-university")
            .values(project_manager_id=None)
        )
    first = open_routed(desk, 0, category="training", product=None)
    # Training specialists of IT Works: kwalsh, mbrennan, pgreene; all at 0, the first handle.
    assert assignee(desk, first.reference) == "kwalsh"
    second = open_routed(desk, 1, category="training", product=None)
    assert assignee(desk, second.reference) == "mbrennan"
    third = open_routed(desk, 2, category="training", product=None)
    assert assignee(desk, third.reference) == "pgreene"
    entry = routing_entry(desk, third.reference)
    assert "no project manager" in entry.body and "0 open vs 1 and 1" in entry.body


def test_technical_goes_to_the_least_loaded_product_specialist(desk: Database) -> None:
    # itworks-finance: arivera and sokafor; a tie goes to the first handle.
    first = open_routed(desk, 0)
    assert assignee(desk, first.reference) == "arivera"
    assert (
        "least-loaded itworks-finance specialist: 0 open vs 0"
        in routing_entry(desk, first.reference).body
    )
    second = open_routed(desk, 1)
    assert assignee(desk, second.reference) == "sokafor"
    assert "0 open vs 1" in routing_entry(desk, second.reference).body
    # Resolved tickets are not load: once arivera's is resolved he is least loaded again.
    tickets.acknowledge(Actor.of(desk, "arivera", at=AT + dt.timedelta(minutes=5)), first.reference)
    tickets.resolve(
        Actor.of(desk, "arivera", at=AT + dt.timedelta(minutes=6)), first.reference, "Fixed"
    )
    third = open_routed(desk, 7)
    assert assignee(desk, third.reference) == "arivera"


def test_change_requests_wait_in_the_approvers_queue(desk: Database) -> None:
    view = open_routed(desk, category="change-request")
    ticket, _ = row(desk, view.reference)
    assert ticket.awaiting_approval is True and ticket.assignee_id is None
    entry = routing_entry(desk, view.reference)
    assert entry.meta["queue"] == "approvers" and entry.meta["to"] is None
    assert "approvers' review queue" in entry.body


def test_no_entitlement_goes_to_a_supervisor(desk: Database) -> None:
    view = open_routed(
        desk,
        organisation="lakeside-community-college",
        contact_email="d.walker@lakeside-cc.example",
    )
    ticket, _ = row(desk, view.reference)
    assert ticket.flag_no_entitlement is True
    # IT Works' supervisors: amorgan (the desk administrator, in every team) and sokafor.
    assert assignee(desk, view.reference) == "amorgan"
    entry = routing_entry(desk, view.reference)
    assert entry.meta["strategy"] == "supervisor"
    assert "no active contract (no entitlement); least-loaded supervisor: 0 open vs 0" in entry.body


def test_fallback_to_whoever_is_on_call(desk: Database) -> None:
    # Kenco in hours with no product: no product specialist can be chosen, so the on-call
    # fallback.
    at = dt.datetime(2026, 2, 9, 15, 0, tzinfo=dt.UTC)  # Monday 10:00 New York
    view = open_kenco_routed_to_on_call(desk, at, product=None)
    entry = routing_entry(desk, view.reference)
    assert entry.meta["fallback"] is True and entry.meta["strategy"] == "on-call"
    assert "the ticket names no product" in entry.body
    assert "(least-loaded-product-specialist, its fallback on-call)" in entry.body
    assert entry.meta["rule_strategy"] == "least-loaded-product-specialist"


def test_after_hours_kenco_goes_to_the_engineer_on_call(desk: Database) -> None:
    # Saturday night: kenco-business is closed, so the after-hours rule picks whoever is on
    # call, before the working hours' product-specialist rule is reached.
    at = dt.datetime(2026, 2, 7, 23, 0, tzinfo=dt.UTC)
    view = open_kenco_routed_to_on_call(desk, at, product="kenco-wes")
    entry = routing_entry(desk, view.reference)
    assert (entry.meta["strategy"], entry.meta["fallback"]) == ("on-call", False)
    assert entry.body.startswith(f"Routing rule {entry.meta['rule']} (on-call) chose ")


def test_fallback_to_the_rules_agent(desk: Database) -> None:
    # Paritor with no product: the rule's fallback agent, ehughes.
    view = intake.open_ticket(
        Actor.of(desk, None, at=AT),
        draft(
            team="paritor",
            organisation="oakfield-music-service",
            contact_email="r.hale@oakfield-music.example",
            product=None,
            priority="low",
        ),
        route=True,
    )
    assert assignee(desk, view.reference) == "ehughes"
    entry = routing_entry(desk, view.reference)
    assert (entry.meta["strategy"], entry.meta["fallback"]) == ("agent", True)
    assert "the rule's fallback agent" in entry.body


def test_without_route_nothing_is_assigned(desk: Database) -> None:
    view = intake.open_ticket(Actor.of(desk, None, at=AT), draft())
    _, entries = row(desk, view.reference)
    assert assignee(desk, view.reference) is None
    assert [e.kind for e in entries] == [InteractionKind.CALL_IN]


@pytest.mark.parametrize("handle", ["kwalsh"])
def test_routing_is_deterministic(desk: Database, handle: str) -> None:
    refs = [open_routed(desk, n, category="training", product=None).reference for n in range(3)]
    assert {assignee(desk, ref) for ref in refs} == {handle}


def test_tickets_opened_at_the_same_moment_share_the_load(seeded_url: str) -> None:
    # Opening takes the reference counter's lock before routing reads the load, so openings in
    # other processes are counted: 3 × 4 simultaneous tickets split 6 / 6 between the two
    # itworks-finance specialists, never piling onto the one that looked least loaded.
    context = multiprocessing.get_context("spawn")
    openers, each = 3, 4
    barrier = context.Barrier(openers)
    results = context.Queue()
    workers = [
        context.Process(
            target=open_routed_tickets, args=(seeded_url, draft(), each, AT, barrier, results)
        )
        for _ in range(openers)
    ]
    for worker in workers:
        worker.start()
    refs = [results.get(timeout=120) for _ in range(openers * each)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert all(isinstance(ref, str) for ref in refs), refs
    database = Database(seeded_url)
    try:
        handles = Counter(assignee(database, ref) for ref in refs)
        reasons = [routing_entry(database, ref).meta["reason"] for ref in refs]
    finally:
        database.dispose()
    assert handles == {"arivera": 6, "sokafor": 6}
    # Each decision saw every ticket routed before it: the loads it read add up to 0, 1, … 11.
    seen = sorted(sum(map(int, re.findall(r"\d+", reason.split(":")[-1]))) for reason in reasons)
    assert seen == list(range(openers * each)), reasons
