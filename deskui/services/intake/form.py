"""What the new-ticket form asks of the database (``n`` on the queue).

The form's questions: organisations to search, an organisation's contacts and contract teams,
the policy that would apply with its priorities' definitions, and the entitlement flags as the
agent types. The form then opens the ticket with ``open_ticket(actor, draft, route=True,
acknowledge=True)``, like ``deskui ticket new``. Each function does blocking database work, so
the UI calls it from a thread worker.

Entitlement is shown, never enforced: a non-liaison contact and an organisation with no active
contract are flagged and the ticket is still opened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from deskui.domain.vocabulary import Category, Channel
from deskui.services.tickets.entitlement import active_contract, contract_teams
from deskui.services.tickets.reads import priority_view
from deskui.services.tickets.sla_context import policy_for
from deskui.services.tickets.views import PriorityView
from deskui.store.models import Contact, Organisation, Product, Team
from deskui.store.session import Database

CHANNEL_LABELS: dict[Channel, str] = {
    Channel.PHONE: "Phone",
    Channel.EMAIL: "Email",
    Channel.FAX: "Fax",
    Channel.ANSWERPHONE: "Answerphone",
    Channel.WEB: "Web form",
    Channel.WALK_IN: "Walk-in",
}
CATEGORY_LABELS: dict[Category, str] = {
    Category.TECHNICAL: "Technical",
    Category.TRAINING: "Training",
    Category.CHANGE_REQUEST: "Change request",
    Category.ENHANCEMENT: "Enhancement",
    Category.DATA: "Data",
    Category.INSTALLATION: "Installation",
    Category.SECURITY: "Security",
    Category.HARDWARE_NETWORK: "Hardware / network",
}


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a list: what is stored and what is shown."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class ContactChoice:
    email: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class OrganisationFacts:
    """An organisation's contacts and the teams of its contracts active now."""

    slug: str
    name: str
    contacts: tuple[ContactChoice, ...]
    contract_teams: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entitlement:
    """What opening would find: the contract (``None``: no entitlement), the policy and its
    priorities (highest first, with definitions), and the flags the ticket would carry."""

    contract: str | None
    policy: str
    priorities: tuple[PriorityView, ...]
    default_priority: str | None
    no_entitlement: bool
    non_liaison: bool

    @property
    def flags(self) -> tuple[str, ...]:
        flags = []
        if self.no_entitlement:
            flags.append("no entitlement")
        if self.non_liaison:
            flags.append("not a liaison")
        return tuple(flags)


@dataclass(frozen=True, slots=True)
class IntakeChoices:
    organisations: tuple[Choice, ...]
    teams: tuple[Choice, ...]
    products: tuple[Choice, ...]
    channels: tuple[Choice, ...]
    categories: tuple[Choice, ...]
    # Each team's products (team slug → products): the form offers only the chosen team's.
    team_products: dict[str, tuple[Choice, ...]] = field(default_factory=dict)


def form_choices(database: Database) -> IntakeChoices:
    """What the form offers: organisations, teams, products, channels and categories."""
    with database.read() as session:
        organisations = tuple(
            Choice(slug, name)
            for slug, name in session.execute(
                select(Organisation.slug, Organisation.name).order_by(Organisation.name)
            )
        )
        teams = tuple(
            Choice(slug, name)
            for slug, name in session.execute(select(Team.slug, Team.name).order_by(Team.slug))
        )
        product_rows = session.execute(
            select(Product.slug, Product.name, Team.slug)
            .join(Team, Team.id == Product.team_id)
            .order_by(Product.name)
        ).all()
        products = tuple(Choice(slug, name) for slug, name, _ in product_rows)
        team_products: dict[str, tuple[Choice, ...]] = {}
        for slug, name, team in product_rows:
            team_products[team] = (*team_products.get(team, ()), Choice(slug, name))
    return IntakeChoices(
        organisations=organisations,
        teams=teams,
        products=products,
        channels=tuple(Choice(c.value, label) for c, label in CHANNEL_LABELS.items()),
        categories=tuple(Choice(c.value, label) for c, label in CATEGORY_LABELS.items()),
        team_products=team_products,
    )


def organisation_facts(
    database: Database, slug: str, *, now: dt.datetime
) -> OrganisationFacts | None:
    """The organisation ``slug`` (``None`` if there is none) and its teams at ``now``."""
    with database.read() as session:
        row = session.scalars(select(Organisation).where(Organisation.slug == slug)).one_or_none()
        if row is None:
            return None
        contacts = tuple(
            ContactChoice(c.email, c.name, c.role)
            for c in session.scalars(
                select(Contact).where(Contact.organisation_id == row.id).order_by(Contact.name)
            )
        )
        return OrganisationFacts(row.slug, row.name, contacts, contract_teams(row, now))


def entitlement(
    database: Database,
    organisation: str | None,
    team: str,
    contact_email: str | None,
    *,
    now: dt.datetime,
) -> Entitlement | None:
    """The contract, policy and flags a ticket for these would get at ``now`` (``None``:
    no such team)."""
    with database.read() as session:
        team_row = session.scalars(select(Team).where(Team.slug == team)).one_or_none()
        if team_row is None:
            return None
        org_row = (
            session.scalars(
                select(Organisation).where(Organisation.slug == organisation)
            ).one_or_none()
            if organisation
            else None
        )
        contract = active_contract(session, org_row, team_row, now)
        policy_row = contract.policy if contract is not None else team_row.policy
        if policy_row is None:
            return None
        _, policy = policy_for(database, session, policy_row.name)
        email = (contact_email or "").strip().lower()
        liaison = contract is not None and any(c.email == email for c in contract.liaisons)
        return Entitlement(
            contract=(contract.reference or f"#{contract.id}") if contract else None,
            policy=policy.name,
            priorities=tuple(priority_view(policy, p.slug) for p in policy.priorities),
            default_priority=policy.default_priority,
            no_entitlement=contract is None,
            non_liaison=contract is not None and not liaison,
        )
