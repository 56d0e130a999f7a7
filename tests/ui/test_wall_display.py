"""`deskui board --read-only` with nobody signed in: the wall display's desk is a read-only
viewer (no agent row, no ``Actor``); the header says "wall display"; every key but ``q`` and
``ctrl+q`` does nothing; nothing is written as a person (presence, alerts, refusals)."""

from __future__ import annotations

import sqlite3

import pytest
from pilot_helpers import wait_until
from textual.widgets import DataTable

from deskui.services.errors import PermissionDeniedError
from deskui.services.supervision.board import BoardFilter, board_snapshot
from deskui.services.tickets.desk import WALL_DISPLAY, DeskService, DeskSetupError
from deskui.settings import Settings
from deskui.ui.app import DeskApp
from deskui.ui.screens.board import BoardScreen
from deskui.ui.widgets.desk_header import DeskHeader

SIZES = [(80, 24), (120, 40)]
QUIET = 600.0  # no fallback refresh during a test
# Every key a passer-by might press; only q and ctrl+q may do anything.
KEYS = ("escape", "enter", "g", "f", "F", "b", "R", "ctrl+p", "question_mark", "j", "tab", "down")
# Rows a person leaves behind: who has a ticket open, alerts seen, refusals audited.
PERSONAL_TABLES = ("ticket_presence", "sla_alert", "audit_refusal", "event")


def nobody(settings: Settings) -> Settings:
    return settings.model_copy(update={"agent": None, "refresh_seconds": QUIET})


def row_counts(settings: Settings) -> dict[str, int]:
    path = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in PERSONAL_TABLES
        }


def header_text(screen: BoardScreen) -> str:
    return str(screen.query_one(DeskHeader).render())


@pytest.mark.parametrize("size", SIZES)
async def test_wall_display_runs_with_nobody_signed_in(
    demo_settings: Settings, size: tuple[int, int]
) -> None:
    settings = nobody(demo_settings)
    before = row_counts(settings)
    desk = DeskService.open_viewer(settings)
    app = DeskApp(desk)  # a viewer's desk is read-only even without read_only=True
    app.animation_level = "none"
    async with app.run_test(size=size) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.loads > 0
        )
        screen = app.screen
        assert isinstance(screen, BoardScreen) and screen.read_only and app.read_only
        assert screen.snapshot == board_snapshot(desk.database, app.now())
        await wait_until(pilot, lambda: WALL_DISPLAY in header_text(screen))
        assert "(" not in header_text(screen).split("·")[1]  # no "Name (handle)"
        for key in KEYS:
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, key
            assert screen.filter == BoardFilter(), key
        shown = [str(n.message) for n in app._notifications]
        assert not shown  # no toasts: not alerts, not refusals
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)
    assert row_counts(settings) == before


async def test_ctrl_q_quits_the_wall_display(demo_settings: Settings) -> None:
    app = DeskApp(DeskService.open_viewer(nobody(demo_settings)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running)


@pytest.mark.parametrize("size", SIZES)
async def test_team_pins_the_wall_display_to_one_team(
    demo_settings: Settings, size: tuple[int, int]
) -> None:
    desk = DeskService.open_viewer(nobody(demo_settings), team="itworks")
    app = DeskApp(desk, board_team="itworks")
    app.animation_level = "none"
    async with app.run_test(size=size) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.loads > 0
        )
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        wanted = BoardFilter(team="itworks")
        assert screen.snapshot == board_snapshot(desk.database, app.now(), wanted)
        assert screen.snapshot.open_total < board_snapshot(desk.database, app.now()).open_total
        await pilot.press("F", "f")
        await pilot.pause()
        assert screen.filter == wanted
        assert screen.query_one("#attention", DataTable).row_count > 0


def test_the_viewer_is_nobody_and_cannot_act(demo_settings: Settings) -> None:
    desk = DeskService.open_viewer(nobody(demo_settings))
    try:
        assert desk.is_viewer and desk.agent_label == WALL_DISPLAY
        assert str(desk.agent_zone) == "America/New_York"  # the desk's zone (desk.yaml)
        with pytest.raises(PermissionDeniedError, match="wall display only reads"):
            _ = desk.actor
    finally:
        desk.database.dispose()


def test_an_unknown_team_names_the_known_ones(demo_settings: Settings) -> None:
    with pytest.raises(DeskSetupError) as raised:
        DeskService.open_viewer(nobody(demo_settings), team="nosuch")
    assert str(raised.value) == (
        "unknown team 'nosuch' (known: itworks, kenco, keystone, paritor, velsoft)"
    )
