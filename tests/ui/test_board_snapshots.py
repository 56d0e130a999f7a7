"""Snapshots of the breach board and the reports screen at 80×24 and 120×40, frozen clock.

The pictures are taken once the data is on screen (the board's first snapshot applied, the
report's charts drawn) and the frame has settled, so a loaded machine takes the same picture.
Update deliberately: ``pytest tests/ui/test_board_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from textual.pilot import Pilot
from textual.widgets import Input

from deskui.ui.app import DeskApp
from deskui.ui.screens.board import BoardScreen
from deskui.ui.screens.queue import QueueScreen
from deskui.ui.screens.reports import ReportsScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SUPERVISOR = "sokafor"
QUIET = 600.0  # no fallback refresh while the picture is taken


async def _settle(pilot: Pilot[object]) -> None:
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.3)
    await pilot.pause()


async def _board_loaded(pilot: Pilot[object]) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
    await pilot.press("b")
    await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.loads > 0)
    await _settle(pilot)


async def _reports_loaded(pilot: Pilot[object]) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
    await pilot.press("R")
    await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.loads > 0)
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.press("2")  # the weekly compliance chart
    await _settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_board_screen(
    snap_compare: Callable[..., bool], make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    # The board as drawn: the supervisor's SLA toasts would cover it (they have their own
    # tests in test_queue_views_alerts.py).
    app = make_app(agent=SUPERVISOR, refresh_seconds=QUIET, alerts=False)
    assert snap_compare(app, terminal_size=size, run_before=_board_loaded)


@pytest.mark.parametrize("size", SIZES)
def test_reports_screen(
    snap_compare: Callable[..., bool], make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app(refresh_seconds=QUIET)
    assert snap_compare(app, terminal_size=size, run_before=_reports_loaded)
