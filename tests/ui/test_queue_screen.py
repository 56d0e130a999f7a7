"""The queue screen: panes with counts, order toggle, filter, live refresh that keeps the cursor."""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import wait_until
from textual.widgets import DataTable, Static, TabbedContent

from deskui.services.actor import Actor
from deskui.services.intake import open_ticket
from deskui.services.tickets.desk import DeskService
from deskui.services.tickets.draft import TicketDraft
from deskui.ui.app import DeskApp
from deskui.ui.screens.help import KeysHelp
from deskui.ui.screens.queue import QueueScreen
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.widgets.desk_header import DeskHeader


def _table(app: DeskApp, pane: str) -> DataTable[object]:
    return app.screen.query_one(f"#table-{pane}", DataTable)


def _refs(table: DataTable[object]) -> list[str]:
    return [str(key.value) for key in table.rows]


async def test_all_open_pane_lists_every_open_ticket(make_app: Callable[..., DeskApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _table(app, "open").row_count > 0)
        expected = app.desk.queue_page("open")
        assert _refs(_table(app, "open")) == [row.reference for row in expected.rows]
        assert expected.total == len(expected.rows) > 20
        tabs = app.screen.query_one(TabbedContent)
        assert str(tabs.get_tab("pane-open").label) == f"All open ({expected.total})"
        statuses = {row.status for row in expected.rows}
        assert "resolved" not in statuses and "waiting-on-customer" in statuses


async def test_header_shows_desk_agent_time_and_live_badge(
    make_app: Callable[..., DeskApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _table(app, "open").row_count > 0)
        header = str(app.screen.query_one(DeskHeader).render())
        assert app.desk.desk_name in header
        assert "mbrennan" in header
        assert "Tue 01 Dec 10:00:00" in header  # the agent is in New York
        assert "OPEN" in header and "live" in header


async def test_panes_switch_with_number_keys_and_filter(
    make_app: Callable[..., DeskApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _table(app, "open").row_count > 0)
        await pilot.press("4")
        assert app.screen.query_one(TabbedContent).active == "pane-waiting"
        waiting = _table(app, "waiting")
        assert waiting.row_count == app.desk.queue_page("waiting").total > 0

        await pilot.press("3", "slash")
        await pilot.press(*"invoice")
        await wait_until(pilot, lambda: 0 < _table(app, "open").row_count < 10)
        assert all(
            "Invoice" in row.subject for row in app.desk.queue_page("open", text="invoice").rows
        )

        await pilot.press("escape")
        await wait_until(pilot, lambda: _table(app, "open").row_count > 20)


async def test_sort_toggle_orders_by_time_to_breach(make_app: Callable[..., DeskApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _table(app, "open").row_count > 0)
        by_priority = _refs(_table(app, "open"))
        await pilot.press("s")
        due_order = [r.reference for r in app.desk.queue_page("open", order="due").rows]
        await wait_until(pilot, lambda: _refs(_table(app, "open")) == due_order)
        assert due_order != by_priority


async def test_refresh_keeps_cursor_on_the_same_ticket(make_app: Callable[..., DeskApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _table(app, "open").row_count > 5)
        table = _table(app, "open")
        table.focus()
        await pilot.press("down", "down", "down")
        chosen = _refs(table)[table.cursor_row]
        # Another agent opens a top-priority ticket: it sorts above the cursor row.
        _open_urgent_ticket(app.desk)
        await wait_until(pilot, lambda: len(_refs(table)) > 0 and _refs(table)[0] != chosen)
        await wait_until(pilot, lambda: table.row_count == app.desk.queue_page("open").total)
        assert _refs(table)[table.cursor_row] == chosen


def _open_urgent_ticket(desk: DeskService) -> None:
    draft = TicketDraft(
        team="itworks",
        subject="Everything is down",
        channel="phone",
        category="technical",
        priority="very-high",
    )
    open_ticket(Actor.of(desk.database, None, at=desk.now()), draft)


async def test_enter_opens_the_ticket_under_the_cursor_and_escape_returns(
    make_app: Callable[..., DeskApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _table(app, "open").row_count > 2)
        await pilot.press("3", "down")
        expected = _refs(_table(app, "open"))[1]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        assert isinstance(app.screen, TicketScreen)
        assert app.screen.reference == expected
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))


async def test_question_mark_lists_the_keys_of_the_queue(make_app: Callable[..., DeskApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _table(app, "open").row_count > 0)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, KeysHelp))
        shown = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "Filter" in shown and "Sort" in shown and "Next pane" in shown


def test_filter_matches_product_and_assignee_too(make_app: Callable[..., DeskApp]) -> None:
    desk = make_app().desk
    everything = desk.queue_page("open").rows
    by_assignee = desk.queue_page("open", text="mbrennan").rows
    assert by_assignee and {row.assignee for row in by_assignee} == {"mbrennan"}
    assert len(by_assignee) == sum(row.assignee == "mbrennan" for row in everything)
    by_product = desk.queue_page("open", text="kenco-wes").rows
    assert by_product and {row.product for row in by_product} == {"kenco-wes"}


async def test_scrolling_to_the_end_loads_the_next_page(make_app: Callable[..., DeskApp]) -> None:
    app = make_app()
    app.desk.page_size = 10  # the demo has 30 open tickets: three pages
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _table(app, "open").row_count == 10)
        table = _table(app, "open")
        await pilot.press("3", "ctrl+end")
        await wait_until(pilot, lambda: table.row_count == 20)
        await pilot.press("ctrl+end")
        await wait_until(pilot, lambda: table.row_count == 30)
        assert _refs(table) == [row.reference for row in app.desk.queue_page("open", limit=30).rows]


def test_countdown_uses_the_calendar_of_the_clock_that_is_due(
    make_app: Callable[..., DeskApp],
) -> None:
    desk = make_app().desk
    rows = desk.queue_page("open", text="kenco").rows
    kenco_callbacks = [r for r in rows if r.next_clock in ("acknowledgement", "response")]
    assert kenco_callbacks, "the demo has Kenco tickets waiting for their callback"
    # Kenco's policy runs on office hours, but the callback clocks run round the clock.
    assert {r.calendar for r in kenco_callbacks} == {"kenco-24x7"}
