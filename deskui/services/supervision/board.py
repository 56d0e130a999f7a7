"""The supervisors' breach board: one immutable snapshot of what needs attention now.

``board_snapshot`` answers, for the open tickets (optionally of one policy and/or one team):
which are already breached, which breach within 15 and within 60 minutes of *business* time,
each agent's open load / next breach / unacknowledged tickets, counts per priority and per
policy, today's SLA compliance so far and who is on call. Counting is done by the database
(GROUP BY); lists are bounded (``limit`` rows each).

Business time needs the calendars, so "within 60 business minutes" is found in two steps: the
database returns only the open tickets due before the latest instant at which *any* calendar
reaches 60 business minutes and one second from now (nothing due later can be that close, as
business time never runs faster than wall time), and the exact business remaining of those few
is computed here on each clock's own calendar.

"Breached" means a running clock whose due has passed (``next_due_at <= now``). Today's
compliance counts each clock on the day it was decided, in the desk's zone: a clock met on time
counts as met when it was met; a missed clock counts as breached when its due passed (met late
or not at all). A resolution clock paused before its due is not decided.

``reassign`` is the board's one write: only supervisors and admins may do it, and never from a
read-only (wall display) board.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, func, literal, or_, select, true
from sqlalchemy.orm import Session, aliased

from deskui.domain.sla.clock_info import CLOCK_INFO
from deskui.domain.sla.due import target_calendar
from deskui.domain.sla.policy import CLOCKS, Clock
from deskui.domain.vocabulary import Role
from deskui.services import tickets
from deskui.services.actor import Actor
from deskui.services.authorization import refusals_recorded, require_role
from deskui.services.errors import NotFoundError, PermissionDeniedError, ServiceError
from deskui.services.oncall.shifts import TeamOnCall, on_call
from deskui.services.supervision.board_counts import (
    OpenGroup,
    Tally,
    count_where,
    open_groups,
    tally_by,
)
from deskui.services.tickets.clocks import met_due_columns
from deskui.services.tickets.sla_context import SlaContext, sla_context
from deskui.services.tickets.unit_of_work import find_agent
from deskui.store.models import Agent, Desk, SlaPolicy, SlaPriority, Team, Ticket
from deskui.store.session import Database
from deskui.store.types import UTCDateTime

SOON_SECONDS = 15 * 60
WARNING_SECONDS = 60 * 60
SUPERVISING_ROLES = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})


class BoardFilterError(NotFoundError):
    """The policy or team the board was asked to show does not exist."""


def may_supervise(roles: Sequence[str] | frozenset[str]) -> bool:
    """Whether an agent with ``roles`` may watch the board and reassign from it."""
    return bool(SUPERVISING_ROLES & {str(role) for role in roles})


@dataclass(frozen=True, slots=True)
class BoardFilter:
    """Which tickets the board shows: one policy and/or one team (``None``: all)."""

    policy: str | None = None
    team: str | None = None

    def describe(self) -> str:
        parts = [
            f"policy {self.policy}" if self.policy else "",
            f"team {self.team}" if self.team else "",
        ]
        return ", ".join(part for part in parts if part) or "all tickets"


@dataclass(frozen=True, slots=True)
class BoardTicket:
    """An open ticket on the board. ``remaining`` is business seconds at the snapshot
    (negative once breached); ``calendar`` is the one the due clock counts on."""

    reference: str
    subject: str
    priority: str
    priority_label: str
    policy: str
    team: str
    assignee: str | None
    status: str
    clock: str | None
    due_at: dt.datetime | None
    calendar: str | None
    remaining: int | None
    acknowledged: bool
    version: int


@dataclass(frozen=True, slots=True)
class AgentLoad:
    """One agent's open tickets; ``handle`` ``None`` is the unassigned pile."""

    handle: str | None
    name: str
    open: int
    unacknowledged: int
    breached: int
    next_breach: BoardTicket | None


@dataclass(frozen=True, slots=True)
class GroupCount:
    """Open and breached tickets of one priority or policy."""

    name: str
    open: int
    breached: int


@dataclass(frozen=True, slots=True)
class TodayCompliance:
    """Clocks decided today (desk zone, midnight to now), per clock and in total."""

    day: dt.date
    met: dict[Clock, int]
    breached: dict[Clock, int]

    @property
    def total_met(self) -> int:
        return sum(self.met.values())

    @property
    def total_breached(self) -> int:
        return sum(self.breached.values())

    @property
    def percent(self) -> float | None:
        decided = self.total_met + self.total_breached
        return None if decided == 0 else 100.0 * self.total_met / decided


@dataclass(frozen=True, slots=True)
class BoardSnapshot:
    """Everything the board shows, as read at ``at``."""

    at: dt.datetime
    filter: BoardFilter
    open_total: int
    breached: tuple[BoardTicket, ...]
    breached_total: int
    within_15: tuple[BoardTicket, ...]
    within_15_total: int
    within_60: tuple[BoardTicket, ...]
    within_60_total: int
    agents: tuple[AgentLoad, ...]
    priorities: tuple[GroupCount, ...]
    policies: tuple[GroupCount, ...]
    today: TodayCompliance
    on_call: tuple[TeamOnCall, ...]


@dataclass(frozen=True, slots=True)
class BoardChoices:
    """The policies and teams the filter keys cycle through."""

    policies: tuple[str, ...]
    teams: tuple[str, ...]


# ---- the snapshot ----------------------------------------------------------------------------


def board_choices(database: Database) -> BoardChoices:
    with database.read() as session:
        policies = tuple(session.scalars(select(SlaPolicy.name).order_by(SlaPolicy.name)))
        teams = tuple(session.scalars(select(Team.slug).order_by(Team.slug)))
    return BoardChoices(policies, teams)


def board_snapshot(
    database: Database,
    now: dt.datetime,
    board_filter: BoardFilter | None = None,
    *,
    limit: int = 10,
    context: SlaContext | None = None,
) -> BoardSnapshot:
    """The board at the aware instant ``now``; lists hold at most ``limit`` tickets/agents."""
    if now.tzinfo is None:
        raise ValueError("board_snapshot needs an aware datetime")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    wanted = board_filter or BoardFilter()
    with database.read() as session:
        context = context or sla_context(database, session)
        filters = _filters(session, wanted)
        scope = [Ticket.is_open == true(), *filters]
        zone = _desk_zone(session)
        groups = open_groups(session, scope, now)
        breached = [
            _board_ticket(row, context, now)
            for row in session.execute(
                _ticket_rows(scope)
                .where(Ticket.next_due_at <= now)
                .order_by(Ticket.priority_rank, Ticket.next_due_at, Ticket.id)
                .limit(limit)
            )
        ]
        soon = _due_soon(session, scope, context, now)
        agents = _agents(session, scope, context, now, groups, limit)
        today = _today(session, filters, now, zone)
    by_priority = tally_by(groups, lambda group: group.priority)
    by_policy = tally_by(groups, lambda group: group.policy)
    within_15 = [t for t in soon if t.remaining is not None and t.remaining <= SOON_SECONDS]
    return BoardSnapshot(
        at=now,
        filter=wanted,
        open_total=sum(group.open for group in groups),
        breached=tuple(breached),
        breached_total=sum(group.breached for group in groups),
        within_15=tuple(within_15[:limit]),
        within_15_total=len(within_15),
        within_60=tuple(soon[:limit]),
        within_60_total=len(soon),
        agents=tuple(agents),
        priorities=_counts(by_priority, lambda name, tally: (tally.best_rank, name)),
        policies=_counts(by_policy, lambda name, _tally: name),
        today=today,
        on_call=tuple(_on_call(database, now, wanted.team)),
    )


def _filters(session: Session, wanted: BoardFilter) -> list[ColumnElement[bool]]:
    """WHERE terms for the tickets the filter keeps (unknown names are errors)."""
    terms: list[ColumnElement[bool]] = []
    if wanted.policy is not None:
        policy_id = session.scalar(select(SlaPolicy.id).where(SlaPolicy.name == wanted.policy))
        if policy_id is None:
            known = ", ".join(session.scalars(select(SlaPolicy.name).order_by(SlaPolicy.name)))
            raise BoardFilterError(f"unknown policy {wanted.policy!r} (known: {known or 'none'})")
        terms.append(Ticket.policy_id == policy_id)
    if wanted.team is not None:
        team_id = session.scalar(select(Team.id).where(Team.slug == wanted.team))
        if team_id is None:
            known = ", ".join(session.scalars(select(Team.slug).order_by(Team.slug)))
            raise BoardFilterError(f"unknown team {wanted.team!r} (known: {known or 'none'})")
        terms.append(Ticket.team_id == team_id)
    return terms


def _desk_zone(session: Session) -> ZoneInfo:
    desk = session.get(Desk, 1)
    return ZoneInfo(desk.timezone) if desk is not None else ZoneInfo("UTC")


def _ticket_rows(scope: list[ColumnElement[bool]]) -> Any:
    assignee = aliased(Agent)
    return (
        select(
            Ticket.reference,
            Ticket.subject,
            Ticket.priority,
            func.coalesce(SlaPriority.label, Ticket.priority),
            SlaPolicy.name,
            Team.slug,
            assignee.handle,
            Ticket.status,
            Ticket.next_clock,
            Ticket.next_due_at,
            Ticket.acknowledged_at.is_not(None),
            Ticket.version,
        )
        .select_from(Ticket)
        .join(SlaPolicy, SlaPolicy.id == Ticket.policy_id)
        .join(Team, Team.id == Ticket.team_id)
        .outerjoin(
            SlaPriority,
            and_(SlaPriority.policy_id == Ticket.policy_id, SlaPriority.slug == Ticket.priority),
        )
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .where(*scope)
    )


def clock_calendar(
    context: SlaContext, policy: str, priority: str, clock: str | None
) -> str | None:
    """The calendar ``clock`` of a ``policy``/``priority`` ticket counts on."""
    spec = context.policies.get(policy)
    if spec is None or clock is None:
        return None
    try:
        return target_calendar(spec.resolve_priority(priority).target(Clock(clock)), spec)
    except (KeyError, ValueError):
        return None


def business_remaining(
    context: SlaContext, calendar: str | None, due_at: dt.datetime | None, now: dt.datetime
) -> int | None:
    """Business seconds from ``now`` to ``due_at`` on ``calendar`` (negative once past)."""
    if calendar is None or due_at is None or calendar not in context.book:
        return None
    return context.book.get(calendar).elapsed(now, due_at)


def _board_ticket(row: Any, context: SlaContext, now: dt.datetime) -> BoardTicket:
    clock = str(row[8].value) if row[8] is not None else None
    calendar = clock_calendar(context, row[4], row[2], clock)
    return BoardTicket(
        reference=row[0],
        subject=row[1],
        priority=row[2],
        priority_label=row[3],
        policy=row[4],
        team=row[5],
        assignee=row[6],
        status=str(getattr(row[7], "value", row[7])),
        clock=clock,
        due_at=row[9],
        calendar=calendar,
        remaining=business_remaining(context, calendar, row[9], now),
        acknowledged=bool(row[10]),
        version=row[11],
    )


def _due_soon(
    session: Session, scope: list[ColumnElement[bool]], context: SlaContext, now: dt.datetime
) -> list[BoardTicket]:
    """Not yet breached, due within ``WARNING_SECONDS`` of business time, soonest first."""
    # Past this instant every calendar has counted more than the window: nothing due later
    # can be inside it (business time never runs faster than wall time).
    horizon = max(
        (context.book.get(name).add(now, WARNING_SECONDS + 1) for name in context.book.names()),
        default=now + dt.timedelta(seconds=WARNING_SECONDS + 1),
    )
    rows = session.execute(
        _ticket_rows(scope)
        .where(Ticket.next_due_at > now, Ticket.next_due_at < horizon)
        .order_by(Ticket.next_due_at, Ticket.id)
    )
    candidates = [_board_ticket(row, context, now) for row in rows]
    soon = [t for t in candidates if t.remaining is not None and t.remaining <= WARNING_SECONDS]
    return sorted(soon, key=lambda t: (t.remaining, t.reference))


def _agents(
    session: Session,
    scope: list[ColumnElement[bool]],
    context: SlaContext,
    now: dt.datetime,
    groups: list[OpenGroup],
    limit: int,
) -> list[AgentLoad]:
    """The unassigned pile and the ``limit`` busiest agents, each with its soonest due ticket."""
    tallies = tally_by(groups, lambda group: group.assignee_id)
    unassigned: list[tuple[int | None, Tally]] = [(None, tallies[None])] if None in tallies else []
    busiest = sorted(
        ((agent_id, tally) for agent_id, tally in tallies.items() if agent_id is not None),
        key=lambda item: (-item[1].open, item[0]),
    )[:limit]
    chosen = [*unassigned, *busiest]
    people: dict[int | None, tuple[str | None, str]] = {
        agent_id: (handle, name)
        for agent_id, handle, name in session.execute(
            select(Agent.id, Agent.handle, Agent.name).where(
                Agent.id.in_([agent_id for agent_id, _ in busiest])
            )
        )
    }
    nexts = _next_breaches(
        session, scope, context, now, [(agent_id, tally.next_due) for agent_id, tally in chosen]
    )
    loads = []
    for agent_id, tally in chosen:
        handle, name = people.get(agent_id, (None, "Unassigned"))
        loads.append(
            AgentLoad(
                handle=handle,
                name=name,
                open=tally.open,
                unacknowledged=tally.unacknowledged,
                breached=tally.breached,
                next_breach=nexts.get(agent_id),
            )
        )
    return loads


def _next_breaches(
    session: Session,
    scope: list[ColumnElement[bool]],
    context: SlaContext,
    now: dt.datetime,
    chosen: list[tuple[int | None, dt.datetime | None]],
) -> dict[int | None, BoardTicket]:
    """Per agent id, the open ticket with the soonest due (lowest id on a tie).

    One small query per agent: the due instant is known, so each is a seek on the open-due
    index, where one query matching all (agent, due) pairs walked every open ticket.
    """
    found: dict[int | None, BoardTicket] = {}
    query = _ticket_rows(scope).order_by(Ticket.id).limit(1)
    for agent_id, due in chosen:
        if due is None:
            continue
        holder = (
            Ticket.assignee_id.is_(None) if agent_id is None else Ticket.assignee_id == agent_id
        )
        row = session.execute(
            query.where(Ticket.no_due == false(), Ticket.next_due_at == due, holder)
        ).first()
        if row is not None:
            found[agent_id] = _board_ticket(row, context, now)
    return found


def _counts(
    tallies: dict[str, Tally], order: Callable[[str, Tally], Any]
) -> tuple[GroupCount, ...]:
    ranked = sorted(tallies.items(), key=lambda item: order(*item))
    return tuple(GroupCount(name, tally.open, tally.breached) for name, tally in ranked)


def _today(
    session: Session, filters: list[ColumnElement[bool]], now: dt.datetime, zone: ZoneInfo
) -> TodayCompliance:
    """Clocks decided since midnight (desk zone): met on time when met; missed when due."""
    local = now.astimezone(zone)
    day = local.date()
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    begin, end = _literal(start), _literal(now)
    columns: list[ColumnElement[int]] = []
    for clock in CLOCKS:
        met_at, due_at = met_due_columns(clock)
        on_time = and_(met_at.is_not(None), met_at <= due_at, met_at >= begin, met_at <= end)
        missed = and_(
            due_at >= begin,
            due_at < end,
            or_(met_at > due_at, met_at.is_(None)),
        )
        if CLOCK_INFO[clock].pauses:
            # A clock paused (waiting on the customer) before its due has not been missed.
            missed = and_(
                missed,
                or_(met_at.is_not(None), Ticket.paused_at.is_(None), Ticket.paused_at > due_at),
            )
        columns += [count_where(on_time), count_where(missed)]
    # Not only open tickets: a clock met today often belongs to a ticket resolved today. A
    # closed ticket can only have a clock decided today if it was resolved today (its clocks
    # were met by then, late ones after a due that fell today), so a cheap test skips the rest
    # of the history before the sums are evaluated.
    relevant = or_(Ticket.is_open == true(), Ticket.resolved_at >= begin)
    row = session.execute(select(*columns).select_from(Ticket).where(relevant, *filters)).one()
    values = [int(v) for v in row]
    return TodayCompliance(
        day=day,
        met={clock: values[2 * i] for i, clock in enumerate(CLOCKS)},
        breached={clock: values[2 * i + 1] for i, clock in enumerate(CLOCKS)},
    )


def _literal(value: dt.datetime) -> ColumnElement[dt.datetime]:
    return literal(value, UTCDateTime())


def _on_call(database: Database, now: dt.datetime, team: str | None) -> list[TeamOnCall]:
    try:
        return on_call(database, now, team)
    except ServiceError:
        return []  # a team without a rotation simply has nobody on call to show


# ---- the board's one write -------------------------------------------------------------------


def check_may_watch(
    actor: Actor,
    *,
    action: str = "open the breach board",
    target: str = "",
) -> None:
    """``RoleRefusedError`` (recorded in the audit trail) unless ``by`` is a supervisor or an
    admin; the roles are read from the database, not taken from the caller."""
    database, by, at = actor.database, actor.handle, actor.now()
    with refusals_recorded(database), database.read() as session:
        agent = find_agent(session, by) if by is not None else None
        require_role(agent, Role.SUPERVISOR, action=action, target=target, at=at)


def reassign(
    actor: Actor,
    ref: str,
    handle: str | None,
    *,
    expected_version: int | None,
    read_only: bool = False,
) -> int:
    """Reassign ticket ``ref`` to ``handle`` as supervisor ``by``; the new version.

    ``PermissionDeniedError`` when the board is read-only or ``by`` is not a supervisor (or
    admin); the second is recorded like every role refusal."""
    at = actor.now()
    if read_only:
        raise PermissionDeniedError(
            f"{ref}: the board is read-only (a wall display): reassign from a desk instead"
        )
    check_may_watch(actor.at(at), action="reassign from the breach board", target=ref)
    return tickets.assign(actor.at(at), ref, handle, expected_version=expected_version)
