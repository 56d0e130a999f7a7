"""Snapshots of the triage checklist form (``t``) at 80×24 and 120×40 with a frozen clock:
a ticket whose step 1 was answered before (the saved answer and who gave it are shown).

Update deliberately after a visual change: ``pytest tests/ui/test_workflow_snapshots.py
--snapshot-update`` and look at the report before committing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from textual.pilot import Pilot
from textual.widgets import Input
from ticket_helpers import AGENT, open_test_ticket

from deskui.services.actor import Actor
from deskui.services.workflow import triage
from deskui.settings import Settings
from deskui.store.session import Database
from deskui.ui.app import DeskApp
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.screens.triage import TriageScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _half_done_ticket(settings: Settings) -> str:
    ref = open_test_ticket(settings)
    assert settings.now is not None
    database = Database(settings.database_url)
    try:
        triage.record_answers(
            Actor.of(database, AGENT, at=settings.now), ref, {"1": ("yes", "Seen on a web demo")}
        )
    finally:
        database.dispose()
    return ref


@pytest.mark.parametrize("size", SIZES)
def test_triage_form(
    snap_compare: Callable[..., bool],
    make_app: Callable[..., DeskApp],
    demo_settings: Settings,
    size: tuple[int, int],
) -> None:
    ref = _half_done_ticket(demo_settings)

    async def open_form(pilot: Pilot[object]) -> None:
        app = pilot.app
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "QueueScreen")
        screen = TicketScreen(ref)
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.page is not None)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen))
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.3)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=open_form)
