"""The software-modification workflow: a workaround, then a tracked checklist of steps.

A ticket's plan is its policy's ``modification_plan``, else its team's (seeded from
``modification_steps`` in ``sample_data/triage.yaml``; only IT Works has one). Starting it
copies the plan's steps into ``ticket_task`` rows: for a change request or an enhancement the
change-request steps (specification, quote, client approval) come first, then the
modification steps. Steps are done in order, each with notes, who and when, and a log entry.

What a step records (its ``records``):

- ``eta``: the estimated completion date given to the client. It becomes ``ticket.eta_at``
  through the same change as ``deskui.services.tickets.lifecycle.set_eta`` (an ``eta-change``
  entry that
  the negotiated resolution clock reads);
- ``release``: the release carrying the fix, kept in ``ticket.fixed_in_release``;
- ``quote``: the price sent to the client (defaults to the approver's quote, if any);
- ``approval``: the client's decision, ``approved`` or ``declined``.

``workflow_state`` reads everything the ticket screen shows about the workflow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from deskui.domain.catalog.triage import ModificationStepSpec, ModificationStepsSpec
from deskui.domain.vocabulary import DONE_STATUSES, Category, InteractionKind, Status
from deskui.services.actor import Actor
from deskui.services.errors import NotFoundError, TicketStateError, TicketValidationError
from deskui.services.tickets.lifecycle import apply_eta
from deskui.services.tickets.unit_of_work import (
    TicketEdit,
    load_ticket,
    required_text,
    ticket_write,
)
from deskui.services.workflow.triage import checklist_for
from deskui.store.models import (
    Agent,
    Approval,
    ModificationPlan,
    Ticket,
    TicketTask,
    TriageRecord,
)
from deskui.store.session import Database

__all__ = [
    "CHANGE_CATEGORIES",
    "ApprovalView",
    "TaskView",
    "WorkflowState",
    "apply_start",
    "complete_task",
    "plan_for",
    "quote_required",
    "record_workaround",
    "start_modification",
    "workflow_state",
]

CHANGE_REQUEST = "change-request"
MODIFICATION = "modification"
# Categories whose modification begins with the change-request steps.
CHANGE_CATEGORIES: frozenset[Category] = frozenset({Category.CHANGE_REQUEST, Category.ENHANCEMENT})
CLIENT_DECISIONS = ("approved", "declined")


@dataclass(frozen=True, slots=True)
class TaskView:
    """One tracked step of a ticket's workflow."""

    phase: str
    key: str
    position: int
    text: str
    records: str | None
    value: str | None
    notes: str
    done_at: dt.datetime | None
    done_by: str | None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def label(self) -> str:
        """``CR2`` for a change-request step, ``M4`` for a modification step."""
        return ("CR" if self.phase == CHANGE_REQUEST else "M") + self.key


@dataclass(frozen=True, slots=True)
class ApprovalView:
    """A request put to the approvers and, once made, their decision."""

    requested_at: dt.datetime
    requested_by: str | None
    reason: str
    decision: str | None
    decided_at: dt.datetime | None
    decided_by: str | None
    note: str
    quote: str | None


@dataclass(frozen=True, slots=True)
class WorkflowState:
    """What the ticket screen shows about triage, approval and the modification steps."""

    reference: str
    category: str
    reclassified_from: str | None
    workaround: str | None
    eta_at: dt.datetime | None
    fixed_in_release: str | None
    awaiting_approval: bool
    quote_required: bool
    triage_answered: int
    triage_total: int
    tasks: tuple[TaskView, ...]
    approvals: tuple[ApprovalView, ...]

    @property
    def next_task(self) -> TaskView | None:
        return next((task for task in self.tasks if not task.done), None)

    @property
    def tasks_done(self) -> int:
        return sum(1 for task in self.tasks if task.done)


# ---- plans ---------------------------------------------------------------------------------


def plan_for(session: Session, ticket: Ticket) -> ModificationPlan | None:
    """The ticket policy's modification plan, else its team's, else ``None``."""
    for column, value in (
        (ModificationPlan.policy_id, ticket.policy_id),
        (ModificationPlan.team_id, ticket.team_id),
    ):
        found = session.scalars(
            select(ModificationPlan).where(column == value).order_by(ModificationPlan.id).limit(1)
        ).first()
        if found is not None:
            return found
    return None


def _spec(plan: ModificationPlan) -> ModificationStepsSpec:
    return ModificationStepsSpec.model_validate(plan.spec)


def quote_required(session: Session, ticket: Ticket) -> bool:
    """Whether an approver must give a quote: the ticket's plan has a change-request step
    that records one (IT Works: "specification from the client, a quote, client approval")."""
    plan = plan_for(session, ticket)
    if plan is None:
        return False
    return any(step.records == "quote" for step in _spec(plan).change_request_steps.values())


def _not_done(edit: TicketEdit, action: str) -> None:
    if Status(edit.ticket.status) in DONE_STATUSES:
        raise TicketStateError(
            f"{edit.ticket.reference} is {edit.ticket.status.value}: cannot {action}"
        )


# ---- workaround ----------------------------------------------------------------------------


def apply_workaround(edit: TicketEdit, text: str) -> None:
    """Record the short-term workaround given to the client (a note marked ``workaround``)."""
    workaround = required_text(text, "workaround", "the workaround")
    _not_done(edit, "record a workaround")
    edit.ticket.workaround = workaround
    edit.log(InteractionKind.NOTE, workaround, {"workaround": True})


def record_workaround(
    actor: Actor,
    ref: str,
    text: str,
    *,
    expected_version: int | None = None,
) -> int:
    """Record (or replace) the ticket's workaround; the new version."""
    with ticket_write(actor, ref, expected_version=expected_version) as edit:
        apply_workaround(edit, text)
        return edit.finish("workaround")


# ---- starting ------------------------------------------------------------------------------


def apply_start(edit: TicketEdit) -> list[TicketTask]:
    """Copy the plan's steps onto the ticket and log it; ``TicketStateError`` when there is
    no plan or the steps are already under way."""
    _not_done(edit, "start the modification steps")
    session, ticket = edit.session, edit.ticket
    plan = plan_for(session, ticket)
    if plan is None:
        raise TicketStateError(
            f"{ticket.reference}: neither its policy {ticket.policy.name} nor its team "
            f"{ticket.team.slug} has software-modification steps"
        )
    existing = session.scalar(select(func.count()).where(TicketTask.ticket_id == ticket.id))
    if existing:
        raise TicketStateError(f"{ticket.reference}: the modification steps are already started")
    spec = _spec(plan)
    phases: list[tuple[str, dict[str, ModificationStepSpec]]] = []
    if Category(ticket.category) in CHANGE_CATEGORIES and spec.change_request_steps:
        phases.append((CHANGE_REQUEST, dict(spec.change_request_steps)))
    phases.append((MODIFICATION, dict(spec.steps)))
    tasks: list[TicketTask] = []
    for phase, steps in phases:
        for key, step in steps.items():
            task = TicketTask(
                ticket_id=ticket.id,
                plan_id=plan.id,
                phase=phase,
                key=key,
                position=len(tasks),
                text=step.text,
                records=step.records,
                notes="",
            )
            session.add(task)
            tasks.append(task)
    edit.log(
        InteractionKind.SYSTEM,
        f"{spec.title}: {len(tasks)} steps to do",
        {
            "workflow": "modification",
            "event": "started",
            "plan": plan.slug,
            "steps": [f"{t.phase}:{t.key}" for t in tasks],
        },
    )
    if Status(ticket.status) is Status.ACKNOWLEDGED:
        edit.change_status(Status.IN_PROGRESS, "software-modification steps started")
    return tasks


def start_modification(
    actor: Actor,
    ref: str,
    *,
    workaround: str | None = None,
    expected_version: int | None = None,
) -> int:
    """Start the software-modification steps (after recording ``workaround``, if given: a
    software bug found at IT Works' triage step 5c); the new version."""
    with ticket_write(actor, ref, expected_version=expected_version) as edit:
        if workaround is not None and workaround.strip():
            apply_workaround(edit, workaround)
        tasks = apply_start(edit)
        return edit.finish("modification-started", steps=len(tasks))


# ---- doing steps ---------------------------------------------------------------------------


def _parse_eta(value: str | dt.datetime | None) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    text = (value or "").strip()
    if not text:
        raise TicketValidationError("value", "the completion date given to the client is required")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise TicketValidationError(
            "value", f"{text!r} is not a date and time like 2026-12-01T17:00-05:00"
        ) from None


def _approved_quote(session: Session, ticket: Ticket) -> str | None:
    return session.scalar(
        select(Approval.quote)
        .where(Approval.ticket_id == ticket.id, Approval.decision == "approved")
        .order_by(Approval.decided_at.desc(), Approval.id.desc())
        .limit(1)
    )


def complete_task(
    actor: Actor,
    ref: str,
    phase: str,
    key: str,
    *,
    notes: str = "",
    value: str | dt.datetime | None = None,
    expected_version: int | None = None,
) -> int:
    """Mark step ``key`` of ``phase`` done, in order, recording what it records; the version.

    Errors: ``NotFoundError`` (no such step), ``TicketStateError`` (done already, or an
    earlier step is still to do), ``TicketValidationError`` on ``value`` (a missing or bad
    ETA, quote, release or client decision).
    """
    at = actor.now()
    with ticket_write(actor, ref, at=at, expected_version=expected_version) as edit:
        session = edit.session
        _not_done(edit, "work its modification steps")
        ticket = edit.ticket
        tasks = list(
            session.scalars(
                select(TicketTask)
                .where(TicketTask.ticket_id == ticket.id)
                .order_by(TicketTask.position)
            )
        )
        task = next((t for t in tasks if t.phase == phase and t.key == key.strip()), None)
        if task is None:
            known = ", ".join(f"{t.phase} {t.key}" for t in tasks) or "none: not started"
            raise NotFoundError(f"{ticket.reference} has no {phase} step {key!r} (steps: {known})")
        if task.done_at is not None:
            raise TicketStateError(f"{ticket.reference}: {phase} step {key} is already done")
        earlier = next((t for t in tasks if t.position < task.position and t.done_at is None), None)
        if earlier is not None:
            raise TicketStateError(
                f"{ticket.reference}: {earlier.phase} step {earlier.key} "
                f"({earlier.text}) comes first"
            )
        recorded: str | None = None
        if task.records == "eta":
            recorded = apply_eta(edit, _parse_eta(value), notes)
        elif task.records == "release":
            release = required_text(
                value if isinstance(value, str) else None, "value", "the release"
            )
            ticket.fixed_in_release = release
            recorded = release
        elif task.records == "quote":
            text = value if isinstance(value, str) and value.strip() else None
            recorded = required_text(
                text or _approved_quote(session, ticket), "value", "the quote sent to the client"
            )
        elif task.records == "approval":
            decision = (value if isinstance(value, str) else "").strip().lower()
            if decision not in CLIENT_DECISIONS:
                raise TicketValidationError(
                    "value", f"the client's decision is one of: {', '.join(CLIENT_DECISIONS)}"
                )
            recorded = decision
        task.value = recorded
        task.notes = notes.strip()
        task.done_at = at
        task.done_by_id = edit.actor.id if edit.actor is not None else None
        meta: dict[str, object] = {"workflow": phase, "event": "step-done", "step": key}
        if task.records is not None:
            meta["records"] = task.records
            meta["value"] = recorded
        edit.log(InteractionKind.SYSTEM, notes.strip() or task.text, meta)
        return edit.finish("task-done", phase=phase, step=key)


# ---- reading -------------------------------------------------------------------------------


def workflow_state(database: Database, ref: str) -> WorkflowState:
    """The ticket's workflow as it stands (triage progress, approvals, tasks, ETA, release)."""
    with database.read() as session:
        ticket = load_ticket(session, ref)
        done_by = aliased(Agent)
        tasks = tuple(
            TaskView(
                phase=task.phase,
                key=task.key,
                position=task.position,
                text=task.text,
                records=task.records,
                value=task.value,
                notes=task.notes,
                done_at=task.done_at,
                done_by=handle,
            )
            for task, handle in session.execute(
                select(TicketTask, done_by.handle)
                .outerjoin(done_by, done_by.id == TicketTask.done_by_id)
                .where(TicketTask.ticket_id == ticket.id)
                .order_by(TicketTask.position)
            )
        )
        requester, decider = aliased(Agent), aliased(Agent)
        approvals = tuple(
            ApprovalView(
                requested_at=row.requested_at,
                requested_by=asked,
                reason=row.reason,
                decision=row.decision,
                decided_at=row.decided_at,
                decided_by=decided,
                note=row.note,
                quote=row.quote,
            )
            for row, asked, decided in session.execute(
                select(Approval, requester.handle, decider.handle)
                .outerjoin(requester, requester.id == Approval.requested_by_id)
                .outerjoin(decider, decider.id == Approval.decided_by_id)
                .where(Approval.ticket_id == ticket.id)
                .order_by(Approval.requested_at, Approval.id)
            )
        )
        try:
            checklist = checklist_for(session, ticket)
        except NotFoundError:
            answered = total = 0
        else:
            total = len(checklist.steps)
            answered = (
                session.scalar(
                    select(func.count(func.distinct(TriageRecord.step_key))).where(
                        TriageRecord.ticket_id == ticket.id,
                        TriageRecord.checklist_id == checklist.id,
                    )
                )
                or 0
            )
        return WorkflowState(
            reference=ticket.reference,
            category=Category(ticket.category).value,
            reclassified_from=(
                Category(ticket.reclassified_from).value if ticket.reclassified_from else None
            ),
            workaround=ticket.workaround,
            eta_at=ticket.eta_at,
            fixed_in_release=ticket.fixed_in_release,
            awaiting_approval=ticket.awaiting_approval,
            quote_required=quote_required(session, ticket),
            triage_answered=answered,
            triage_total=total,
            tasks=tasks,
            approvals=approvals,
        )
