"""``n`` (the new-ticket form) and ``Q`` (the mail quarantine) on the demo desk, through pilots.

The demo clock is Tue 1 Dec 2026 15:00 UTC. Great Lakes Beverage has a Kenco contract whose
liaison is Janet Kowalski; Greg Ellis is a contact but not a liaison. Lakeside Community
College's IT Works contract ended in 2025 (no entitlement).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pilot_helpers import wait_until
from sqlalchemy import select
from textual.widgets import DataTable, Input, Select, Static, TextArea
from ticket_helpers import (
    open_form,
    open_test_ticket,
    press_and_reload,
    show_ticket,
    stored,
    submit,
    type_in,
)

from deskui.services.intake.mail_in import ingest_message
from deskui.services.intake.quarantine import list_quarantine
from deskui.services.tickets.views import InteractionView
from deskui.settings import Settings
from deskui.store.models import OutboundMail, Ticket
from deskui.ui.app import DeskApp
from deskui.ui.screens.forms.new_ticket import NewTicketForm
from deskui.ui.screens.quarantine import QuarantineScreen
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.widgets.interaction_log import log_entry


def _text(app: DeskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _open_form(app: DeskApp, pilot) -> NewTicketForm:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: app.screen.query("#table-open"))
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, NewTicketForm))
    form = app.screen
    assert isinstance(form, NewTicketForm)
    return form


async def test_new_ticket_form_searches_flags_keeps_values_and_saves(
    make_app: Callable[..., DeskApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(app, pilot)
        # Type to search: the matches are listed, and the exact name picks the organisation.
        await pilot.press(*"great")
        await wait_until(pilot, lambda: "Great Lakes Beverage" in _text(app, "#org-matches"))
        # The suggestion completes the name (right arrow takes it): the organisation is chosen.
        await pilot.press("right")
        organisation = form.query_one("#field-organisation", Input)
        await wait_until(pilot, lambda: organisation.value == "Great Lakes Beverage Co.")
        await wait_until(pilot, lambda: form.facts is not None)
        contact = form.query_one("#field-contact_email", Select)
        assert contact.value == "greg.ellis@great-lakes-beverage.example"  # first by name
        assert form.query_one("#field-team", Select).value == "kenco"
        await wait_until(pilot, lambda: "not a liaison" in _text(app, "#entitlement"))
        assert "policy kenco-wes" in _text(app, "#entitlement")
        # The liaison clears the flag; the priority definitions are shown.
        contact.value = "janet.kowalski@great-lakes-beverage.example"
        await wait_until(pilot, lambda: "⚑" not in _text(app, "#entitlement"))
        assert "Location down" in _text(app, "#priority-help")
        form.query_one("#field-channel", Select).value = "phone"
        form.query_one("#field-category", Select).value = "technical"
        form.query_one("#field-priority", Select).value = "location-down"
        await wait_until(pilot, lambda: "▶ Location down" in _text(app, "#priority-help"))
        form.query_one("#field-description", TextArea).text = "Every scanner is offline."
        # No subject: the error is beside it and nothing typed is lost.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "a subject is required" in _text(app, "#error-subject"))
        assert organisation.value == "Great Lakes Beverage Co."
        assert form.query_one("#field-description", TextArea).text == "Every scanner is offline."
        assert form.query_one("#field-priority", Select).value == "location-down"

        form.query_one("#field-subject", Input).value = "Scanners offline"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        reference = app.screen.reference
        with app.desk.database.read() as session:
            row = session.scalars(select(Ticket).where(Ticket.reference == reference)).one()
            assert (row.subject, row.priority, row.flag_non_liaison) == (
                "Scanners offline",
                "location-down",
                False,
            )
            assert row.assignee_id is not None  # routed
        await wait_until(pilot, lambda: "Scanners offline" in _text(app, "#ticket-title"))


async def test_a_web_ticket_from_the_form_is_acknowledged_from_the_configured_domain(
    make_app: Callable[..., DeskApp],
) -> None:
    # The app reads the desk's From address from the settings, as `deskui ticket new` does.
    app = make_app(mail_from="Help Desk <help@desk.example>")
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(app, pilot)
        await pilot.press(*"Great Lakes Beverage Co.")
        await wait_until(pilot, lambda: form.facts is not None)
        form.query_one(
            "#field-contact_email", Select
        ).value = "janet.kowalski@great-lakes-beverage.example"
        form.query_one("#field-channel", Select).value = "web"
        form.query_one("#field-category", Select).value = "technical"
        form.query_one("#field-priority", Select).value = "location-down"
        form.query_one("#field-subject", Input).value = "Portal login fails"
        form.query_one("#field-description", TextArea).text = "Nobody can sign in."
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        reference = app.screen.reference
    with app.desk.database.read() as session:
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.reference == reference))
        ids = list(
            session.scalars(
                select(OutboundMail.message_id).where(OutboundMail.ticket_id == ticket_id)
            )
        )
    assert len(ids) == 1 and ids[0].endswith("@desk.example>"), ids


async def test_no_entitlement_is_flagged_but_does_not_block(
    make_app: Callable[..., DeskApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(app, pilot)
        form.query_one("#field-organisation", Input).value = "lakeside-community-college"
        await wait_until(pilot, lambda: form.facts is not None)
        form.query_one("#field-team", Select).value = "itworks"
        await wait_until(pilot, lambda: "no entitlement" in _text(app, "#entitlement"))
        assert "no active contract" in _text(app, "#entitlement")
        for name, value in (("channel", "email"), ("category", "training")):
            form.query_one(f"#field-{name}", Select).value = value
        await wait_until(pilot, lambda: form.entitlement is not None)
        form.query_one("#field-priority", Select).value = form.entitlement.priorities[-1].slug
        form.query_one("#field-subject", Input).value = "How do I enrol?"
        form.query_one("#field-description", TextArea).text = "Asked by phone."
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        with app.desk.database.read() as session:
            row = session.scalars(
                select(Ticket).where(Ticket.reference == app.screen.reference)
            ).one()
            assert row.flag_no_entitlement is True


async def test_quarantine_lists_shows_raw_safely_and_dismisses(
    make_app: Callable[..., DeskApp],
) -> None:
    app = make_app()
    waiting = len(list_quarantine(app.desk.database))  # the demo's own, received earlier
    raw = b"Subject: \x1b[31mred\r\n\r\nno sender here \x1b]0;owned\x07\r\n"
    held = ingest_message(app.desk.actor.as_system(), raw)
    assert held.action == "quarantined"
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.query("#table-open"))
        await pilot.press("Q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuarantineScreen))
        table = app.screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == waiting + 1)
        await wait_until(pilot, lambda: "no sender here" in _text(app, "#raw"))
        shown = _text(app, "#raw")
        assert "\x1b" not in shown and "␛]0;owned␇" in shown
        assert "no From header" in _text(app, "#raw")
        await pilot.press("d")
        await wait_until(pilot, lambda: app.screen.query("#field-note"))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "say why" in _text(app, "#error-note"))
        app.screen.query_one("#field-note", Input).value = "test message"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, QuarantineScreen))
        await wait_until(pilot, lambda: app.screen.query_one(DataTable).row_count == waiting)


async def test_quarantine_retry_with_a_team_files_the_message(
    make_app: Callable[..., DeskApp],
) -> None:
    app = make_app()
    waiting = len(list_quarantine(app.desk.database))  # the demo's own, received earlier
    raw = (
        b"From: Stranger <stranger@elsewhere.example>\r\nSubject: Help please\r\n"
        b"Message-ID: <s1@elsewhere.example>\r\n\r\nOur scanners are down.\r\n"
    )
    held = ingest_message(app.desk.actor.as_system(), raw)
    assert held.action == "quarantined" and "which team" in (held.reason or "")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.query("#table-open"))
        await pilot.press("Q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuarantineScreen))
        # Newest first: the cursor is on this message.
        await wait_until(pilot, lambda: app.screen.query_one(DataTable).row_count == waiting + 1)
        await pilot.press("r")
        await wait_until(pilot, lambda: app.screen.query("#field-team"))
        # The teams are offered in a list: nothing to mistype.
        team = app.screen.query_one("#field-team", Select)
        offered = [value for _, value in team._options if value is not Select.NULL]
        assert "kenco" in offered and len(offered) > 1
        # No team and no ticket: refused, the message stays where it was.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "which team" in _text(app, "#form-error"))
        team.value = "kenco"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, QuarantineScreen))
        await wait_until(pilot, lambda: app.screen.query_one(DataTable).row_count == waiting)
        # It says which ticket the message became.
        await wait_until(pilot, lambda: "opened DSK-" in _text(app, "#quarantine-status"))
    with app.desk.database.read() as session:
        row = session.scalars(select(Ticket).where(Ticket.subject == "Help please")).one()
        assert row.flag_no_entitlement and row.requester_email == "stranger@elsewhere.example"
    assert f"Message #{held.quarantine_id}: opened {row.reference}" in "\n".join(
        str(n.message) for n in app._notifications
    )


async def test_c_on_a_waiting_ticket_resumes_it(
    make_app: Callable[..., DeskApp], demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=60.0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        await press_and_reload(pilot, screen, "a")
        form = await open_form(pilot, app, "w")
        await submit(pilot, app, form, screen)
        assert stored(demo_settings, ref).status == "waiting-on-customer"
        form = await open_form(pilot, app, "c")
        await type_in(pilot, form, "body", "Here is the sample you asked for")
        await submit(pilot, app, form, screen)
        ticket = stored(demo_settings, ref)
        assert ticket.status == "in-progress"
        assert ticket.interactions[-1].body == "The customer replied by email: work resumes."


def test_attachments_are_listed_on_the_log_entry() -> None:
    entry = InteractionView(
        id=1,
        at=dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC),
        kind="email-in",
        direction="in",
        author="Maria",
        author_handle=None,
        body="See attached",
        meta={},
        attachments=({"name": "scan\x1b[2J.pdf", "size": 1234, "content_type": "application/pdf"},),
    )
    shown = log_entry(entry, dt.UTC, None)
    assert shown.body == "See attached\nAttachments: scan␛[2J.pdf (1234 bytes, application/pdf)"
