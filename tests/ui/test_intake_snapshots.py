"""Snapshots of the new-ticket form at 80×24 and 120×40 (frozen clock, steady cursors).

The form is shown with an organisation chosen, so the picture includes the matches, the
contact, the entitlement line with its flag and the priority definitions. Update deliberately:
``pytest tests/ui/test_intake_snapshots.py --snapshot-update``, then look at the pictures.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from test_snapshots import _queue_loaded, _steady_cursors
from textual.pilot import Pilot
from textual.widgets import Input, Static

from deskui.ui.app import DeskApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def _new_ticket_form(pilot: Pilot[object]) -> None:
    from deskui.ui.screens.forms.new_ticket import NewTicketForm

    await _queue_loaded(pilot)
    await pilot.press("n")
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, NewTicketForm))
    form = app.screen
    assert isinstance(form, NewTicketForm)
    form.query_one("#field-organisation", Input).value = "great-lakes-beverage"
    await wait_until(pilot, lambda: form.entitlement is not None)

    def help_shown() -> bool:
        return "Location down" in str(form.query_one("#priority-help", Static).render())

    await wait_until(pilot, help_shown)
    form.query_one("#field-organisation", Input).focus()
    _steady_cursors(pilot)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", SIZES)
def test_new_ticket_form(
    snap_compare: Callable[..., bool], make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_new_ticket_form)
