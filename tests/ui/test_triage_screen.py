"""The triage checklist through the app (``t``): answer steps, leave it half-done, resume with
the answers back, trigger a reclassification; a non-approver pressing ``v`` is refused (and
the refusal is recorded); feedback (``f``) only on a resolved ticket.

The demo desk signs in mbrennan (IT Works training specialist, not an approver).
"""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import wait_until
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea
from ticket_helpers import AGENT, open_test_ticket, reloaded, show_ticket, triage_form

from deskui.services.actor import Actor
from deskui.services.tickets.lifecycle import acknowledge, resolve
from deskui.services.workflow import approvals, triage
from deskui.settings import Settings
from deskui.store.models import AuditRefusal
from deskui.store.session import Database
from deskui.ui.app import DeskApp
from deskui.ui.screens.forms.base import ActionForm
from deskui.ui.screens.help import KeysHelp
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.screens.triage import TriageScreen

AppFactory = Callable[..., DeskApp]


def notifications(app: DeskApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def open_triage(pilot: Pilot[None], app: DeskApp) -> TriageScreen:
    await pilot.press("t")
    await wait_until(pilot, lambda: isinstance(app.screen, TriageScreen))
    assert isinstance(app.screen, TriageScreen)
    await pilot.pause()
    return app.screen


async def answer(pilot: Pilot[None], form: TriageScreen, key: str, value: str, notes: str) -> None:
    form.query_one(f"#answer-{key}", Select).value = value
    field = form.query_one(f"#notes-{key}", Input)
    field.focus()
    await pilot.pause()
    await pilot.press(*notes)


async def test_triage_half_done_resumed_then_reclassified(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        form = await open_triage(pilot, app)
        assert [s.key for s in form.form.steps] == ["1", "2", "3", "4", "5", "5a", "5b", "5c"]
        assert "-substep" in form.query_one("#answer-5a").parent.classes  # type: ignore[union-attr]
        await answer(pilot, form, "1", "yes", "Seen on a web demo")
        await answer(pilot, form, "2", "no", "Their network is fine")
        loads = screen.loads
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        await reloaded(pilot, screen, loads)

        saved = triage_form(demo_settings, ref)
        assert [(s.key, s.answer, s.notes, s.answered_by) for s in saved.steps[:3]] == [
            ("1", "yes", "Seen on a web demo", AGENT),
            ("2", "no", "Their network is fine", AGENT),
            ("3", None, "", None),
        ]
        await wait_until(
            pilot, lambda: "triage 2/8" in str(screen.query_one("#workflow", Static).render())
        )

        # Resume: the saved answers are back in the form.
        form = await open_triage(pilot, app)
        assert form.query_one("#answer-1", Select).value == "yes"
        assert form.query_one("#notes-2", Input).value == "Their network is fine"
        assert form.query_one("#answer-3", Select).value is Select.NULL
        assert "2 of 8 steps answered" in str(form.query_one(".triage-intro", Static).render())

        # Only the outcomes of steps answered yes are offered: step 1's two, not step 2's.
        picker = form.query_one("#outcome", Select)
        assert [str(label) for label, _ in picker._options[1:]] == [
            "Step 1: the client made an operator error → reclassify as training",
            "Step 1: the client asks for new capabilities → reclassify as change-request "
            "and ask for approval",
        ]
        form.query_one("#answer-2", Select).value = "yes"
        await wait_until(pilot, lambda: len(picker._options) == 4)
        form.query_one("#answer-2", Select).value = "no"
        await wait_until(pilot, lambda: len(picker._options) == 3)
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: form.query_one("#triage-error").has_class("-shown"))
        assert "Choose an outcome first" in str(form.query_one("#triage-error", Static).render())

        # Step 1 is "yes": operator error → training, with a reason.
        form.query_one("#outcome", Select).value = "0"
        form.query_one("#outcome-text", Input).focus()
        await pilot.press(*"Operator error: wrong term filter")
        loads = screen.loads
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: app.screen is screen)
        await reloaded(pilot, screen, loads)
        await wait_until(
            pilot, lambda: screen.page is not None and screen.page.ticket.category == "training"
        )
        entry = screen.page.ticket.interactions[-1]
        assert (entry.kind, entry.body) == ("reclassification", "Operator error: wrong term filter")
        assert entry.meta["from"] == "technical"
        assert "reclassified as training" in notifications(app)


async def test_a_non_approver_is_refused_and_keys_are_listed(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    ref = open_test_ticket(demo_settings)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await show_ticket(app, pilot, ref)
        await pilot.press("v")
        await wait_until(pilot, lambda: "may not decide" in notifications(app))
        assert f"{AGENT} may not decide change and modification requests on {ref}" in (
            notifications(app)
        )
        assert "needs the approver role" in notifications(app)
        assert isinstance(app.screen, TicketScreen)
        await pilot.press("f")
        await wait_until(pilot, lambda: "feedback is recorded once" in notifications(app))
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, KeysHelp))
        keys = dict(app.screen.keys)  # type: ignore[attr-defined]
        assert keys == keys | {
            "t": "Triage checklist",
            "k": "Modification step done",
            "u": "Ask for approval",
            "v": "Approve/decline (approvers) (not your role)",  # dimmed: mbrennan is no approver
            "f": "Client feedback",
        }
    database = Database(demo_settings.database_url)
    try:
        with database.read() as session:
            refusal = session.scalars(select(AuditRefusal)).one()
        assert (refusal.actor, refusal.target) == (AGENT, ref)
    finally:
        database.dispose()


async def test_feedback_on_a_resolved_ticket(make_app: AppFactory, demo_settings: Settings) -> None:
    ref = open_test_ticket(demo_settings)
    database = Database(demo_settings.database_url)
    try:
        assert demo_settings.now is not None
        acknowledge(Actor.of(database, AGENT, at=demo_settings.now), ref)
        resolve(Actor.of(database, AGENT, at=demo_settings.now), ref, "Printer driver reset")
    finally:
        database.dispose()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen
        assert isinstance(form, ActionForm)
        form.query_one("#field-score", Select).value = "4"
        loads = screen.loads
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        await reloaded(pilot, screen, loads)
        assert screen.page is not None
        entry = screen.page.ticket.interactions[-1]
        assert (entry.kind, entry.meta) == ("feedback", {"score": 4})


async def test_an_approver_approves_and_the_steps_are_worked_from_the_app(
    make_app: AppFactory, demo_settings: Settings
) -> None:
    """sokafor (IT Works support manager, an approver) decides a change request with a quote;
    then the change-request steps are marked done with ``k``."""
    ref = open_test_ticket(demo_settings)
    database = Database(demo_settings.database_url)
    try:
        assert demo_settings.now is not None
        triage.reclassify(
            Actor.of(database, AGENT, at=demo_settings.now), ref, "change-request", "New report"
        )
        approvals.request_approval(
            Actor.of(database, AGENT, at=demo_settings.now), ref, "A fee report by term"
        )
    finally:
        database.dispose()
    app = make_app(agent="sokafor")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        await wait_until(
            pilot,
            lambda: "AWAITING APPROVAL" in str(screen.query_one("#workflow", Static).render()),
        )
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen
        assert isinstance(form, ActionForm)
        form.query_one("#field-decision", Select).value = "approved"
        form.query_one("#field-note", TextArea).text = "Worth it"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(form.errors) and not form.saving)
        assert form.errors == {"quote": "itworks-standard needs a quote with an approval"}
        form.query_one("#field-quote", Input).value = "USD 900"
        loads = screen.loads
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        await reloaded(pilot, screen, loads)
        await wait_until(
            pilot,
            lambda: "steps 0/10 done" in str(screen.query_one("#workflow", Static).render()),
        )

        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionForm))
        step = app.screen
        assert isinstance(step, ActionForm)
        assert step.form_title == f"Step CR1 done · {ref}"
        loads = screen.loads
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        await reloaded(pilot, screen, loads)
        await wait_until(
            pilot,
            lambda: (
                "steps 1/10 done · next CR2" in str(screen.query_one("#workflow", Static).render())
            ),
        )
