"""The ticket screen's workflow forms: the next modification step, asking for and deciding an
approval, and the client's feedback. Same pattern as ``ticket_forms``: a pydantic model for
the checks a form can make itself, and ``perform`` calling the use case with the signed-in
``Actor`` in the worker.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator

from deskui.services.actor import Actor
from deskui.services.workflow import approvals, feedback, modification
from deskui.services.workflow.modification import TaskView, WorkflowState
from deskui.ui.screens.forms.base import ActionForm, FieldSpec

DECISIONS: tuple[tuple[str, str], ...] = (("Approve", "approved"), ("Decline", "declined"))
SCORES: tuple[tuple[str, str], ...] = tuple(
    (f"{n} – {word}", str(n))
    for n, word in ((5, "excellent"), (4, "good"), (3, "fair"), (2, "poor"), (1, "very poor"))
)
CLIENT_DECISIONS: tuple[tuple[str, str], ...] = (
    ("The client approved", "approved"),
    ("The client declined", "declined"),
)
# What a step's value field asks for, by what the step records.
VALUE_LABELS = {
    "eta": "Completion date given to the client (YYYY-MM-DD HH:MM with offset, e.g. "
    "2026-12-18T17:00-05:00)",
    "release": "Release that carries the fix",
    "quote": "Quote sent to the client (blank: the approved quote)",
}


def _required(what: str) -> AfterValidator:
    def check(value: str | None) -> str:
        text = (value or "").strip()
        if not text:
            raise ValueError(f"{what} is required")
        return text

    return AfterValidator(check)


def _optional(value: str | None) -> str:
    return (value or "").strip()


def _chosen(what: str) -> BeforeValidator:
    def check(value: object) -> object:
        if value is None or value == "":
            raise ValueError(f"choose {what}")
        return value

    return BeforeValidator(check)


Optional = Annotated[str, BeforeValidator(_optional)]


class StepValues(BaseModel):
    notes: Optional = ""
    value: Optional = ""


class RequestValues(BaseModel):
    reason: Annotated[str, _required("what the approvers are asked to decide")]


class DecisionValues(BaseModel):
    decision: Annotated[str, _chosen("approve or decline")]
    note: Annotated[str, _required("a note on the decision")]
    quote: Optional = ""


class FeedbackValues(BaseModel):
    score: Annotated[str, _chosen("a score from 1 to 5")]
    comment: Optional = ""


def workflow_summary(state: WorkflowState) -> str:
    """One line on where the workflow stands (empty when nothing has started)."""
    parts: list[str] = []
    if state.triage_answered:
        parts.append(f"triage {state.triage_answered}/{state.triage_total}")
    if state.reclassified_from:
        parts.append(f"reclassified from {state.reclassified_from}")
    if state.awaiting_approval:
        parts.append("AWAITING APPROVAL")
    elif state.approvals:
        parts.append(f"request {state.approvals[-1].decision}")
    if state.tasks:
        parts.append(f"steps {state.tasks_done}/{len(state.tasks)} done")
        upcoming = state.next_task
        if upcoming is not None:
            parts.append(f"next {upcoming.label} {upcoming.text}")
    if state.fixed_in_release:
        parts.append(f"fixed in {state.fixed_in_release}")
    if state.workaround:
        parts.append(f"workaround: {state.workaround}")
    return " · ".join(parts)


def task_lines(state: WorkflowState) -> str:
    """The tracked steps, one per line: ``[x] M1 Reproduce… — notes (who)``."""
    lines = []
    for task in state.tasks:
        mark = "[x]" if task.done else "[ ]"
        extra = f" = {task.value}" if task.value else ""
        who = f" ({task.done_by})" if task.done_by else ""
        lines.append(f"{mark} {task.label} {task.text}{extra}{who}")
    return "\n".join(lines)


def step_form(actor: Actor, state: WorkflowState, task: TaskView) -> ActionForm[StepValues]:
    """Mark ``task`` (the next step to do) done, with what it records."""
    ref = state.reference
    fields = [FieldSpec("notes", "Notes", "text")]
    if task.records == "approval":
        fields.append(
            FieldSpec("value", "The client's decision", "select", CLIENT_DECISIONS, required=True)
        )
    elif task.records in VALUE_LABELS:
        fields.append(
            FieldSpec("value", VALUE_LABELS[task.records], required=task.records != "quote")
        )
    return ActionForm(
        f"Step {task.label} done · {ref}",
        fields,
        StepValues,
        lambda v, _version: modification.complete_task(
            actor, ref, task.phase, task.key, notes=v.notes, value=v.value or None
        ),
        intro=f"{task.label}: {task.text}\n\n{task_lines(state)}",
        submit_label="Mark done",
    )


def request_form(actor: Actor, ref: str) -> ActionForm[RequestValues]:
    return ActionForm(
        f"Ask for approval · {ref}",
        [FieldSpec("reason", "What are the approvers asked to decide?", "text", required=True)],
        RequestValues,
        lambda v, _version: approvals.request_approval(actor, ref, v.reason),
        submit_label="Ask",
    )


def decision_form(actor: Actor, state: WorkflowState) -> ActionForm[DecisionValues]:
    ref = state.reference
    pending = state.approvals[-1] if state.approvals else None
    intro = f"Asked: {pending.reason}" if pending is not None else ""
    return ActionForm(
        f"Decide the request · {ref}",
        [
            FieldSpec("decision", "Decision", "select", DECISIONS, required=True),
            FieldSpec("note", "Note", "text", required=True),
            FieldSpec(
                "quote",
                "Quote" + (" (required to approve here)" if state.quote_required else ""),
            ),
        ],
        DecisionValues,
        lambda v, _version: approvals.decide(actor, ref, v.decision, v.note, quote=v.quote or None),
        intro=intro,
        submit_label="Decide",
    )


def feedback_form(actor: Actor, ref: str) -> ActionForm[FeedbackValues]:
    return ActionForm(
        f"Client feedback · {ref}",
        [
            FieldSpec("score", "Score", "select", SCORES, required=True),
            FieldSpec("comment", "What the client said", "text"),
        ],
        FeedbackValues,
        lambda v, _version: feedback.record_feedback(actor, ref, v.score, v.comment),
    )
