"""Keys that work the same everywhere (j/k/g/G, q back, enter in the filter, `:` views, `?`
role-aware), the wall display ignoring escape, and giving away one's own ticket asking first;
at 80×24 and 120×40."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from textual.widgets import DataTable, Input, Select

from deskui.services.tickets.desk import DeskService
from deskui.settings import Settings
from deskui.ui.app import DeskApp
from deskui.ui.screens.board import BoardScreen
from deskui.ui.screens.forms.base import ActionForm
from deskui.ui.screens.help import KeysHelp
from deskui.ui.screens.queue import QueueScreen
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.screens.view_switcher import ViewSwitcher

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SUPERVISOR = "sokafor"


def _table(app: DeskApp, pane: str) -> DataTable[object]:
    return app.screen.query_one(f"#table-{pane}", DataTable)


async def _queue(pilot, app: DeskApp) -> None:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: _table(app, "open").row_count > 20)


@pytest.mark.parametrize("size", SIZES)
async def test_vi_keys_move_and_q_goes_back_then_quits(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _queue(pilot, app)
        await pilot.press("3")
        table = _table(app, "open")
        await pilot.press("j", "j", "j")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_row == 2
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        await pilot.press("q")  # back, not quit
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
        assert app.is_running
        await pilot.press("q")  # from the queue: quits
        await wait_until(pilot, lambda: not app.is_running)


@pytest.mark.parametrize("size", SIZES)
async def test_enter_in_the_filter_goes_to_the_results(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _queue(pilot, app)
        await pilot.press("3", "slash", *"invoice")
        await wait_until(pilot, lambda: 0 < _table(app, "open").row_count < 10)
        assert isinstance(app.focused, Input)
        await pilot.press("enter")
        assert app.focused is _table(app, "open")
        assert app.screen.query_one("#filter", Input).value == "invoice"  # still filtered
        await pilot.press("enter")  # and enter there opens the ticket
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))


@pytest.mark.parametrize("size", SIZES)
async def test_colon_switches_views_by_name(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _queue(pilot, app)
        await pilot.press("colon")
        await wait_until(pilot, lambda: isinstance(app.screen, ViewSwitcher))
        await pilot.press(*"wait", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
        assert app.screen.active_pane == "waiting"  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", SIZES)
async def test_question_mark_lists_enter_and_dims_what_roles_forbid(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()  # mbrennan: an agent, not a supervisor
    async with app.run_test(size=size) as pilot:
        await _queue(pilot, app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, KeysHelp))
        keys = dict(app.screen.keys)  # type: ignore[attr-defined]
        assert "enter" in keys and "Open the ticket" in keys["enter"]
        assert keys["b"].endswith("(not your role)")
        assert not keys["n"].endswith("(not your role)")
    boss = make_app(agent=SUPERVISOR)
    async with boss.run_test(size=size) as pilot:
        await _queue(pilot, boss)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(boss.screen, KeysHelp))
        keys = dict(boss.screen.keys)  # type: ignore[attr-defined]
        assert not keys["b"].endswith("(not your role)")


@pytest.mark.parametrize("size", SIZES)
async def test_wall_display_ignores_escape(demo_settings: Settings, size: tuple[int, int]) -> None:
    settings = demo_settings.model_copy(update={"agent": SUPERVISOR})
    app = DeskApp(DeskService.open(settings), read_only=True)
    app.animation_level = "none"
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        screen = app.screen
        await pilot.press("escape", "escape")
        await pilot.pause(0.3)
        assert app.is_running and app.screen is screen
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)


@pytest.mark.parametrize("size", SIZES)
async def test_giving_away_my_own_ticket_warns_first(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: _table(app, "mine").row_count > 0)
        await pilot.press("1", "enter")  # my ticket
        await wait_until(
            pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.loads > 0
        )
        ticket = app.screen
        assert isinstance(ticket, TicketScreen)
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen
        assert isinstance(form, ActionForm)
        assert "only they or a supervisor" in str(form.intro)
        form.query_one("#field-assignee", Select).value = "dpatel"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "form" in form.errors)
        assert "Only dpatel or a supervisor can give it back" in form.errors["form"]
        assert app.screen is form  # nothing moved yet
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is ticket)
        await wait_until(
            pilot, lambda: ticket.page is not None and ticket.page.ticket.assignee == "dpatel"
        )
        # Taking it back is refused, and the message names the rule.
        await pilot.press("a")
        await wait_until(
            pilot,
            lambda: any("only they or a supervisor" in str(n.message) for n in app._notifications),
        )


@pytest.mark.parametrize("size", SIZES)
async def test_who_else_has_a_ticket_open_shows_on_its_queue_row(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    from deskui.services.access import presence

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _queue(pilot, app)
        await pilot.press("3")
        table = _table(app, "open")
        ref = str(next(iter(table.rows)).value)
        # Dev Patel opens that ticket in another app (its ticket screen's heartbeat).
        presence.beat(app.desk.database, ref, "dpatel", presence.new_session_id())
        await wait_until(pilot, lambda: table.get_cell(ref, "subject").plain.startswith("◉ dpatel"))
        # My own ticket screens never count as someone else.
        presence.beat(app.desk.database, ref, app.desk.agent.handle, presence.new_session_id())
        await pilot.pause(presence.BEAT_SECONDS + 0.5)
        assert "mbrennan" not in table.get_cell(ref, "subject").plain
