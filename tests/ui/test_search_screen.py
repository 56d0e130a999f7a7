"""The search screen: reached from the queue with F, ranked results over every ticket, enter
opens one, customer text never markup (80x24 and 120x40)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from textual.widgets import DataTable, Input, Static

from deskui.services import tickets
from deskui.services.actor import Actor
from deskui.services.catalog.demo import DEMO_AGENT
from deskui.ui.app import DeskApp
from deskui.ui.screens.search import SearchScreen
from deskui.ui.screens.ticket import TicketScreen

SIZES = [(80, 24), (120, 40)]


def _results(app: DeskApp) -> list[str]:
    table = app.screen.query_one("#search-results", DataTable)
    return [str(key.value) for key in table.rows]


def _status(app: DeskApp) -> str:
    return str(app.screen.query_one("#search-status", Static).render())


@pytest.mark.parametrize("size", SIZES)
async def test_search_finds_a_closed_ticket_and_enter_opens_it(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    # A resolved demo ticket, closed: closed work is what search is for.
    closed = tickets.list_tickets(app.desk.database, status="resolved", limit=1)[0]
    tickets.close(Actor.of(app.desk.database, DEMO_AGENT, at=app.desk.now()), closed.reference)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("F")
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen))
        box = app.screen.query_one("#search-query", Input)
        assert box.has_focus
        for key in closed.reference:
            await pilot.press(key)
        await pilot.press("enter")
        await wait_until(pilot, lambda: _results(app) == [closed.reference])
        assert "1 tickets" in _status(app)
        assert app.screen.query_one("#search-results", DataTable).has_focus
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        assert app.screen.reference == closed.reference  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press("slash")
        assert app.screen.query_one("#search-query", Input).has_focus
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, SearchScreen))


async def test_words_rank_results_and_an_empty_query_says_what_to_do(
    make_app: Callable[..., DeskApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(SearchScreen())
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press("space", "enter")
        await wait_until(pilot, lambda: "at least one word" in _status(app))
        box = app.screen.query_one("#search-query", Input)
        box.value = "zzzunfindable"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "No ticket matches" in _status(app))
        subject = tickets.list_tickets(app.desk.database, status=None, limit=1)[0].subject
        box.value = max(subject.split(), key=len).strip(".,:;?!")
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await wait_until(pilot, lambda: screen.results is not None and bool(screen.results.hits))
        assert screen.results is not None
        assert _results(app) == [hit.reference for hit in screen.results.hits]
        scores = [hit.score for hit in screen.results.hits]
        assert scores == sorted(scores, reverse=True)


async def test_customer_text_in_results_is_never_markup(
    make_app: Callable[..., DeskApp],
) -> None:
    app = make_app()
    database = app.desk.database
    hostile = "[@click=app.quit]Quit now[/] \x1b[31m"
    from deskui.store.models import Ticket

    with database.write() as session:
        ticket = session.query(Ticket).order_by(Ticket.id).first()
        assert ticket is not None
        ticket.subject = f"Zebrafish {hostile}"
        reference = ticket.reference
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(SearchScreen("zebrafish"))
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await wait_until(pilot, lambda: _results(app) == [reference])
        table = app.screen.query_one("#search-results", DataTable)
        subject = table.get_cell(reference, "subject")
        assert "[@click=app.quit]" in str(subject) and "\x1b" not in str(subject)
        await pilot.press("enter")  # opens the ticket; the app did not quit
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        assert app.is_running
