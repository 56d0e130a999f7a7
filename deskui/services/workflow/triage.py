"""Working a ticket through its triage checklist (``t`` in the app), and reclassifying it.

A ticket's checklist is its policy's, else its team's (``triage_checklist``, seeded from
``sample_data/triage.yaml``). Each answer (yes / no / not applicable, with notes) is one
``triage_record`` row AND one ``triage-step`` log entry with who and when, written in the same
transaction. Progress is the latest answer per step, so a checklist can be left half-done and
resumed: ``triage_form`` hands back the saved answers. Saving the same answer and notes again
writes nothing (the form saves every step it shows).

A step's outcome hints (``reclassify: CATEGORY``, ``start: modification|approval``) are offered
by the form once the step is answered "yes"; the caller then runs ``reclassify``,
``deskui.services.workflow.modification.start_modification`` or
``deskui.services.workflow.approvals.request_approval``.

Reclassifying needs a reason; it changes ``ticket.category``, keeps where it came from in
``reclassified_from`` and logs a ``reclassification`` entry ``{"from", "to"}``. Routing runs
when a ticket is opened, not when it is reclassified, so a ticket that becomes a training issue
keeps its assignee; the entry
names who the process says should take it (the organisation's project manager, else a team
member with the training skill) under ``meta["suggested_assignee"]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from deskui.domain.vocabulary import DONE_STATUSES, Category, InteractionKind, Status, TriageAnswer
from deskui.services.actor import Actor
from deskui.services.errors import NotFoundError, TicketStateError, TicketValidationError
from deskui.services.tickets.unit_of_work import (
    TicketEdit,
    load_ticket,
    require_aware,
    required_text,
    ticket_write,
)
from deskui.store.models import (
    Agent,
    AgentCategorySkill,
    Organisation,
    Ticket,
    TriageChecklist,
    TriageRecord,
)
from deskui.store.models.people import agent_team
from deskui.store.session import Database

__all__ = [
    "TriageForm",
    "TriageOutcome",
    "TriageStepView",
    "checklist_for",
    "parse_answer",
    "reclassify",
    "record_answers",
    "triage_form",
]


@dataclass(frozen=True, slots=True)
class TriageOutcome:
    """What a finding at a step leads to (from the checklist's outcome hints)."""

    when: str
    reclassify: str | None
    start: str | None
    note: str


@dataclass(frozen=True, slots=True)
class TriageStepView:
    """One step (or lettered sub-step) with its latest saved answer, if any."""

    key: str
    text: str
    parent_key: str | None
    outcomes: tuple[TriageOutcome, ...]
    answer: str | None
    notes: str
    answered_by: str | None
    answered_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TriageForm:
    """A ticket's checklist as it stands: every step in order, with saved progress."""

    reference: str
    category: str
    checklist: str
    title: str
    steps: tuple[TriageStepView, ...]
    version: int

    @property
    def answered(self) -> int:
        return sum(1 for step in self.steps if step.answer is not None)

    @property
    def complete(self) -> bool:
        return self.answered == len(self.steps)


def parse_answer(value: TriageAnswer | str) -> TriageAnswer:
    """``value`` as an answer; ``TicketValidationError`` on ``answer`` listing the choices."""
    try:
        return TriageAnswer(str(value).strip().lower())
    except ValueError:
        known = ", ".join(a.value for a in TriageAnswer)
        raise TicketValidationError("answer", f"{value!r} is not one of: {known}") from None


def checklist_for(session: Session, ticket: Ticket) -> TriageChecklist:
    """The ticket policy's checklist, else its team's; ``NotFoundError`` if neither has one."""
    for column, value in (
        (TriageChecklist.policy_id, ticket.policy_id),
        (TriageChecklist.team_id, ticket.team_id),
    ):
        found = session.scalars(
            select(TriageChecklist).where(column == value).order_by(TriageChecklist.id).limit(1)
        ).first()
        if found is not None:
            return found
    raise NotFoundError(
        f"{ticket.reference}: neither its policy {ticket.policy.name} nor its team "
        f"{ticket.team.slug} has a triage checklist"
    )


def _latest_answers(
    session: Session, ticket_id: int, checklist_id: int
) -> dict[str, tuple[TriageRecord, str | None]]:
    rows = session.execute(
        select(TriageRecord, Agent.handle)
        .outerjoin(Agent, Agent.id == TriageRecord.agent_id)
        .where(TriageRecord.ticket_id == ticket_id, TriageRecord.checklist_id == checklist_id)
        .order_by(TriageRecord.at, TriageRecord.id)
    )
    # Later rows overwrite earlier ones: the latest answer per step wins.
    return {record.step_key: (record, handle) for record, handle in rows}


def _outcomes(step_outcome: Mapping[str, object] | None) -> tuple[TriageOutcome, ...]:
    hints = (step_outcome or {}).get("outcomes")
    if not isinstance(hints, list):
        return ()
    return tuple(
        TriageOutcome(
            when=str(hint.get("when", "")),
            reclassify=_text_or_none(hint.get("reclassify")),
            start=_text_or_none(hint.get("start")),
            note=str(hint.get("note", "")),
        )
        for hint in hints
        if isinstance(hint, dict)
    )


def _text_or_none(value: object) -> str | None:
    return str(value) if value else None


def triage_form(database: Database, ref: str) -> TriageForm:
    """The ticket's checklist with the latest saved answer of each step."""
    with database.read() as session:
        ticket = load_ticket(session, ref)
        checklist = checklist_for(session, ticket)
        saved = _latest_answers(session, ticket.id, checklist.id)
        steps = []
        for step in checklist.steps:
            record, handle = saved.get(step.key, (None, None))
            steps.append(
                TriageStepView(
                    key=step.key,
                    text=step.text,
                    parent_key=step.parent_key,
                    outcomes=_outcomes(step.outcome),
                    answer=record.answer.value if record is not None else None,
                    notes=record.notes if record is not None else "",
                    answered_by=handle,
                    answered_at=record.at if record is not None else None,
                )
            )
        return TriageForm(
            reference=ticket.reference,
            category=Category(ticket.category).value,
            checklist=checklist.slug,
            title=checklist.title,
            steps=tuple(steps),
            version=ticket.version,
        )


def record_answers(
    actor: Actor,
    ref: str,
    answers: Mapping[str, tuple[TriageAnswer | str, str]],
) -> int:
    """Save ``{step key: (answer, notes)}`` in one transaction; the ticket's version.

    Each answer that differs from the step's latest saved one becomes a ``triage_record`` row
    and a ``triage-step`` log entry ``{"checklist", "step", "answer"}`` with the notes as its
    body. Unknown step keys and bad answers are refused before anything is written. Saving
    nothing new writes nothing and returns the current version.
    """
    at = actor.now()
    require_aware(at)
    parsed = {
        key.strip().lower(): (parse_answer(a), (n or "").strip()) for key, (a, n) in answers.items()
    }
    with ticket_write(actor, ref, at=at) as edit:
        session = edit.session
        ticket = edit.ticket
        if Status(ticket.status) in DONE_STATUSES:
            raise TicketStateError(f"{ticket.reference} is {ticket.status.value}: cannot triage it")
        checklist = checklist_for(session, ticket)
        keys = [step.key for step in checklist.steps]
        unknown = [key for key in parsed if key not in keys]
        if unknown:
            raise TicketValidationError(
                "step",
                f"{', '.join(unknown)} is not a step of {checklist.slug} "
                f"(steps: {', '.join(keys)})",
            )
        saved = _latest_answers(session, ticket.id, checklist.id)
        written = 0
        for key in keys:  # checklist order, so the log reads in order
            if key not in parsed:
                continue
            answer, notes = parsed[key]
            before = saved.get(key)
            if before is not None and before[0].answer == answer and before[0].notes == notes:
                continue
            session.add(
                TriageRecord(
                    ticket_id=ticket.id,
                    checklist_id=checklist.id,
                    step_key=key,
                    answer=answer,
                    notes=notes,
                    agent_id=edit.actor.id if edit.actor is not None else None,
                    at=at,
                )
            )
            edit.log(
                InteractionKind.TRIAGE_STEP,
                notes,
                {"checklist": checklist.slug, "step": key, "answer": answer.value},
            )
            written += 1
        if not written:
            return ticket.version
        return edit.finish("triage", steps=written)


# ---- reclassification ----------------------------------------------------------------------


def _suggested_trainer(session: Session, ticket: Ticket) -> str | None:
    """Who the process gives a training issue: the organisation's project manager, else an
    agent of the team with the training skill."""
    if ticket.organisation_id is not None:
        manager = session.scalar(
            select(Agent.handle)
            .join(Organisation, Organisation.project_manager_id == Agent.id)
            .where(Organisation.id == ticket.organisation_id, Agent.active)
        )
        if manager is not None:
            return manager
    return session.scalar(
        select(Agent.handle)
        .join(agent_team, agent_team.c.agent_id == Agent.id)
        .join(AgentCategorySkill, AgentCategorySkill.agent_id == Agent.id)
        .where(
            agent_team.c.team_id == ticket.team_id,
            AgentCategorySkill.category == Category.TRAINING,
            Agent.active,
        )
        # A training specialist (by title) before others who merely have the skill.
        .order_by(case((Agent.title.ilike("%training%"), 0), else_=1), Agent.handle)
        .limit(1)
    )


def apply_reclassification(edit: TicketEdit, category: Category | str, reason: str) -> str:
    """``reclassify``'s change inside an edit already begun; the new category."""
    why = required_text(reason, "reason", "a reason for the reclassification")
    try:
        wanted = Category(str(category).strip().lower())
    except ValueError:
        known = ", ".join(c.value for c in Category)
        raise TicketValidationError(
            "category", f"{category!r} is not a category (known: {known})"
        ) from None
    ticket = edit.ticket
    if Status(ticket.status) in DONE_STATUSES:
        raise TicketStateError(f"{ticket.reference} is {ticket.status.value}: cannot reclassify it")
    current = Category(ticket.category)
    if wanted is current:
        raise TicketValidationError("category", f"{ticket.reference} is already {wanted.value}")
    ticket.reclassified_from = current
    ticket.category = wanted
    meta: dict[str, object] = {"from": current.value, "to": wanted.value}
    if wanted is Category.TRAINING:
        # Reclassifying does not re-route: the assignee stays, the log says who should take it.
        meta["assignment"] = "unchanged"
        suggested = _suggested_trainer(edit.session, ticket)
        if suggested is not None:
            meta["suggested_assignee"] = suggested
    edit.log(InteractionKind.RECLASSIFICATION, why, meta)
    return wanted.value


def reclassify(
    actor: Actor,
    ref: str,
    category: Category | str,
    reason: str,
    *,
    expected_version: int | None = None,
) -> int:
    """Make the ticket a ``category`` issue (a reason is required); the new version."""
    with ticket_write(actor, ref, expected_version=expected_version) as edit:
        new = apply_reclassification(edit, category, reason)
        return edit.finish("reclassified", category=new)
