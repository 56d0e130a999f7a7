"""The quarantine is live, in the agent's time zone, with the header bar; the reports screen
has the header bar too; at 80×24 and 120×40."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from textual.widgets import DataTable

from deskui.services.intake.mail_in import ingest_message
from deskui.services.intake.quarantine import list_quarantine
from deskui.ui.app import DeskApp
from deskui.ui.screens.quarantine import QuarantineScreen
from deskui.ui.screens.reports import ReportsScreen
from deskui.ui.widgets.desk_header import DeskHeader

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _header(app: DeskApp) -> str:
    return str(app.screen.query_one(DeskHeader).render())


@pytest.mark.parametrize("size", SIZES)
async def test_quarantine_is_live_local_and_has_the_header(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    waiting = len(list_quarantine(app.desk.database))  # the demo's own, received earlier
    ingest_message(app.desk.actor.as_system(), b"Subject: first\r\n\r\nno sender\r\n")
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.screen.query("#table-open"))
        await pilot.press("Q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuarantineScreen))
        table = app.screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == waiting + 1)
        # 15:00 UTC is 10:00 for the agent in New York (newest first: this one on top).
        assert str(table.get_row_at(0)[0]) == "Tue 01 Dec 10:00"
        await wait_until(pilot, lambda: "10:00:00" in _header(app) and "live" in _header(app))
        # Another process quarantines a message: it shows without a key press.
        ingest_message(app.desk.actor.as_system(), b"Subject: second\r\n\r\nno sender\r\n")
        await wait_until(pilot, lambda: table.row_count == waiting + 2, timeout=15)


@pytest.mark.parametrize("size", SIZES)
async def test_reports_have_the_header(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.screen.query("#table-open"))
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen))
        await wait_until(pilot, lambda: "10:00:00" in _header(app))
        assert len(_header(app)) <= size[0] - 2
