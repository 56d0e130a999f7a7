"""The ticket actions as the signed-in agent does them: ``by`` and ``at`` filled in for the UI.

``DeskActions`` wraps the ticket lifecycle services (``deskui.services.tickets.lifecycle``) with one
method per action. Each fills ``by`` with the signed-in agent's handle and ``at`` with the
desk's clock, so a screen only says *what* to do. It also answers the few questions the ticket
screen and its forms ask of the database (the ticket with its customer's time zone, the agents
to assign to, the priorities to choose from, references matching what was typed), so the UI
never touches the store. Every method does blocking database work: call it from a thread
worker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select

from deskui.domain.sla.explain import render_explanation
from deskui.domain.sla.policy import PolicySpec
from deskui.domain.vocabulary import InteractionKind
from deskui.services import tickets
from deskui.services.mail import replies
from deskui.services.mail.outbox import mail_domain, send_pending
from deskui.services.mail.smtp import mail_configured
from deskui.services.oncall import paging
from deskui.services.oncall import status as oncall_status
from deskui.services.supervision import board
from deskui.services.tickets.desk import DeskService
from deskui.services.tickets.reads import priority_view
from deskui.services.tickets.sla_context import sla_context
from deskui.services.tickets.sla_explain import ticket_explanations
from deskui.services.tickets.unit_of_work import normalise_reference
from deskui.services.tickets.views import PriorityView, TicketView
from deskui.services.workflow import approvals, feedback, modification, triage
from deskui.settings import Settings
from deskui.store.models import Agent, Contact, Organisation, Ticket


@dataclass(frozen=True, slots=True)
class AgentChoice:
    """An agent a ticket can be assigned to."""

    handle: str
    name: str


@dataclass(frozen=True, slots=True)
class TicketMatch:
    """A ticket whose reference matched what was typed (for "go to ticket")."""

    reference: str
    subject: str
    status: str


@dataclass(frozen=True, slots=True)
class TicketPage:
    """What the ticket screen shows: the ticket, plus what the view model does not carry.

    ``customer_timezone`` is the contact's zone, else the organisation's (``None`` when the
    ticket has neither); ``priorities`` are the ticket policy's, highest first, for the
    change-priority form.
    """

    ticket: TicketView
    customer_timezone: str | None
    priorities: tuple[PriorityView, ...]
    # The team's canned replies filled in for this ticket (the reply form searches them) and
    # whether resolving emails the summary to the client unless the agent says not to.
    canned: tuple[replies.CannedReply, ...] = ()
    tells_client: bool = False


class DeskActions:
    """The signed-in agent's ticket actions on ``desk``'s database."""

    def __init__(self, desk: DeskService) -> None:
        self.desk = desk

    @property
    def handle(self) -> str:
        return self.desk.agent.handle

    def _now(self) -> dt.datetime:
        return self.desk.now()

    # ------------------------------------------------------------------ reading
    def page(self, ref: str) -> TicketPage:
        """The ticket as it stands now; ``TicketNotFoundError`` if there is none."""
        database = self.desk.database
        view = tickets.get_ticket(database, ref, now=self._now())
        with database.read() as session:
            zones = session.execute(
                select(Contact.timezone, Organisation.timezone)
                .select_from(Ticket)
                .outerjoin(Contact, Contact.id == Ticket.contact_id)
                .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)
                .where(Ticket.id == view.ticket_id)
            ).one_or_none()
        customer_zone = (zones[0] or zones[1]) if zones is not None else None
        policy = self._policy(view.policy)
        priorities = (
            tuple(priority_view(policy, p.slug) for p in policy.priorities) if policy else ()
        )
        canned = tuple(self.canned_replies(ref))
        return TicketPage(
            view, customer_zone, priorities, canned, self.tells_client_by_default(ref)
        )

    def _policy(self, name: str) -> PolicySpec | None:
        policy = self.desk.policies.get(name)
        if policy is None:
            policy = sla_context(self.desk.database).policies.get(name)
        return policy

    def version(self, ref: str) -> int | None:
        """The ticket's current version (cheap: the screen polls it to know when to reload)."""
        with self.desk.database.read() as session:
            return session.scalar(
                select(Ticket.version).where(Ticket.reference == normalise_reference(ref))
            )

    def agents(self) -> list[AgentChoice]:
        """Active agents, by name."""
        with self.desk.database.read() as session:
            rows = session.execute(
                select(Agent.handle, Agent.name).where(Agent.active).order_by(Agent.name)
            )
            return [AgentChoice(handle, name) for handle, name in rows]

    def find_tickets(self, text: str, *, limit: int = 10) -> list[TicketMatch]:
        """Tickets whose reference contains ``text`` (case-insensitive), newest first."""
        wanted = normalise_reference(text)
        if not wanted:
            return []
        with self.desk.database.read() as session:
            rows = session.execute(
                select(Ticket.reference, Ticket.subject, Ticket.status)
                .where(
                    or_(
                        Ticket.reference == wanted,
                        Ticket.reference.contains(wanted, autoescape=True),
                    )
                )
                .order_by(Ticket.id.desc())
                .limit(limit)
            )
            return [TicketMatch(ref, subject, str(status.value)) for ref, subject, status in rows]

    def explain(self, ref: str, clock: str | None = None) -> str:
        """Plain text: why the ticket's clock ``clock`` (or every clock) is due when it is."""
        heading, explanations = ticket_explanations(self.desk.database, ref, now=self._now())
        chosen = [e for e in explanations if clock is None or e.clock.value == clock]
        return "\n\n".join([heading, *(render_explanation(e) for e in chosen)])

    # ------------------------------------------------------------------ actions
    def acknowledge_pages(self, ref: str) -> int:
        """Acknowledge the ticket's pages (paging, issue 8); the number acknowledged."""
        return paging.acknowledge_pages(self.desk.database, ref, by=self.handle, at=self._now())

    def on_call_line(self) -> str | None:
        """Who is on call now for the agent's teams (paging, issue 8), for the header."""
        return oncall_status.on_call_line(self.desk.database, self.handle, self._now())

    def acknowledge(self, ref: str) -> int:
        return tickets.acknowledge(self.desk.database, ref, by=self.handle, at=self._now())

    def assign(self, ref: str, handle: str | None, *, expected_version: int | None) -> int:
        return tickets.assign(
            self.desk.database,
            ref,
            handle,
            by=self.handle,
            at=self._now(),
            expected_version=expected_version,
        )

    def log_contact(
        self, ref: str, kind: InteractionKind | str, body: str, *, author_name: str | None = None
    ) -> int:
        return tickets.log_contact(
            self.desk.database,
            ref,
            kind,
            body,
            by=self.handle,
            at=self._now(),
            author_name=author_name,
            # The customer getting in touch resumes a waiting ticket or reopens a resolved one.
            resume=True,
        )

    def reply(
        self, ref: str, kind: InteractionKind | str, body: str, *, subject: str | None = None
    ) -> int:
        """Log a reply; an email one is also sent, after the commit, through the outbox
        (``subject``: the email's, else ``[REF] Re: <the ticket's subject>``)."""
        if str(getattr(kind, "value", kind)) != InteractionKind.EMAIL_OUT.value:
            return tickets.reply(
                self.desk.database, ref, kind, body, by=self.handle, at=self._now()
            )
        settings = self.desk.settings or Settings()
        now = self._now()
        version = replies.send_reply(
            self.desk.database,
            ref,
            body,
            by=self.handle,
            at=now,
            domain=mail_domain(settings),
            subject=subject,
        )
        self._send(settings, now)
        return version

    def _send(self, settings: Settings, now: dt.datetime) -> None:
        # A failure stays in the outbox (retried, logged on the ticket): never lost here.
        if mail_configured(settings):
            send_pending(self.desk.database, settings, at=now)

    def canned_replies(self, ref: str, query: str = "") -> list[replies.CannedReply]:
        """The ticket team's canned replies matching ``query``, filled in for this ticket."""
        return replies.canned_replies(
            self.desk.database, ref, agent_name=self.desk.agent.name, query=query
        )

    def tells_client_by_default(self, ref: str) -> bool:
        return replies.tells_client_by_default(self.desk.database, ref)

    def log_remote_session(self, ref: str, body: str, *, minutes: int | None = None) -> int:
        return tickets.log_remote_session(
            self.desk.database, ref, body, by=self.handle, at=self._now(), minutes=minutes
        )

    def add_note(self, ref: str, body: str) -> int:
        return tickets.add_note(self.desk.database, ref, body, by=self.handle, at=self._now())

    def change_priority(
        self, ref: str, slug: str, reason: str, *, expected_version: int | None
    ) -> int:
        return tickets.change_priority(
            self.desk.database,
            ref,
            slug,
            reason,
            by=self.handle,
            at=self._now(),
            expected_version=expected_version,
        )

    def set_waiting(
        self, ref: str, waiting: bool, *, note: str = "", expected_version: int | None
    ) -> int:
        return tickets.set_waiting(
            self.desk.database,
            ref,
            waiting,
            by=self.handle,
            at=self._now(),
            note=note,
            expected_version=expected_version,
        )

    def set_eta(
        self, ref: str, eta: dt.datetime, *, note: str = "", expected_version: int | None
    ) -> int:
        return tickets.set_eta(
            self.desk.database,
            ref,
            eta,
            by=self.handle,
            at=self._now(),
            note=note,
            expected_version=expected_version,
        )

    def resolve(
        self,
        ref: str,
        summary: str,
        *,
        breach_reason: str | None = None,
        expected_version: int | None,
        tell_client: bool = False,
    ) -> int:
        """Resolve; with ``tell_client`` the summary is emailed to the client too."""
        settings = self.desk.settings or Settings()
        now = self._now()
        version = replies.resolve_and_tell(
            self.desk.database,
            ref,
            summary,
            by=self.handle,
            at=now,
            domain=mail_domain(settings),
            tell=tell_client,
            breach_reason=breach_reason,
            expected_version=expected_version,
        )
        if tell_client:
            self._send(settings, now)
        return version

    def reopen(self, ref: str, reason: str, *, expected_version: int | None) -> int:
        return tickets.reopen(
            self.desk.database,
            ref,
            reason,
            by=self.handle,
            at=self._now(),
            expected_version=expected_version,
        )

    # ------------------------------------------------------------------ the breach board
    @property
    def may_supervise(self) -> bool:
        """Whether the signed-in agent may open the breach board and reassign from it."""
        return board.may_supervise(self.desk.agent.roles)

    def check_may_watch_board(self) -> None:
        """``PermissionDeniedError`` (recorded) unless the agent may open the breach board."""
        board.check_may_watch(self.desk.database, self.handle, at=self._now())

    def board(self, board_filter: board.BoardFilter, *, limit: int = 10) -> board.BoardSnapshot:
        return board.board_snapshot(
            self.desk.database,
            self._now(),
            board_filter,
            limit=limit,
            context=sla_context(self.desk.database),
        )

    def board_choices(self) -> board.BoardChoices:
        return board.board_choices(self.desk.database)

    def board_remaining(self, ticket: board.BoardTicket, now: dt.datetime) -> int | None:
        """Business seconds until ``ticket``'s due at ``now`` (from memory: for ticking)."""
        return board.business_remaining(
            sla_context(self.desk.database), ticket.calendar, ticket.due_at, now
        )

    def reassign(
        self, ref: str, handle: str, *, expected_version: int | None, read_only: bool = False
    ) -> int:
        """Reassign from the board: supervisors only, never from a read-only board."""
        return board.reassign(
            self.desk.database,
            ref,
            handle,
            by=self.handle,
            at=self._now(),
            expected_version=expected_version,
            read_only=read_only,
        )

    # ------------------------------------------------------------------ workflow
    # Triage, the modification steps, approvals and feedback (``deskui.services.workflow.triage``,
    # ``modification``, ``approvals``, ``feedback``).
    def triage_form(self, ref: str) -> triage.TriageForm:
        return triage.triage_form(self.desk.database, ref)

    def save_triage(self, ref: str, answers: dict[str, tuple[str, str]]) -> int:
        return triage.record_answers(
            self.desk.database, ref, answers, by=self.handle, at=self._now()
        )

    def reclassify(self, ref: str, category: str, reason: str) -> int:
        return triage.reclassify(
            self.desk.database, ref, category, reason, by=self.handle, at=self._now()
        )

    def workflow(self, ref: str) -> modification.WorkflowState:
        return modification.workflow_state(self.desk.database, ref)

    def start_modification(self, ref: str, workaround: str | None = None) -> int:
        return modification.start_modification(
            self.desk.database, ref, workaround=workaround, by=self.handle, at=self._now()
        )

    def complete_task(
        self, ref: str, phase: str, key: str, *, notes: str = "", value: str | None = None
    ) -> int:
        return modification.complete_task(
            self.desk.database,
            ref,
            phase,
            key,
            notes=notes,
            value=value,
            by=self.handle,
            at=self._now(),
        )

    def request_approval(self, ref: str, reason: str) -> int:
        return approvals.request_approval(
            self.desk.database, ref, reason, by=self.handle, at=self._now()
        )

    def check_may_decide(self, ref: str) -> None:
        """``RoleRefusedError`` (recorded) unless the signed-in agent is an approver."""
        approvals.require_approver(self.desk.database, ref, by=self.handle, at=self._now())

    def decide(self, ref: str, decision: str, note: str, *, quote: str | None = None) -> int:
        return approvals.decide(
            self.desk.database, ref, decision, note, quote=quote, by=self.handle, at=self._now()
        )

    def record_feedback(self, ref: str, score: int | str, comment: str = "") -> int:
        return feedback.record_feedback(
            self.desk.database, ref, score, comment, by=self.handle, at=self._now()
        )
