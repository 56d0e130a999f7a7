"""Snapshots of the main screens at 80×24 and 120×40 with a frozen clock.

Update deliberately after a visual change: ``pytest tests/ui/test_snapshots.py --snapshot-update``
and look at the report before committing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TabbedContent, TextArea

from deskui.ui.app import DeskApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _underline_fits(app: object) -> bool:
    from textual.widgets import Tabs
    from textual.widgets._tabs import Underline

    tabs = app.screen.query_one(Tabs)  # type: ignore[attr-defined]
    active = tabs.query_one("#tabs-list > Tab.-active")
    start, end = active.virtual_region.shrink(active.styles.gutter).column_span
    underline = tabs.query_one(Underline)
    return (underline.highlight_start, underline.highlight_end) == (start, end)


async def _queue_loaded(pilot: Pilot[object]) -> None:
    app = pilot.app

    def counted() -> bool:
        tabs = app.screen.query_one(TabbedContent)
        return str(tabs.get_tab("pane-mine").label).startswith("My tickets (")

    await wait_until(pilot, lambda: app.screen.query_one("#table-open", DataTable).row_count > 0)
    await wait_until(pilot, counted)
    # The tab underline is re-measured after a refresh once the label gains its count; on a
    # busy machine that refresh can come before the tab's new width is laid out, so wait for
    # the underline to span the active tab exactly.
    await wait_until(pilot, lambda: _underline_fits(app))
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.3)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_queue_screen(
    snap_compare: Callable[..., bool], make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_queue_loaded)


async def _ticket_open(pilot: Pilot[object]) -> None:
    from deskui.ui.screens.ticket import TicketScreen

    await _queue_loaded(pilot)
    await pilot.press("3", "enter")
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.loads > 0)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.3)


def _steady_cursors(pilot: Pilot[object]) -> None:
    """Stop the cursors blinking: a blink timer's phase would decide what the picture shows."""
    for editor in pilot.app.screen.query(TextArea):
        editor.cursor_blink = False
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


async def _note_form_open(pilot: Pilot[object]) -> None:
    from deskui.ui.screens.forms.base import ActionForm

    await _ticket_open(pilot)
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ActionForm))
    await pilot.press(*"Customer [b]called[/b] back")
    _steady_cursors(pilot)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", SIZES)
def test_ticket_screen(
    snap_compare: Callable[..., bool], make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_ticket_open)


@pytest.mark.parametrize("size", SIZES)
def test_note_form(
    snap_compare: Callable[..., bool], make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_note_form_open)
