"""The action forms on their own: errors beside the field, drafts kept, stale edits, and the
checks each form's model makes before anything is written."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pilot_helpers import wait_until
from pydantic import BaseModel, ValidationError
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from deskui.domain.storage_errors import StaleEditError, StoreBusyError
from deskui.services.errors import TicketConflictError, TicketValidationError
from deskui.ui.screens.forms.base import ActionForm, FieldSpec
from deskui.ui.screens.forms.models import (
    EtaValues,
    NoteValues,
    PriorityValues,
    RemoteSessionValues,
    ResolveValues,
)

NEW_YORK = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


class FormHost(App[None]):
    """An empty app that shows one form and records how it was closed."""

    def __init__(self, form: ActionForm[Any]) -> None:
        super().__init__()
        self.form = form
        self.result: bool | str | None = "open"

    def on_mount(self) -> None:
        self.push_screen(self.form, callback=self._form_closed)

    def _form_closed(self, result: bool | None) -> None:
        self.result = result


class Recorder:
    """A ``perform`` that records its calls and raises what it is told to, in order."""

    def __init__(self, *errors: Exception | None) -> None:
        self.errors = list(errors)
        self.calls: list[tuple[BaseModel, int | None]] = []

    def __call__(self, values: BaseModel, version: int | None) -> int:
        self.calls.append((values, version))
        error = self.errors.pop(0) if self.errors else None
        if error is not None:
            raise error
        return (version or 0) + 1


def priority_form(perform: Recorder) -> ActionForm[PriorityValues]:
    return ActionForm(
        "Change priority · DSK-000001",
        [
            FieldSpec(
                "priority",
                "New priority",
                "select",
                options=(("High", "high"), ("Low", "low")),
                value="high",
                required=True,
            ),
            FieldSpec("reason", "Reason", required=True),
        ],
        PriorityValues,
        perform,
        expected_version=4,
    )


def note_form(perform: Recorder) -> ActionForm[NoteValues]:
    return ActionForm(
        "Internal note · DSK-000001",
        [FieldSpec("body", "Note", "text", required=True)],
        NoteValues,
        perform,
    )


async def save(pilot: Pilot[None], form: ActionForm[Any]) -> None:
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: not form.is_attached or (bool(form.errors) and not form.saving))


def error_text(form: ActionForm[Any], field: str) -> str:
    box = form.query_one(f"#error-{field}" if field != "form" else "#form-error", Static)
    assert box.has_class("-shown")
    return str(box.render())


async def test_a_bad_field_shows_its_error_beside_it_and_keeps_the_text() -> None:
    perform = Recorder()
    form = note_form(perform)
    app = FormHost(form)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is form.query_one("#field-body")
        await pilot.press("space", "space")
        await save(pilot, form)
        assert form.errors == {"body": "the note is required"}
        assert error_text(form, "body") == "the note is required"
        # The error sits right under its field.
        field = form.query_one("#field-body", TextArea)
        box = form.query_one("#error-body", Static)
        assert box.region.y == field.region.bottom
        assert field.text == "  "
        assert perform.calls == []
        await pilot.press("o", "k")
        await save(pilot, form)
        assert app.result is True
        assert [values.model_dump() for values, _ in perform.calls] == [{"body": "ok"}]


async def test_a_service_refusal_lands_beside_the_field_it_names() -> None:
    perform = Recorder(
        TicketValidationError("priority", "DSK-000001 is already high"),
        TicketValidationError("assignee", "no such agent"),
    )
    form = priority_form(perform)
    app = FormHost(form)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form.query_one("#field-reason", Input).focus()
        await pilot.press(*"urgent")
        await save(pilot, form)
        assert form.errors == {"priority": "DSK-000001 is already high"}
        assert "already high" in error_text(form, "priority")
        # A field the form does not have: the message goes above the buttons instead.
        await save(pilot, form)
        assert form.errors == {"form": "no such agent"}
        assert not form.query_one("#error-priority").has_class("-shown")
        assert form.values() == {"priority": "high", "reason": "urgent"}
        await save(pilot, form)
        assert app.result is True
        assert [version for _, version in perform.calls] == [4, 4, 4]


async def test_a_stale_edit_keeps_the_draft_and_the_next_save_is_on_the_new_version() -> None:
    stale = StaleEditError(
        "DSK-000001 was changed by someone else since you opened it (version 4, now 6)",
        expected=4,
        actual=6,
    )
    perform = Recorder(stale)
    form = priority_form(perform)
    app = FormHost(form)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form.query_one("#field-reason", Input).focus()
        await pilot.press(*"down")
        await save(pilot, form)
        message = error_text(form, "form")
        assert "changed by someone else" in message and "draft is kept" in message
        assert app.result == "open"
        assert form.values() == {"priority": "high", "reason": "down"}
        assert form.expected_version == 6
        # Never retried by itself: only the agent's next save goes through.
        assert len(perform.calls) == 1
        await save(pilot, form)
        assert app.result is True
        assert [version for _, version in perform.calls] == [4, 6]


@pytest.mark.parametrize(
    "error",
    [
        TicketConflictError("DSK-000001 is already taken by Dev Patel (dpatel)"),
        StoreBusyError("busy"),
    ],
)
async def test_other_refusals_show_above_the_buttons_and_escape_cancels(error: Exception) -> None:
    perform = Recorder(error)
    form = note_form(perform)
    app = FormHost(form)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"hi")
        await save(pilot, form)
        assert error_text(form, "form") == str(error)
        assert form.query_one("#save").disabled is False
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.result is False)
        assert len(perform.calls) == 1


async def test_customer_text_in_an_error_is_shown_literally() -> None:
    perform = Recorder(TicketValidationError("body", "bad [@click=app.quit]x[/] \x1b[31m"))
    form = note_form(perform)
    app = FormHost(form)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"hi")
        await save(pilot, form)
        shown = error_text(form, "body")
        assert shown == "bad [@click=app.quit]x[/] ␛[31m"
        await pilot.click("#error-body", offset=(5, 0))
        await pilot.pause()
        assert app.is_running and app.result == "open"


# ---------------------------------------------------------------------- the models
def test_eta_is_read_in_the_agents_zone_and_must_be_later_than_now() -> None:
    context = {"zone": NEW_YORK, "now": NOW}
    values = EtaValues.model_validate({"eta": "2026-12-02 16:30", "note": " "}, context=context)
    assert values.eta == dt.datetime(2026, 12, 2, 16, 30, tzinfo=NEW_YORK)
    assert values.note == ""
    offset = EtaValues.model_validate({"eta": "2026-12-02T16:30+00:00"}, context=context)
    assert offset.eta == dt.datetime(2026, 12, 2, 16, 30, tzinfo=dt.UTC)
    for text, message in (
        ("", "the ETA is required"),
        ("next week", "write the ETA as YYYY-MM-DD HH:MM"),
        ("2026-12-01 09:59", "must be later than now"),  # 14:59 UTC
    ):
        with pytest.raises(ValidationError, match=message) as caught:
            EtaValues.model_validate({"eta": text}, context=context)
        assert caught.value.errors()[0]["loc"] == ("eta",)


def test_remote_session_minutes_are_optional_whole_positive_numbers() -> None:
    assert RemoteSessionValues.model_validate({"body": "x", "minutes": ""}).minutes is None
    assert RemoteSessionValues.model_validate({"body": "x", "minutes": " 25 "}).minutes == 25
    for bad in ("0", "-3", "1.5", "soon"):
        with pytest.raises(ValidationError, match="at least 1"):
            RemoteSessionValues.model_validate({"body": "x", "minutes": bad})


def test_resolve_needs_a_breach_reason_only_when_breached() -> None:
    plain = {"summary": "Fixed", "breach_reason": ""}
    assert ResolveValues.model_validate(plain, context={"breached": False}).breach_reason == ""
    with pytest.raises(ValidationError) as caught:
        ResolveValues.model_validate(plain, context={"breached": True})
    assert caught.value.errors()[0]["loc"] == ("breach_reason",)
    reasoned = {"summary": "Fixed", "breach_reason": " Vendor late "}
    values = ResolveValues.model_validate(reasoned, context={"breached": True})
    assert values.breach_reason == "Vendor late"


def test_a_select_with_nothing_chosen_asks_for_a_choice() -> None:
    with pytest.raises(ValidationError, match="choose the new priority") as caught:
        PriorityValues.model_validate({"priority": None, "reason": "r"})
    assert caught.value.errors()[0]["loc"] == ("priority",)
