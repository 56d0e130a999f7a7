"""Nothing typed is lost: escape keeps a draft per ticket and form, reopening (even after the
app was closed) brings it back, saving or ctrl+d removes it; the form's errors and buttons
behave at 80×24 and 120×40."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from textual.widgets import Button, DataTable, Footer, Input, Select, Static, TextArea

from deskui.ui.app import DeskApp
from deskui.ui.screens.forms.base import ActionForm
from deskui.ui.screens.forms.new_ticket import NewTicketForm
from deskui.ui.screens.ticket import TicketScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
TYPED = "Called Dana back: the printer queue is stuck on the old driver."


async def _open_ticket(pilot, app: DeskApp) -> str:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: app.screen.query_one("#table-open", DataTable).row_count > 0)
    await pilot.press("3", "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.loads > 0)
    screen = app.screen
    assert isinstance(screen, TicketScreen)
    return screen.reference


async def _open_note(pilot, app: DeskApp) -> ActionForm:  # type: ignore[no-untyped-def]
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, ActionForm))
    form = app.screen
    assert isinstance(form, ActionForm)
    await pilot.pause()
    return form


def _note_text(form: ActionForm) -> str:
    return form.query_one("#field-body", TextArea).text


@pytest.mark.parametrize("size", SIZES)
async def test_escape_keeps_the_note_and_it_comes_back_after_a_restart(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        ref = await _open_ticket(pilot, app)
        form = await _open_note(pilot, app)
        form.query_one("#field-body", TextArea).focus()
        await pilot.press(*TYPED[:20])
        form.query_one("#field-body", TextArea).insert(TYPED[20:])
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        form = await _open_note(pilot, app)
        await wait_until(pilot, lambda: _note_text(form) == TYPED)
        assert "Draft restored" in str(form.query_one("#draft-note", Static).render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))

    # The app closed; a new one (the same agent) finds the draft on the same ticket's note.
    again = make_app()
    async with again.run_test(size=size) as pilot:
        assert await _open_ticket(pilot, again) == ref
        form = await _open_note(pilot, again)
        await wait_until(pilot, lambda: _note_text(form) == TYPED)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(again.screen, TicketScreen))
        form = await _open_note(pilot, again)
        await pilot.pause(0.3)
        assert _note_text(form) == ""  # saved: the draft is gone


async def test_ctrl_d_discards_the_draft(make_app: Callable[..., DeskApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_ticket(pilot, app)
        form = await _open_note(pilot, app)
        form.query_one("#field-body", TextArea).insert("to be thrown away")
        await pilot.press("escape")
        form = await _open_note(pilot, app)
        await wait_until(pilot, lambda: _note_text(form) == "to be thrown away")
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        form = await _open_note(pilot, app)
        await pilot.pause(0.3)
        assert _note_text(form) == ""


@pytest.mark.parametrize("size", SIZES)
async def test_new_ticket_form_buttons_footer_and_first_invalid_field(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(
            pilot, lambda: app.screen.query_one("#table-open", DataTable).row_count > 0
        )
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewTicketForm))
        form = app.screen
        assert isinstance(form, NewTicketForm)
        await pilot.pause(0.2)
        screen_region = form.region
        for button in form.query(Button):
            assert screen_region.contains_region(button.region), button.id
            assert button.region.height > 0
        footer = form.query_one(Footer)
        assert footer.region.height == 1
        # Save with the subject typed but nothing else: the first field in error has the focus,
        # and it is never a dropdown that would eat what is typed next.
        form.query_one("#field-subject", Input).value = "Printer down"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(form.errors))
        first = next(spec.name for spec in form.fields if spec.name in form.errors)
        assert app.focused is not None and app.focused.id == f"field-{first}"
        # An error goes away as soon as its field changes.
        name = next(
            spec.name for spec in form.fields if spec.name in form.errors and spec.kind == "input"
        )
        form.query_one(f"#field-{name}", Input).value = "x"
        await pilot.pause()
        assert name not in form.errors
        assert not form.query_one(f"#error-{name}", Static).has_class("-shown")
        assert not isinstance(app.focused, Select) or first != "subject"


@pytest.mark.parametrize("size", SIZES)
async def test_new_ticket_form_offers_only_the_chosen_teams_products(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(
            pilot, lambda: app.screen.query_one("#table-open", DataTable).row_count > 0
        )
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewTicketForm))
        form = app.screen
        assert isinstance(form, NewTicketForm)
        by_team = form.choices.team_products
        assert set(by_team) >= {"kenco", "itworks"}
        form.query_one("#field-team", Select).value = "kenco"
        await pilot.pause(0.2)
        product = form.query_one("#field-product", Select)
        offered = {value for _, value in product._options if value is not Select.NULL}
        assert offered == {choice.value for choice in by_team["kenco"]}
        assert offered.isdisjoint({choice.value for choice in by_team["itworks"]})
