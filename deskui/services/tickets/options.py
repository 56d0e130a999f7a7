"""What a caller may choose when opening a ticket for an organisation, read before opening.

``deskui ticket new`` checks its options against this (an unknown contact is an error there,
while ``open_ticket`` logs anyone) and infers the team when the organisation's contracts
active that day name exactly one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from deskui.services.errors import TicketValidationError
from deskui.services.tickets.entitlement import contract_teams
from deskui.services.tickets.unit_of_work import require_aware
from deskui.store.models import Contact, Organisation, Team
from deskui.store.session import Database


@dataclass(frozen=True, slots=True)
class IntakeOptions:
    """An organisation's contacts (emails) and the teams it may open tickets with.

    ``contract_teams``: teams of the contracts active at the moment asked about (each on its
    team's local date, as ``open_ticket`` decides entitlement); ``teams``: every team.
    """

    organisation: str
    contacts: tuple[str, ...]
    contract_teams: tuple[str, ...]
    teams: tuple[str, ...]


def intake_options(database: Database, organisation: str, *, at: dt.datetime) -> IntakeOptions:
    """The choices for ``organisation`` at ``at``; ``TicketValidationError`` on
    ``organisation`` (listing the known slugs) if there is no such organisation."""
    require_aware(at)
    with database.read() as session:
        row = session.scalars(
            select(Organisation).where(Organisation.slug == organisation.strip())
        ).one_or_none()
        if row is None:
            known = ", ".join(
                session.scalars(select(Organisation.slug).order_by(Organisation.slug))
            )
            raise TicketValidationError(
                "organisation", f"unknown organisation {organisation!r} (known: {known or 'none'})"
            )
        contacts = session.scalars(
            select(Contact.email).where(Contact.organisation_id == row.id).order_by(Contact.email)
        )
        teams = session.scalars(select(Team.slug).order_by(Team.slug))
        return IntakeOptions(
            organisation=row.slug,
            contacts=tuple(contacts),
            contract_teams=contract_teams(row, at),
            teams=tuple(teams),
        )
