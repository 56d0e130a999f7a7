"""The ticket view: fields, SLA clocks with their explanations, the interaction log, and a key
(and a small form) for every action an agent takes on a ticket.

Everything that touches the database runs in thread workers, calling the services with the
signed-in ``Actor``; the UI thread only renders. The screen reloads the ticket when the app's
change feed (``DeskChanged``) says another process committed and the ticket's version moved, and
polls that version as a slow fallback, so a ticket with thousands of log entries is not re-read
every second; the countdowns tick from the data in memory. A reload keeps the log's scroll
position and any open form. Losing the database shows "offline" in the header and keeps what is
shown; the feed reconnects by itself and the screen reloads. A presence line says who else has
the ticket open (``deskui.services.access.presence``, a heartbeat worker). Customer text goes
through ``safe``/``visible_text``: never markup.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from deskui.domain.storage_errors import StoreUnavailableError
from deskui.domain.untrusted import visible_text
from deskui.domain.vocabulary import DONE_STATUSES, Status
from deskui.domain.workflow import IllegalTransitionError, check_transition
from deskui.services import authorization, tickets
from deskui.services.access import presence
from deskui.services.actor import Actor
from deskui.services.errors import TicketNotFoundError
from deskui.services.oncall import paging
from deskui.services.tickets.desk import DeskService
from deskui.services.tickets.lookups import (
    active_agents,
    explain_clocks,
    ticket_page,
    ticket_version,
)
from deskui.services.tickets.views import AgentChoice, TicketPage, TicketView
from deskui.services.workflow import approvals, modification, triage
from deskui.services.workflow.modification import WorkflowState
from deskui.services.workflow.triage import TriageForm, TriageOutcome, TriageStepView
from deskui.ui.formatting import local_time
from deskui.ui.landing import land
from deskui.ui.live import DeskChanged, FeedState
from deskui.ui.safe import safe
from deskui.ui.screens.forms import ticket_forms, workflow_forms
from deskui.ui.screens.forms.base import ActionForm
from deskui.ui.screens.forms.text_modal import TextModal
from deskui.ui.screens.help import show_keys
from deskui.ui.screens.triage import TriageScreen
from deskui.ui.widgets.clock_panel import ClockPanel, clock_state
from deskui.ui.widgets.desk_header import DeskHeader
from deskui.ui.widgets.interaction_log import InteractionLog, LogEntry, log_entries

if TYPE_CHECKING:
    from deskui.ui.app import DeskApp

CONTRACT_WORDS = {
    "active": "active",
    "expired": "EXPIRED",
    "not-yet-active": "not yet active",
    "none": "no contract",
}


def _field(label: str, value: Content | str) -> Content:
    return Content.assemble((f"{label}: ", "bold $text-muted"), value)


def ticket_fields(ticket: TicketView, zone: dt.tzinfo, now: dt.datetime | None = None) -> Content:
    """The ticket's fields as lines of ``label: value`` (customer text through ``safe``)."""
    contact = ticket.contact
    who = safe(contact.name or "unknown")
    if contact.email:
        who = who + Content(" <") + safe(contact.email) + Content(">")
    liaison = "designated liaison" if contact.is_liaison else "NOT a designated liaison"
    organisation = safe(ticket.organisation_name or "none")
    contract = CONTRACT_WORDS.get(ticket.contract_status, ticket.contract_status)
    if ticket.contract_reference:
        contract = f"{ticket.contract_reference}, {contract}"
    priority = Content.assemble((ticket.priority.label, "bold"))
    if ticket.priority.handled_as != ticket.priority.slug:
        priority += Content(f" (handled as {ticket.priority.handled_as})")
    requested = ticket.requested_priority
    if requested is not None and requested.slug != ticket.priority.slug:
        priority += Content(f" · requested: {requested.label}")
    elif requested is not None:
        priority += Content(" · as requested")
    definition = ticket.priority.definition or "no definition in the policy"
    sep = Content("   ")
    lines = [
        _field("Organisation", organisation) + sep + _field("Contract", contract),
        _field("Contact", who + Content(f" ({liaison})")),
        _field("Product", safe(ticket.product_name or "none"))
        + sep
        + _field("Channel", ticket.channel)
        + sep
        + _field("Category", ticket.category),
        _field("Priority", priority) + Content(f" — {definition}"),
        _field("Status", Content.assemble((ticket.status, "bold")))
        + sep
        + _field("Assignee", safe(ticket.assignee_name or "unassigned"))
        + sep
        + _field("ETA", local_time(ticket.eta_at, zone, now=now)),
    ]
    if ticket.flags:
        lines.append(_field("Flags", Content.assemble((", ".join(ticket.flags), "$warning"))))
    return Content("\n").join(lines)


class TicketScreen(Screen[None]):
    """One ticket, by reference."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("q", "back", "Back", show=False),
        Binding("a", "take", "Take it"),
        Binding("g", "assign", "Assign"),
        Binding("c", "contact", "Contact in"),
        Binding("r", "reply", "Reply"),
        Binding("m", "remote", "Remote session"),
        Binding("n", "note", "Note"),
        Binding("p", "priority", "Priority"),
        Binding("w", "waiting", "Wait/resume"),
        Binding("e", "eta", "ETA"),
        Binding("x", "resolve", "Resolve"),
        Binding("o", "reopen", "Reopen"),
        Binding("s", "explain", "Explain clock"),
        # The desks' workflows (deskui.ui.screens.triage, forms.workflow_forms): listed by ?,
        # kept out of the footer, which is full.
        Binding("t", "triage", "Triage checklist", show=False),
        Binding("k", "next_step", "Modification step done", show=False),
        Binding("u", "ask_approval", "Ask for approval", show=False),
        Binding("v", "decide", "Approve/decline (approvers)", show=False),
        Binding("f", "feedback", "Client feedback", show=False),
        Binding("P", "ack_page", "Ack page"),
        Binding("question_mark", "keys", "Keys"),
    ]

    DEFAULT_CSS = """
    TicketScreen #ticket-title { height: auto; padding: 0 1; text-style: bold; color: $primary; }
    TicketScreen #ticket-fields { height: auto; padding: 0 1; }
    TicketScreen #clocks { margin: 0 1; }
    TicketScreen #workflow { height: auto; padding: 0 1; display: none; }
    TicketScreen #workflow.-shown { display: block; }
    TicketScreen #log-title { height: 1; padding: 0 1; background: $panel; }
    TicketScreen #ticket-presence { height: auto; padding: 0 1; color: $warning; display: none; }
    TicketScreen #ticket-presence.-shown { display: block; }
    TicketScreen #ticket-problem { color: $error; padding: 0 1; display: none; }
    TicketScreen #ticket-problem.-shown { display: block; }
    """

    def __init__(self, reference: str) -> None:
        super().__init__()
        self.reference = reference.strip().upper()
        self.page: TicketPage | None = None
        self.loads = 0  # how many times a ticket was shown (tests wait on it)
        self.live = True
        self.offline = False  # the database cannot be reached (the header says so)
        self.viewers: list[presence.Viewer] = []  # other sessions with this ticket open
        self._session_id = presence.new_session_id()
        self._poll_timer: Timer | None = None
        self.workflow: WorkflowState | None = None

    @property
    def desk_app(self) -> DeskApp:
        from deskui.ui.app import DeskApp

        assert isinstance(self.app, DeskApp)
        return self.app

    @property
    def actor(self) -> Actor:
        return self.desk_app.desk.actor

    @property
    def zone(self) -> dt.tzinfo:
        return self.desk_app.desk.agent_zone

    def compose(self) -> ComposeResult:
        desk = self.desk_app.desk
        yield DeskHeader(desk.desk_name, desk.agent_label, desk.agent_zone)
        yield Static(Content(f"{self.reference} · loading…"), id="ticket-title")
        yield Static("", id="ticket-presence")
        yield Static("", id="ticket-problem")
        yield Static("", id="ticket-fields")
        yield Static("", id="workflow")
        yield ClockPanel(id="clocks")
        yield Static(Content("Log"), id="log-title")
        yield InteractionLog(id="log")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.reference
        self.query_one(ClockPanel).warning_seconds = self.desk_app.warning_seconds
        self.tick()
        self.set_interval(1.0, self._tick_if_shown)
        self.refresh_ticket()
        # Another agent's change reaches this screen through the app's change feed
        # (``on_desk_changed``); the version poll is only a slow safety net.
        self._beat()
        self.set_interval(presence.BEAT_SECONDS, self._beat)

    def on_unmount(self) -> None:
        # Off the UI thread, and not a screen worker (those end with the screen).
        threading.Thread(
            target=_leave_quietly,
            args=(self.desk_app.desk, self.reference, self._session_id),
            daemon=True,
        ).start()

    # ------------------------------------------------------------------ live
    def on_desk_changed(self, message: DeskChanged) -> None:
        if self.is_attached:
            self.refresh_ticket(force=False)

    def on_feed_state(self, message: FeedState) -> None:
        if not self.is_attached:
            return
        online = message.online
        self.offline = not online
        self.live = online
        self.tick()
        if online:  # back: show what changed meanwhile at once
            self.refresh_ticket(force=False)
            self._beat()

    @work(thread=True, exclusive=True, group="ticket-presence")
    def _beat(self) -> None:
        """Say this session has the ticket open; learn who else has (never on the UI thread)."""
        desk = self.desk_app.desk
        try:
            viewers = presence.beat(
                desk.database, self.reference, desk.agent.handle, self._session_id
            )
        except Exception:  # offline or no such ticket: the header or the title says so
            return
        if not get_current_worker().is_cancelled:
            land(self, self._show_viewers, viewers)

    def _show_viewers(self, viewers: list[presence.Viewer]) -> None:
        if not self.is_attached:
            return
        self.viewers = viewers
        line = self.query_one("#ticket-presence", Static)
        line.update(Content(presence.also_open_by(viewers, dt.datetime.now(dt.UTC))))
        line.set_class(bool(viewers), "-shown")

    # ------------------------------------------------------------------ data
    @work(thread=True, exclusive=True, group="ticket-refresh")
    def refresh_ticket(self, force: bool = True) -> None:
        """Reload the ticket (``force``) or only if its version moved; then poll again."""
        worker = get_current_worker()
        actor = self.actor
        try:
            known = self.page.ticket.version if self.page is not None else None
            if (
                not force
                and known is not None
                and ticket_version(actor.database, self.reference) == known
            ):
                land(self, self._set_live, True)
                return
            page = ticket_page(actor.database, self.reference, now=actor.now(), agent=actor.handle)
            entries = log_entries(
                page.ticket.interactions, self.zone, page.customer_timezone, actor.now()
            )
        except TicketNotFoundError as exc:
            land(self, self._missing, str(exc))
        except StoreUnavailableError:  # keep what is shown; the feed brings the app back
            land(self, self._went_offline)
        except Exception as exc:  # the database is away: keep what is shown, mark it stale
            land(self, self._went_stale, str(exc))
        else:
            if not worker.is_cancelled:
                land(self, self._show, page, entries)
        finally:
            if not worker.is_cancelled:
                land(self, self._schedule_poll)

    def _schedule_poll(self) -> None:
        if not self.is_attached:
            return
        if self._poll_timer is not None:
            self._poll_timer.stop()
        self._poll_timer = self.set_timer(
            max(self.desk_app.refresh_seconds, 0.5), lambda: self.refresh_ticket(force=False)
        )

    def _show(self, page: TicketPage, entries: list[LogEntry]) -> None:
        first = self.page is None
        self.page = page
        self.loads += 1
        ticket = page.ticket
        self.query_one("#ticket-problem", Static).remove_class("-shown")
        self.query_one("#ticket-title", Static).update(
            Content(f"{ticket.reference} · ") + safe(ticket.subject)
        )
        self.query_one("#ticket-fields", Static).update(
            ticket_fields(ticket, self.zone, self.actor.now())
        )
        count = len(ticket.interactions)
        self.query_one("#log-title", Static).update(
            Content(f"Log · {count} entr{'y' if count == 1 else 'ies'}, oldest first")
        )
        self.query_one(InteractionLog).show(entries, scroll_end=first)
        self.offline = False
        self._set_live(True)
        self._load_workflow()

    def _missing(self, message: str) -> None:
        problem = self.query_one("#ticket-problem", Static)
        problem.update(safe(message))
        problem.add_class("-shown")

    def _went_stale(self, reason: str) -> None:
        self._set_live(False)

    def _went_offline(self) -> None:
        self.offline = True
        self._set_live(False)

    def _set_live(self, live: bool) -> None:
        self.live = live
        self.tick()

    def clock_seconds(self, now: dt.datetime) -> dict[str, int | None]:
        """Each clock's business seconds as of ``now`` (running ones recomputed in memory)."""
        if self.page is None:
            return {}
        book = self.desk_app.desk.book
        seconds: dict[str, int | None] = {}
        for clock in self.page.ticket.clocks:
            value = clock.business_seconds
            ticking = clock.met_at is None and clock.state in ("running", "breached")
            if (
                ticking
                and clock.due_at is not None
                and clock.calendar is not None
                and clock.calendar in book
            ):
                value = book.get(clock.calendar).elapsed(now, clock.due_at)
            seconds[clock.clock] = value
        return seconds

    def breached_now(self) -> bool:
        if self.page is None:
            return False
        seconds = self.clock_seconds(self.desk_app.now())
        return any(
            clock_state(clock, seconds.get(clock.clock)) == "breached"
            for clock in self.page.ticket.clocks
        )

    def _tick_if_shown(self) -> None:
        # A screen under another one (the queue under a ticket) is not re-rendered every second
        # for nobody; it catches up when it comes back (``on_screen_resume``). ``is_current``
        # alone is not enough: Textual counts a screen under a full one as shown too, and its
        # repaint then dirtied the top screen every second. Under a modal form it is seen.
        top = self.app.screen
        if top is self or (self.is_current and isinstance(top, ModalScreen)):
            self.tick()

    def on_screen_resume(self) -> None:
        self.tick()

    def tick(self) -> None:
        """Re-render the header and the clocks from data in memory."""
        desk = self.desk_app.desk
        now = self.desk_app.now()
        self.query_one(DeskHeader).show(
            now, open_now=desk.is_open(now), live=self.live, offline=self.offline
        )
        if self.page is not None:
            self.query_one(ClockPanel).show(
                self.page.ticket.clocks, self.clock_seconds(now), self.zone
            )

    # ------------------------------------------------------------------ helpers
    def say(self, message: str, *, error: bool = False) -> None:
        """A notification; ``message`` may quote customer text, so never as markup."""
        self.notify(
            visible_text(message, keep_newlines=True),
            severity="error" if error else "information",
            markup=False,
        )

    def _loaded(self) -> TicketPage | None:
        if self.page is None:
            self.say(f"{self.reference} is still loading")
        return self.page

    def _open_form(self, form: ActionForm[Any], done: str) -> None:
        def closed(saved: bool | None) -> None:
            if saved:
                self.say(done)
                self.refresh_ticket()

        self.app.push_screen(form, callback=closed)

    def _allowed(self, wanted: Status) -> bool:
        """Whether the status may become ``wanted``; says why not if it may not."""
        assert self.page is not None
        try:
            check_transition(Status(self.page.ticket.status), wanted)
        except (IllegalTransitionError, ValueError) as exc:
            self.say(f"{self.reference}: {exc}", error=True)
            return False
        return True

    @work(thread=True, group="ticket-action")
    def _run(self, action: Callable[[], object], done: str) -> None:
        """A write with nothing to fill in (taking the ticket), off the UI thread."""
        try:
            action()
        except StoreUnavailableError:
            land(
                self,
                self.say,
                "Offline: the database cannot be reached; nothing was saved.",
                error=True,
            )
        except Exception as exc:  # ServiceError, StoreError: the message says what is wrong
            land(self, self.say, str(exc), error=True)
        else:
            land(self, self.say, done)
            land(self, self.refresh_ticket)

    # ------------------------------------------------------------------ keys
    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_keys(self) -> None:
        show_keys(self.app)

    def action_take(self) -> None:
        if self._loaded() is None:
            return
        actor, ref = self.actor, self.reference
        self._run(lambda: tickets.acknowledge(actor, ref), f"{ref} is yours")

    def action_ack_page(self) -> None:
        """Acknowledge the ticket's pages: the on-call escalation stops (SLA clocks untouched)."""
        if self._loaded() is None:
            return
        actor, ref = self.actor, self.reference
        self._run(lambda: paging.acknowledge_pages(actor, ref), f"{ref}: page acknowledged")

    def action_assign(self) -> None:
        if self._loaded() is not None:
            self._open_assign()

    @work(thread=True, exclusive=True, group="ticket-agents")
    def _open_assign(self) -> None:
        desk = self.desk_app.desk
        try:
            authorization.refuse_unless_may_assign(
                desk.database, desk.agent.handle, self.reference, at=desk.now()
            )
            agents = active_agents(desk.database)
        except Exception as exc:
            land(self, self.say, str(exc), error=True)
            return
        land(self, self._show_assign, agents)

    def _show_assign(self, agents: list[AgentChoice]) -> None:
        if self.page is not None:
            agent = self.desk_app.desk.agent
            form = ticket_forms.assign_form(
                self.actor,
                self.page,
                agents,
                me=agent.handle,
                supervisor="supervisor" in agent.roles,
            )
            self._open_form(form, f"{self.reference} reassigned")

    def action_contact(self) -> None:
        if (page := self._loaded()) is not None:
            self._open_form(ticket_forms.contact_form(self.actor, page), "Contact logged")

    def action_reply(self) -> None:
        if (page := self._loaded()) is not None:
            self._open_form(ticket_forms.reply_form(self.actor, page), "Reply logged")

    def action_remote(self) -> None:
        if (page := self._loaded()) is not None:
            form = ticket_forms.remote_session_form(self.actor, page)
            self._open_form(form, "Remote session logged")

    def action_note(self) -> None:
        if (page := self._loaded()) is not None:
            self._open_form(ticket_forms.note_form(self.actor, page), "Note added")

    def action_priority(self) -> None:
        if (page := self._loaded()) is not None:
            self._open_form(ticket_forms.priority_form(self.actor, page), "Priority changed")

    def action_waiting(self) -> None:
        if (page := self._loaded()) is None:
            return
        waiting = page.ticket.status != Status.WAITING_ON_CUSTOMER.value
        wanted = Status.WAITING_ON_CUSTOMER if waiting else Status.IN_PROGRESS
        if self._allowed(wanted):
            done = "Waiting on the customer" if waiting else "Work resumed"
            self._open_form(ticket_forms.waiting_form(self.actor, page), done)

    def action_eta(self) -> None:
        if (page := self._loaded()) is not None:
            form = ticket_forms.eta_form(self.actor, page, self.zone, self.desk_app.now())
            self._open_form(form, "ETA set")

    def action_resolve(self) -> None:
        if (page := self._loaded()) is not None and self._allowed(Status.RESOLVED):
            form = ticket_forms.resolve_form(self.actor, page, breached=self.breached_now())
            self._open_form(form, f"{self.reference} resolved")

    def action_reopen(self) -> None:
        if (page := self._loaded()) is not None:
            if page.ticket.status != Status.RESOLVED.value:
                self.say(
                    f"{self.reference} is {page.ticket.status}: only a resolved ticket can be "
                    "reopened",
                    error=True,
                )
                return
            self._open_form(ticket_forms.reopen_form(self.actor, page), "Reopened")

    def action_explain(self, clock: str | None = None) -> None:
        if self._loaded() is None:
            return
        self._explain(clock or self.query_one(ClockPanel).current_clock)

    @work(thread=True, exclusive=True, group="ticket-explain")
    def _explain(self, clock: str | None) -> None:
        try:
            actor = self.actor
            text = explain_clocks(actor.database, self.reference, now=actor.now(), clock=clock)
        except Exception as exc:
            land(self, self.say, str(exc), error=True)
            return
        title = f"{self.reference} · why the {clock or 'SLA'} clock is due when it is"
        land(self, self.app.push_screen, TextModal(title, text))

    # ------------------------------------------------------------------ workflow
    @work(thread=True, exclusive=True, group="ticket-workflow")
    def _load_workflow(self) -> None:
        try:
            state = modification.workflow_state(self.actor.database, self.reference)
        except Exception:  # the line is extra information: keep the last one shown
            return
        land(self, self._show_workflow, state)

    def _show_workflow(self, state: WorkflowState) -> None:
        self.workflow = state
        line = workflow_forms.workflow_summary(state)
        if state.eta_at is not None and state.tasks:
            line += f" · ETA {local_time(state.eta_at, self.zone, now=self.actor.now())}"
        box = self.query_one("#workflow", Static)
        box.update(_field("Workflow", safe(line)) if line else "")
        box.set_class(bool(line), "-shown")

    def _with_workflow(self, then: Callable[[WorkflowState], None]) -> None:
        """Read the workflow fresh (off the UI thread), then open what ``then`` opens."""
        if self._loaded() is not None:
            self._fetch_workflow(then)

    @work(thread=True, group="ticket-workflow-action")
    def _fetch_workflow(self, then: Callable[[WorkflowState], None]) -> None:
        try:
            state = modification.workflow_state(self.actor.database, self.reference)
        except Exception as exc:
            land(self, self.say, str(exc), error=True)
            return
        land(self, then, state)

    def action_triage(self) -> None:
        if self._loaded() is not None:
            self._open_triage()

    @work(thread=True, exclusive=True, group="ticket-triage")
    def _open_triage(self) -> None:
        try:
            form = triage.triage_form(self.actor.database, self.reference)
        except Exception as exc:  # no checklist for this policy or team, a database error
            land(self, self.say, str(exc), error=True)
            return
        land(self, self._show_triage, form)

    def _show_triage(self, form: TriageForm) -> None:
        actor, ref, zone = self.actor, self.reference, self.zone

        def save(answers: dict[str, tuple[str, str]]) -> object:
            return triage.record_answers(actor, ref, answers)

        def apply(outcome: TriageOutcome, text: str) -> str:
            done: list[str] = []
            if outcome.reclassify:
                triage.reclassify(actor, ref, outcome.reclassify, text)
                done.append(f"reclassified as {outcome.reclassify}")
            if outcome.start == "approval":
                approvals.request_approval(actor, ref, text)
                done.append("put to the approvers")
            elif outcome.start == "modification":
                modification.start_modification(actor, ref, workaround=text or None)
                done.append("modification steps started")
            return f"{ref}: " + ", ".join(done)

        def saved_at(step: TriageStepView) -> str:
            when = local_time(step.answered_at, zone)
            return f", {when}" if step.answered_at is not None else ""

        def closed(wrote: bool | None) -> None:
            if wrote:
                self.say("Triage saved")
                self.refresh_ticket()

        self.app.push_screen(TriageScreen(form, save, apply, zone_label=saved_at), closed)

    def action_next_step(self) -> None:
        def open_step(state: WorkflowState) -> None:
            task = state.next_task
            if task is None:
                why = "every step is done" if state.tasks else "no modification steps started"
                self.say(f"{self.reference}: {why} (start them from the triage outcome, t)")
                return
            form = workflow_forms.step_form(self.actor, state, task)
            self._open_form(form, f"Step {task.label} done")

        self._with_workflow(open_step)

    def action_ask_approval(self) -> None:
        if self._loaded() is not None:
            form = workflow_forms.request_form(self.actor, self.reference)
            self._open_form(form, "Put to the approvers")

    def action_decide(self) -> None:
        if self._loaded() is not None:
            self._check_approver()

    @work(thread=True, group="ticket-workflow-action")
    def _check_approver(self) -> None:
        actor = self.actor
        try:
            # RoleRefusedError (recorded) unless the signed-in agent is an approver.
            approvals.require_approver(actor, self.reference)
            state = modification.workflow_state(actor.database, self.reference)
        except Exception as exc:  # RoleRefusedError says who needs which role
            land(self, self.say, str(exc), error=True)
            return
        land(self, self._show_decision, state)

    def _show_decision(self, state: WorkflowState) -> None:
        if not state.awaiting_approval:
            self.say(f"{self.reference} has no request waiting for an approver", error=True)
            return
        self._open_form(workflow_forms.decision_form(self.actor, state), "Decision recorded")

    def action_feedback(self) -> None:
        if (page := self._loaded()) is None:
            return
        if Status(page.ticket.status) not in DONE_STATUSES:
            self.say(
                f"{self.reference} is {page.ticket.status}: feedback is recorded once it is "
                "resolved or closed",
                error=True,
            )
            return
        self._open_form(workflow_forms.feedback_form(self.actor, self.reference), "Feedback kept")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if isinstance(event.data_table, ClockPanel):
            event.stop()
            self.action_explain(str(event.row_key.value))


def _leave_quietly(desk: DeskService, ref: str, session_id: str) -> None:
    """Remove this session's presence row; an offline app's row simply goes stale."""
    try:
        presence.leave(desk.database, ref, session_id)
    except Exception:
        return
