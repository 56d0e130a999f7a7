"""``r`` in the app sends an email reply (aiosmtpd on loopback), threaded under the customer's
mail, with a canned reply found by fuzzy search; ``x`` offers to email the resolution."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from aiosmtpd.controller import Controller
from mail_helpers import Inbox, free_port
from pilot_helpers import wait_until
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from ticket_helpers import AGENT, CONTACT, open_form, show_ticket, stored, submit, type_in

from deskui.services.actor import Actor
from deskui.services.intake.mail_in import ingest_message
from deskui.services.tickets.lifecycle import get_ticket, set_status
from deskui.settings import Settings
from deskui.store.session import Database
from deskui.ui.app import DeskApp
from deskui.ui.screens.forms.base import ActionForm

AppFactory = Callable[..., DeskApp]


@pytest.fixture
def sink() -> Iterator[Inbox]:
    inbox = Inbox(free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def written(sink: Inbox) -> list:
    """What a person wrote (not the automatic acknowledgements)."""
    return [m for m in sink.received if m["Auto-Submitted"] == "no"]


async def choose(pilot: Pilot[None], form: ActionForm, field: str, value: str) -> None:  # type: ignore[type-arg]
    """Pick ``value`` in a select with the keyboard (the first line is the blank prompt)."""
    select = form.query_one(f"#field-{field}", Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    spec = next(s for s in form.fields if s.name == field)
    values = [option for _, option in spec.options]
    await pilot.press("home", *["down"] * (values.index(value) + 1), "enter")
    await pilot.pause()
    assert select.value == value


def _mailed_ticket(settings: Settings) -> str:
    raw = (
        f"From: Linda Tran <{CONTACT}>\r\nTo: support@itworks.example\r\n"
        "Cc: sam.ortiz@pacific-state.example\r\nSubject: Fee statements print blank\r\n"
        "Message-ID: <ps1@pacific-state.example>\r\n\r\nEvery statement prints blank.\r\n"
    ).encode()
    assert settings.now is not None
    database = Database(settings.database_url)
    try:
        result = ingest_message(Actor.of(database, None, at=settings.now, settings=settings), raw)
    finally:
        database.dispose()
    assert result.action == "opened" and result.reference
    return result.reference


async def test_r_sends_the_reply_with_a_canned_text(
    make_app: AppFactory, demo_settings: Settings, sink: Inbox
) -> None:
    ref = _mailed_ticket(demo_settings)
    app = make_app(refresh_seconds=60.0, smtp_host="127.0.0.1", smtp_port=sink.port)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        form = await open_form(pilot, app, "r")
        assert form.values()["kind"] == "email-out"
        # Fuzzy: "trn ans" finds "Training issue answered".
        await type_in(pilot, form, "canned", "trn ans")
        form.query_one("#field-canned", Input).focus()
        await pilot.press("enter")
        body = form.query_one("#field-body", TextArea)
        await wait_until(pilot, lambda: "Hello Linda" in body.text)
        assert "rather than a fault" in body.text
        await type_in(pilot, form, "subject", "Your fee statements")
        await submit(pilot, app, form, screen)
        await wait_until(pilot, lambda: len(written(sink)) == 1)
    # The acknowledgement queued when the mail was filed goes out with it (auto-replied).
    reply = written(sink)[0]
    assert reply["Subject"] == f"[{ref}] Re: Your fee statements"
    assert reply["To"] == CONTACT
    assert reply["Cc"] == "sam.ortiz@pacific-state.example"
    assert f"[{ref}]" in reply["Subject"]
    assert reply["In-Reply-To"] == "<ps1@pacific-state.example>"
    assert reply["From"] == "support@itworks.example"
    sent = [e for e in stored(demo_settings, ref).interactions if e.kind == "email-out"]
    assert len(sent) == 1 and "Hello Linda" in sent[0].body


async def test_x_can_email_the_resolution(
    make_app: AppFactory, demo_settings: Settings, sink: Inbox
) -> None:
    ref = _mailed_ticket(demo_settings)
    database = Database(demo_settings.database_url)
    try:
        assert demo_settings.now is not None
        holder = get_ticket(database, ref, now=demo_settings.now).assignee or AGENT
        set_status(Actor.of(database, holder, at=demo_settings.now), ref, "acknowledged")
    finally:
        database.dispose()
    app = make_app(refresh_seconds=60.0, smtp_host="127.0.0.1", smtp_port=sink.port)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        form = await open_form(pilot, app, "x")
        # IT Works does not email resolutions by default; the agent chooses to.
        assert form.values()["tell_client"] == "no"
        await choose(pilot, form, "tell_client", "yes")
        await type_in(pilot, form, "summary", "Printer driver updated")
        await submit(pilot, app, form, screen)
        await wait_until(pilot, lambda: len(written(sink)) == 1)
    notice = written(sink)[0]
    assert notice["To"] == CONTACT and f"[{ref}]" in notice["Subject"]
    assert stored(demo_settings, ref).status == "resolved"
