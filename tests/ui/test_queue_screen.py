"""The queue screen: panes with counts, order toggle, filter, live refresh that keeps the cursor."""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import wait_until
from textual.widgets import DataTable, TabbedContent

from deskui.services.desk import DeskService
from deskui.services.ticket_draft import TicketDraft
from deskui.services.tickets import open_ticket
from deskui.ui.app import DeskApp
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
    open_ticket(desk.database, draft, at=desk.now())
