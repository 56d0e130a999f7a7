"""The ticket lifecycle services on SQLite and PostgreSQL, against the sample catalog.

Each action is checked on its log entry and on the stored clock columns, which must equal what
the SLA engine (``compute_clocks``) gives for the events the test lists by hand. Most cases use
Velsoft (Mon-Fri 08:00-16:30 America/Halifax): a High ticket opened Mon 2 Feb 2026 09:00 has
acknowledgement due 11:00, response 13:00 and resolution (1 working day = 8h30m) Tue 09:00.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures
from ticket_workers import take_tickets

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.sla.clocks import ClockEvent, ClockState, compute_clocks, next_due
from deskui.domain.sla.policy import Clock
from deskui.domain.storage_errors import StaleEditError
from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.catalog.load import Catalog
from deskui.services.errors import (
    NotFoundError,
    TicketConflictError,
    TicketNotFoundError,
    TicketStateError,
    TicketValidationError,
)
from deskui.services.tickets.clocks import LogEntry, clock_events
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.views import TicketView
from deskui.store.changes import events_after
from deskui.store.models import Ticket
from deskui.store.session import Database

HALIFAX = ZoneInfo("America/Halifax")
NEW_YORK = ZoneInfo("America/New_York")
COLLEEN = "colleen@maritime-health.example"  # a Velsoft liaison
ALICE, BOB = "cmacdonald", "jleblanc"  # Velsoft agents


def hfx(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A wall time in Halifax, February 2026 (no holiday before the 16th)."""
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=HALIFAX)


OPENED = hfx(2, 9)  # Monday


def velsoft_draft(**changes: object) -> TicketDraft:
    fields: dict[str, object] = {
        "team": "velsoft",
        "subject": "Course player shows a blank page",
        "channel": "email",
        "category": "technical",
        "description": "Since this morning no learner can open the course.",
        "contact_email": COLLEEN,
        "priority": "high",
    }
    fields.update(changes)
    return TicketDraft(**fields)  # type: ignore[arg-type]


def open_velsoft(desk: Database, **changes: object) -> TicketView:
    return intake.open_ticket(Actor.of(desk, None, at=OPENED), velsoft_draft(**changes))


def stored(desk: Database, ref: str) -> Ticket:
    with desk.read() as session:
        return session.scalars(select(Ticket).where(Ticket.reference == ref)).one()


def expected_clocks(
    catalog: Catalog,
    book: CalendarBook,
    policy: str,
    priority: str,
    events: list[ClockEvent],
    opened: dt.datetime = OPENED,
) -> dict[Clock, ClockState]:
    return compute_clocks(catalog.policies[policy], priority, book, opened, events)


def assert_stored_clocks(row: Ticket, states: dict[Clock, ClockState]) -> None:
    ack, response, resolution = (
        states[Clock.ACKNOWLEDGEMENT],
        states[Clock.RESPONSE],
        states[Clock.RESOLUTION],
    )
    upcoming = next_due(states)
    assert row.ack_due_at == ack.due_at
    assert row.response_due_at == response.due_at
    assert row.resolution_due_at == resolution.due_at
    assert (row.next_clock, row.next_due_at) == (upcoming if upcoming else (None, None))
    assert row.paused_at == (resolution.paused_at if resolution.paused else None)
    assert row.paused_business_seconds == resolution.paused_business_seconds
    assert row.acknowledged_at == ack.met_at
    assert row.first_response_at == response.met_at
    assert row.resolved_at == resolution.met_at


def last_entry(desk: Database, ref: str, now: dt.datetime) -> tuple[TicketView, object]:
    view = tickets.get_ticket(desk, ref, now=now)
    return view, view.interactions[-1]


# ---- the log as clock events (no database) -------------------------------------------------


def test_log_entries_as_clock_events() -> None:
    at = OPENED
    due = dt.datetime(2026, 2, 3, 12, tzinfo=dt.UTC)

    def status(before: str, after: str) -> LogEntry:
        return LogEntry("status-change", at, {"from": before, "to": after})

    entries = [
        LogEntry("acknowledgement", at, {"from": "new", "to": "acknowledged"}),
        LogEntry("call-out", at),
        LogEntry("email-out", at),
        LogEntry("call-in", at),
        LogEntry("remote-session", at),
        LogEntry("note", at, {"from": "in-progress", "to": "waiting-on-customer"}),
        LogEntry("priority-change", at, {"from": "high", "to": "medium"}),
        status("in-progress", "waiting-on-customer"),
        status("waiting-on-customer", "in-progress"),
        status("in-progress", "resolved"),
        status("resolved", "in-progress"),
        status("resolved", "closed"),
        LogEntry("eta-change", at, {"clock": "resolution", "due": due.isoformat()}),
        LogEntry("eta-change", at, {"clock": "resolution", "due": "2026-02-03T12:00:00"}),
        LogEntry("eta-change", at, {"clock": "teatime", "due": due.isoformat()}),
        LogEntry("eta-change", at, {"eta": due.isoformat()}),
        LogEntry("status-change", at, {}),
        LogEntry("mystery", at),
    ]
    assert clock_events(entries) == [
        ClockEvent("acknowledged", at),
        ClockEvent("responded", at),
        ClockEvent("responded", at),
        ClockEvent("paused", at),
        ClockEvent("resumed", at),
        ClockEvent("resolved", at),
        ClockEvent("reopened", at),
        ClockEvent("due_agreed", at, clock=Clock.RESOLUTION, due=due),
    ]


# ---- opening -------------------------------------------------------------------------------


def test_open_ticket_under_a_contract(desk: Database, sample_catalog, sample_book) -> None:
    view = open_velsoft(desk)

    assert view.reference == "DSK-000001"
    assert (view.team, view.organisation, view.policy) == (
        "velsoft",
        "maritime-health-training",
        "velsoft-support",
    )
    assert view.contact.email == COLLEEN and view.contact.is_liaison and view.contact.known
    assert view.contract_status == "active" and view.flags == ()
    assert (view.status, view.assignee, view.version) == ("new", None, 1)
    assert view.priority.slug == "high" and view.priority.label == "High"
    assert view.priority.definition  # the policy's definition text travels with it
    [entry] = view.interactions
    assert (entry.kind, entry.direction, entry.at) == ("email-in", "in", OPENED)
    assert entry.body == "Since this morning no learner can open the course."

    row = stored(desk, view.reference)
    assert (row.ack_due_at, row.response_due_at, row.resolution_due_at) == (
        hfx(2, 11),
        hfx(2, 13),
        hfx(3, 9),
    )
    assert_stored_clocks(
        row, expected_clocks(sample_catalog, sample_book, "velsoft-support", "high", [])
    )
    assert (row.next_clock, row.next_due_at) == (Clock.ACKNOWLEDGEMENT, hfx(2, 11))
    clocks = {c.clock: c for c in view.clocks}
    assert clocks["resolution"].state == "running"
    assert clocks["resolution"].business_seconds == 8 * 3600 + 1800


def test_references_count_up_per_desk_prefix(desk: Database) -> None:
    refs = [open_velsoft(desk).reference for _ in range(3)]
    assert refs == ["DSK-000001", "DSK-000002", "DSK-000003"]


def test_non_liaison_and_no_entitlement_are_flagged_not_refused(desk: Database) -> None:
    kenco = {"team": "kenco", "priority": "software-error"}
    greg = open_velsoft(desk, contact_email="greg.ellis@great-lakes-beverage.example", **kenco)
    assert greg.flags == ("non-liaison",) and greg.contract_status == "active"
    assert not greg.contact.is_liaison and greg.policy == "kenco-wes"

    expired = open_velsoft(desk, contact_email="kevin.park@northwind-logistics.example", **kenco)
    assert expired.flags == ("no-entitlement",) and expired.contract_status == "none"
    assert expired.organisation == "northwind-logistics"
    assert expired.policy == "kenco-wes"  # the team's default policy

    stranger = open_velsoft(
        desk, contact_email="Someone@Elsewhere.example", requester_name="Some One", **kenco
    )
    assert stranger.flags == ("no-entitlement",) and stranger.organisation is None
    assert (stranger.contact.name, stranger.contact.email) == (
        "Some One",
        "someone@elsewhere.example",
    )
    assert not stranger.contact.known


def test_opening_entry_follows_the_channel_and_names_who_logged_it(desk: Database) -> None:
    by_web = open_velsoft(desk, channel="web")
    assert (by_web.interactions[0].kind, by_web.interactions[0].direction) == ("system", "in")
    by_phone = intake.open_ticket(Actor.of(desk, ALICE, at=OPENED), velsoft_draft(channel="phone"))
    entry = by_phone.interactions[0]
    assert (entry.kind, entry.author, entry.author_handle) == (
        "call-in",
        by_phone.contact.name,
        ALICE,
    )
    assert entry.meta == {"opening": True, "channel": "phone"}


def test_mapped_priority_is_stored_as_the_priority_it_is_handled_as(
    desk: Database, sample_catalog, sample_book
) -> None:
    view = open_velsoft(desk, priority=None, requested_priority="low")
    assert view.priority.slug == "medium"
    assert view.requested_priority is not None
    assert (view.requested_priority.slug, view.requested_priority.handled_as) == ("low", "medium")
    assert_stored_clocks(
        stored(desk, view.reference),
        expected_clocks(sample_catalog, sample_book, "velsoft-support", "medium", []),
    )


def test_opened_at_before_the_ticket_was_typed_in(desk: Database) -> None:
    view = intake.open_ticket(
        Actor.of(desk, None, at=OPENED), velsoft_draft(opened_at=hfx(2, 8, 30))
    )
    assert view.opened_at == hfx(2, 8, 30) and view.created_at == OPENED
    assert view.interactions[0].at == hfx(2, 8, 30)
    assert stored(desk, view.reference).ack_due_at == hfx(2, 10, 30)


BAD_DRAFTS: list[tuple[dict[str, object], str]] = [
    ({"team": "nope"}, "team"),
    ({"subject": "   "}, "subject"),
    ({"channel": "pigeon"}, "channel"),
    ({"category": "gossip"}, "category"),
    ({"priority": "urgent"}, "priority"),
    ({"priority": None}, "priority"),
    ({"requested_priority": "urgent"}, "requested_priority"),
    ({"organisation": "acme-foods"}, "contact_email"),  # Colleen is not at Acme
    ({"organisation": "nowhere-inc"}, "organisation"),
    ({"product": "nope"}, "product"),
    ({"contact_email": "not an email"}, "contact_email"),
    ({"opened_at": OPENED + dt.timedelta(hours=1)}, "opened_at"),
]


def test_open_ticket_validation_names_the_field(desk: Database) -> None:
    # One database for all the cases: a refused draft must leave nothing behind.
    for changes, field in BAD_DRAFTS:
        with pytest.raises(TicketValidationError) as caught:
            open_velsoft(desk, **changes)
        assert caught.value.field == field, changes
    assert tickets.list_tickets(desk) == []
    assert open_velsoft(desk).reference == "DSK-000001"  # no number was used up


# ---- taking and assigning ------------------------------------------------------------------


def test_acknowledge_takes_the_ticket(desk: Database, sample_catalog, sample_book) -> None:
    ref = open_velsoft(desk).reference
    at = hfx(2, 9, 40)

    assert tickets.acknowledge(Actor.of(desk, ALICE, at=at), ref) == 2

    view, entry = last_entry(desk, ref, at)
    assert (view.status, view.assignee) == ("acknowledged", ALICE)
    assert (entry.kind, entry.author_handle, entry.at) == ("acknowledgement", ALICE, at)
    assert entry.meta == {"from": "new", "to": "acknowledged", "assignee": ALICE}
    row = stored(desk, ref)
    assert row.acknowledged_at == at
    assert_stored_clocks(
        row,
        expected_clocks(
            sample_catalog, sample_book, "velsoft-support", "high", [ClockEvent("acknowledged", at)]
        ),
    )
    assert view.clock("acknowledgement").state == "met"
    assert view.clock("acknowledgement").business_seconds == 80 * 60  # met 1h20m early


def test_a_taken_ticket_cannot_be_taken_by_someone_else(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 5)), ref)

    with pytest.raises(TicketConflictError, match=ALICE):
        tickets.acknowledge(Actor.of(desk, BOB, at=hfx(2, 9, 6)), ref)
    with pytest.raises(TicketStateError, match="already yours"):
        tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 7)), ref)
    assert stored(desk, ref).version == 2


def test_acknowledging_a_ticket_routed_to_you(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    tickets.assign(Actor.of(desk, BOB, at=hfx(2, 9, 1)), ref, ALICE)
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 2)), ref)
    view = tickets.get_ticket(desk, ref, now=hfx(2, 9, 3))
    assert (view.status, view.assignee, view.version) == ("acknowledged", ALICE, 3)


def test_taking_an_unassigned_ticket_that_is_already_acknowledged(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 1)), ref)
    tickets.assign(Actor.of(desk, ALICE, at=hfx(2, 9, 2)), ref, None)
    tickets.acknowledge(Actor.of(desk, BOB, at=hfx(2, 9, 3)), ref)
    view, entry = last_entry(desk, ref, hfx(2, 9, 4))
    assert (view.status, view.assignee) == ("acknowledged", BOB)
    assert (entry.kind, entry.meta["to"]) == ("assignment-change", BOB)


def test_assign(desk: Database) -> None:
    view = open_velsoft(desk)
    version = tickets.assign(
        Actor.of(desk, ALICE, at=hfx(2, 9, 1)), view.reference, BOB, expected_version=view.version
    )
    assert version == 2
    after, entry = last_entry(desk, view.reference, hfx(2, 9, 2))
    assert after.assignee == BOB and after.assignee_name
    assert (entry.kind, entry.meta, entry.author_handle) == (
        "assignment-change",
        {"from": None, "to": BOB},
        ALICE,
    )
    with pytest.raises(TicketValidationError) as caught:
        tickets.assign(Actor.of(desk, ALICE, at=hfx(2, 9, 3)), view.reference, "nobody")
    assert caught.value.field == "assignee" and "cmacdonald" in str(caught.value)
    with pytest.raises(NotFoundError, match="ghost"):
        tickets.assign(Actor.of(desk, "ghost", at=hfx(2, 9, 3)), view.reference, ALICE)
    with pytest.raises(TicketNotFoundError, match="DSK-000099"):
        tickets.assign(Actor.of(desk, BOB, at=hfx(2, 9, 3)), "dsk-000099", ALICE)


# ---- the log -------------------------------------------------------------------------------


def test_log_contact_appends_without_touching_clocks(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    before = stored(desk, ref)
    at = hfx(2, 10)

    assert tickets.log_contact(Actor.of(desk, ALICE, at=at), ref, "call-in", "Rang to chase") == 2

    view, entry = last_entry(desk, ref, at)
    assert (entry.kind, entry.direction, entry.body) == ("call-in", "in", "Rang to chase")
    # The customer's words, typed in by Alice.
    assert (entry.author, entry.author_handle) == (view.contact.name, ALICE)
    after = stored(desk, ref)
    assert (after.ack_due_at, after.next_due_at, after.acknowledged_at) == (
        before.ack_due_at,
        before.next_due_at,
        None,
    )
    with pytest.raises(TicketValidationError) as caught:
        tickets.log_contact(Actor.of(desk, ALICE, at=at), ref, "email-out", "wrong way")
    assert caught.value.field == "kind"
    with pytest.raises(TicketValidationError) as caught:
        tickets.log_contact(Actor.of(desk, ALICE, at=at), ref, "call-in", "  ")
    assert caught.value.field == "body"


def test_reply_meets_response_and_acknowledgement(
    desk: Database, sample_catalog, sample_book
) -> None:
    ref = open_velsoft(desk).reference
    at = hfx(2, 12)

    tickets.reply(Actor.of(desk, ALICE, at=at), ref, "email-out", "We are on it.")

    view, entry = last_entry(desk, ref, at)
    assert (entry.kind, entry.direction, entry.author_handle) == ("email-out", "out", ALICE)
    row = stored(desk, ref)
    assert (row.first_response_at, row.acknowledged_at) == (at, at)
    assert (row.next_clock, row.next_due_at) == (Clock.RESOLUTION, hfx(3, 9))
    assert_stored_clocks(
        row,
        expected_clocks(
            sample_catalog, sample_book, "velsoft-support", "high", [ClockEvent("responded", at)]
        ),
    )
    # Acknowledged at noon although due at 11:00: met late.
    assert view.clock("acknowledgement").state == "breached"
    assert view.clock("acknowledgement").business_seconds == -3600
    assert view.clock("response").state == "met"


def test_notes_and_remote_sessions(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    tickets.add_note(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, "Looks like the CDN")
    tickets.log_remote_session(
        Actor.of(desk, ALICE, at=hfx(2, 10, 30)), ref, "Cleared the cache", minutes=20
    )
    view = tickets.get_ticket(desk, ref, now=hfx(2, 11))
    kinds = [(e.kind, e.direction, e.meta) for e in view.interactions[1:]]
    assert kinds == [("note", "internal", {}), ("remote-session", "out", {"minutes": 20})]
    assert view.version == 3
    assert stored(desk, ref).next_clock == Clock.ACKNOWLEDGEMENT


# ---- pausing, priority, ETA ----------------------------------------------------------------


def test_waiting_on_the_customer_moves_the_resolution_due_by_the_time_paused(
    desk: Database, sample_catalog, sample_book
) -> None:
    ref = open_velsoft(desk).reference
    taken, paused, resumed = hfx(2, 9, 30), hfx(2, 14), hfx(3, 10)
    tickets.acknowledge(Actor.of(desk, ALICE, at=taken), ref)
    due_before = stored(desk, ref).resolution_due_at

    tickets.set_waiting(Actor.of(desk, ALICE, at=paused), ref, True, expected_version=2)
    row = stored(desk, ref)
    assert (row.status.value, row.paused_at, row.resolution_due_at) == (
        "waiting-on-customer",
        paused,
        due_before,
    )
    # Paused: the queue sorts on the running clocks only.
    assert (row.next_clock, row.next_due_at) == (Clock.RESPONSE, hfx(2, 13))
    view, entry = last_entry(desk, ref, hfx(2, 15))
    assert entry.meta == {"from": "acknowledged", "to": "waiting-on-customer"}
    assert view.clock("resolution").state == "paused"

    tickets.set_waiting(Actor.of(desk, ALICE, at=resumed), ref, False, expected_version=3)
    row = stored(desk, ref)
    calendar = sample_book.get("velsoft-halifax")
    paused_for = calendar.elapsed(paused, resumed)
    assert paused_for == (2 * 3600 + 1800) + 2 * 3600  # Mon 14:00-16:30, Tue 08:00-10:00
    assert row.resolution_due_at == calendar.add(due_before, paused_for) == hfx(3, 13, 30)
    assert (row.paused_at, row.paused_business_seconds) == (None, paused_for)
    assert row.status.value == "in-progress"
    events = [
        ClockEvent("acknowledged", taken),
        ClockEvent("paused", paused),
        ClockEvent("resumed", resumed),
    ]
    assert_stored_clocks(
        row, expected_clocks(sample_catalog, sample_book, "velsoft-support", "high", events)
    )
    with pytest.raises(TicketStateError, match="not waiting"):
        tickets.set_waiting(Actor.of(desk, ALICE, at=hfx(3, 11)), ref, False)


def test_change_priority_recomputes_from_the_opening_minus_pauses(
    desk: Database, sample_catalog, sample_book
) -> None:
    ref = open_velsoft(desk).reference
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 10)), ref)
    tickets.set_waiting(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, True)
    tickets.set_waiting(Actor.of(desk, ALICE, at=hfx(2, 11)), ref, False)

    with pytest.raises(TicketValidationError) as caught:
        tickets.change_priority(Actor.of(desk, ALICE, at=hfx(2, 12)), ref, "medium", " ")
    assert caught.value.field == "reason"

    version = tickets.change_priority(
        Actor.of(desk, ALICE, at=hfx(2, 12)),
        ref,
        "low",
        "Only one learner affected",
        expected_version=4,
    )
    assert version == 5

    view, entry = last_entry(desk, ref, hfx(2, 12))
    assert view.priority.slug == "medium"
    assert (entry.kind, entry.body) == ("priority-change", "Only one learner affected")
    assert entry.meta == {"from": "high", "to": "medium", "requested": "low"}
    row = stored(desk, ref)
    assert row.priority_rank == 1
    events = [
        ClockEvent("acknowledged", hfx(2, 9, 10)),
        ClockEvent("paused", hfx(2, 10)),
        ClockEvent("resumed", hfx(2, 11)),
    ]
    assert_stored_clocks(
        row, expected_clocks(sample_catalog, sample_book, "velsoft-support", "medium", events)
    )
    # Medium: 3 working days of 8h30m from Mon 09:00 is Thu 09:00, plus the hour paused.
    assert row.resolution_due_at == hfx(5, 10)


def test_negotiated_resolution_takes_its_due_from_the_eta(
    desk: Database, sample_catalog, sample_book
) -> None:
    view = intake.open_ticket(
        Actor.of(desk, None, at=OPENED),
        velsoft_draft(
            team="kenco",
            contact_email="maria.lopez@acme-foods.example",
            priority="software-error",
            channel="phone",
        ),
    )
    ref = view.reference
    assert view.interactions[0].kind == "call-in"
    assert view.clock("resolution").state == "no-due"
    assert stored(desk, ref).resolution_due_at is None

    eta = dt.datetime(2026, 2, 3, 12, 0, tzinfo=NEW_YORK)
    tickets.set_eta(
        Actor.of(desk, "dpatel", at=hfx(2, 9, 30)), ref, eta, note="Fix by tomorrow noon"
    )

    after, entry = last_entry(desk, ref, hfx(2, 9, 31))
    assert after.eta_at == eta
    assert (entry.kind, entry.body, entry.meta["clock"]) == (
        "eta-change",
        "Fix by tomorrow noon",
        "resolution",
    )
    row = stored(desk, ref)
    assert row.resolution_due_at == eta
    events = [ClockEvent("due_agreed", hfx(2, 9, 30), clock=Clock.RESOLUTION, due=eta)]
    assert_stored_clocks(
        row, expected_clocks(sample_catalog, sample_book, "kenco-wes", "software-error", events)
    )
    with pytest.raises(TicketValidationError) as caught:
        tickets.set_eta(Actor.of(desk, "dpatel", at=hfx(2, 9, 40)), ref, hfx(2, 9))
    assert caught.value.field == "eta"


def test_an_eta_does_not_move_a_computed_due(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    due = stored(desk, ref).resolution_due_at
    tickets.set_eta(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, hfx(6, 12))
    row = stored(desk, ref)
    assert (row.eta_at, row.resolution_due_at) == (hfx(6, 12), due)


# ---- resolving, reopening, closing ---------------------------------------------------------


def test_resolve_on_time(desk: Database, sample_catalog, sample_book) -> None:
    ref = open_velsoft(desk).reference
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 5)), ref)
    tickets.reply(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, "call-out", "Cache cleared, try again")
    with pytest.raises(TicketValidationError) as caught:
        tickets.resolve(Actor.of(desk, ALICE, at=hfx(2, 11)), ref, "")
    assert caught.value.field == "summary"

    tickets.resolve(Actor.of(desk, ALICE, at=hfx(2, 11)), ref, "Cleared the CDN cache")

    view, entry = last_entry(desk, ref, hfx(2, 12))
    assert view.status == "resolved"
    assert (entry.kind, entry.body, entry.meta) == (
        "status-change",
        "Cleared the CDN cache",
        {"from": "acknowledged", "to": "resolved"},
    )
    row = stored(desk, ref)
    assert (row.resolved_at, row.next_due_at, row.next_clock) == (hfx(2, 11), None, None)
    events = [
        ClockEvent("acknowledged", hfx(2, 9, 5)),
        ClockEvent("responded", hfx(2, 10)),
        ClockEvent("resolved", hfx(2, 11)),
    ]
    assert_stored_clocks(
        row, expected_clocks(sample_catalog, sample_book, "velsoft-support", "high", events)
    )
    assert [c.state for c in view.clocks] == ["met", "met", "met"]


def test_resolving_a_breached_ticket_needs_a_breach_reason(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 5)), ref)
    late = hfx(3, 12)  # resolution was due Tue 09:00

    with pytest.raises(TicketValidationError) as caught:
        tickets.resolve(Actor.of(desk, ALICE, at=late), ref, "Fixed", expected_version=2)
    assert caught.value.field == "breach_reason"
    assert "resolution" in str(caught.value) and "response" in str(caught.value)
    row = stored(desk, ref)
    assert (row.status.value, row.version, row.resolved_at) == ("acknowledged", 2, None)

    tickets.resolve(
        Actor.of(desk, ALICE, at=late),
        ref,
        "Fixed",
        breach_reason="Vendor outage",
        expected_version=2,
    )
    view, entry = last_entry(desk, ref, late)
    assert entry.meta["breach_reason"] == "Vendor outage"
    assert entry.meta["breached"] == ["response", "resolution"]
    assert view.clock("resolution").state == "breached"
    assert view.clock("resolution").business_seconds == -3 * 3600


def test_reopen_resumes_the_resolution_clock_where_it_stopped(
    desk: Database, sample_catalog, sample_book
) -> None:
    ref = open_velsoft(desk).reference
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 5)), ref)
    tickets.resolve(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, "Fixed")
    with pytest.raises(TicketValidationError) as caught:
        tickets.reopen(Actor.of(desk, ALICE, at=hfx(3, 9)), ref, "")
    assert caught.value.field == "reason"

    tickets.reopen(Actor.of(desk, ALICE, at=hfx(3, 9)), ref, "Customer says it is back")

    view, entry = last_entry(desk, ref, hfx(3, 9))
    assert view.status == "in-progress"
    assert entry.meta == {"from": "resolved", "to": "in-progress", "reopened": True}
    row = stored(desk, ref)
    # Stopped from Mon 10:00 to Tue 09:00: 6h30m + 1h of business time does not count.
    assert row.resolution_due_at == hfx(3, 16, 30)
    assert row.resolved_at is None
    # Resolving met the response clock too, and reopening does not un-meet it.
    assert (row.next_clock, row.next_due_at) == (Clock.RESOLUTION, hfx(3, 16, 30))
    events = [
        ClockEvent("acknowledged", hfx(2, 9, 5)),
        ClockEvent("resolved", hfx(2, 10)),
        ClockEvent("reopened", hfx(3, 9)),
    ]
    assert_stored_clocks(
        row, expected_clocks(sample_catalog, sample_book, "velsoft-support", "high", events)
    )
    with pytest.raises(TicketStateError, match="only a resolved ticket"):
        tickets.reopen(Actor.of(desk, ALICE, at=hfx(3, 10)), ref, "again")


def test_close_is_final(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 5)), ref)
    with pytest.raises(TicketStateError, match="cannot become closed"):
        tickets.close(Actor.of(desk, ALICE, at=hfx(2, 9, 6)), ref)
    tickets.resolve(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, "Fixed")
    tickets.close(Actor.of(desk, ALICE, at=hfx(2, 11)), ref)

    row = stored(desk, ref)
    assert (row.status.value, row.closed_at, row.resolved_at) == ("closed", hfx(2, 11), hfx(2, 10))
    with pytest.raises(TicketStateError, match="closed"):
        tickets.reopen(Actor.of(desk, ALICE, at=hfx(2, 12)), ref, "again")
    with pytest.raises(TicketStateError):
        tickets.set_waiting(Actor.of(desk, ALICE, at=hfx(2, 12)), ref, True)
    # The log still takes entries: a late email is kept, not refused.
    tickets.log_contact(Actor.of(desk, None, at=hfx(2, 12)), ref, "email-in", "Thanks!")


def test_illegal_transitions_are_refused_clearly(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    with pytest.raises(TicketStateError, match="new cannot become waiting-on-customer"):
        tickets.set_waiting(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, True)
    with pytest.raises(TicketStateError, match="new cannot become resolved"):
        tickets.resolve(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, "Fixed")
    assert stored(desk, ref).version == 1


def test_set_status_dispatches_to_the_actions(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    steps = [
        ("acknowledged", "", "acknowledged"),
        ("in-progress", "", "in-progress"),
        ("waiting-on-customer", "", "waiting-on-customer"),
        ("in-progress", "", "in-progress"),
        ("resolved", "Fixed it", "resolved"),
        ("in-progress", "Came back", "in-progress"),
    ]
    for minute, (status, note, expected) in enumerate(steps, start=10):
        tickets.set_status(Actor.of(desk, ALICE, at=hfx(2, 9, minute)), ref, status, note=note)
        assert stored(desk, ref).status.value == expected
    with pytest.raises(TicketValidationError) as caught:
        tickets.set_status(Actor.of(desk, ALICE, at=hfx(2, 10)), ref, "done")
    assert caught.value.field == "status"


# ---- versions and concurrency --------------------------------------------------------------


def test_stale_edit_is_refused_naming_what_changed_and_who(desk: Database) -> None:
    view = open_velsoft(desk)
    ref = view.reference
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 5)), ref)
    seen = tickets.get_ticket(desk, ref, now=hfx(2, 9, 6)).version  # Alice's screen

    tickets.change_priority(
        Actor.of(desk, BOB, at=hfx(2, 9, 10)), ref, "medium", "Workaround found"
    )
    # Bob appends to the log without any version: never refused.
    tickets.add_note(Actor.of(desk, BOB, at=hfx(2, 9, 11)), ref, "Told Colleen")
    tickets.reply(Actor.of(desk, BOB, at=hfx(2, 9, 12)), ref, "email-out", "Workaround sent")

    with pytest.raises(StaleEditError) as caught:
        tickets.set_waiting(
            Actor.of(desk, ALICE, at=hfx(2, 9, 15)), ref, True, expected_version=seen
        )
    message = str(caught.value)
    assert ref in message and f"version {seen}" in message and "now 5" in message
    assert BOB in message and "email-out" in message
    assert (caught.value.expected, caught.value.actual) == (seen, 5)
    row = stored(desk, ref)
    assert (row.status.value, row.version) == ("acknowledged", 5)

    with pytest.raises(StaleEditError, match="version 3, now 5"):
        tickets.change_priority(
            Actor.of(desk, ALICE, at=hfx(2, 9, 16)), ref, "high", "x", expected_version=3
        )
    # With the current version the same edit goes through.
    tickets.set_waiting(Actor.of(desk, ALICE, at=hfx(2, 9, 17)), ref, True, expected_version=5)


def test_every_action_raises_the_version_by_one_and_records_an_event(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    actions = [
        lambda at: tickets.acknowledge(Actor.of(desk, ALICE, at=at), ref),
        lambda at: tickets.add_note(Actor.of(desk, ALICE, at=at), ref, "n"),
        lambda at: tickets.reply(Actor.of(desk, ALICE, at=at), ref, "call-out", "r"),
        lambda at: tickets.change_priority(Actor.of(desk, ALICE, at=at), ref, "medium", "why"),
        lambda at: tickets.set_waiting(Actor.of(desk, ALICE, at=at), ref, True),
        lambda at: tickets.log_contact(Actor.of(desk, None, at=at), ref, "email-in", "info"),
        lambda at: tickets.set_waiting(Actor.of(desk, ALICE, at=at), ref, False),
        lambda at: tickets.resolve(Actor.of(desk, ALICE, at=at), ref, "done"),
    ]
    for step, action in enumerate(actions):
        assert action(hfx(2, 10, step)) == step + 2
    with desk.read() as session:
        events = [e for e in events_after(session, 0) if e.kind.startswith("ticket.")]
        ticket_id = session.scalars(select(Ticket.id).where(Ticket.reference == ref)).one()
    assert [e.kind for e in events] == [
        "ticket.opened",
        "ticket.acknowledged",
        "ticket.note",
        "ticket.reply",
        "ticket.priority",
        "ticket.waiting",
        "ticket.contact",
        "ticket.resumed",
        "ticket.resolved",
    ]
    assert {e.ticket_id for e in events} == {ticket_id}
    assert [e.payload["version"] for e in events] == list(range(1, 10))


def test_two_processes_taking_one_ticket_exactly_one_wins(seeded_url: str) -> None:
    database = Database(seeded_url)
    try:
        refs = [
            intake.open_ticket(Actor.of(database, None, at=OPENED), velsoft_draft()).reference
            for _ in range(4)
        ]
    finally:
        database.dispose()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(
            target=take_tickets, args=(seeded_url, handle, refs, hfx(2, 9, 30), barrier, results)
        )
        for handle in (ALICE, BOB)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in range(2 * len(refs))]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    assert not [o for o in outcomes if o[0] == "error"], outcomes
    database = Database(seeded_url)
    try:
        for ref in refs:
            mine = [(handle, text) for r, handle, text in outcomes if r == ref]
            winners = [handle for handle, text in mine if text == "won"]
            assert len(winners) == 1, mine
            [(_loser, refusal)] = [(h, t) for h, t in mine if t != "won"]
            assert winners[0] in refusal and "already taken" in refusal
            view = tickets.get_ticket(database, ref, now=hfx(2, 10))
            assert (view.assignee, view.status, view.version) == (winners[0], "acknowledged", 2)
            assert [e.kind for e in view.interactions].count("acknowledgement") == 1
    finally:
        database.dispose()


# ---- reading -------------------------------------------------------------------------------


def test_get_ticket_clocks_as_time_passes(desk: Database) -> None:
    ref = open_velsoft(desk).reference
    early = tickets.get_ticket(desk, ref, now=hfx(2, 10))
    assert early.clock("acknowledgement").business_seconds == 3600
    late = tickets.get_ticket(desk, ref, now=hfx(2, 12))
    assert late.clock("acknowledgement").state == "breached"
    assert late.clock("acknowledgement").business_seconds == -3600
    assert late.clock("response").state == "running"
    assert late.contract_reference and late.contract_status == "active"
    with pytest.raises(TicketNotFoundError):
        tickets.get_ticket(desk, "DSK-999999", now=hfx(2, 12))


def test_list_tickets_in_queue_order_with_filters(desk: Database) -> None:
    medium = open_velsoft(desk, priority="medium").reference
    high = open_velsoft(desk).reference
    done = open_velsoft(desk).reference
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(2, 9, 1)), done)
    tickets.resolve(Actor.of(desk, ALICE, at=hfx(2, 9, 2)), done, "dup")

    # Priority first; within it, tickets with no running clock last.
    assert [t.reference for t in tickets.list_tickets(desk)] == [high, done, medium]
    open_refs = tickets.list_tickets(desk, status=["new", "acknowledged"])
    assert [t.reference for t in open_refs] == [high, medium]
    [resolved] = tickets.list_tickets(desk, status="resolved")
    assert (resolved.reference, resolved.assignee, resolved.next_due_at) == (done, ALICE, None)
    assert [t.reference for t in tickets.list_tickets(desk, assignee=ALICE)] == [done]
    assert tickets.list_tickets(desk, team="kenco") == []
    assert len(tickets.list_tickets(desk, limit=1)) == 1
    with pytest.raises(TicketValidationError):
        tickets.list_tickets(desk, status="finished")
