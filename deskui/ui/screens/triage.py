"""``t`` on a ticket: its triage checklist as a form, and the outcomes a finding leads to.

Every step (sub-steps 5a–5c indented under their step) has an answer (yes / no / not
applicable) and notes, filled in from what was saved before: the checklist can be left
half-done and resumed. Save (``ctrl+s``) keeps the answers given so far and closes; only the
steps whose answer or notes changed are written (each becomes a log entry with who and when).

Below the steps, the outcomes of the steps answered "yes" (reclassify, start the modification
steps, ask for approval), updated as answers change. Applying one saves the answers first,
checks that its step is answered "yes", and needs a reason (a reclassification or an approval
request; for the modification steps the text is the workaround, if there is one). Database
work runs in thread workers; the checklist text comes from configuration and still goes
through ``safe``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from deskui.domain.vocabulary import TriageAnswer
from deskui.services.workflow.triage import TriageForm, TriageOutcome, TriageStepView
from deskui.ui.form_keys import FIELD_TO_FIELD
from deskui.ui.landing import land
from deskui.ui.safe import safe

ANSWERS: tuple[tuple[str, str], ...] = (
    ("Yes", TriageAnswer.YES.value),
    ("No", TriageAnswer.NO.value),
    ("N/A", TriageAnswer.NOT_APPLICABLE.value),
)

# What the screen calls into (the triage use cases bound to the ticket and the signed-in
# ``Actor``), kept abstract so the screen never sees the database.
SaveAnswers = Callable[[dict[str, tuple[str, str]]], object]
ApplyOutcome = Callable[[TriageOutcome, str], str]


def outcome_label(step: TriageStepView, outcome: TriageOutcome) -> str:
    """``Step 1: the client made an operator error → reclassify as training``."""
    leads: list[str] = []
    if outcome.reclassify:
        leads.append(f"reclassify as {outcome.reclassify}")
    if outcome.start == "modification":
        leads.append("start the modification steps")
    elif outcome.start == "approval":
        leads.append("ask for approval")
    return f"Step {step.key}: {outcome.when} → {' and '.join(leads)}"


class TriageScreen(ModalScreen[bool]):
    """The checklist of ``form``; dismissed with ``True`` once something was written."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+o", "apply", "Apply outcome"),
        Binding("escape", "close", "Close"),
        *FIELD_TO_FIELD,
    ]

    DEFAULT_CSS = """
    TriageScreen { align: center middle; }
    TriageScreen #triage-dialog {
        width: 110; max-width: 100%; height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    TriageScreen #triage-steps { height: 1fr; }
    TriageScreen .triage-title { text-style: bold; color: $primary; }
    TriageScreen .triage-intro { color: $text-muted; padding-bottom: 1; }
    TriageScreen .step-text { margin-top: 1; }
    TriageScreen .-substep { margin-left: 4; }
    TriageScreen .step-row { height: auto; }
    TriageScreen .step-row Select { width: 16; }
    TriageScreen .step-row Input { width: 1fr; }
    TriageScreen .step-saved { color: $text-muted; }
    TriageScreen #outcome-title { margin-top: 1; text-style: bold; }
    TriageScreen #triage-error { color: $error; display: none; margin-top: 1; }
    TriageScreen #triage-error.-shown { display: block; }
    TriageScreen .triage-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    TriageScreen .triage-buttons Button { margin-left: 1; }
    """

    def __init__(
        self,
        form: TriageForm,
        save: SaveAnswers,
        apply: ApplyOutcome,
        *,
        zone_label: Callable[[TriageStepView], str] | None = None,
    ) -> None:
        super().__init__()
        self.form = form
        self.save_answers = save
        self.apply_outcome = apply
        self.saved_label = zone_label
        self.busy = False
        self.wrote = False
        self.outcomes: list[tuple[TriageStepView, TriageOutcome]] = [
            (step, outcome) for step in form.steps for outcome in step.outcomes
        ]

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        form = self.form
        with Vertical(id="triage-dialog"):
            yield Static(
                Content(f"Triage · {form.reference} · ") + safe(form.title),
                classes="triage-title",
            )
            yield from self._body()
            yield Static("", id="triage-error")
            with Horizontal(classes="triage-buttons"):
                if self.outcomes:
                    yield Button("Apply outcome", id="apply")
                yield Button("Save", id="save", variant="primary")
                yield Button("Close", id="close")

    def _body(self) -> ComposeResult:
        """The steps and the outcomes, scrolling between the title and the buttons."""
        form = self.form
        with VerticalScroll(id="triage-steps"):
            yield Static(
                Content(
                    f"{form.answered} of {len(form.steps)} steps answered · category "
                    f"{form.category}. Answer yes / no / n-a with notes; Save keeps what you "
                    "have, to resume later."
                ),
                classes="triage-intro",
            )
            for step in form.steps:
                sub = " -substep" if step.parent_key else ""
                yield Static(
                    Content.assemble((f"{step.key}. ", "bold")) + safe(step.text),
                    classes="step-text" + sub,
                )
                with Horizontal(classes="step-row" + sub):
                    yield Select(
                        [(Content(label), value) for label, value in ANSWERS],
                        id=f"answer-{step.key}",
                        prompt="Answer…",
                        value=step.answer if step.answer is not None else Select.NULL,
                    )
                    yield Input(step.notes, placeholder="Notes", id=f"notes-{step.key}")
                if step.answer is not None and step.answered_by is not None:
                    label = self.saved_label(step) if self.saved_label else ""
                    yield Static(
                        Content(f"saved by {step.answered_by}{label}"),
                        classes="step-saved" + sub,
                    )
            if self.outcomes:
                yield Label(Content("Outcome"), id="outcome-title")
                yield Select(
                    self.outcome_options({s.key: s.answer or "" for s in form.steps}),
                    id="outcome",
                    prompt="Outcomes of the steps answered yes…",
                )
                yield Input(
                    placeholder="Reason (reclassify, approval) or the workaround (modification)",
                    id="outcome-text",
                )

    def on_mount(self) -> None:
        if self.form.steps:
            self.query_one(f"#answer-{self.form.steps[0].key}", Select).focus()

    # ------------------------------------------------------------------ values
    def outcome_options(self, answers: dict[str, str]) -> list[tuple[Content, str]]:
        """The outcomes on offer: those of the steps answered yes (value: the index)."""
        return [
            (Content(outcome_label(step, outcome)), str(index))
            for index, (step, outcome) in enumerate(self.outcomes)
            if answers.get(step.key) == TriageAnswer.YES.value
        ]

    def on_select_changed(self, event: Select.Changed) -> None:
        """An answer changed: offer the outcomes its step now triggers (keep the choice
        if it is still on offer)."""
        if not (event.select.id or "").startswith("answer-") or not self.outcomes:
            return
        picker = self.query_one("#outcome", Select)
        chosen = picker.value
        options = self.outcome_options({k: a for k, (a, _) in self.answers().items()})
        picker.set_options(options)
        if chosen is not Select.NULL and str(chosen) in {value for _, value in options}:
            picker.value = chosen

    def answers(self) -> dict[str, tuple[str, str]]:
        """Every step with an answer chosen: ``{key: (answer, notes)}``."""
        chosen: dict[str, tuple[str, str]] = {}
        for step in self.form.steps:
            value = self.query_one(f"#answer-{step.key}", Select).value
            notes = self.query_one(f"#notes-{step.key}", Input).value
            if value is not Select.NULL:
                chosen[step.key] = (str(value), notes)
        return chosen

    def show_error(self, message: str) -> None:
        box = self.query_one("#triage-error", Static)
        box.update(safe(message, multiline=True))
        box.add_class("-shown")
        box.scroll_visible()

    def clear_error(self) -> None:
        self.query_one("#triage-error", Static).remove_class("-shown")

    # ------------------------------------------------------------------ actions
    def action_close(self) -> None:
        self.dismiss(self.wrote)

    def action_save(self) -> None:
        if self.busy:
            return
        self.clear_error()
        self.busy = True
        self._save(self.answers())

    def action_apply(self) -> None:
        if self.busy:
            return
        self.clear_error()
        chosen = self.query_one("#outcome", Select).value
        if chosen is Select.NULL:
            self.show_error("Choose an outcome first.")
            return
        step, outcome = self.outcomes[int(str(chosen))]
        answers = self.answers()
        if answers.get(step.key, ("", ""))[0] != TriageAnswer.YES.value:
            self.show_error(f"Answer step {step.key} “yes” before applying its outcome.")
            return
        text = self.query_one("#outcome-text", Input).value.strip()
        if not text and (outcome.reclassify or outcome.start == "approval"):
            self.show_error("A reason is required for a reclassification or an approval.")
            return
        self.busy = True
        self._apply(answers, outcome, text)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "apply":
            self.action_apply()
        else:
            self.action_close()

    @work(thread=True, exclusive=True, group="triage-save")
    def _save(self, answers: dict[str, tuple[str, str]]) -> None:
        try:
            self.save_answers(answers)
        except Exception as exc:  # ServiceError, StoreError: the message says what is wrong
            land(self, self._failed, str(exc))
        else:
            self.wrote = True
            land(self, self.dismiss, True)

    @work(thread=True, exclusive=True, group="triage-save")
    def _apply(
        self, answers: dict[str, tuple[str, str]], outcome: TriageOutcome, text: str
    ) -> None:
        try:
            self.save_answers(answers)
            self.wrote = True
            done = self.apply_outcome(outcome, text)
        except Exception as exc:
            land(self, self._failed, str(exc))
        else:
            land(self, self.app.notify, done, markup=False)
            land(self, self.dismiss, True)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.show_error(message)
