"""Who is on call now for the signed-in agent's teams, as one short line for the desk header.

Only teams with an on-call rotation count; an agent whose teams have none gets ``None`` (the
header then shows nothing extra). Pages of those teams' tickets that failed and that nobody
has acknowledged are counted on the same line, so a failed page is seen, not only logged.
Meant to be called from a worker every minute or so, not on every one-second header tick.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from deskui.domain.vocabulary import PageStatus
from deskui.services.oncall.shifts import on_call
from deskui.store.models import Agent, OnCallRotation, Page, Team, Ticket
from deskui.store.models.people import agent_team
from deskui.store.session import Database


def on_call_line(database: Database, handle: str, at: dt.datetime) -> str | None:
    """``"on call: kenco lchen/jmorales"`` (primary/secondary) for ``handle``'s teams, with
    ``" · 2 pages failed"`` when some did, or ``None`` if none of them has a rotation."""
    with database.read() as session:
        teams = list(
            session.scalars(
                select(Team.slug)
                .join(agent_team, agent_team.c.team_id == Team.id)
                .join(Agent, Agent.id == agent_team.c.agent_id)
                .where(Agent.handle == handle, Team.id.in_(select(OnCallRotation.team_id)))
                .order_by(Team.slug)
            )
        )
        failed = session.scalar(
            select(func.count(Page.id))
            .join(Ticket, Ticket.id == Page.ticket_id)
            .join(Team, Team.id == Ticket.team_id)
            .where(
                Team.slug.in_(teams),
                Page.status == PageStatus.FAILED,
                Page.acknowledged_at.is_(None),
            )
        )
    if not teams:
        return None
    parts: list[str] = []
    for slug in teams:
        for team in on_call(database, at, slug):
            primary = team.primary.handle if team.primary else "nobody"
            secondary = f"/{team.secondary.handle}" if team.secondary else ""
            parts.append(f"{team.team} {primary}{secondary}")
    line = "on call: " + ", ".join(parts)
    if failed:
        line += f" · {failed} page{'s' if failed != 1 else ''} failed"
    return line
