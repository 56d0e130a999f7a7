"""Stored tickets turned into the plain read models of ``deskui.services.tickets.views``.

``ticket_view`` reads one ticket with its whole log (one query for the log, with the authors'
names joined in, so a ticket with thousands of entries stays quick) and computes its clocks at
``now`` from that same log. ``ticket_summaries`` is the list query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.sla.clocks import ClockState
from deskui.domain.sla.policy import CLOCKS, Clock, PolicySpec
from deskui.domain.vocabulary import Status
from deskui.services.tickets.clocks import LogEntry, clock_events, ticket_clocks
from deskui.services.tickets.entitlement import contract_status, team_day
from deskui.services.tickets.sla_context import SlaContext
from deskui.services.tickets.views import (
    ClockView,
    ContactView,
    InteractionView,
    PriorityView,
    TicketSummary,
    TicketView,
)
from deskui.store.models import Agent, Interaction, Organisation, Team, Ticket
from deskui.store.queue_queries import page_statement


def clock_state_name(state: ClockState, now: dt.datetime) -> str:
    """``running``, ``paused``, ``met``, ``breached``, ``no-target`` or ``no-due``."""
    if state.target is None:
        return "no-target"
    if state.due_at is None:
        return "no-due"
    if state.met_at is not None:
        return "met" if state.met_on_time else "breached"
    if state.breached(now):
        return "breached"
    return "paused" if state.paused else "running"


def clock_view(state: ClockState, now: dt.datetime, book: CalendarBook) -> ClockView:
    return ClockView(
        clock=state.clock.value,
        target=str(state.target) if state.target is not None else None,
        calendar=state.calendar,
        due_at=state.due_at,
        met_at=state.met_at,
        state=clock_state_name(state, now),
        business_seconds=state.remaining(now, book),
        paused_business_seconds=state.paused_business_seconds,
    )


def clock_views(
    states: Mapping[Clock, ClockState], now: dt.datetime, book: CalendarBook
) -> tuple[ClockView, ...]:
    return tuple(clock_view(states[clock], now, book) for clock in CLOCKS)


def priority_view(policy: PolicySpec, slug: str) -> PriorityView:
    """``slug`` as the policy sees it (a mapped slug shows what it is handled as)."""
    try:
        resolved = policy.resolve_priority(slug)
    except KeyError:
        return PriorityView(slug=slug, label=slug, definition="", handled_as=slug, rank=None)
    own = next((p for p in policy.priorities if p.slug == slug), None)
    return PriorityView(
        slug=slug,
        label=own.label if own is not None else slug,
        definition=resolved.definition,
        handled_as=resolved.slug,
        rank=policy.rank(slug),
    )


def flags_of(ticket: Ticket) -> tuple[str, ...]:
    flags = []
    if ticket.flag_non_liaison:
        flags.append("non-liaison")
    if ticket.flag_no_entitlement:
        flags.append("no-entitlement")
    return tuple(flags)


def _log(session: Session, ticket_id: int) -> list[InteractionView]:
    rows = session.execute(
        select(
            Interaction.id,
            Interaction.at,
            Interaction.kind,
            Interaction.direction,
            Interaction.author_name,
            Interaction.body,
            Interaction.meta,
            Interaction.attachments,
            Agent.handle,
            Agent.name,
        )
        .outerjoin(Agent, Agent.id == Interaction.author_agent_id)
        .where(Interaction.ticket_id == ticket_id)
        .order_by(Interaction.at, Interaction.id)
    )
    return [
        InteractionView(
            id=r.id,
            at=r.at,
            kind=r.kind.value,
            direction=r.direction.value,
            # An inbound entry is the customer's words, whoever typed them in.
            author=(
                r.author_name
                if r.author_name and (r.direction.value == "in" or r.handle is None)
                else (r.name or r.author_name or "system")
            ),
            author_handle=r.handle,
            body=r.body,
            meta=dict(r.meta or {}),
            attachments=tuple(r.attachments or ()),
        )
        for r in rows
    ]


def ticket_view(
    session: Session, context: SlaContext, ticket: Ticket, now: dt.datetime
) -> TicketView:
    """The whole ticket at ``now``: fields, clocks and log."""
    policy = context.policy(ticket.policy.name)
    log = _log(session, ticket.id)
    events = clock_events(LogEntry(e.kind, e.at, e.meta) for e in log)
    states = ticket_clocks(context, policy, ticket, events, now)
    contact = ticket.contact
    contract = ticket.contract
    liaison = contact is not None and contract is not None and contact in contract.liaisons
    organisation: Organisation | None = ticket.organisation
    requester_email = ticket.requester_email or (contact.email if contact else None)
    return TicketView(
        ticket_id=ticket.id,
        reference=ticket.reference,
        subject=ticket.subject,
        description=ticket.description,
        team=ticket.team.slug,
        team_name=ticket.team.name,
        organisation=organisation.slug if organisation else None,
        organisation_name=organisation.name if organisation else None,
        contact=ContactView(
            name=contact.name if contact is not None else ticket.requester_name,
            email=contact.email if contact is not None else requester_email,
            is_liaison=liaison,
            known=contact is not None,
        ),
        contract_reference=contract.reference if contract is not None else None,
        contract_status=contract_status(contract, team_day(ticket.team, now)),
        product=ticket.product.slug if ticket.product else None,
        product_name=ticket.product.name if ticket.product else None,
        channel=ticket.channel.value,
        category=ticket.category.value,
        requested_priority=(
            priority_view(policy, ticket.requested_priority) if ticket.requested_priority else None
        ),
        priority=priority_view(policy, ticket.priority),
        policy=policy.name,
        status=ticket.status.value,
        assignee=ticket.assignee.handle if ticket.assignee else None,
        assignee_name=ticket.assignee.name if ticket.assignee else None,
        opened_at=ticket.opened_at,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        closed_at=ticket.closed_at,
        eta_at=ticket.eta_at,
        version=ticket.version,
        flags=flags_of(ticket),
        clocks=clock_views(states, now, context.book),
        next_clock=ticket.next_clock.value if ticket.next_clock else None,
        next_due_at=ticket.next_due_at,
        interactions=tuple(log),
    )


def ticket_summaries(
    session: Session,
    *,
    statuses: Collection[str] | None,
    team: str | None,
    assignee: str | None,
    limit: int,
) -> list[TicketSummary]:
    """Tickets in queue order (priority, soonest due, no due last), at most ``limit``: the
    queue's own page query (``deskui.store.queue_queries``), so the CLI lists tickets in exactly
    the order and with exactly the filters the app's panes use."""
    where = []
    if team is not None:
        where.append(Ticket.team_id == select(Team.id).where(Team.slug == team).scalar_subquery())
    statement = page_statement(
        statuses=tuple(statuses) if statuses is not None else tuple(s.value for s in Status),
        assignee=assignee,
        order="priority",
        limit=limit,
        where=where,
    )
    # Beside the queue's columns: the team's and organisation's slugs the list shows.
    statement = statement.outerjoin(Team, Team.id == Ticket.team_id).add_columns(
        Team.slug, Organisation.slug
    )
    return [
        TicketSummary(
            ticket_id=row[0],
            reference=row[1],
            subject=row[5],
            status=Status(row[8]).value,
            priority=row[2],
            priority_rank=row[4],
            team=row[17],
            organisation=row[18],
            assignee=row[9],
            next_clock=Clock(row[10]).value if row[10] is not None else None,
            next_due_at=row[11],
            opened_at=row[13],
            version=row[15],
        )
        for row in session.execute(statement)
    ]
