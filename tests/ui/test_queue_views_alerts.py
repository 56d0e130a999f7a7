"""The queue's panes are the agent's views (number keys, ``:``, saved views as panes), and SLA
alerts raise a toast, the bell and a badge on the pane holding the ticket, once."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent

from deskui.domain.views import ViewSpec
from deskui.services import tickets
from deskui.services.actor import Actor
from deskui.services.intake import open_ticket
from deskui.services.tickets.desk import DeskService
from deskui.services.tickets.draft import TicketDraft
from deskui.settings import Settings
from deskui.ui.app import DeskApp
from deskui.ui.screens.help import screen_keys
from deskui.ui.screens.queue import QueueScreen, panes_for
from deskui.ui.screens.view_switcher import ViewSwitcher

SIZES = [(80, 24), (120, 40)]


def _table(app: DeskApp, pane: str) -> DataTable[object]:
    return app.screen.query_one(f"#table-{pane}", DataTable)


def _refs(table: DataTable[object]) -> list[str]:
    return [str(key.value) for key in table.rows]


def _active(app: DeskApp) -> str:
    return app.screen.query_one(TabbedContent).active


def _label(app: DeskApp, pane: str) -> str:
    return str(app.screen.query_one(TabbedContent).get_tab(f"pane-{pane}").label)


async def _queue_then_a_view_saved(app: DeskApp, pilot: Pilot[object]) -> QueueScreen:
    """The queue once loaded, and then a breached view saved elsewhere (not yet refreshed)."""
    await wait_until(pilot, lambda: _table(app, "open").row_count > 0)
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    _save_breached_view(app)
    return screen


def _save_breached_view(app: DeskApp) -> ViewSpec:
    """A view saved through the service, as ``deskui view save`` does."""
    return app.desk.save_view(ViewSpec(name="overdue", title="Overdue [b]now[/b]", breached=True))


@pytest.mark.parametrize("size", SIZES)
async def test_number_keys_switch_to_the_nth_view(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: _table(app, "open").row_count > 0)
        for key, pane in (("2", "unassigned"), ("4", "waiting"), ("1", "mine"), ("3", "open")):
            await pilot.press(key)
            assert _active(app) == f"pane-{pane}"
            assert app.focused is _table(app, pane)
        await pilot.press("9")  # fewer than nine views: nothing moves
        assert _active(app) == "pane-open"
        # ``?`` lists the number keys as one row, not nine.
        numbered = [key for key, _ in screen_keys(app.screen) if key[0].isdigit()]
        assert numbered == ["1-9"]


@pytest.mark.parametrize("size", SIZES)
async def test_a_saved_view_is_a_pane_with_its_rows_and_in_the_switcher(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    spec = _save_breached_view(app)
    expected = app.desk.view_page(spec)
    assert expected.total > 0  # the demo has overdue work
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: _table(app, "overdue").row_count > 0)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert [pane.key for pane in screen.panes] == [
            "mine",
            "unassigned",
            "open",
            "waiting",
            "overdue",
        ]
        assert _refs(_table(app, "overdue")) == [row.reference for row in expected.rows]
        # The title is the agent's text, shown literally (not as markup).
        assert _label(app, "overdue") == f"Overdue [b]now[/b] ({expected.total})"
        await pilot.press("5")
        assert _active(app) == "pane-overdue"

        await pilot.press("1", "colon")
        await wait_until(pilot, lambda: isinstance(app.screen, ViewSwitcher))
        switcher = app.screen
        assert isinstance(switcher, ViewSwitcher)
        assert ("overdue", "Overdue [b]now[/b]") in switcher.views and len(switcher.views) == 5
        await pilot.press(*"overd", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
        assert _active(app) == "pane-overdue"


@pytest.mark.parametrize("size", SIZES)
async def test_a_saved_views_breached_work_sits_on_top(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    """A view of all open work sorted by priority: the demo's breached tickets come before its
    top-priority ones with time to spare, in the pane and in its order on the service."""
    app = make_app()
    spec = app.desk.save_view(ViewSpec(name="everything", title="Everything", sort="priority"))
    now = app.desk.now()
    page = app.desk.view_page(spec)
    overdue = {row.reference for row in page.rows if row.next_due_at and row.next_due_at <= now}
    assert page.breached == len(overdue) > 0
    spare = [row for row in page.rows if row.reference not in overdue and row.next_due_at]
    assert min(row.priority_rank for row in spare) < max(
        row.priority_rank for row in page.rows if row.reference in overdue
    )  # without the band, priority order would put a ticket with time to spare first
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: _table(app, "everything").row_count > 0)
        shown = _refs(_table(app, "everything"))
        assert set(shown[: len(overdue)]) == overdue
        assert shown == [row.reference for row in page.rows]


def _ticket_near_breach(desk: DeskService) -> str:
    """A very-high ticket of the signed-in agent's, opened 80 minutes ago: its response (two
    business hours) is due in 40 minutes, inside the hour's warning window."""
    draft = TicketDraft(
        team="itworks",
        subject="Printer [red]on fire[/red]",
        channel="phone",
        category="technical",
        priority="very-high",
    )
    now = desk.now()
    opened = now - dt.timedelta(minutes=80)
    ref = open_ticket(Actor.of(desk.database, None, at=opened), draft).reference
    tickets.assign(Actor.of(desk.database, desk.agent.handle, at=now), ref, desk.agent.handle)
    return ref


@pytest.mark.parametrize("size", SIZES)
async def test_an_alert_raises_one_toast_one_bell_and_a_badge_once(
    make_app: Callable[..., DeskApp], size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    ref = _ticket_near_breach(app.desk)
    bells: list[None] = []
    monkeypatch.setattr(app, "bell", lambda: bells.append(None))
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: _table(app, "mine").row_count > 0)
        await wait_until(pilot, lambda: _label(app, "mine").startswith("● 1 "))
        toasts = [n for n in app._notifications if ref in str(n.message)]
        assert len(toasts) == 1 and len(bells) == 1
        toast = toasts[0]
        assert toast.title == "SLA warning" and toast.severity == "warning"
        assert "Printer [red]on fire[/red]" in str(toast.message)  # literal, not markup
        assert not toast.markup
        # Which clock, and when it is due in the agent's zone (New York; the calendar opens 9:00).
        assert "response due Tue 01 Dec 11:00" in str(toast.message)
        assert _label(app, "open").startswith("● 1 All open")
        assert not _label(app, "waiting").startswith("●")

        # The next check finds nothing new: no toast, no bell, the badge as it was.
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        await screen.check_alerts().wait()
        await pilot.pause()
        assert len([n for n in app._notifications if ref in str(n.message)]) == 1
        assert len(bells) == 1
        assert _label(app, "mine").startswith("● 1 ")

        # Going to the pane is looking at it: its badge goes, the others stay.
        await pilot.press("3")
        await wait_until(pilot, lambda: not _label(app, "open").startswith("●"))
        assert _label(app, "mine").startswith("● 1 ")


async def test_the_bell_setting_off_keeps_the_toast(
    make_app: Callable[..., DeskApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    app.alert_bell = False
    ref = _ticket_near_breach(app.desk)
    bells: list[None] = []
    monkeypatch.setattr(app, "bell", lambda: bells.append(None))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: any(ref in str(n.message) for n in app._notifications))
        assert bells == []


def test_the_bell_setting_reads_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DESKUI_ALERT_BELL", raising=False)
    assert Settings().alert_bell is True
    monkeypatch.setenv("DESKUI_ALERT_BELL", "false")
    assert Settings().alert_bell is False


async def test_a_view_saved_while_the_queue_is_open_joins_and_leaves(
    make_app: Callable[..., DeskApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _queue_then_a_view_saved(app, pilot)
        screen.refresh_data()  # what the change feed or the refresh timer does
        await wait_until(pilot, lambda: _table(app, "overdue").row_count > 0)
        await pilot.press("5")
        assert _active(app) == "pane-overdue"
        app.desk.delete_view("overdue")
        screen.refresh_data()
        await wait_until(pilot, lambda: [p.key for p in screen.panes][-1] == "waiting")
        await pilot.pause()
        assert not app.screen.query("#pane-overdue")
        assert _active(app) == "pane-mine"


async def test_two_refreshes_bringing_the_same_new_view_add_one_pane(
    make_app: Callable[..., DeskApp],
) -> None:
    """The refresh timer and the change feed can both find a view saved meanwhile, and land
    their pane changes together: the second waits for the first and finds nothing left to add
    (both adding the tab broke the screen: a duplicate tab id, and on a loaded machine a queue
    whose messages were never processed again)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _queue_then_a_view_saved(app, pilot)
        panes = panes_for(app.desk.views())
        await asyncio.gather(screen._set_panes(panes), screen._set_panes(panes))
        await pilot.pause()
        assert [pane.key for pane in screen.panes][-1] == "overdue"
        assert len(screen.query("#pane-overdue")) == 1
        screen.refresh_data()
        await wait_until(pilot, lambda: _table(app, "overdue").row_count > 0)
        await pilot.press("5")
        assert _active(app) == "pane-overdue"
