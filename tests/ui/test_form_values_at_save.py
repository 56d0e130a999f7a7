"""Fault 5 of the agent's day: a form saves what is in its fields when ``ctrl+s`` is pressed.

Two kinds of typing. ``pilot.press`` types key by key, the app settling after each (across
fields, with ``tab``). ``burst`` hands the app a field's text and ``ctrl+s`` at once, as one
read of a fast terminal, or a loaded machine catching up, delivers them: ``ctrl+s`` was then a
priority key and ran before the field had taken the keys ahead of it, so the save read a field
still filling (an ETA went missing that way; a note saved nothing, its refusal wiped by the
keys that followed). Each save is checked in the database, at 80×24 and 120×40.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest
from pilot_helpers import burst, wait_until
from textual.pilot import Pilot
from textual.widgets import Input, Select
from ticket_helpers import (
    open_form,
    open_test_ticket,
    press_and_reload,
    show_ticket,
    stored,
    triage_form,
)

from deskui.settings import Settings
from deskui.ui.app import DeskApp
from deskui.ui.screens.forms.base import ActionForm
from deskui.ui.screens.triage import TriageScreen

SIZES = [(80, 24), (120, 40)]


Typing = Callable[..., Awaitable[None]]


async def key_by_key(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)


TYPING = [pytest.param(key_by_key, id="key-by-key"), pytest.param(burst, id="one-read")]

QUIET = 3600  # no periodic refresh during the test: only the saves reload the screen


@pytest.mark.parametrize("typing", TYPING)
@pytest.mark.parametrize("size", SIZES)
async def test_eta_and_its_note_typed_and_saved(
    make_app: Callable[..., DeskApp], demo_settings: Settings, size: tuple[int, int], typing: Typing
) -> None:
    """In one read too, ``tab`` moves on at once: the note typed after it is not in the ETA."""
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=size) as pilot:
        screen = await show_ticket(app, pilot, ref)
        await press_and_reload(pilot, screen, "a")
        form = await open_form(pilot, app, "e")
        loads = screen.loads
        await typing(pilot, *"2026-12-02 16:30", "tab", *"Told Linda", "ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen and screen.loads > loads)
        assert not form.errors
        ticket = stored(demo_settings, ref)
        assert ticket.eta_at == dt.datetime(2026, 12, 2, 21, 30, tzinfo=dt.UTC)  # New York
        assert ticket.interactions[-1].body == "Told Linda"


@pytest.mark.parametrize("typing", TYPING)
@pytest.mark.parametrize("size", SIZES)
async def test_a_note_typed_and_saved_keeps_every_character(
    make_app: Callable[..., DeskApp], demo_settings: Settings, size: tuple[int, int], typing: Typing
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=QUIET)
    text = "Rebooted the print server; queue cleared at 10:42."
    async with app.run_test(size=size) as pilot:
        screen = await show_ticket(app, pilot, ref)
        form = await open_form(pilot, app, "n")
        loads = screen.loads
        await typing(pilot, *text, "ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen and screen.loads > loads)
        assert not form.errors
        assert stored(demo_settings, ref).interactions[-1].body == text


@pytest.mark.parametrize("size", SIZES)
async def test_what_is_typed_after_a_refused_save_is_what_the_next_save_sends(
    make_app: Callable[..., DeskApp], demo_settings: Settings, size: tuple[int, int]
) -> None:
    """A refused ETA, corrected and saved in one burst: the correction is what is stored."""
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=size) as pilot:
        screen = await show_ticket(app, pilot, ref)
        await press_and_reload(pilot, screen, "a")
        form = await open_form(pilot, app, "e")
        await pilot.press(*"tomorrow", "ctrl+s")
        await wait_until(pilot, lambda: bool(form.errors) and not form.saving)
        assert isinstance(app.screen, ActionForm)
        assert form.values()["eta"] == "tomorrow"  # kept, focus on the bad field
        loads = screen.loads
        await pilot.press("ctrl+a", "ctrl+k", *"2026-12-03 09:15", "ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen and screen.loads > loads)
        ticket = stored(demo_settings, ref)
        assert ticket.eta_at == dt.datetime(2026, 12, 3, 14, 15, tzinfo=dt.UTC)


@pytest.mark.parametrize("size", SIZES)
async def test_an_eta_and_ctrl_s_in_one_read_save_that_eta(
    make_app: Callable[..., DeskApp], demo_settings: Settings, size: tuple[int, int]
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=size) as pilot:
        screen = await show_ticket(app, pilot, ref)
        await press_and_reload(pilot, screen, "a")
        form = await open_form(pilot, app, "e")
        loads = screen.loads
        await burst(pilot, *"2026-12-02 16:30", "ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen and screen.loads > loads)
        assert not form.errors
        assert stored(demo_settings, ref).eta_at == dt.datetime(2026, 12, 2, 21, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("size", SIZES)
async def test_triage_notes_and_ctrl_s_in_one_read_save_those_notes(
    make_app: Callable[..., DeskApp], demo_settings: Settings, size: tuple[int, int]
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=size) as pilot:
        screen = await show_ticket(app, pilot, ref)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen))
        triage_screen = app.screen
        assert isinstance(triage_screen, TriageScreen)
        await pilot.pause()
        triage_screen.query_one("#answer-1", Select).value = "yes"
        triage_screen.query_one("#notes-1", Input).focus()
        await pilot.pause()
        await burst(pilot, *"Seen on a web demo", "ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        steps = triage_form(demo_settings, ref).steps
        assert (steps[0].answer, steps[0].notes) == ("yes", "Seen on a web demo")
