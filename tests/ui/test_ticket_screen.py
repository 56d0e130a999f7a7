"""The ticket screen: what it shows, and every key's form — pressed, filled, submitted, then
checked on the screen and in the database (through the ticket services).

Several keys share one app session (a ticket's life in order: take, assign, log, reply …) to
keep the suite quick; each step still asserts on the screen and on the stored ticket.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from ticket_helpers import (
    AGENT,
    open_form,
    open_test_ticket,
    press_and_reload,
    reloaded,
    screen_text,
    show_ticket,
    stored,
    submit,
    type_in,
)

from deskui.domain.vocabulary import Direction, InteractionKind
from deskui.services.actor import Actor
from deskui.services.tickets.lifecycle import assign
from deskui.settings import Settings
from deskui.store.models import Interaction
from deskui.store.search import index_tickets, pause_triggers, resume_triggers
from deskui.store.session import Database
from deskui.ui.app import DeskApp
from deskui.ui.screens.forms.base import ActionForm
from deskui.ui.screens.forms.text_modal import TextModal
from deskui.ui.screens.help import KeysHelp
from deskui.ui.screens.queue import QueueScreen
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.widgets.clock_panel import ClockPanel
from deskui.ui.widgets.interaction_log import InteractionLog, wrap_paragraph

AppFactory = Callable[..., DeskApp]
# The screen reloads after its own actions; polling for other people's changes is only
# needed by the test that makes one, and would slow every keypress of the others.
QUIET = 30.0


def log_text(screen: TicketScreen) -> str:
    return "\n".join(screen.query_one(InteractionLog).plain_lines())


def fields_text(screen: TicketScreen) -> str:
    return str(screen.query_one("#ticket-fields").render())


def notifications(app: DeskApp) -> str:
    """Every notification shown so far (the test harness does not draw toasts)."""
    return "\n".join(str(n.message) for n in app._notifications)


def clock_cell(screen: TicketScreen, clock: str, column: int) -> str:
    return str(screen.query_one(ClockPanel).get_row(clock)[column])


async def choose(pilot: Pilot[None], form: ActionForm, field: str, value: str) -> None:  # type: ignore[type-arg]
    """Pick ``value`` in a select with the keyboard: open it, go to the top, down to it."""
    select = form.query_one(f"#field-{field}", Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    spec = next(s for s in form.fields if s.name == field)
    values = [option for _, option in spec.options]
    # The first line of the list is the blank "Choose…" prompt.
    await pilot.press("home", *["down"] * (values.index(value) + 1), "enter")
    await pilot.pause()
    assert select.value == value


async def change_elsewhere(settings: Settings, ref: str, handle: str) -> None:
    """A colleague assigns the ticket from their own desk."""
    assert settings.now is not None
    database = Database(settings.database_url)
    try:
        assign(Actor.of(database, "jmorales", at=settings.now), ref, handle)
    finally:
        database.dispose()


# ---------------------------------------------------------------------- what it shows
async def test_fields_clocks_log_explanations_and_keys(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        fields = fields_text(screen)
        for expected in (
            "Organisation: Pacific State College",
            "Contract: ITW-PSC-0077, active",
            "Contact: Linda Tran <linda.tran@pacific-state.example> (designated liaison)",
            "Product: IT Works Finance",
            "Channel: email",
            "Category: technical",
            "Priority: High · requested: Medium — No workaround, one user, critical.",
            "Status: new",
            "Assignee: unassigned",
            "ETA: —",
        ):
            assert expected in fields
        panel = screen.query_one(ClockPanel)
        assert [str(key.value) for key in panel.rows] == [
            "acknowledgement",
            "response",
            "resolution",
        ]
        # Opened 09:00 in New York with 4h of business time to respond: due 13:00.
        assert [str(cell) for cell in panel.get_row("response")][1:] == [
            "4h",
            "Tue 01 Dec 13:00",
            "3h 00m left",
        ]
        text = screen_text(app)
        assert f"{ref} · Fee statements print blank" in text
        # The customer is in Los Angeles: their 06:00 beside the agent's 09:00.
        assert "Tue 01 Dec 09:00 (customer 06:00 PST)  email in  Linda Tran" in text
        assert "Since Monday every fee statement prints as a blank page." in text

        # s: the explanation of the clock under the cursor (the first).
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, TextModal))
        modal = app.screen
        assert isinstance(modal, TextModal)
        assert "acknowledgement" in modal.title_text and "itworks-et" in modal.text
        assert "Tue 01 Dec" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        # enter on a clock row: that clock's explanation.
        panel.focus()
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextModal))
        assert isinstance(app.screen, TextModal)
        assert "response" in app.screen.title_text
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)

        # ?: every key of the screen.
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, KeysHelp))
        assert isinstance(app.screen, KeysHelp)
        keys = dict(app.screen.keys)
        assert keys == keys | {
            "a": "Take it",
            "g": "Assign",
            "c": "Contact in",
            "r": "Reply",
            "m": "Remote session",
            "n": "Note",
            "p": "Priority",
            "w": "Wait/resume",
            "e": "ETA",
            "x": "Resolve",
            "o": "Reopen",
            "s": "Explain clock",
            "esc": "Back",
        }
        assert "Wait/resume" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)

        # escape: back to the queue.
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))


async def test_palette_go_to_ticket_actions_and_themes(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))

        # "Go to ticket by reference…": an unknown one is refused beside the field.
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"go to")
        await wait_until(pilot, lambda: "Go to ticket by reference…" in screen_text(app))
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen
        assert isinstance(form, ActionForm)
        await pilot.press(*"dsk-999999")
        await submit(pilot, app, form)
        assert form.errors == {"form": "no ticket 'DSK-999999'"}
        form.query_one("#field-reference", Input).value = ""
        await pilot.press(*ref.lower())
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketScreen))
        screen = app.screen
        assert isinstance(screen, TicketScreen) and screen.reference == ref
        await wait_until(pilot, lambda: screen.page is not None)

        # Every action of the screen is a command: "Take it" takes the ticket.
        loads = screen.loads
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"take it")
        await wait_until(pilot, lambda: "key a" in screen_text(app))
        await pilot.press("down", "enter")
        await reloaded(pilot, screen, loads)
        assert stored(demo_settings, ref).assignee == AGENT

        # Themes switch from the palette too.
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"theme: deskui-light")
        await wait_until(pilot, lambda: "Theme: deskui-light" in screen_text(app))
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.theme == "deskui-light")

        # A reference nobody has, opened directly, says so on the screen.
        missing = TicketScreen("dsk-999999")
        await app.push_screen(missing)
        problem = missing.query_one("#ticket-problem")
        await wait_until(pilot, lambda: problem.has_class("-shown"))
        assert "no ticket 'DSK-999999'" in str(problem.render())


# ---------------------------------------------------------------------- the keys
async def test_take_assign_contact_and_reply(make_app: AppFactory, demo_settings: Settings) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)

        # a: take it.
        await press_and_reload(pilot, screen, "a")
        ticket = stored(demo_settings, ref)
        assert (ticket.status, ticket.assignee) == ("acknowledged", AGENT)
        assert ticket.interactions[-1].kind == "acknowledgement"
        assert "Status: acknowledged" in fields_text(screen)
        assert "Assignee: Michael Brennan" in fields_text(screen)
        assert "acknowledged  Michael Brennan  new → acknowledged" in log_text(screen)
        assert clock_cell(screen, "acknowledgement", 3).startswith("met")

        # g: assign, picking from the agents.
        form = await open_form(pilot, app, "g")
        handles = [value for _, value in form.fields[0].options]
        assert AGENT in handles and "dpatel" in handles
        await choose(pilot, form, "assignee", "dpatel")
        # Giving away my own ticket cannot be undone by me: the first save only asks.
        await submit(pilot, app, form, screen)
        assert app.screen is form and "Only dpatel or a supervisor" in form.errors["form"]
        assert stored(demo_settings, ref).assignee == AGENT
        await submit(pilot, app, form, screen)
        assert stored(demo_settings, ref).assignee == "dpatel"
        assert "Assignee: Dev Patel" in fields_text(screen)
        assert f"assigned  Michael Brennan  {AGENT} → dpatel" in log_text(screen)

        # c: an inbound contact; the kind defaults to the ticket's channel.
        form = await open_form(pilot, app, "c")
        assert form.values()["kind"] == "email-in"
        await choose(pilot, form, "kind", "answerphone")
        await type_in(pilot, form, "author_name", "Sam Ortiz")
        await type_in(pilot, form, "body", "Still blank")
        await submit(pilot, app, form, screen)
        entry = stored(demo_settings, ref).interactions[-1]
        assert (entry.kind, entry.author, entry.body) == ("answerphone", "Sam Ortiz", "Still blank")
        assert "answerphone  Sam Ortiz" in log_text(screen)
        assert "  Still blank" in log_text(screen)

        # r: a reply, which meets the response clock.
        form = await open_form(pilot, app, "r")
        assert form.values()["kind"] == "email-out"
        await choose(pilot, form, "kind", "call-out")
        await type_in(pilot, form, "body", "Called back")
        await submit(pilot, app, form, screen)
        ticket = stored(demo_settings, ref)
        assert (ticket.interactions[-1].kind, ticket.interactions[-1].body) == (
            "call-out",
            "Called back",
        )
        assert ticket.clock("response").state == "met"
        assert "call back  Michael Brennan" in log_text(screen)
        assert clock_cell(screen, "response", 3) == "met, 3h 00m to spare"


async def test_remote_session_note_and_priority(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)

        # m: a remote session; a bad duration is refused beside its field.
        form = await open_form(pilot, app, "m")
        await type_in(pilot, form, "body", "New driver")
        await type_in(pilot, form, "minutes", "0")
        await submit(pilot, app, form)
        assert "at least 1" in form.errors["minutes"]
        assert "at least 1" in screen_text(app)
        assert form.query_one("#field-body", TextArea).text == "New driver"
        await pilot.press("backspace", "2", "5")
        await submit(pilot, app, form, screen)
        entry = stored(demo_settings, ref).interactions[-1]
        assert (entry.kind, entry.body, entry.meta.get("minutes")) == (
            "remote-session",
            "New driver",
            25,
        )
        assert "remote session  Michael Brennan  25 min" in log_text(screen)

        # n: a note is required text.
        form = await open_form(pilot, app, "n")
        await submit(pilot, app, form)
        assert form.errors == {"body": "the note is required"}
        assert "the note is required" in screen_text(app)
        await type_in(pilot, form, "body", "Began after patch")
        await submit(pilot, app, form, screen)
        entry = stored(demo_settings, ref).interactions[-1]
        assert (entry.kind, entry.direction, entry.body) == (
            "note",
            "internal",
            "Began after patch",
        )
        assert "note  Michael Brennan" in log_text(screen)

        # p: a reason is required; the same priority is refused by the service, beside it.
        form = await open_form(pilot, app, "p")
        await choose(pilot, form, "priority", "high")
        await submit(pilot, app, form)
        assert form.errors == {"reason": "a reason for the change is required"}
        await type_in(pilot, form, "reason", "All office")
        await submit(pilot, app, form)
        assert "already high" in form.errors["priority"]
        unchanged = stored(demo_settings, ref)
        assert (unchanged.priority.slug, len(unchanged.interactions)) == ("high", 3)
        await choose(pilot, form, "priority", "very-high")
        assert form.values() == {"priority": "very-high", "reason": "All office"}
        await submit(pilot, app, form, screen)
        ticket = stored(demo_settings, ref)
        assert ticket.priority.slug == "very-high"
        assert ticket.interactions[-1].body == "All office"
        assert "Priority: Very High" in fields_text(screen)
        # Very High responds within 2h of the 09:00 opening.
        assert clock_cell(screen, "response", 2) == "Tue 01 Dec 11:00"
        assert "priority  Michael Brennan  high → very-high" in log_text(screen)


async def test_wait_resume_eta_resolve_and_reopen(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)

        # w on a new ticket: it must be taken first, so no form opens.
        await pilot.press("w")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("o")  # nothing to reopen either
        await pilot.pause()
        assert app.screen is screen
        said = notifications(app)
        assert "a ticket that is new cannot become waiting-on-customer" in said
        assert "only a resolved ticket can be reopened" in said
        await press_and_reload(pilot, screen, "a")

        # w: wait on the customer (the resolution clock pauses) …
        form = await open_form(pilot, app, "w")
        assert form.submit_label == "Wait"
        await type_in(pilot, form, "note", "Need sample")
        await submit(pilot, app, form, screen)
        ticket = stored(demo_settings, ref)
        assert (ticket.status, ticket.clock("resolution").state) == (
            "waiting-on-customer",
            "paused",
        )
        assert "Status: waiting-on-customer" in fields_text(screen)
        assert clock_cell(screen, "resolution", 3).endswith("left (paused)")
        # … and w again resumes.
        form = await open_form(pilot, app, "w")
        assert form.submit_label == "Resume"
        await submit(pilot, app, form, screen)
        assert stored(demo_settings, ref).status == "in-progress"
        assert "Status: in-progress" in fields_text(screen)

        # e: the ETA, typed in the agent's zone; a bad one is refused and kept.
        form = await open_form(pilot, app, "e")
        await type_in(pilot, form, "eta", "soon")
        await submit(pilot, app, form)
        assert "YYYY-MM-DD HH:MM" in form.errors["eta"]
        assert form.values()["eta"] == "soon"
        form.query_one("#field-eta", Input).value = ""
        await type_in(pilot, form, "eta", "2026-12-02 16:30")
        await submit(pilot, app, form, screen)
        assert stored(demo_settings, ref).eta_at == dt.datetime(2026, 12, 2, 21, 30, tzinfo=dt.UTC)
        assert "ETA: Wed 02 Dec 16:30" in fields_text(screen)
        assert "ETA  Michael Brennan  none → Wed 02 Dec 16:30" in log_text(screen)

        # x: nothing breached, so the summary alone resolves it.
        form = await open_form(pilot, app, "x")
        await submit(pilot, app, form)
        assert form.errors == {"summary": "a resolution summary is required"}
        await type_in(pilot, form, "summary", "Reset profile")
        await submit(pilot, app, form, screen)
        assert stored(demo_settings, ref).status == "resolved"
        assert "Status: resolved" in fields_text(screen)

        # o: reopen, with a reason.
        form = await open_form(pilot, app, "o")
        await submit(pilot, app, form)
        assert form.errors == {"reason": "a reason for reopening is required"}
        await type_in(pilot, form, "reason", "Blank again")
        await submit(pilot, app, form, screen)
        ticket = stored(demo_settings, ref)
        assert (ticket.status, ticket.interactions[-1].body) == ("in-progress", "Blank again")
        assert "Status: in-progress" in fields_text(screen)


async def test_resolving_a_breached_ticket_needs_the_breach_reason(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings, hours_ago=24 * 6)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        assert clock_cell(screen, "response", 3).startswith("breached by")
        await press_and_reload(pilot, screen, "a")
        form = await open_form(pilot, app, "x")
        assert form.fields[1].required
        await type_in(pilot, form, "summary", "Patched")
        await submit(pilot, app, form)
        assert "breach" in form.errors["breach_reason"]
        assert form.query_one("#field-summary", TextArea).text == "Patched"
        await type_in(pilot, form, "breach_reason", "Vendor late")
        await submit(pilot, app, form, screen)
        ticket = stored(demo_settings, ref)
        assert ticket.status == "resolved"
        assert ticket.interactions[-1].meta["breach_reason"] == "Vendor late"
        assert "Breach reason: Vendor late" in log_text(screen)


async def test_stale_edit_keeps_the_draft_and_saves_only_when_asked_again(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        form = await open_form(pilot, app, "p")
        await choose(pilot, form, "priority", "very-high")
        await type_in(pilot, form, "reason", "Office down")
        await change_elsewhere(demo_settings, ref, "dpatel")
        await submit(pilot, app, form)
        assert app.screen is form
        assert "changed by someone else" in form.errors["form"]
        assert "Jorge Morales" in form.errors["form"]
        assert "draft is kept" in screen_text(app)
        assert form.values() == {"priority": "very-high", "reason": "Office down"}
        assert stored(demo_settings, ref).priority.slug == "high"  # nothing was applied
        await submit(pilot, app, form, screen)  # saving again is the agent's own decision
        ticket = stored(demo_settings, ref)
        assert (ticket.priority.slug, ticket.assignee) == ("very-high", "dpatel")
        assert "Priority: Very High" in fields_text(screen)
        # Taking a ticket someone else has is refused with their name, and changes nothing.
        await pilot.press("a")
        await wait_until(pilot, lambda: "already taken by Dev Patel" in notifications(app))
        assert stored(demo_settings, ref).assignee == "dpatel"


async def test_screen_reloads_when_someone_else_changes_the_ticket(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app(refresh_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        loads = screen.loads
        await change_elsewhere(demo_settings, ref, "dpatel")
        await reloaded(pilot, screen, loads)
        assert "Assignee: Dev Patel" in fields_text(screen)
        assert "assigned  Jorge Morales  none → dpatel" in log_text(screen)


# ---------------------------------------------------------------------- long logs
def add_log_entries(settings: Settings, ref: str, count: int) -> None:
    """``count`` notes in one transaction (the services would take one transaction each),
    loaded as the bulk loaders do: the search index's per-row triggers paused, the ticket
    indexed once at the end (appending 5,000 bodies one by one re-tokenises its growing
    document each time: over a minute)."""
    ticket = stored(settings, ref)
    assert settings.now is not None
    start = settings.now - dt.timedelta(minutes=50)
    body = "Checked the print spooler and the template cache again; no change. " * 3
    database = Database(settings.database_url)
    try:
        with database.write() as session:
            pause_triggers(session)
            session.add_all(
                Interaction(
                    ticket_id=ticket.ticket_id,
                    at=start + dt.timedelta(milliseconds=i),
                    kind=InteractionKind.NOTE,
                    direction=Direction.INTERNAL,
                    author_name="Night shift",
                    body=f"{body}#{i}",
                    meta={},
                    attachments=[],
                )
                for i in range(count)
            )
            session.flush()
            index_tickets(session, [ticket.ticket_id])
            resume_triggers(session)
    finally:
        database.dispose()


async def test_five_thousand_entries_in_one_widget(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings)
    add_log_entries(demo_settings, ref, 5000)
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
        # How fast it opens is measured by bench/ticket_log_bench.py, not here.
        screen = await show_ticket(app, pilot, ref)
        log = screen.query_one(InteractionLog)
        assert log.entry_count == 5001
        assert len(screen.query("*")) < 60  # one log widget, not one widget per entry
        # It opens at the newest entry; the oldest is a scroll away, and long bodies wrap.
        assert "#4999" in screen_text(app)
        assert log.line_count > 5001 * 3
        log.focus()
        await pilot.press("home")
        await pilot.pause()
        assert "email in  Linda Tran" in screen_text(app)


# ---------------------------------------------------------------------- wrapping
@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("short", 10, ["short"]),
        ("one two three four", 9, ["one two", "three", "four"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("ab 漢字漢字漢字", 6, ["ab", "漢字漢", "字漢字"]),
        ("", 5, [""]),
    ],
)
def test_wrap_paragraph(text: str, width: int, lines: list[str]) -> None:
    assert wrap_paragraph(text, width) == lines
