"""Who is on call: the stored shifts of each team with a rotation, read at one instant.

``on_call(database, at)`` gives, per team, the primary and secondary holding a shift at ``at``
and the ones who take over next, with shift times in the team's zone and whether the team's
calendar is open at ``at`` (outside it, tickets page the on-call agent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from deskui.domain.vocabulary import ShiftRole
from deskui.services.errors import NotFoundError
from deskui.services.tickets.sla_context import sla_context
from deskui.store.models import Agent, OnCallRotation, OnCallShift, Team
from deskui.store.session import Database


class UnknownTeamError(NotFoundError):
    """The team asked for does not exist or has no on-call rotation."""


@dataclass(frozen=True, slots=True)
class ShiftView:
    """One agent's stretch in one role; times are in the team's zone."""

    handle: str
    name: str
    role: ShiftRole
    starts_at: dt.datetime
    ends_at: dt.datetime
    override_reason: str | None


@dataclass(frozen=True, slots=True)
class TeamOnCall:
    """A team's on-call picture at ``at`` (in the team's zone)."""

    team: str
    team_name: str
    timezone: str
    calendar: str
    at: dt.datetime
    business_hours: bool
    primary: ShiftView | None
    secondary: ShiftView | None
    next_primary: ShiftView | None
    next_secondary: ShiftView | None


def on_call(database: Database, at: dt.datetime, team: str | None = None) -> list[TeamOnCall]:
    """Each team with a rotation (or only ``team``), sorted by slug, at the aware ``at``."""
    if at.tzinfo is None:
        raise ValueError("on_call needs an aware datetime")
    with database.read() as session:
        teams = _teams(session, team)
        context = sla_context(database, session)
        result: list[TeamOnCall] = []
        for row in teams:
            zone = ZoneInfo(row.calendar.timezone)
            calendar = context.book.get(row.calendar.name)
            current = {role: _current(session, row.id, role, at, zone) for role in ShiftRole}
            after = {
                role: shift.ends_at if (shift := current[role]) is not None else at
                for role in ShiftRole
            }
            upcoming = {role: _next(session, row.id, role, after[role], zone) for role in ShiftRole}
            result.append(
                TeamOnCall(
                    team=row.slug,
                    team_name=row.name,
                    timezone=zone.key,
                    calendar=row.calendar.name,
                    at=at.astimezone(zone),
                    business_hours=calendar.is_open(at),
                    primary=current[ShiftRole.PRIMARY],
                    secondary=current[ShiftRole.SECONDARY],
                    next_primary=upcoming[ShiftRole.PRIMARY],
                    next_secondary=upcoming[ShiftRole.SECONDARY],
                )
            )
        return result


def team_zones(database: Database, team: str | None = None) -> dict[str, ZoneInfo]:
    """The zone of each team with a rotation (or only ``team``), so wall times can be read."""
    with database.read() as session:
        return {row.slug: ZoneInfo(row.calendar.timezone) for row in _teams(session, team)}


def _teams(session: Session, wanted: str | None) -> list[Team]:
    rotated = select(OnCallRotation.team_id)
    rows = list(
        session.scalars(
            select(Team)
            .options(joinedload(Team.calendar))
            .where(Team.id.in_(rotated))
            .order_by(Team.slug)
        )
    )
    if wanted is None:
        return rows
    chosen = [row for row in rows if row.slug == wanted]
    if chosen:
        return chosen
    known = ", ".join(row.slug for row in rows) or "none"
    exists = session.scalar(select(Team.id).where(Team.slug == wanted)) is not None
    if exists:
        raise UnknownTeamError(f"team {wanted!r} has no on-call rotation (teams with one: {known})")
    raise UnknownTeamError(f"unknown team {wanted!r} (teams with a rotation: {known})")


def current_shift(
    session: Session, team_id: int, role: ShiftRole, at: dt.datetime
) -> OnCallShift | None:
    """The shift holding ``role`` for the team at ``at`` (its agent loaded), or ``None``; read
    in the caller's session, so it can run inside a write transaction."""
    return session.scalars(
        select(OnCallShift)
        .options(joinedload(OnCallShift.agent))
        .where(
            OnCallShift.team_id == team_id,
            OnCallShift.role == role,
            OnCallShift.starts_at <= at,
            OnCallShift.ends_at > at,
        )
        # Shifts of one role should not overlap; if they do, the latest start wins.
        .order_by(OnCallShift.starts_at.desc(), OnCallShift.id.desc())
        .limit(1)
    ).first()


def current_shift_holder(
    session: Session, team_id: int, role: ShiftRole, at: dt.datetime
) -> Agent | None:
    """The agent holding ``role`` for the team at ``at`` (routing's on-call strategy)."""
    row = current_shift(session, team_id, role, at)
    return row.agent if row is not None else None


def _current(
    session: Session, team_id: int, role: ShiftRole, at: dt.datetime, zone: ZoneInfo
) -> ShiftView | None:
    row = current_shift(session, team_id, role, at)
    return _view(row, zone) if row is not None else None


def _next(
    session: Session, team_id: int, role: ShiftRole, after: dt.datetime, zone: ZoneInfo
) -> ShiftView | None:
    row = session.scalars(
        select(OnCallShift)
        .options(joinedload(OnCallShift.agent))
        .where(
            OnCallShift.team_id == team_id,
            OnCallShift.role == role,
            OnCallShift.starts_at >= after,
        )
        .order_by(OnCallShift.starts_at, OnCallShift.id)
        .limit(1)
    ).first()
    return _view(row, zone) if row is not None else None


def _view(row: OnCallShift, zone: ZoneInfo) -> ShiftView:
    return ShiftView(
        handle=row.agent.handle,
        name=row.agent.name,
        role=row.role,
        starts_at=row.starts_at.astimezone(zone),
        ends_at=row.ends_at.astimezone(zone),
        override_reason=row.override_reason,
    )
