"""Which contract is active: the one answer for the form, the CLI, mail intake and opening.

A contract is in force by the dates of its team's time zone (``deskui.domain.entitlement``), so
"now" is turned into the team's local date first. ``active_contract`` is what opening records
on the ticket (the latest started, when two overlap); ``contract_teams`` what the form and
``deskui ticket new`` offer; ``active_contracts`` what mail intake picks its team from.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from deskui.domain.entitlement import active_on, contract_state
from deskui.store.models import Contract, Organisation, Team


def team_day(team: Team, at: dt.datetime) -> dt.date:
    """The date of ``at`` where ``team`` works (contracts run by those dates)."""
    return at.astimezone(ZoneInfo(team.calendar.timezone)).date()


def contract_status(contract: Contract | None, day: dt.date) -> str:
    """``none``, ``active``, ``not-yet-active`` or ``expired`` on ``day``."""
    if contract is None:
        return "none"
    return contract_state(contract.active_from, contract.active_to, day)


def is_active(contract: Contract, at: dt.datetime) -> bool:
    """Whether ``contract`` is in force at ``at`` (on its team's local date)."""
    return active_on(contract.active_from, contract.active_to, team_day(contract.team, at))


def active_contracts(organisation: Organisation, at: dt.datetime) -> list[Contract]:
    """The organisation's contracts in force at ``at``, the latest started first."""
    ordered = sorted(organisation.contracts, key=lambda c: (c.active_from, c.id), reverse=True)
    return [c for c in ordered if is_active(c, at)]


def contract_teams(organisation: Organisation, at: dt.datetime) -> tuple[str, ...]:
    """The teams of the organisation's contracts in force at ``at``, by slug."""
    return tuple(sorted({c.team.slug for c in active_contracts(organisation, at)}))


def active_contract(
    session: Session, organisation: Organisation | None, team: Team, at: dt.datetime
) -> Contract | None:
    """The organisation's contract with ``team`` in force at ``at`` (the latest started).

    The same rule as ``is_active``, as a query: a large organisation's history of contracts is
    not loaded to open one ticket.
    """
    if organisation is None:
        return None
    day = team_day(team, at)
    return session.scalars(
        select(Contract)
        .where(
            Contract.organisation_id == organisation.id,
            Contract.team_id == team.id,
            Contract.active_from <= day,
            or_(Contract.active_to.is_(None), Contract.active_to >= day),
        )
        .order_by(Contract.active_from.desc(), Contract.id.desc())
        .limit(1)
    ).one_or_none()
