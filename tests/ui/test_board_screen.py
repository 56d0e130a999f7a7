"""The breach board and the reports screen in the app: who may open them, live updates without
a key press, enter to the ticket, reassign (and its refusal on a read-only wall display),
filters, the palette commands, and the reports screen's figures and bad dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pilot_helpers import wait_until
from textual.widgets import DataTable, Input, Select, Static

from deskui.services.actor import Actor
from deskui.services.intake import open_ticket
from deskui.services.supervision.board import BoardFilter, board_choices, board_snapshot
from deskui.services.tickets.desk import DeskService
from deskui.services.tickets.draft import TicketDraft
from deskui.settings import Settings
from deskui.store.session import Database
from deskui.ui.app import DeskApp
from deskui.ui.formatting import breach_text
from deskui.ui.screens.board import WARNING_SECONDS, BoardScreen
from deskui.ui.screens.forms.base import ActionForm
from deskui.ui.screens.queue import QueueScreen
from deskui.ui.screens.reports import ReportsScreen
from deskui.ui.screens.ticket import TicketScreen

SUPERVISOR = "sokafor"  # IT Works agent, supervisor and approver (sample_data/agents.yaml)
QUIET = 600.0  # no fallback refresh during a test: only the change feed may refresh

AppFactory = Callable[..., DeskApp]


def notifications(app: DeskApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def open_board(pilot, app: DeskApp) -> BoardScreen:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
    await pilot.press("b")
    await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.loads > 0)
    assert isinstance(app.screen, BoardScreen)
    return app.screen


def attention_refs(screen: BoardScreen) -> list[str]:
    return [str(key.value) for key in screen.query_one("#attention", DataTable).rows]


async def test_b_opens_the_board_for_a_supervisor(make_app: AppFactory) -> None:
    app = make_app(agent=SUPERVISOR, refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_board(pilot, app)
        expected = board_snapshot(app.desk.database, app.now())
        assert screen.snapshot == expected
        assert expected.breached_total > 0 and expected.within_60_total > 0
        assert attention_refs(screen)[: expected.breached_total] == [
            t.reference for t in expected.breached
        ]
        assert screen.query_one("#side", Static).display  # 120 columns: side panels shown
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))


async def test_b_is_refused_to_an_agent_without_the_supervisor_role(
    make_app: AppFactory,
) -> None:
    app = make_app()  # mbrennan: agent only
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert (
            "mbrennan may not open the breach board: that needs the supervisor role"
        ) in notifications(app)


async def test_a_change_from_another_database_appears_without_a_key_press(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    app = make_app(agent=SUPERVISOR, refresh_seconds=QUIET)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_board(pilot, app)
        before = screen.snapshot
        assert before is not None
        other = Database(demo_settings.database_url)  # another agent's connection
        try:
            draft = TicketDraft(
                team="itworks",
                subject="Everything is down",
                channel="phone",
                category="technical",
                priority="very-high",
            )
            ref = open_ticket(Actor.of(other, None, at=demo_settings.now), draft).reference  # type: ignore[arg-type]
        finally:
            other.dispose()
        await wait_until(
            pilot,
            lambda: (
                screen.snapshot is not None and screen.snapshot.open_total == before.open_total + 1
            ),
        )
        assert screen.snapshot == board_snapshot(app.desk.database, app.now())
        assert screen.snapshot.agents[0].handle is None  # the unassigned pile grew by one
        assert screen.snapshot.agents[0].open == before.agents[0].open + 1
        assert ref.startswith("DSK-")


async def test_enter_jumps_to_the_ticket(make_app: AppFactory) -> None:
    app = make_app(agent=SUPERVISOR, refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_board(pilot, app)
        table = screen.query_one("#attention", DataTable)
        table.focus()
        await pilot.press("down")
        wanted = attention_refs(screen)[1]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        assert isinstance(app.screen, TicketScreen) and app.screen.reference == wanted
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))


async def test_g_reassigns_the_ticket_under_the_cursor(make_app: AppFactory) -> None:
    app = make_app(agent=SUPERVISOR, refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_board(pilot, app)
        screen.query_one("#attention", DataTable).focus()
        ref = attention_refs(screen)[0]
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen
        assert isinstance(form, ActionForm)
        form.query_one("#field-assignee", Select).value = "kwalsh"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await wait_until(
            pilot,
            lambda: any(
                t.reference == ref and t.assignee == "kwalsh"
                for t in (*screen.snapshot.breached, *screen.snapshot.within_60)  # type: ignore[union-attr]
            ),
        )
        assert f"{ref} reassigned" in notifications(app)


async def test_f_and_shift_f_cycle_the_policy_and_team_filters(make_app: AppFactory) -> None:
    app = make_app(agent=SUPERVISOR, refresh_seconds=QUIET)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_board(pilot, app)
        choices = board_choices(app.desk.database)
        await wait_until(pilot, lambda: bool(screen._choices.policies))
        await pilot.press("f")
        wanted = BoardFilter(policy=choices.policies[0])
        await wait_until(
            pilot, lambda: screen.snapshot is not None and screen.snapshot.filter == wanted
        )
        assert (
            screen.snapshot.open_total
            == board_snapshot(app.desk.database, app.now(), wanted).open_total
        )  # type: ignore[union-attr]
        await pilot.press("F")
        both = BoardFilter(policy=choices.policies[0], team=choices.teams[0])
        await wait_until(
            pilot, lambda: screen.snapshot is not None and screen.snapshot.filter == both
        )
        assert f"Board shows {both.describe()}" in notifications(app)


async def test_read_only_board_offers_nothing_but_quitting(demo_settings: Settings) -> None:
    settings = demo_settings.model_copy(update={"agent": SUPERVISOR, "refresh_seconds": QUIET})
    app = DeskApp(DeskService.open(settings), read_only=True)  # as `deskui board --read-only`
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.loads > 0
        )
        screen = app.screen
        assert isinstance(screen, BoardScreen) and screen.read_only
        screen.query_one("#attention", DataTable).focus()
        for key in ("g", "enter", "b", "R", "ctrl+p"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, key
        assert not notifications(app)  # the keys are not offered: not even a toast
        screen.action_reassign()  # even if the action is reached another way
        await pilot.pause()
        assert "Read-only board" in notifications(app)
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)


async def test_palette_opens_the_board(make_app: AppFactory) -> None:
    app = make_app(agent=SUPERVISOR, refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"breach board")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))


async def test_reports_screen_shows_the_figures_and_refuses_bad_dates(
    make_app: AppFactory,
) -> None:
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("R")
        await wait_until(
            pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.loads > 0
        )
        screen = app.screen
        assert isinstance(screen, ReportsScreen) and screen.bundle is not None
        [everything] = screen.bundle.figures
        assert everything.group == "all" and everything.opened > 0
        assert screen.query_one("#figures", DataTable).row_count == 3  # one row per clock
        assert screen.bundle.backlog.at and screen.bundle.weeks
        box = screen.query_one("#first", Input)
        box.value = "2026-02-30"
        box.focus()
        await pilot.press("enter")
        await pilot.pause()
        status = str(screen.query_one("#status", Static).render())
        assert status == "From: bad date '2026-02-30' (expected YYYY-MM-DD)"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))


class MovingClock:
    """A time source the test moves by hand."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


async def test_countdowns_tick_every_second_from_memory(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    app = make_app(agent=SUPERVISOR, refresh_seconds=QUIET)
    assert demo_settings.now is not None
    clock = MovingClock(demo_settings.now)
    app.desk._clock = clock  # the desk's time source, moved by the test
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_board(pilot, app)
        assert screen.snapshot is not None
        loads = screen.loads
        # Every desk is open at 15:00 UTC: five minutes on the wall are five business minutes.
        ticket = next(t for t in screen.snapshot.within_60 if (t.remaining or 0) > 600)
        table = screen.query_one("#attention", DataTable)
        assert str(table.get_cell(ticket.reference, "breach")) == breach_text(
            ticket.remaining, WARNING_SECONDS
        )
        clock.at = demo_settings.now + dt.timedelta(minutes=5)
        expected = breach_text((ticket.remaining or 0) - 300, WARNING_SECONDS)
        await wait_until(pilot, lambda: str(table.get_cell(ticket.reference, "breach")) == expected)
        assert screen.loads == loads  # re-ticked from memory, not re-read
