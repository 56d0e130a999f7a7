"""What a seeded database holds that generated tickets refer to, read once into plain data.

Indexes (not ids) are what the numpy code works with: ``teams[i]``, ``contracts[i]`` … each
carry their database id for the rows that are written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.calendar.localtime import first_instant
from deskui.domain.sla.policy import PolicySpec
from deskui.domain.vocabulary import Role
from deskui.services.errors import ServiceError
from deskui.store import models
from deskui.store.catalog_store import load_calendar_specs, load_policy_specs

# A contract without an end date runs until this epoch second.
FOREVER = 1 << 62


class NotSeededError(ServiceError):
    """The database has no desk configuration (or no contracts) to generate tickets for."""


@dataclass(frozen=True)
class Team:
    id: int
    slug: str
    calendar: str
    policy: int | None  # index into World.policies: the default for tickets without contract


@dataclass(frozen=True)
class Contract:
    id: int
    organisation: int  # index into World.organisations
    team: int  # index into World.teams
    policy: int  # index into World.policies
    starts: int  # epoch of active_from 00:00 in the client's zone
    ends: int  # epoch of the day after active_to there, or FOREVER
    liaisons: tuple[int, ...]  # contact ids


@dataclass(frozen=True)
class Contact:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Organisation:
    id: int
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    team: int  # index into World.teams


@dataclass(frozen=True)
class World:
    prefix: str
    book: CalendarBook
    policies: tuple[PolicySpec, ...]
    policy_ids: tuple[int, ...]
    teams: tuple[Team, ...]
    organisations: tuple[Organisation, ...]
    contracts: tuple[Contract, ...]
    products: tuple[Product, ...]
    # Agents who work tickets: per product those of its team skilled in it (else the whole
    # team), then per team; handles by agent id.
    product_pools: tuple[tuple[int, ...], ...]
    team_pools: tuple[tuple[int, ...], ...]
    handles: dict[int, str]


def read_world(session: Session) -> World:
    """Everything generation needs; ``NotSeededError`` if the database was never seeded."""
    desk = session.get(models.Desk, 1)
    calendars = load_calendar_specs(session)
    policy_specs = load_policy_specs(session)
    if desk is None or not calendars or not policy_specs:
        raise NotSeededError(
            "the database holds no desk configuration yet; load one with `deskui db seed DIR` "
            "(or pass --data DIR)"
        )
    names = list(policy_specs)
    ids_by_name = dict(session.execute(select(models.SlaPolicy.name, models.SlaPolicy.id)).all())
    policy_by_id = {ids_by_name[name]: i for i, name in enumerate(names)}
    calendar_names = dict(session.execute(select(models.Calendar.id, models.Calendar.name)).all())

    teams: list[Team] = []
    team_index: dict[int, int] = {}
    rows = session.execute(
        select(
            models.Team.id, models.Team.slug, models.Team.calendar_id, models.Team.policy_id
        ).order_by(models.Team.id)
    )
    for row in rows:
        team_index[row.id] = len(teams)
        policy = policy_by_id.get(row.policy_id) if row.policy_id is not None else None
        teams.append(Team(row.id, row.slug, calendar_names[row.calendar_id], policy))

    organisations, organisation_index, zones = _organisations(session)
    contracts = _contracts(session, organisation_index, zones, team_index, policy_by_id)
    if not contracts:
        raise NotSeededError("the database holds no contracts: tickets need clients to come from")
    products, product_pools, team_pools, handles = _staff(session, team_index, len(teams))
    return World(
        prefix=desk.reference_prefix,
        book=CalendarBook(calendars.values()),
        policies=tuple(policy_specs[name] for name in names),
        policy_ids=tuple(ids_by_name[name] for name in names),
        teams=tuple(teams),
        organisations=tuple(organisations),
        contracts=tuple(contracts),
        products=tuple(products),
        product_pools=tuple(product_pools),
        team_pools=tuple(team_pools),
        handles=handles,
    )


def _organisations(
    session: Session,
) -> tuple[list[Organisation], dict[int, int], dict[int, ZoneInfo]]:
    contacts: dict[int, list[Contact]] = {}
    rows = session.execute(
        select(
            models.Contact.id,
            models.Contact.organisation_id,
            models.Contact.name,
            models.Contact.email,
        ).order_by(models.Contact.id)
    )
    for row in rows:
        contacts.setdefault(row.organisation_id, []).append(Contact(row.id, row.name, row.email))
    organisations: list[Organisation] = []
    index: dict[int, int] = {}
    zones: dict[int, ZoneInfo] = {}
    rows = session.execute(
        select(models.Organisation.id, models.Organisation.timezone).order_by(
            models.Organisation.id
        )
    )
    for row in rows:
        index[row.id] = len(organisations)
        organisations.append(Organisation(row.id, tuple(contacts.get(row.id, ()))))
        zones[row.id] = ZoneInfo(row.timezone)
    return organisations, index, zones


def _midnight(day: dt.date, zone: ZoneInfo) -> int:
    return first_instant(dt.datetime.combine(day, dt.time()), zone)


def _contracts(
    session: Session,
    organisation_index: dict[int, int],
    zones: dict[int, ZoneInfo],
    team_index: dict[int, int],
    policy_by_id: dict[int, int],
) -> list[Contract]:
    liaisons: dict[int, list[int]] = {}
    link = models.contract_liaison.c
    for contract_id, contact_id in session.execute(select(link.contract_id, link.contact_id)):
        liaisons.setdefault(contract_id, []).append(contact_id)
    contracts = []
    for row in session.scalars(select(models.Contract).order_by(models.Contract.id)):
        zone = zones[row.organisation_id]
        ends = FOREVER
        if row.active_to is not None:
            ends = _midnight(row.active_to + dt.timedelta(days=1), zone)
        contracts.append(
            Contract(
                id=row.id,
                organisation=organisation_index[row.organisation_id],
                team=team_index[row.team_id],
                policy=policy_by_id[row.policy_id],
                starts=_midnight(row.active_from, zone),
                ends=ends,
                liaisons=tuple(sorted(liaisons.get(row.id, ()))),
            )
        )
    return contracts


def _staff(
    session: Session, team_index: dict[int, int], team_count: int
) -> tuple[list[Product], list[tuple[int, ...]], list[tuple[int, ...]], dict[int, str]]:
    handles = dict(
        session.execute(
            select(models.Agent.id, models.Agent.handle)
            .join(models.AgentRole, models.AgentRole.agent_id == models.Agent.id)
            .where(models.Agent.active, models.AgentRole.role == Role.AGENT)
        ).all()
    )
    members: dict[int, list[int]] = {}
    membership = models.agent_team.c
    for agent_id, team_id in session.execute(select(membership.agent_id, membership.team_id)):
        if agent_id in handles:
            members.setdefault(team_index[team_id], []).append(agent_id)
    skilled: dict[int, set[int]] = {}
    skills = models.agent_product_skill.c
    for agent_id, product_id in session.execute(select(skills.agent_id, skills.product_id)):
        skilled.setdefault(product_id, set()).add(agent_id)
    team_pools = [tuple(sorted(members.get(i, ()))) for i in range(team_count)]
    products: list[Product] = []
    product_pools: list[tuple[int, ...]] = []
    rows = session.execute(
        select(models.Product.id, models.Product.name, models.Product.team_id).order_by(
            models.Product.id
        )
    )
    for row in rows:
        team = team_index[row.team_id]
        products.append(Product(row.id, row.name, team))
        pool = tuple(a for a in team_pools[team] if a in skilled.get(row.id, set()))
        product_pools.append(pool or team_pools[team])
    return products, product_pools, team_pools, handles
