"""Triage, reclassification, the modification steps, approvals and feedback through the
services on both backends, against the sample catalog.

IT Works tickets open Monday 2 February 2026 10:00 New York (itworks-et, 09:00-17:00).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures
from workflow_helpers import NEW_YORK, itworks_draft, kinds, log_of, open_draft, stored

from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.authorization import RoleRefusedError
from deskui.services.errors import (
    NotFoundError,
    TicketStateError,
    TicketValidationError,
)
from deskui.services.workflow import approvals, feedback, modification, triage
from deskui.store.models import AuditRefusal, Feedback, TicketTask, TriageRecord
from deskui.store.session import Database

AGENT, TRAINER, APPROVER = "bthompson", "mbrennan", "sokafor"


def ny(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=NEW_YORK)


OPENED = ny(2, 10)


def _open(desk: Database, **changes: object) -> str:
    ref = open_draft(desk, itworks_draft(**changes), OPENED).reference
    tickets.acknowledge(Actor.of(desk, AGENT, at=ny(2, 10, 5)), ref)
    return ref


# ---- triage ----------------------------------------------------------------------------------


def test_triage_form_is_the_policys_checklist_with_substeps(desk: Database) -> None:
    ref = _open(desk)
    form = triage.triage_form(desk, ref)
    assert form.checklist == "itworks-triage"
    assert [s.key for s in form.steps] == ["1", "2", "3", "4", "5", "5a", "5b", "5c"]
    assert [s.parent_key for s in form.steps][-3:] == ["5", "5", "5"]
    assert form.answered == 0
    first = form.steps[0]
    assert [o.reclassify for o in first.outcomes] == ["training", "change-request"]
    assert form.steps[-1].outcomes[0].start == "modification"


def test_answers_are_recorded_logged_and_resumed(desk: Database) -> None:
    ref = _open(desk)
    version = triage.record_answers(
        Actor.of(desk, AGENT, at=ny(2, 11)),
        ref,
        {"1": ("yes", "Seen on a web demo"), "2": ("no", "")},
    )
    form = triage.triage_form(desk, ref)
    assert form.version == version
    assert {s.key: (s.answer, s.notes, s.answered_by) for s in form.steps[:3]} == {
        "1": ("yes", "Seen on a web demo", AGENT),
        "2": ("no", "", AGENT),
        "3": (None, "", None),
    }
    assert form.steps[0].answered_at == ny(2, 11)
    entries = [e for e in log_of(desk, ref) if e.kind.value == "triage-step"]
    assert [(e.meta["step"], e.meta["answer"], e.body) for e in entries] == [
        ("1", "yes", "Seen on a web demo"),
        ("2", "no", ""),
    ]
    assert {e.meta["checklist"] for e in entries} == {"itworks-triage"}
    # Saving the same answers again writes nothing; a changed one is a new record that wins.
    assert (
        triage.record_answers(Actor.of(desk, AGENT, at=ny(2, 12)), ref, {"2": ("no", "")})
        == version
    )
    triage.record_answers(
        Actor.of(desk, AGENT, at=ny(2, 12)), ref, {"2": ("n-a", "no network involved")}
    )
    assert triage.triage_form(desk, ref).steps[1].answer == "n-a"
    with desk.read() as session:
        assert session.scalar(select(func.count()).select_from(TriageRecord)) == 3


def test_bad_answers_and_steps_are_refused_before_anything_is_written(desk: Database) -> None:
    ref = _open(desk)
    with pytest.raises(TicketValidationError, match="'maybe' is not one of: yes, no, n-a"):
        triage.record_answers(Actor.of(desk, AGENT, at=ny(2, 11)), ref, {"1": ("maybe", "")})
    with pytest.raises(TicketValidationError, match="6 is not a step of itworks-triage"):
        triage.record_answers(
            Actor.of(desk, AGENT, at=ny(2, 11)), ref, {"1": ("yes", ""), "6": ("yes", "")}
        )
    assert "triage-step" not in kinds(desk, ref)


def test_a_team_checklist_when_the_policy_has_none(desk: Database) -> None:
    view = intake.open_ticket(
        Actor.of(desk, None, at=OPENED),
        itworks_draft(
            team="kenco",
            organisation="acme-foods",
            contact_email="maria.lopez@acme-foods.example",
            product="kenco-wes",
            priority="software-error",
        ),
    )
    assert triage.triage_form(desk, view.reference).checklist == "kenco-triage"


def test_reclassification_needs_a_reason_and_keeps_the_old_category(desk: Database) -> None:
    ref = _open(desk)
    with pytest.raises(TicketValidationError, match="a reason"):
        triage.reclassify(Actor.of(desk, AGENT, at=ny(2, 11)), ref, "training", " ")
    with pytest.raises(TicketValidationError, match="'billing' is not a category"):
        triage.reclassify(Actor.of(desk, AGENT, at=ny(2, 11)), ref, "billing", "why")
    triage.reclassify(
        Actor.of(desk, AGENT, at=ny(2, 11)), ref, "training", "Operator error: wrong filter"
    )
    ticket = stored(desk, ref)
    assert (ticket.category.value, ticket.reclassified_from.value) == ("training", "technical")
    entry = log_of(desk, ref)[-1]
    assert entry.kind.value == "reclassification"
    assert entry.body == "Operator error: wrong filter"
    # No routing service yet: the assignee stays; the project manager is named for later.
    assert entry.meta == {
        "from": "technical",
        "to": "training",
        "assignment": "unchanged",
        "suggested_assignee": "kwalsh",
    }
    assert tickets.get_ticket(desk, ref, now=ny(2, 11)).assignee == AGENT
    with pytest.raises(TicketValidationError, match="already training"):
        triage.reclassify(Actor.of(desk, AGENT, at=ny(2, 12)), ref, "training", "again")


def test_training_falls_back_to_the_training_specialist(desk: Database) -> None:
    # Lakeside has no project manager.
    ref = open_draft(
        desk,
        itworks_draft(
            organisation="lakeside-community-college", contact_email="d.walker@lakeside-cc.example"
        ),
        OPENED,
    ).reference
    triage.reclassify(Actor.of(desk, AGENT, at=ny(2, 11)), ref, "training", "How-to question")
    assert log_of(desk, ref)[-1].meta["suggested_assignee"] == TRAINER


# ---- modification ------------------------------------------------------------------------------


def test_a_software_bug_gets_a_workaround_then_the_seven_steps_in_order(desk: Database) -> None:
    ref = _open(desk)
    modification.start_modification(
        Actor.of(desk, AGENT, at=ny(2, 11)), ref, workaround="Run the report per campus"
    )
    state = modification.workflow_state(desk, ref)
    assert state.workaround == "Run the report per campus"
    assert [t.label for t in state.tasks] == [f"M{n}" for n in range(1, 8)]
    assert [t.records for t in state.tasks][3] == "eta"
    assert stored(desk, ref).status.value == "in-progress"
    assert kinds(desk, ref)[-3:] == ["note", "system", "status-change"]
    with pytest.raises(TicketStateError, match="already started"):
        modification.start_modification(Actor.of(desk, AGENT, at=ny(2, 11)), ref)
    with pytest.raises(TicketStateError, match=r"modification step 1 \(Reproduce"):
        modification.complete_task(Actor.of(desk, AGENT, at=ny(2, 12)), ref, "modification", "2")
    with pytest.raises(NotFoundError, match="no modification step '9'"):
        modification.complete_task(Actor.of(desk, AGENT, at=ny(2, 12)), ref, "modification", "9")
    for key in ("1", "2", "3"):
        modification.complete_task(
            Actor.of(desk, AGENT, at=ny(2, 12)), ref, "modification", key, notes=f"step {key}"
        )
    with pytest.raises(TicketValidationError, match="completion date"):
        modification.complete_task(Actor.of(desk, AGENT, at=ny(2, 13)), ref, "modification", "4")
    with pytest.raises(TicketValidationError, match="not a date and time"):
        modification.complete_task(
            Actor.of(desk, AGENT, at=ny(2, 13)), ref, "modification", "4", value="next week"
        )
    modification.complete_task(
        Actor.of(desk, AGENT, at=ny(2, 13)),
        ref,
        "modification",
        "4",
        notes="Told Ms Marsh by phone",
        value="2026-02-20T17:00-05:00",
    )
    ticket = stored(desk, ref)
    assert ticket.eta_at == ny(20, 17)
    eta, done = log_of(desk, ref)[-2:]
    assert eta.kind.value == "eta-change"
    assert eta.meta["to"] == ny(20, 17).astimezone(dt.UTC).isoformat()
    assert done.meta == {
        "workflow": "modification",
        "event": "step-done",
        "step": "4",
        "records": "eta",
        "value": eta.meta["to"],
    }
    modification.complete_task(Actor.of(desk, AGENT, at=ny(3, 9)), ref, "modification", "5")
    with pytest.raises(TicketValidationError, match="the release is required"):
        modification.complete_task(Actor.of(desk, AGENT, at=ny(3, 10)), ref, "modification", "6")
    modification.complete_task(
        Actor.of(desk, AGENT, at=ny(3, 10)), ref, "modification", "6", value="2026.2.1"
    )
    modification.complete_task(Actor.of(desk, AGENT, at=ny(3, 11)), ref, "modification", "7")
    state = modification.workflow_state(desk, ref)
    assert state.fixed_in_release == "2026.2.1"
    assert state.tasks_done == 7 and state.next_task is None
    assert all(t.done_by == AGENT for t in state.tasks)


def test_no_plan_no_modification(desk: Database) -> None:
    view = intake.open_ticket(
        Actor.of(desk, None, at=OPENED),
        itworks_draft(
            team="velsoft",
            organisation=None,
            product=None,
            contact_email="colleen@maritime-health.example",
            priority="high",
        ),
    )
    with pytest.raises(TicketStateError, match="has software-modification steps"):
        modification.start_modification(Actor.of(desk, "jleblanc", at=ny(2, 11)), view.reference)


# ---- approvals ---------------------------------------------------------------------------------


def test_change_request_approval_with_a_quote_then_the_change_request_steps(
    desk: Database,
) -> None:
    ref = _open(desk)
    triage.reclassify(
        Actor.of(desk, AGENT, at=ny(2, 11)), ref, "change-request", "Wants a new report"
    )
    approvals.request_approval(Actor.of(desk, AGENT, at=ny(2, 11)), ref, "New transfer report")
    assert stored(desk, ref).awaiting_approval
    assert [p.reference for p in approvals.pending_approvals(desk)] == [ref]
    with pytest.raises(TicketStateError, match="already waiting"):
        approvals.request_approval(Actor.of(desk, AGENT, at=ny(2, 11)), ref, "again")

    with pytest.raises(RoleRefusedError, match="bthompson may not decide change"):
        approvals.decide(Actor.of(desk, AGENT, at=ny(2, 12)), ref, "approved", "fine", quote="$1")
    with desk.read() as session:
        refusal = session.scalars(select(AuditRefusal)).one()
    assert (refusal.actor, refusal.target) == (AGENT, ref)
    with pytest.raises(TicketValidationError, match="needs a quote"):
        approvals.decide(Actor.of(desk, APPROVER, at=ny(2, 12)), ref, "approved", "fine")
    with pytest.raises(TicketValidationError, match="a note"):
        approvals.decide(Actor.of(desk, APPROVER, at=ny(2, 12)), ref, "approved", "", quote="$1")

    approvals.decide(
        Actor.of(desk, APPROVER, at=ny(2, 13)), ref, "approved", "Worth doing", quote="USD 2,400"
    )
    state = modification.workflow_state(desk, ref)
    assert not state.awaiting_approval and state.quote_required
    assert state.approvals[0].decision == "approved"
    assert state.approvals[0].decided_by == APPROVER
    assert [t.label for t in state.tasks] == ["CR1", "CR2", "CR3"] + [f"M{n}" for n in range(1, 8)]
    decision = [e for e in log_of(desk, ref) if e.kind.value == "approval"][-1]
    assert decision.meta == {"event": "approved", "quote": "USD 2,400"}
    modification.complete_task(Actor.of(desk, AGENT, at=ny(2, 14)), ref, "change-request", "1")
    # The quote step takes the approved quote unless another is given.
    modification.complete_task(Actor.of(desk, AGENT, at=ny(2, 14)), ref, "change-request", "2")
    with pytest.raises(TicketValidationError, match="approved, declined"):
        modification.complete_task(
            Actor.of(desk, AGENT, at=ny(2, 15)), ref, "change-request", "3", value="ok"
        )
    modification.complete_task(
        Actor.of(desk, AGENT, at=ny(2, 15)), ref, "change-request", "3", value="approved"
    )
    values = [t.value for t in modification.workflow_state(desk, ref).tasks[:3]]
    assert values == [None, "USD 2,400", "approved"]
    assert approvals.pending_approvals(desk) == []


def test_a_decline_goes_back_to_the_assignee(desk: Database) -> None:
    ref = _open(desk, category="change-request", priority="low")
    approvals.request_approval(Actor.of(desk, AGENT, at=ny(2, 11)), ref, "A new module")
    approvals.decide(Actor.of(desk, APPROVER, at=ny(2, 12)), ref, "declined", "Not this year")
    ticket = stored(desk, ref)
    assert not ticket.awaiting_approval
    assert ticket.status.value == "acknowledged"
    assert log_of(desk, ref)[-1].meta["event"] == "declined"
    with desk.read() as session:
        assert session.scalar(select(func.count()).select_from(TicketTask)) == 0
    with pytest.raises(TicketStateError, match="no request waiting"):
        approvals.decide(Actor.of(desk, APPROVER, at=ny(2, 13)), ref, "approved", "x", quote="1")


# ---- resolution and feedback -------------------------------------------------------------------


def test_feedback_only_on_resolved_tickets_and_logged(desk: Database) -> None:
    ref = _open(desk)
    with pytest.raises(TicketStateError, match="acknowledged: feedback is recorded once"):
        feedback.record_feedback(Actor.of(desk, None, at=ny(2, 12)), ref, 5)
    feedback.contact_and_resolve(
        Actor.of(desk, AGENT, at=ny(2, 12)),
        ref,
        "Fixed: the report is right now",
        "Report corrected",
    )
    assert kinds(desk, ref)[-2:] == ["email-out", "status-change"]
    for bad, message in ((0, "0 is not from 1 to 5"), ("five", "'five' is not a whole")):
        with pytest.raises(TicketValidationError, match=message):
            feedback.record_feedback(Actor.of(desk, None, at=ny(2, 13)), ref, bad)
    feedback.record_feedback(Actor.of(desk, None, at=ny(2, 13)), ref, "4", "Quick, thanks")
    entry = log_of(desk, ref)[-1]
    assert (entry.kind.value, entry.direction.value, entry.body, entry.meta) == (
        "feedback",
        "in",
        "Quick, thanks",
        {"score": 4},
    )
    tickets.close(Actor.of(desk, AGENT, at=ny(3, 9)), ref)
    feedback.record_feedback(Actor.of(desk, AGENT, at=ny(3, 10)), ref, 5)
    with desk.read() as session:
        assert [f.score for f in session.scalars(select(Feedback).order_by(Feedback.id))] == [4, 5]
