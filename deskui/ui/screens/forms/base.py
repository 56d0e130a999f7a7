"""One small modal form for one ticket action: labelled fields, errors beside them, and the
write in a thread worker.

The form checks what was typed against a pydantic model first; a bad field shows its message
right under it. Then it runs ``perform(values, expected_version)`` off the UI thread. A
``TicketValidationError`` from the service lands beside the field it names; a stale edit, a
conflict or a database failure shows above the buttons. Nothing typed is ever cleared: the form
only closes (``dismiss(True)``) once the write succeeded, or on ``escape`` (``dismiss(False)``),
which keeps what was typed as a draft (``services.tickets.form_drafts``, one per ticket and
form, kept every second while typing and when the app closes); reopening the form brings it
back, ``ctrl+d`` discards it. After a refusal the first field in error takes the focus; an
error goes away as soon as its field changes. The buttons sit outside the scrolling fields, so
they stay on screen at 80×24, and the modal has its own footer.

After a stale-edit refusal the form takes the version now stored as its new base, and says so:
saving again is the agent's deliberate choice, never a silent retry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea
from textual.widgets.select import InvalidSelectValueError

from deskui.domain.storage_errors import StaleEditError, StoreError, StoreUnavailableError
from deskui.services.errors import ServiceError, TicketValidationError
from deskui.services.tickets.form_drafts import FormDrafts
from deskui.ui.form_keys import FIELD_TO_FIELD
from deskui.ui.formatting import local_time
from deskui.ui.landing import land
from deskui.ui.safe import safe

M = TypeVar("M", bound=BaseModel)
OFFLINE_MESSAGE = (
    "Offline: the database cannot be reached, nothing saved. Your text is kept: "
    "save again once the header says live, or press Escape to discard it."
)
FieldKind = Literal["input", "text", "select"]
Perform = Callable[[M, "int | None"], object]


@dataclass(frozen=True)
class FieldSpec:
    """One field: ``name`` is the model's (and the service's) field name."""

    name: str
    label: str
    kind: FieldKind = "input"
    options: tuple[tuple[str, str], ...] = ()  # (label, value) for a select
    value: str = ""
    placeholder: str = ""
    required: bool = False


def error_message(error: Mapping[str, Any]) -> str:
    """A pydantic error as a person reads it (without pydantic's "Value error, " prefix)."""
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


class ActionForm(ModalScreen[bool], Generic[M]):
    """A form whose ``perform`` writes to the database; dismissed with ``True`` once it has."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Save"),
        Binding("escape", "cancel", "Cancel (keeps draft)"),
        Binding("ctrl+d", "discard", "Discard draft", priority=True),
        *FIELD_TO_FIELD,
    ]

    DEFAULT_CSS = """
    ActionForm { align: center middle; }
    ActionForm #dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ActionForm #fields { height: auto; max-height: 70vh; }
    ActionForm #draft-note { color: $warning; display: none; }
    ActionForm #draft-note.-shown { display: block; }
    ActionForm .form-title { text-style: bold; color: $primary; padding-bottom: 1; }
    ActionForm .form-intro { color: $text-muted; padding-bottom: 1; }
    ActionForm .field-label { margin-top: 1; }
    ActionForm TextArea { height: 6; }
    ActionForm .field-error { color: $error; display: none; }
    ActionForm .field-error.-shown { display: block; }
    ActionForm #form-error { color: $error; display: none; margin-top: 1; }
    ActionForm #form-error.-shown { display: block; }
    ActionForm .form-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    ActionForm .form-buttons Button { margin-left: 1; }
    """

    def __init__(
        self,
        title: str,
        fields: Sequence[FieldSpec],
        model: type[M],
        perform: Perform[M],
        *,
        expected_version: int | None = None,
        context: Mapping[str, object] | None = None,
        intro: str | Content = "",
        submit_label: str = "Save",
        id: str | None = None,
        draft_key: str | None = None,
    ) -> None:
        super().__init__(id=id)
        # One draft per ticket and form: the title names both ("Internal note · DSK-000010").
        self.draft_key = draft_key or title
        self._finished = False  # saved or discarded: nothing left to keep
        self.form_title = title
        self.fields = tuple(fields)
        self.model = model
        self.perform = perform
        self.expected_version = expected_version
        self.context = dict(context or {})
        self.intro = intro
        self.submit_label = submit_label
        self.saving = False
        self.errors: dict[str, str] = {}

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            with VerticalScroll(id="fields"):
                yield Static(Content(self.form_title), classes="form-title")
                yield Static("", id="draft-note")
                if self.intro:
                    intro = self.intro if isinstance(self.intro, Content) else Content(self.intro)
                    yield Static(intro, classes="form-intro")
                for spec in self.fields:
                    marker = " *" if spec.required else ""
                    yield Label(Content(spec.label + marker), classes="field-label")
                    yield self._widget(spec)
                    yield Static("", id=f"error-{spec.name}", classes="field-error")
                yield Static("", id="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(self.submit_label, id="save", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def _widget(self, spec: FieldSpec) -> Widget:
        widget_id = f"field-{spec.name}"
        if spec.kind == "text":
            return TextArea(spec.value, id=widget_id, soft_wrap=True, show_line_numbers=False)
        if spec.kind == "select":
            values = [value for _, value in spec.options]
            return Select(
                [(Content(label), value) for label, value in spec.options],
                id=widget_id,
                prompt=spec.placeholder or "Choose…",
                value=spec.value if spec.value in values else Select.NULL,
            )
        return Input(spec.value, placeholder=spec.placeholder, id=widget_id)

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()
        self._initial = self._starting_values()
        self._kept: dict[str, str | None] | None = None
        self.call_after_refresh(self._restore_draft)
        self.set_interval(1.0, self.keep_draft)

    # ------------------------------------------------------------------ drafts
    @property
    def drafts(self) -> FormDrafts | None:
        drafts = getattr(self.app, "form_drafts", None)
        return drafts if isinstance(drafts, FormDrafts) else None

    def _starting_values(self) -> dict[str, str | None]:
        values: dict[str, str | None] = {}
        for spec in self.fields:
            if spec.kind == "select":
                known = {value for _, value in spec.options}
                values[spec.name] = spec.value if spec.value in known else None
            else:
                values[spec.name] = spec.value
        return values

    def _current(self) -> dict[str, str | None] | None:
        """What the fields hold, or None once they are gone (the form being taken down)."""
        try:
            return self.values()
        except Exception:
            return None

    @property
    def changed(self) -> bool:
        """Whether anything differs from what the form opened with."""
        current = self._current()
        return current is not None and current != self._initial

    def _restore_draft(self) -> None:
        drafts = self.drafts
        draft = drafts.load(self.draft_key) if drafts is not None else None
        if draft is None:
            return
        self.set_values(draft.values)
        self._kept = self.values()
        zone = getattr(getattr(self.app, "desk", None), "agent_zone", dt.UTC)
        note = self.query_one("#draft-note", Static)
        note.update(
            Content(
                f"Draft restored (kept {local_time(draft.saved_at, zone)}): "
                "ctrl+s saves it, ctrl+d discards it."
            )
        )
        note.add_class("-shown")

    def set_values(self, values: Mapping[str, str | None]) -> None:
        """Put ``values`` into the fields (unknown names and impossible choices are skipped)."""
        for spec in self.fields:
            if spec.name not in values:
                continue
            value = values[spec.name]
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, TextArea):
                widget.text = value or ""
            elif isinstance(widget, Select):
                if value is None:
                    widget.clear()
                else:
                    # No longer offered (a product of another team): left unset.
                    with contextlib.suppress(InvalidSelectValueError):
                        widget.value = value
            elif isinstance(widget, Input):
                widget.value = value or ""

    def keep_draft(self) -> None:
        """Write the draft when what is typed changed since the last write (every second)."""
        drafts = self.drafts
        values = self._current()
        if drafts is None or self._finished or values is None:
            return
        if values == self._initial:
            if self._kept is not None:  # typed back to how it opened: nothing to keep
                drafts.discard(self.draft_key)
                self._kept = None
            return
        if values != self._kept:
            drafts.save(self.draft_key, values, self._now())
            self._kept = values

    def _now(self) -> dt.datetime:
        now = getattr(self.app, "now", None)
        return now() if callable(now) else dt.datetime.now(dt.UTC)

    def on_unmount(self) -> None:
        # The app quitting (ctrl+q, the SSH connection gone) with the form open keeps the draft.
        self.keep_draft()

    def action_discard(self) -> None:
        """``ctrl+d``: throw the draft away on purpose and close."""
        self._finished = True
        if self.drafts is not None:
            self.drafts.discard(self.draft_key)
        if self.changed:
            self.notify("Draft discarded", markup=False)
        self.dismiss(False)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._field_changed(event.input.id)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._field_changed(event.text_area.id)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._field_changed(event.select.id)

    def _field_changed(self, widget_id: str | None) -> None:
        """An error goes away as soon as its field changes."""
        name = (widget_id or "").removeprefix("field-")
        if name in self.errors:
            del self.errors[name]
            self.query_one(f"#error-{name}", Static).remove_class("-shown")

    # ------------------------------------------------------------------ values and errors
    def values(self) -> dict[str, str | None]:
        """What is in the fields now (a select with nothing chosen is ``None``)."""
        values: dict[str, str | None] = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, TextArea):
                values[spec.name] = widget.text
            elif isinstance(widget, Select):
                chosen = widget.value
                values[spec.name] = None if chosen is Select.NULL else str(chosen)
            else:
                assert isinstance(widget, Input)
                values[spec.name] = widget.value
        return values

    def clear_errors(self) -> None:
        self.errors = {}
        for box in self.query(".field-error"):
            box.remove_class("-shown")
        self.query_one("#form-error", Static).remove_class("-shown")

    def show_error(self, field: str | None, message: str) -> None:
        """``message`` beside ``field`` if the form has it, else above the buttons."""
        names = {spec.name for spec in self.fields}
        key = field if field in names else "form"
        self.errors[key] = message
        box = self.query_one(f"#error-{field}" if key != "form" else "#form-error", Static)
        box.update(safe(message, multiline=True))
        box.add_class("-shown")
        if key != "form":
            box.scroll_visible()

    def _set_saving(self, saving: bool) -> None:
        self.saving = saving
        button = self.query_one("#save", Button)
        button.disabled = saving
        button.label = "Saving…" if saving else self.submit_label

    # ------------------------------------------------------------------ submitting
    def action_submit(self) -> None:
        if self.saving:
            return
        self.clear_errors()
        try:
            data = self.model.model_validate(self.values(), context=self.context)
        except ValidationError as exc:
            for error in exc.errors():
                location = error.get("loc") or ()
                self.show_error(str(location[0]) if location else None, error_message(error))
            self.focus_first_error()
            return
        self._set_saving(True)
        self._save(data)

    def focus_first_error(self) -> None:
        """Focus the first field (in form order) that has an error, where typing goes on."""
        for spec in self.fields:
            if spec.name in self.errors:
                widget = self.query_one(f"#field-{spec.name}")
                widget.focus()
                widget.scroll_visible()
                return

    def action_cancel(self) -> None:
        """``escape``: close; anything typed stays as a draft for the next time."""
        if self.changed and self.drafts is not None:
            self.keep_draft()
            self.notify(
                f"Draft kept: reopen “{self.form_title}” to go on (ctrl+d there discards it)",
                markup=False,
            )
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_submit()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @work(thread=True, exclusive=True, group="form-save")
    def _save(self, data: M) -> None:
        try:
            self.perform(data, self.expected_version)
        except TicketValidationError as exc:
            land(self, self._refused, exc.field, exc.message)
        except StaleEditError as exc:
            land(self, self._stale, exc)
        except StoreUnavailableError:
            land(self, self._refused, None, OFFLINE_MESSAGE)
        except (ServiceError, StoreError) as exc:
            land(self, self._refused, None, str(exc))
        except Exception as exc:  # show it, keep the draft: the agent may copy it elsewhere
            self.app.log.error(f"form {self.form_title!r} failed: {exc!r}")
            land(self, self._refused, None, f"Unexpected error: {exc}")
        else:
            land(self, self._saved)

    def _refused(self, field: str | None, message: str) -> None:
        self._set_saving(False)
        self.show_error(field, message)
        self.focus_first_error()

    def _stale(self, error: StaleEditError) -> None:
        self._set_saving(False)
        message = str(error)
        if error.actual is not None:
            self.expected_version = error.actual
            message += (
                "\nYour draft is kept: check the ticket, then save again to apply it to the "
                "new version, or press Escape to discard it."
            )
        self.show_error(None, message)

    def _saved(self) -> None:
        self._finished = True
        if self.drafts is not None:
            self.drafts.discard(self.draft_key)
        self.dismiss(True)
