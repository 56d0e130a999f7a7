"""The five desks' processes end to end through the services, on both backends:
intake with routing (``open_ticket(route=True)``, the rules of ``sample_data/routing.yaml``)
→ triage → reclassification or modification/approval → resolution (+ feedback).

Each scenario asserts the log, in order, and the clocks: every due instant below is worked
out by hand from ``support-processes.md``'s business-time rules and ``sample_data`` (the
working is in the comments), and whether each clock was met or breached. Each also asserts
the routing decision (who, by which rule and strategy), worked out by hand from
``routing.yaml``, ``agents.yaml`` and ``organisations.yaml``: the rules are stored at
positions 1, 2, … in file order (1-5 the five desks' no-entitlement rules, 6-8 IT Works,
9-11 Kenco, 12-13 Keystone, 14 Velsoft, 15-16 Paritor); load is open tickets assigned, and
ties go to the first handle alphabetically. The scenario then goes on with the agent routing
chose, or with a hand-over a supervisor makes where the desk's process has one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures
from workflow_helpers import (
    HALIFAX,
    LONDON,
    NEW_YORK,
    itworks_draft,
    kinds,
    log_of,
    stored,
)

from deskui.services import intake as ticket_intake
from deskui.services import tickets
from deskui.services.actor import Actor
from deskui.services.authorization import RoleRefusedError
from deskui.services.errors import TicketValidationError
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.views import ClockView, TicketView
from deskui.services.workflow import approvals, feedback, modification, triage
from deskui.store.models import Interaction
from deskui.store.session import Database


def at(zone: dt.tzinfo, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=zone)


def clocks(view: TicketView) -> dict[str, ClockView]:
    return {clock.clock: clock for clock in view.clocks}


def due_and_state(view: TicketView) -> dict[str, tuple[dt.datetime | None, str]]:
    return {name: (c.due_at, c.state) for name, c in clocks(view).items()}


def routing_entry(desk: Database, ref: str) -> Interaction:
    """The ticket's one routing decision: the ``assignment-change`` entry routing wrote."""
    routed = [e for e in log_of(desk, ref) if e.meta.get("routed")]
    assert len(routed) == 1, [e.body for e in routed]
    assert routed[0].kind.value == "assignment-change"
    return routed[0]


def assert_routed(
    desk: Database, ref: str, opened: TicketView, handle: str | None, body: str
) -> Interaction:
    """Routing gave the ticket to ``handle`` (``None``: unassigned) at intake and logged
    ``body`` (which names the rule, its strategy and why) at the opening instant."""
    assert opened.assignee == handle
    entry = routing_entry(desk, ref)
    assert entry.body == body
    assert entry.meta["to"] == handle
    assert entry.at == opened.created_at
    return entry


# ---- IT Works: a software bug across Presidents' Day ------------------------------------------


def test_itworks_software_bug_through_the_modification_steps(desk: Database) -> None:
    def ny(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
        return at(NEW_YORK, month, day, hour, minute)

    # Friday 13 Feb 2026 15:00 ET, Medium (itworks-et: Mon-Fri 09:00-17:00, US federal
    # holidays; Monday 16 Feb is Presidents' Day).
    opened = ny(2, 13, 15)
    intake = ticket_intake.open_ticket(Actor.of(desk, None, at=opened), itworks_draft(), route=True)
    ref = intake.reference
    # Routing: Riverside's contract is active (no rule 2); a technical issue matches rule 7,
    # a product specialist by product. The active IT Works agents with the itworks-admissions
    # skill are bthompson, kwalsh (a project manager) and sokafor (the support manager); none
    # has an open ticket yet, so the tie goes to the first handle: bthompson.
    assert_routed(
        desk,
        ref,
        intake,
        "bthompson",
        "Routing rule 7 (least-loaded-product-specialist) chose bthompson: "
        "least-loaded itworks-admissions specialist: 0 open vs 0 and 0",
    )
    tickets.acknowledge(Actor.of(desk, "bthompson", at=ny(2, 13, 15, 10)), ref)

    triage.record_answers(
        Actor.of(desk, "bthompson", at=ny(2, 13, 15, 30)),
        ref,
        {
            "1": ("yes", "Reproduced on a web demo session"),
            "2": ("no", ""),
            "3": ("no", "On the current release"),
            "4": ("no", ""),
            "5": ("yes", "Transfer students counted twice"),
            "5a": ("no", ""),
            "5b": ("no", "No custom import"),
            "5c": ("yes", "A software bug in the weekly report"),
        },
    )
    assert triage.triage_form(desk, ref).complete
    modification.start_modification(
        Actor.of(desk, "bthompson", at=ny(2, 13, 15, 45)),
        ref,
        workaround="Filter transfers out, then add them once",
    )
    tickets.reply(
        Actor.of(desk, "bthompson", at=ny(2, 13, 16)),
        ref,
        "call-out",
        "Gave Ms Marsh the workaround",
    )
    for key, when in (("1", ny(2, 17, 10)), ("2", ny(2, 17, 11)), ("3", ny(2, 18, 9))):
        modification.complete_task(Actor.of(desk, "bthompson", at=when), ref, "modification", key)
    modification.complete_task(
        Actor.of(desk, "bthompson", at=ny(2, 18, 10)),
        ref,
        "modification",
        "4",
        notes="Told Ms Marsh: end of next week",
        value="2026-02-27T17:00-05:00",
    )
    modification.complete_task(
        Actor.of(desk, "bthompson", at=ny(2, 26, 10)), ref, "modification", "5"
    )
    modification.complete_task(
        Actor.of(desk, "bthompson", at=ny(2, 27, 9)), ref, "modification", "6", value="2026.2"
    )
    modification.complete_task(
        Actor.of(desk, "bthompson", at=ny(2, 27, 10)),
        ref,
        "modification",
        "7",
        notes="Confirmed fixed",
    )
    view = tickets.get_ticket(desk, ref, now=ny(2, 27, 10, 30))
    # Acknowledgement "cob": close of the opening business day, Fri 17:00.
    # Response 8h: Fri 15:00-17:00 = 2h; Mon 16 closed (Presidents' Day); Tue 09:00 + 6h
    #   = Tue 17 Feb 15:00. Met by the call back at Fri 16:00.
    # Resolution 2d = 16h: Fri 2h, Tue 8h (10h), Wed 09:00 + 6h = Wed 18 Feb 15:00, so
    #   resolving on 27 Feb is a breach and needs a reason.
    assert due_and_state(view) == {
        "acknowledgement": (ny(2, 13, 17), "met"),
        "response": (ny(2, 17, 15), "met"),
        "resolution": (ny(2, 18, 15), "breached"),
    }
    assert clocks(view)["response"].met_at == ny(2, 13, 16)
    with pytest.raises(TicketValidationError, match="give the reason for the breach"):
        feedback.contact_and_resolve(
            Actor.of(desk, "bthompson", at=ny(2, 27, 11)),
            ref,
            "Fixed in 2026.2",
            "Fixed in release 2026.2",
        )
    tickets.resolve(
        Actor.of(desk, "bthompson", at=ny(2, 27, 11)),
        ref,
        "Fixed in release 2026.2",
        breach_reason="A software modification: fixed in the release agreed",
    )
    feedback.record_feedback(
        Actor.of(desk, None, at=ny(2, 27, 12)), ref, 5, "Thanks for the workaround"
    )

    state = modification.workflow_state(desk, ref)
    assert (state.eta_at, state.fixed_in_release, state.tasks_done) == (ny(2, 27, 17), "2026.2", 7)
    assert state.workaround == "Filter transfers out, then add them once"
    assert kinds(desk, ref) == [
        "call-in",
        "assignment-change",
        "acknowledgement",
        *["triage-step"] * 8,
        "note",  # the workaround
        "system",  # modification started
        "status-change",  # acknowledged → in progress
        "call-out",
        "system",
        "system",
        "system",
        "eta-change",
        "system",
        "system",
        "system",
        "system",
        "email-out",  # the reply that failed to resolve stays logged
        "status-change",  # resolved, with the breach reason
        "feedback",
    ]
    resolved = log_of(desk, ref)[-2]
    assert resolved.meta["breached"] == ["resolution"]


# ---- Kenco: an after-hours modification request for the approvers -----------------------------


def test_kenco_modification_request_approved(desk: Database) -> None:
    def ny(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
        return at(NEW_YORK, month, day, hour, minute)

    # Tuesday 3 Feb 2026 20:30 ET: after hours (kenco-business is Mon-Fri 08:00-17:00).
    opened = ny(2, 3, 20, 30)
    draft = TicketDraft(
        team="kenco",
        organisation="acme-foods",
        contact_email="maria.lopez@acme-foods.example",
        channel="phone",
        category="technical",
        product="kenco-wes",
        priority="modification-request",
        subject="Wave picking report by zone",
        description="Would like the wave picking report split by zone.",
    )
    intake = ticket_intake.open_ticket(Actor.of(desk, None, at=opened), draft, route=True)
    ref = intake.reference
    # Routing: logged as a technical issue (it is reclassified on triage), so neither the
    # approvers' rule 9 nor the training rule 10 matches; it is after hours, so rule 11 gives
    # it to the engineer on call: lchen is Kenco's primary in the week of 2 Feb (the page goes
    # to her too). The working hours' rule 12 (least-loaded specialist) is not reached.
    assert_routed(
        desk,
        ref,
        intake,
        "lchen",
        "Routing rule 11 (on-call) chose lchen: on call (primary) for kenco now",
    )
    tickets.acknowledge(Actor.of(desk, "lchen", at=ny(2, 3, 20, 40)), ref)
    triage.record_answers(
        Actor.of(desk, "lchen", at=ny(2, 3, 20, 45)),
        ref,
        {
            "1": ("yes", "Called back, understood"),
            "2": ("no", "Location is shipping"),
            "3": ("no", ""),
            "4": ("no", ""),
            "5": ("yes", "Wants WES changed"),
        },
    )
    triage.reclassify(
        Actor.of(desk, "lchen", at=ny(2, 3, 20, 50)),
        ref,
        "change-request",
        "A modification, not an error",
    )
    approvals.request_approval(
        Actor.of(desk, "lchen", at=ny(2, 3, 20, 51)), ref, "Split the wave report by zone"
    )
    tickets.reply(
        Actor.of(desk, "lchen", at=ny(2, 3, 20, 55)),
        ref,
        "call-out",
        "Referred to the Manager of Software Development",
    )
    with pytest.raises(RoleRefusedError, match="lchen may not decide"):
        approvals.decide(Actor.of(desk, "lchen", at=ny(2, 4, 9)), ref, "approved", "ok")
    approvals.decide(
        Actor.of(desk, "rfoster", at=ny(2, 4, 10)),
        ref,
        "approved",
        "Agreed with the VP Technology: next sprint",
    )
    view = tickets.get_ticket(desk, ref, now=ny(2, 4, 10))
    assert view.status == "in-progress"
    # Acknowledgement 15m and response 1h on kenco-24x7 (round the clock):
    # 20:30 + 15m = 20:45 (met 20:40); 20:30 + 1h = 21:30 (met by the call back at 20:55).
    # A modification request has no resolution target.
    assert due_and_state(view) == {
        "acknowledgement": (ny(2, 3, 20, 45), "met"),
        "response": (ny(2, 3, 21, 30), "met"),
        "resolution": (None, "no-target"),
    }
    feedback.contact_and_resolve(
        Actor.of(desk, "lchen", at=ny(2, 5, 14)),
        ref,
        "Approved: scheduled for the next sprint",
        "Approved and scheduled",
    )
    feedback.record_feedback(Actor.of(desk, None, at=ny(2, 5, 15)), ref, 4)
    assert kinds(desk, ref) == [
        "call-in",
        "assignment-change",  # routed at 20:30, inside the opening transaction
        "page",  # logged at 20:30, out of Kenco's hours: the on-call engineer is paged
        "acknowledgement",
        *["triage-step"] * 5,
        "reclassification",
        "approval",  # requested
        "call-out",
        "approval",  # approved
        "status-change",  # → in progress (Kenco has no modification plan)
        "email-out",
        "status-change",  # resolved
        "feedback",
    ]
    paged = next(e for e in log_of(desk, ref) if e.kind.value == "page")
    assert "out of hours" in paged.body or "after hours" in paged.body, paged.body
    # The page goes to whoever is on call, not to the agent routing chose: kenco-weekly
    # hands over on Mondays 09:00 from Mon 5 Jan (dpatel, lchen, jmorales in turn: 5 Jan
    # dpatel, 12 lchen, 19 jmorales, 26 dpatel, 2 Feb lchen), so Lin Chen is primary on
    # Tue 3 Feb. Routing only falls back to on-call when no WES specialist is found.
    assert (paged.meta["agent"], paged.meta["level"]) == ("lchen", 0)
    decided = [e for e in log_of(desk, ref) if e.kind.value == "approval"]
    assert [e.meta["event"] for e in decided] == ["requested", "approved"]
    assert decided[1].author_agent_id is not None


# ---- Keystone: Keystone decides it is a change, across the Spring bank holiday ----------------


def test_keystone_call_reclassified_as_a_change(desk: Database) -> None:
    def uk(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
        return at(LONDON, month, day, hour, minute)

    # Friday 22 May 2026 15:00 BST, High (keystone-england Mon-Fri 09:00-17:00; Monday 25 May
    # is the Spring bank holiday). Logged from a fax.
    draft = TicketDraft(
        team="keystone",
        organisation="bramble-gifts",
        contact_email="sophie@bramble-gifts.example",
        channel="fax",
        category="technical",
        product="khaos-control",
        priority="high",
        subject="Courier labels rejected",
        description="The courier now wants a new label layout.",
    )
    intake = ticket_intake.open_ticket(Actor.of(desk, None, at=uk(5, 22, 15)), draft, route=True)
    ref = intake.reference
    # Routing: a technical call matches rule 14, the least-loaded khaos-control specialist:
    # gharris (the Service Desk Manager) and owilliams, neither with an open ticket, so the
    # first handle, gharris.
    assert_routed(
        desk,
        ref,
        intake,
        "gharris",
        "Routing rule 14 (least-loaded-product-specialist) chose gharris: "
        "least-loaded khaos-control specialist: 0 open vs 0",
    )
    # Hand-over: the manager gives the label run to the consultant, who takes remote
    # sessions; as a supervisor she may give her ticket to someone else.
    tickets.assign(Actor.of(desk, "gharris", at=uk(5, 22, 15, 5)), ref, "owilliams")
    tickets.acknowledge(Actor.of(desk, "owilliams", at=uk(5, 22, 15, 10)), ref)
    tickets.log_remote_session(
        Actor.of(desk, "owilliams", at=uk(5, 22, 15, 30)),
        ref,
        "Looked at the label run",
        minutes=20,
    )
    triage.record_answers(
        Actor.of(desk, "owilliams", at=uk(5, 22, 15, 45)),
        ref,
        {
            "1": ("yes", "Estimate given: Wednesday"),
            "2": ("no", "Orders still go out"),
            "3": ("yes", "Remote session taken"),
            "4": ("yes", "The courier's new format"),
        },
    )
    triage.reclassify(
        Actor.of(desk, "owilliams", at=uk(5, 22, 15, 50)),
        ref,
        "change-request",
        "Keystone judges it a change, not an error",
    )
    tickets.reply(
        Actor.of(desk, "owilliams", at=uk(5, 26, 10, 30)),
        ref,
        "email-out",
        "This is a change; we will quote",
    )
    feedback.contact_and_resolve(
        Actor.of(desk, "owilliams", at=uk(5, 27, 12)),
        ref,
        "Quote sent, change scheduled",
        "Handled as a change",
    )
    view = tickets.get_ticket(desk, ref, now=uk(5, 27, 12))
    # No acknowledgement clock. Response 4h: Fri 15:00-17:00 = 2h; Mon 25 closed; Tue 09:00
    #   + 2h = Tue 26 May 11:00 (met 10:30).
    # Resolution 3d = 24h: Fri 2h, Tue 8h (10h), Wed 8h (18h), Thu 09:00 + 6h = Thu 28 May
    #   15:00 (met Wed 12:00).
    assert due_and_state(view) == {
        "acknowledgement": (None, "no-target"),
        "response": (uk(5, 26, 11), "met"),
        "resolution": (uk(5, 28, 15), "met"),
    }
    assert (view.category, triage.triage_form(desk, ref).complete) == ("change-request", True)
    assert view.assignee == "owilliams"
    feedback.record_feedback(
        Actor.of(desk, None, at=uk(5, 27, 13)), ref, 3, "Slow over the bank holiday"
    )
    assert kinds(desk, ref) == [
        "fax-in",
        "assignment-change",  # routed to gharris
        "assignment-change",  # her hand-over to owilliams
        "acknowledgement",
        "remote-session",
        *["triage-step"] * 4,
        "reclassification",
        "email-out",
        "email-out",
        "status-change",
        "feedback",
    ]


# ---- Velsoft: a Low request handled as Medium, a how-to question -------------------------------


def test_velsoft_case_becomes_training_and_is_closed_but_kept(desk: Database) -> None:
    def hfx(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
        return at(HALIFAX, month, day, hour, minute)

    # Friday 13 Feb 2026 15:00 Halifax, filed Low = handled as Medium (velsoft-halifax Mon-Fri
    # 08:00-16:30; Monday 16 Feb is Nova Scotia Heritage Day; 1 working day = 8h30m).
    draft = TicketDraft(
        team="velsoft",
        organisation="maritime-health-training",
        contact_email="colleen@maritime-health.example",
        channel="email",
        category="technical",
        product="velsoft-elearning",
        priority="low",
        requested_priority="low",
        subject="Cannot add learners to a cohort",
        description="The add button does nothing.",
    )
    intake = ticket_intake.open_ticket(Actor.of(desk, None, at=hfx(2, 13, 15)), draft, route=True)
    ref = intake.reference
    # Routing ("automatically assigned to a team member"): rule 15, the least-loaded
    # velsoft-elearning specialist: cmacdonald and jleblanc, neither with an open case, so the
    # first handle, cmacdonald (the Client Support Lead), who then works the case herself.
    assert_routed(
        desk,
        ref,
        intake,
        "cmacdonald",
        "Routing rule 15 (least-loaded-product-specialist) chose cmacdonald: "
        "least-loaded velsoft-elearning specialist: 0 open vs 0",
    )
    tickets.acknowledge(Actor.of(desk, "cmacdonald", at=hfx(2, 17, 8, 15)), ref)
    triage.record_answers(
        Actor.of(desk, "cmacdonald", at=hfx(2, 17, 8, 20)),
        ref,
        {
            "1": ("yes", "Low is handled as Medium"),
            "2": ("no", "Works on our side"),
            "3": ("yes", "Cohort must be saved first"),
        },
    )
    triage.reclassify(
        Actor.of(desk, "cmacdonald", at=hfx(2, 17, 8, 25)), ref, "training", "How-to question"
    )
    feedback.contact_and_resolve(
        Actor.of(desk, "cmacdonald", at=hfx(2, 17, 9)),
        ref,
        "Save the cohort, then add learners (guide p. 12)",
        "Explained cohorts",
    )
    tickets.close(Actor.of(desk, "cmacdonald", at=hfx(2, 18, 9)), ref)
    feedback.record_feedback(Actor.of(desk, None, at=hfx(2, 18, 10)), ref, 5)
    view = tickets.get_ticket(desk, ref, now=hfx(2, 18, 10))
    assert (view.priority.slug, view.status, view.category) == ("medium", "closed", "training")
    # Acknowledgement 2h: Fri 15:00-16:30 = 1h30; Mon closed; Tue 08:00 + 30m = 08:30 (met
    #   08:15). Response 1d = 8h30: Fri 1h30, Tue 08:00 + 7h = 15:00 (met by the email at
    #   09:00). Resolution 3d = 25h30: Fri 1h30, Tue 8h30 (10h), Wed 8h30 (18h30), Thu 08:00
    #   + 7h = Thu 19 Feb 15:00 (met Tue 09:00).
    assert due_and_state(view) == {
        "acknowledgement": (hfx(2, 17, 8, 30), "met"),
        "response": (hfx(2, 17, 15), "met"),
        "resolution": (hfx(2, 19, 15), "met"),
    }
    entries = log_of(desk, ref)
    assert [e.kind.value for e in entries] == [
        "email-in",
        "assignment-change",
        "acknowledgement",
        *["triage-step"] * 3,
        "reclassification",
        "email-out",
        "status-change",
        "status-change",
        "feedback",
    ]
    assert entries[6].meta == {
        "from": "technical",
        "to": "training",
        "assignment": "unchanged",
        "suggested_assignee": "cmacdonald",
    }


# ---- Paritor: a "Level 4" enhancement request ---------------------------------------------------


def test_paritor_level_4_enhancement_goes_to_the_approver(desk: Database) -> None:
    def uk(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
        return at(LONDON, month, day, hour, minute)

    # Monday 2 Mar 2026 10:00 GMT, logged online and rated Medium (paritor-uk Mon-Fri
    # 09:00-17:00): response 1d = 8h → Tue 3 Mar 10:00 until it is found to be Level 4.
    draft = TicketDraft(
        team="paritor",
        organisation="oakfield-music-service",
        contact_email="r.hale@oakfield-music.example",
        channel="web",
        category="technical",
        product="paritor-ensemble",
        priority="medium",
        requested_priority="medium",
        subject="Report of instrument loans by school",
        description="Could Ensemble list loans?",
    )
    intake = ticket_intake.open_ticket(Actor.of(desk, None, at=uk(3, 2, 10)), draft, route=True)
    ref = intake.reference
    opened = tickets.get_ticket(desk, ref, now=uk(3, 2, 10))
    assert due_and_state(opened)["response"] == (uk(3, 3, 10), "running")
    # Routing: rated as an ordinary technical issue, so not yet the Level 4 rule 16 (the
    # approvers' queue); rule 17 wants the least-loaded paritor-ensemble specialist, and
    # ehughes is the only one.
    assert_routed(
        desk,
        ref,
        intake,
        "ehughes",
        "Routing rule 17 (least-loaded-product-specialist) chose ehughes: "
        "least-loaded: the only paritor-ensemble specialist (0 open)",
    )
    tickets.acknowledge(Actor.of(desk, "ehughes", at=uk(3, 2, 10, 10)), ref)
    triage.record_answers(
        Actor.of(desk, "ehughes", at=uk(3, 2, 10, 20)),
        ref,
        {"1": ("yes", "Rated Medium"), "2": ("yes", "A new report: Level 4")},
    )
    triage.reclassify(
        Actor.of(desk, "ehughes", at=uk(3, 2, 10, 25)),
        ref,
        "enhancement",
        "Level 4: an enhancement request",
    )
    tickets.change_priority(
        Actor.of(desk, "ehughes", at=uk(3, 2, 10, 26)), ref, "level-4", "Enhancements have no SLA"
    )
    approvals.request_approval(
        Actor.of(desk, "ehughes", at=uk(3, 2, 10, 30)), ref, "Loans by school report"
    )
    approvals.decide(
        Actor.of(desk, "ehughes", at=uk(3, 2, 11)),
        ref,
        "approved",
        "On the enhancement list for the summer release",
    )
    feedback.contact_and_resolve(
        Actor.of(desk, "ehughes", at=uk(3, 2, 11, 30)),
        ref,
        "Added to the summer release list",
        "Enhancement accepted",
    )
    feedback.record_feedback(Actor.of(desk, None, at=uk(3, 3, 9)), ref, "4", "Good to hear")
    view = tickets.get_ticket(desk, ref, now=uk(3, 3, 9))
    # Level 4 has no SLA: every clock has no target once the priority changed.
    assert due_and_state(view) == {
        "acknowledgement": (None, "no-target"),
        "response": (None, "no-target"),
        "resolution": (None, "no-target"),
    }
    assert kinds(desk, ref) == [
        "system",  # logged online
        "assignment-change",
        "acknowledgement",
        "triage-step",
        "triage-step",
        "reclassification",
        "priority-change",
        "approval",
        "approval",
        "status-change",  # approved → in progress (Paritor has no modification plan)
        "email-out",
        "status-change",
        "feedback",
    ]


# ---- IT Works: a college whose maintenance contract has lapsed ---------------------------------


def test_itworks_no_entitlement_goes_to_a_supervisor_flagged(desk: Database) -> None:
    def ny(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
        return at(NEW_YORK, month, day, hour, minute)

    # Tuesday 3 Mar 2026 10:00 ET. Lakeside Community College's only contract (ITW-LCC-0031)
    # ended on 30 Jun 2025: the ticket is still logged, on the team's default policy
    # (itworks-standard), flagged "no entitlement" and sent to a supervisor.
    draft = TicketDraft(
        team="itworks",
        organisation="lakeside-community-college",
        contact_email="d.walker@lakeside-cc.example",
        channel="email",
        category="technical",
        product="itworks-admissions",
        priority="medium",
        subject="Applicant import fails",
        description="The nightly applicant import stopped on Monday.",
    )
    first = ticket_intake.open_ticket(Actor.of(desk, None, at=ny(3, 3, 10)), draft, route=True)
    ref = first.reference
    assert (first.flags, first.contract_reference, first.policy) == (
        ("no-entitlement",),
        None,
        "itworks-standard",
    )
    assert stored(desk, ref).flag_no_entitlement
    # Routing: rule 2 (IT Works, when no-entitlement) comes before the technical rule 7. The
    # IT Works supervisors are sokafor and amorgan (the desk administrator, a supervisor on
    # every team); neither has an open ticket, so the first handle, amorgan.
    assert_routed(
        desk,
        ref,
        first,
        "amorgan",
        "Routing rule 2 (supervisor) chose amorgan: no active contract (no entitlement); "
        "least-loaded supervisor: 0 open vs 0",
    )
    assert routing_entry(desk, ref).meta["rule"] == 2
    # Half an hour later a second question from the same college: amorgan now has one open
    # ticket and sokafor none, so the least-loaded supervisor is sokafor.
    second = ticket_intake.open_ticket(
        Actor.of(desk, None, at=ny(3, 3, 10, 30)),
        dataclasses.replace(draft, subject="Offer letters", description="Letters are blank."),
        route=True,
    )
    assert second.flags == ("no-entitlement",)
    assert_routed(
        desk,
        second.reference,
        second,
        "sokafor",
        "Routing rule 2 (supervisor) chose sokafor: no active contract (no entitlement); "
        "least-loaded supervisor: 0 open vs 1",
    )

    # The supervisor takes the first, tells the college that support needs a renewed
    # contract, and resolves it.
    tickets.acknowledge(Actor.of(desk, "amorgan", at=ny(3, 3, 10, 15)), ref)
    feedback.contact_and_resolve(
        Actor.of(desk, "amorgan", at=ny(3, 3, 11)),
        ref,
        "Your maintenance contract ended on 30 June 2025; please renew it for support",
        "No entitlement: referred to contract renewal",
    )
    view = tickets.get_ticket(desk, ref, now=ny(3, 3, 11))
    # Acknowledgement "cob": Tue 17:00 (met 10:15). Response 8h: Tue 10:00-17:00 = 7h, Wed
    #   09:00 + 1h = Wed 4 Mar 10:00 (met by the email at 11:00). Resolution 2d = 16h: Tue 7h,
    #   Wed 8h (15h), Thu 09:00 + 1h = Thu 5 Mar 10:00 (met Tue 11:00).
    assert due_and_state(view) == {
        "acknowledgement": (ny(3, 3, 17), "met"),
        "response": (ny(3, 4, 10), "met"),
        "resolution": (ny(3, 5, 10), "met"),
    }
    assert (view.status, view.assignee, view.flags) == ("resolved", "amorgan", ("no-entitlement",))
    assert kinds(desk, ref) == [
        "email-in",
        "assignment-change",  # routed to the supervisor
        "acknowledgement",
        "email-out",
        "status-change",  # resolved
    ]


# ---- IT Works: training to the project manager, change requests to the approvers ---------------


def test_itworks_training_and_change_requests_route_by_category(desk: Database) -> None:
    def ny(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
        return at(NEW_YORK, month, day, hour, minute)

    # Training issues (rule 6): "preferably the project manager who worked with that client".
    # Riverside was implemented by kwalsh, Pacific State by pgreene.
    riverside = ticket_intake.open_ticket(
        Actor.of(desk, None, at=ny(3, 3, 9, 30)), itworks_draft(category="training"), route=True
    )
    assert_routed(
        desk,
        riverside.reference,
        riverside,
        "kwalsh",
        "Routing rule 6 (project-manager-then-skill) chose kwalsh: "
        "the project manager of riverside-university",
    )
    pacific = ticket_intake.open_ticket(
        Actor.of(desk, None, at=ny(3, 3, 9, 45)),
        itworks_draft(
            category="training",
            organisation="pacific-state-college",
            contact_email="linda.tran@pacific-state.example",
            product="itworks-finance",
            subject="Month-end close",
            description="How do we close the month in Finance?",
        ),
        route=True,
    )
    assert_routed(
        desk,
        pacific.reference,
        pacific,
        "pgreene",
        "Routing rule 6 (project-manager-then-skill) chose pgreene: "
        "the project manager of pacific-state-college",
    )

    # A request for new capabilities (rule 8): specification, quote and approval come first,
    # so the ticket waits unassigned in the approvers' review queue.
    opened = ny(3, 3, 10)
    request = ticket_intake.open_ticket(
        Actor.of(desk, None, at=opened),
        itworks_draft(
            category="change-request",
            priority="low",
            subject="Waiting-list report",
            description="Could admissions list applicants on the waiting list by course?",
        ),
        route=True,
    )
    ref = request.reference
    entry = assert_routed(
        desk,
        ref,
        request,
        None,
        "Routing rule 8 (approvers-queue) chose the approvers' review queue: "
        "waits for an approver's decision (specification, quote, approval)",
    )
    assert (entry.meta["strategy"], entry.meta["queue"]) == ("approvers-queue", "approvers")
    assert stored(desk, ref).awaiting_approval
    # Low (a change request): acknowledgement "cob" Tue 3 Mar 17:00; response 3d = 24h: Tue
    #   10:00-17:00 = 7h, Wed 8h (15h), Thu 8h (23h), Fri 09:00 + 1h = Fri 6 Mar 10:00;
    #   completion is negotiated, so no due instant yet.
    view = tickets.get_ticket(desk, ref, now=opened)
    assert (view.status, view.assignee) == ("new", None)
    assert {name: due for name, (due, _) in due_and_state(view).items()} == {
        "acknowledgement": ny(3, 3, 17),
        "response": ny(3, 6, 10),
        "resolution": None,
    }
    # Routing put it to the approvers: the request is on the log, waiting for a decision.
    assert kinds(desk, ref) == ["call-in", "assignment-change", "approval"]


def test_a_routed_change_request_reaches_the_approvers(desk: Database) -> None:
    opened = at(NEW_YORK, 3, 3, 10)
    request = ticket_intake.open_ticket(
        Actor.of(desk, None, at=opened),
        itworks_draft(category="change-request", priority="low", subject="Waiting-list report"),
        route=True,
    )
    ref = request.reference
    assert stored(desk, ref).awaiting_approval
    # The queue the approvers read is where routing said the ticket went.
    assert [pending.reference for pending in approvals.pending_approvals(desk)] == [ref]
    approvals.decide(
        Actor.of(desk, "sokafor", at=opened + dt.timedelta(days=1)),
        ref,
        "approved",
        "Specification and quote agreed with the registrar",
        quote="USD 2,400",
    )
    assert not stored(desk, ref).awaiting_approval
