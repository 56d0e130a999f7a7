"""Alerts before and at breach: which of an agent's tickets just came within their policy's
warning window, or breached, told once per agent, ticket, clock and level.

The API (the app calls it from a thread worker every few seconds, and on each change-feed
wake-up; any caller may)::

    alerts = check_alerts(actor)        # the acting agent, at actor.now()
    for alert in alerts:                # new since the last call, breaches first
        alert.level                     # "warning" or "breached"
        alert.reference, alert.subject, alert.clock, alert.due_at, alert.assignee, alert.team

Whose tickets: those assigned to the agent; for a supervisor, also every open ticket of their
teams (``scope="mine"`` limits a supervisor to their own). The window is the policy's
``warning_minutes`` (``PolicySpec.warning_minutes``, set per policy in ``sample_data``), else
``default_warning_minutes`` (default: the actor's ``warning_minutes`` setting), in business
minutes on the
calendar the clock counts on. A breach older than ``lookback`` (a day) is not "just" breached:
it stays in the queue's breached band but raises nothing.

What was raised is remembered in ``sla_alert`` (one row per agent, ticket, clock, level,
inserted with ON CONFLICT DO NOTHING), so an alert is raised once even with the desk open in
two places, and not again after a restart. A clock that is met, or a ticket that is closed,
raises nothing more; the next clock of the same ticket raises its own alerts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Insert, delete, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from deskui.domain.vocabulary import Role
from deskui.services.actor import Actor
from deskui.services.tickets.due_windows import due_within
from deskui.services.tickets.sla_context import sla_context
from deskui.store.models import Agent, SlaAlert, SlaPolicy, Team, Ticket, agent_team
from deskui.store.session import Database

Level = Literal["warning", "breached"]
LOOKBACK = dt.timedelta(days=1)
MAX_ALERTS = 200


@dataclass(frozen=True, slots=True)
class SlaAlertView:
    """One alert to show: a toast, the bell, a badge on the panes that hold the ticket."""

    ticket_id: int
    reference: str
    subject: str
    clock: str
    level: Level
    due_at: dt.datetime
    assignee: str | None
    team: str
    policy: str
    priority: str


def check_alerts(
    actor: Actor,
    *,
    default_warning_minutes: int | None = None,
    scope: Literal["auto", "mine"] = "auto",
    lookback: dt.timedelta = LOOKBACK,
) -> list[SlaAlertView]:
    """The alerts not yet raised for the acting agent at ``actor.now()`` (and remember them
    as raised). The system (no handle) has no tickets of its own: nothing."""
    database, now = actor.database, actor.now()
    minutes = (
        default_warning_minutes
        if default_warning_minutes is not None
        else actor.settings.warning_minutes
    )
    if actor.handle is None:
        return []
    with database.write() as session:
        agent_id = session.scalars(select(Agent.id).where(Agent.handle == actor.handle)).first()
        if agent_id is None:
            return []
        candidates = _candidates(database, session, agent_id, now, minutes, scope, lookback)
        raised = _remember(session, agent_id, candidates, now)
    return [alert for alert in candidates if (alert.ticket_id, alert.clock, alert.level) in raised]


def _candidates(
    database: Database,
    session: Session,
    agent_id: int,
    now: dt.datetime,
    default_minutes: int,
    scope: str,
    lookback: dt.timedelta,
) -> list[SlaAlertView]:
    agent = session.get(Agent, agent_id)
    if agent is None:
        return []
    mine = Ticket.assignee_id == agent_id
    if scope == "auto" and Role.SUPERVISOR in agent.roles:
        teams = select(agent_team.c.team_id).where(agent_team.c.agent_id == agent_id)
        mine = or_(mine, Ticket.team_id.in_(teams))
    context = sla_context(database, session)
    window = due_within(session, context, now, lambda spec: spec.warning_seconds(default_minutes))
    assignee = aliased(Agent)
    rows = session.execute(
        select(
            Ticket.id,
            Ticket.reference,
            Ticket.subject,
            Ticket.next_clock,
            Ticket.next_due_at,
            assignee.handle,
            Team.name,
            SlaPolicy.name,
            Ticket.priority,
        )
        .join(Team, Team.id == Ticket.team_id)
        .join(SlaPolicy, SlaPolicy.id == Ticket.policy_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .where(
            Ticket.is_open == true(),
            mine,
            window,
            Ticket.next_clock.is_not(None),
            Ticket.next_due_at > now - lookback,
        )
        .order_by(Ticket.next_due_at, Ticket.id)
        .limit(MAX_ALERTS)
    ).all()
    alerts = [
        SlaAlertView(
            ticket_id=row[0],
            reference=row[1],
            subject=row[2],
            clock=str(row[3]),
            level="breached" if due <= now else "warning",
            due_at=due,
            assignee=row[5],
            team=row[6],
            policy=row[7],
            priority=row[8],
        )
        for row in rows
        if (due := row[4]) is not None  # the query keeps only tickets with a due time
    ]
    alerts.sort(key=lambda a: (a.level != "breached", a.due_at, a.ticket_id))
    return alerts


def _remember(
    session: Session, agent_id: int, alerts: list[SlaAlertView], now: dt.datetime
) -> set[tuple[int, str, str]]:
    """Insert the alerts not raised before; the keys of those this call inserted."""
    if not alerts:
        return set()
    rows = session.execute(
        select(SlaAlert.ticket_id, SlaAlert.clock, SlaAlert.level).where(
            SlaAlert.agent_id == agent_id,
            SlaAlert.ticket_id.in_({a.ticket_id for a in alerts}),
        )
    )
    already = {(int(t), str(c), str(level)) for t, c, level in rows}
    fresh = [a for a in alerts if (a.ticket_id, a.clock, a.level) not in already]
    if not fresh:
        return set()
    dialect = session.get_bind().dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: Insert = insert_fn(SlaAlert).values(
        [
            {
                "agent_id": agent_id,
                "ticket_id": a.ticket_id,
                "clock": a.clock,
                "level": a.level,
                "due_at": a.due_at,
                "raised_at": now,
            }
            for a in fresh
        ]
    )
    # Another session of the same agent may have raised some in the meantime: theirs.
    statement = statement.on_conflict_do_nothing(  # type: ignore[attr-defined]
        index_elements=["agent_id", "ticket_id", "clock", "level"]
    ).returning(SlaAlert.ticket_id, SlaAlert.clock, SlaAlert.level)
    return {(int(t), str(c), str(level)) for t, c, level in session.execute(statement)}


def forget_alerts(database: Database, agent_id: int) -> None:
    """Forget what was raised for the agent (a test or a "show all again" action)."""
    with database.write() as session:
        session.execute(delete(SlaAlert).where(SlaAlert.agent_id == agent_id))
