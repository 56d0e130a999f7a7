"""Paging in the app: the header says who is on call for a Kenco agent (and nothing for an agent
whose team has no rotation), a paged ticket's log shows the page, and ``P`` acknowledges it."""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import wait_until
from ticket_helpers import screen_text, show_ticket

from deskui.domain.vocabulary import PageStatus
from deskui.services.actor import Actor
from deskui.services.intake import open_ticket
from deskui.services.oncall.paging import list_pages
from deskui.services.oncall.status import on_call_line
from deskui.services.tickets.draft import TicketDraft
from deskui.settings import Settings
from deskui.store.session import Database
from deskui.ui.app import DeskApp
from deskui.ui.screens.help import KeysHelp
from deskui.ui.widgets.desk_header import DeskHeader
from deskui.ui.widgets.interaction_log import InteractionLog

AppFactory = Callable[..., DeskApp]
QUIET = 30.0


def open_top_priority(settings: Settings) -> str:
    """A Kenco location-down ticket at the frozen now (business hours): it pages."""
    assert settings.now is not None
    database = Database(settings.database_url)
    try:
        draft = TicketDraft(
            team="kenco",
            subject="Dock 2 cannot use WES",
            channel="phone",
            category="technical",
            organisation="acme-foods",
            priority="location-down",
        )
        return open_ticket(Actor.of(database, None, at=settings.now), draft).reference
    finally:
        database.dispose()


def pages(settings: Settings, ref: str) -> set[PageStatus]:
    database = Database(settings.database_url)
    try:
        return {page.status for page in list_pages(database, ticket=ref)}
    finally:
        database.dispose()


async def test_header_on_call_page_in_the_log_and_p_acknowledges(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    ref = open_top_priority(demo_settings)
    # Tuesday 1 December, week 48 of Kenco's rota: Jorge primary, Dev secondary.
    app = make_app(agent="lchen", refresh_seconds=QUIET)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: "on call: kenco jmorales/dpatel" in screen_text(app))
        screen = await show_ticket(app, pilot, ref)
        log = "\n".join(screen.query_one(InteractionLog).plain_lines())
        assert "paging Jorge Morales (jmorales) as primary by email and webhook: top" in log
        assert pages(demo_settings, ref) == {PageStatus.PENDING}

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, KeysHelp))
        assert ("P", "Ack page") in app.screen.keys
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)

        await pilot.press("P")
        await wait_until(pilot, lambda: pages(demo_settings, ref) == {PageStatus.ACKNOWLEDGED})
        await wait_until(
            pilot,
            lambda: (
                "page acknowledged by Lin Chen (lchen)"
                in "\n".join(screen.query_one(InteractionLog).plain_lines())
            ),
        )
        # Again: nothing left to acknowledge, said as an error.
        await pilot.press("P")
        await wait_until(
            pilot,
            lambda: any("no unacknowledged pages" in str(n.message) for n in app._notifications),
        )


async def test_no_rotation_no_on_call_in_the_header(make_app: AppFactory) -> None:
    app = make_app(refresh_seconds=QUIET)  # mbrennan of IT Works: no rotation
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: "OPEN" in screen_text(app))
        assert on_call_line(app.desk.database, app.desk.agent.handle, app.desk.now()) is None
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(DeskHeader).on_call is None
        assert "on call" not in screen_text(app)
