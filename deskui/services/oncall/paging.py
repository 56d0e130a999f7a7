"""Paging the on-call agent: which new tickets page, who is paged, escalation and acknowledgement.

A new ticket pages when it is logged outside its team's business calendar (any channel) or at
its policy's top priority at any hour, and only for a team with an on-call rotation. The on-call
primary is paged on every channel (email, webhook): one ``page`` row per channel, queued in the
ticket's own transaction by ``queue_pages`` and delivered after commit by the pager runner
(``deskui.services.oncall.delivery``), never inside a write transaction.

A ticket whose pages nobody acknowledges is escalated by ``escalate``: after the rotation's
escalation time (``oncall_rotation.escalation_minutes``, else ``pager_escalation_minutes``) the
secondary on call is paged (level 1), after the rotation's supervisor time (twice that if the
rotation says nothing) the team's supervisors (level 2), both measured from the first page.
``acknowledge_pages`` stops it. Every page queued, delivered, failed and acknowledged is a
``page`` entry in the ticket's log.

The pager acknowledgement does not touch the SLA clocks, the status or the assignee: it only
says "I have seen the page". Taking the ticket is still the agent's acknowledgement of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from deskui.domain.vocabulary import (
    DONE_STATUSES,
    InteractionKind,
    PageChannel,
    PageStatus,
    Role,
    ShiftRole,
    Status,
)
from deskui.services.actor import Actor
from deskui.services.errors import TicketStateError, TicketValidationError
from deskui.services.oncall.channels import CHANNELS
from deskui.services.oncall.channels.base import LEVEL_NAMES, PRIMARY, SECONDARY, SUPERVISOR
from deskui.services.oncall.shifts import current_shift
from deskui.services.tickets.unit_of_work import (
    TicketEdit,
    begin_edit,
    load_ticket,
    require_aware,
    ticket_write,
)
from deskui.settings import Settings
from deskui.store.models import Agent, OnCallRotation, Page, Ticket
from deskui.store.models.people import AgentRole, agent_team
from deskui.store.session import Database

DEFAULT_ESCALATION_MINUTES = 15
OPEN_PAGE_STATUSES = (PageStatus.PENDING, PageStatus.SENT)


@dataclass(frozen=True, slots=True)
class PageView:
    """One page as the CLI and the app show it."""

    id: int
    reference: str
    agent: str
    agent_name: str
    level: int
    channel: PageChannel
    target: str
    status: PageStatus
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    last_error: str | None

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES.get(self.level, str(self.level))


# ---- which tickets page --------------------------------------------------------------------


def page_reason(edit: TicketEdit) -> str | None:
    """Why the ticket being opened pages ("after hours", "top priority"), or ``None``."""
    ticket = edit.ticket
    calendar = edit.context.book.get(ticket.team.calendar.name)
    if not calendar.is_open(edit.at):
        return "after hours"
    if edit.policy.priorities and edit.policy.priorities[0].slug == ticket.priority:
        return "top priority"
    return None


def queue_pages(edit: TicketEdit) -> list[Page]:
    """Queue the first pages of the ticket just opened (after ``edit.save()``), if it pages.

    Called once from ``open_ticket`` inside its transaction; the rows go out after commit.
    """
    reason = page_reason(edit)
    if reason is None:
        return []
    # The desk pages, not the agent who logged the ticket: the entries are the system's.
    edit = replace(edit, actor=None, new_entries=[])
    session, ticket = edit.session, edit.ticket
    if _rotation(session, ticket.team_id) is None:
        return []
    for level in (PRIMARY, SECONDARY, SUPERVISOR):
        agents = recipients(session, ticket.team_id, level, edit.at)
        if agents:
            pages = _queue(edit, agents, level, reason)
            session.flush()
            return pages
    edit.log(InteractionKind.PAGE, f"nobody to page ({reason}): no one on call", {"page": None})
    session.flush()
    return []


def recipients(session: Session, team_id: int, level: int, at: dt.datetime) -> list[Agent]:
    """Who is paged at ``level`` for the team at ``at``: the primary or secondary on shift,
    or the team's active supervisors."""
    if level == SUPERVISOR:
        return list(
            session.scalars(
                select(Agent)
                .join(agent_team, agent_team.c.agent_id == Agent.id)
                .join(AgentRole, AgentRole.agent_id == Agent.id)
                .where(
                    agent_team.c.team_id == team_id,
                    AgentRole.role == Role.SUPERVISOR,
                    Agent.active,
                )
                .order_by(Agent.handle)
            )
        )
    role = ShiftRole.PRIMARY if level == PRIMARY else ShiftRole.SECONDARY
    shift = current_shift(session, team_id, role, at)
    return [shift.agent] if shift is not None and shift.agent.active else []


def _rotation(session: Session, team_id: int) -> OnCallRotation | None:
    return session.scalars(
        select(OnCallRotation)
        .where(OnCallRotation.team_id == team_id)
        .order_by(OnCallRotation.id)
        .limit(1)
    ).first()


def _queue(edit: TicketEdit, agents: list[Agent], level: int, reason: str) -> list[Page]:
    pages: list[Page] = []
    for agent in agents:
        for channel, way in CHANNELS.items():
            # The webhook's URL and an agent's SMS address are settings, read by the runner
            # when it delivers; the email target is the agent's own address until then.
            target = way.queued_target(agent)
            page = Page(
                ticket_id=edit.ticket.id,
                agent_id=agent.id,
                channel=channel,
                target=target,
                created_at=edit.at,
                status=PageStatus.PENDING,
                attempts=0,
                level=level,
                next_attempt_at=edit.at,
            )
            edit.session.add(page)
            pages.append(page)
        edit.log(
            InteractionKind.PAGE,
            f"paging {agent.name} ({agent.handle}) as {LEVEL_NAMES[level]} by "
            f"{' and '.join(c.value for c in CHANNELS)}: {reason}",
            {
                "page": "queued",
                "agent": agent.handle,
                "level": level,
                "channels": [c.value for c in CHANNELS],
                "reason": reason,
            },
        )
    return pages


# ---- escalation ----------------------------------------------------------------------------


def escalation_minutes(rotation: OnCallRotation | None, settings: Settings) -> tuple[int, int]:
    """Minutes after the first page at which the secondary and the supervisors are paged."""
    secondary = (
        rotation.escalation_minutes
        if rotation is not None and rotation.escalation_minutes
        else settings.pager_escalation_minutes
    )
    spec = (rotation.spec or {}).get("escalation", {}) if rotation is not None else {}
    supervisor = spec.get("supervisor_after_minutes") if isinstance(spec, dict) else None
    if not isinstance(supervisor, int) or supervisor <= secondary:
        supervisor = 2 * secondary
    return secondary, supervisor


def escalate(database: Database, settings: Settings, now: dt.datetime) -> list[str]:
    """Page the next level for each ticket whose pages are unacknowledged past its escalation
    time; the references escalated."""
    require_aware(now, "now")
    acknowledged = select(Page.ticket_id).where(Page.acknowledged_at.is_not(None))
    with database.read() as session:
        # One row per open ticket still waiting for someone: first page, highest level so far.
        rows = session.execute(
            select(
                Ticket.reference,
                Ticket.team_id,
                func.min(Page.created_at).label("first"),
                func.max(Page.level).label("top"),
            )
            .join(Page, Page.ticket_id == Ticket.id)
            .where(Ticket.is_open, Ticket.id.not_in(acknowledged))
            .group_by(Ticket.id, Ticket.reference, Ticket.team_id)
            .having(func.max(Page.level) < SUPERVISOR)
            .order_by(Ticket.reference)
        ).all()
        timing = {
            team_id: escalation_minutes(_rotation(session, team_id), settings)
            for team_id in {row.team_id for row in rows}
        }
    escalated: list[str] = []
    for reference, team_id, first, top in rows:
        secondary_after, supervisor_after = timing[team_id]
        due = {
            SECONDARY: first + dt.timedelta(minutes=secondary_after),
            SUPERVISOR: first + dt.timedelta(minutes=supervisor_after),
        }
        wanted = max((level for level, at in due.items() if at <= now), default=None)
        if wanted is None or wanted <= top:
            continue
        if _escalate_one(database, reference, top, wanted, first, due, now):
            escalated.append(reference)
    return escalated


def _escalate_one(
    database: Database,
    reference: str,
    top: int,
    wanted: int,
    first: dt.datetime,
    due: dict[int, dt.datetime],
    now: dt.datetime,
) -> bool:
    with database.write() as session:
        edit = begin_edit(database, session, reference, by=None, at=now)
        # Checked again under the ticket's lock: an acknowledgement or another runner may have
        # come in since the read.
        current = session.execute(
            select(Page.level, Page.acknowledged_at).where(Page.ticket_id == edit.ticket.id)
        ).all()
        if any(row.acknowledged_at is not None for row in current):
            return False
        if max((row.level for row in current), default=PRIMARY) != top:
            return False
        if Status(edit.ticket.status) in DONE_STATUSES:
            return False
        # Every level that is due, not only the last: a runner that was down for a while
        # still pages the secondary as well as the supervisors.
        paged: list[int] = []
        for level in range(top + 1, wanted + 1):
            agents = recipients(session, edit.ticket.team_id, level, due[level])
            if agents:
                minutes = int((due[level] - first).total_seconds() // 60)
                waited = f"no acknowledgement {minutes} minutes after the first page"
                _queue(edit, agents, level, waited)
                paged.append(level)
        if not paged:
            return False
        edit.finish("paged", level=paged[-1])
        return True


# ---- acknowledging and listing -------------------------------------------------------------


def acknowledge_pages(actor: Actor, ref: str) -> int:
    """Acknowledge the ticket's open pages as agent ``by``: escalation stops. The number of
    pages acknowledged; ``TicketStateError`` if the ticket has none open."""
    at = actor.now()
    with ticket_write(actor, ref, at=at) as edit:
        session = edit.session
        pages = list(
            session.scalars(
                select(Page)
                .where(Page.ticket_id == edit.ticket.id, Page.acknowledged_at.is_(None))
                .order_by(Page.id)
            )
        )
        if not pages:
            raise TicketStateError(f"{edit.ticket.reference} has no unacknowledged pages")
        for page in pages:
            page.acknowledged_at = at
            if page.status in OPEN_PAGE_STATUSES:
                page.status = PageStatus.ACKNOWLEDGED
        assert edit.actor is not None
        edit.log(
            InteractionKind.PAGE,
            f"page acknowledged by {edit.actor.name} ({edit.actor.handle})",
            {"page": "acknowledged", "agent": edit.actor.handle, "pages": [p.id for p in pages]},
        )
        edit.finish("page-acknowledged")
        return len(pages)


def list_pages(
    database: Database,
    *,
    ticket: str | None = None,
    status: PageStatus | str | None = None,
    limit: int = 200,
) -> list[PageView]:
    """Pages, newest first; only those of ``ticket`` or in ``status`` if given."""
    wanted = _status(status)
    with database.read() as session:
        statement = (
            select(Page, Ticket.reference)
            .join(Ticket, Ticket.id == Page.ticket_id)
            .options(joinedload(Page.agent))
            .order_by(Page.created_at.desc(), Page.id.desc())
            .limit(limit)
        )
        if ticket is not None:
            statement = statement.where(Page.ticket_id == load_ticket(session, ticket).id)
        if wanted is not None:
            statement = statement.where(Page.status == wanted)
        return [_view(page, reference) for page, reference in session.execute(statement)]


def _status(value: PageStatus | str | None) -> PageStatus | None:
    if value is None:
        return None
    try:
        return PageStatus(value)
    except ValueError:
        known = ", ".join(s.value for s in PageStatus)
        raise TicketValidationError(
            "status", f"unknown page status {value!r} (known: {known})"
        ) from None


def _view(page: Page, reference: str) -> PageView:
    return PageView(
        id=page.id,
        reference=reference,
        agent=page.agent.handle,
        agent_name=page.agent.name,
        level=page.level,
        channel=page.channel,
        target=page.target,
        status=page.status,
        attempts=page.attempts,
        created_at=page.created_at,
        sent_at=page.sent_at,
        next_attempt_at=page.next_attempt_at,
        acknowledged_at=page.acknowledged_at,
        last_error=page.last_error,
    )
