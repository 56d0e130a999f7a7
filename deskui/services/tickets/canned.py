"""A team's mail settings as the ticket screens and replies read them: canned replies filled
in for a ticket (found by fuzzy search), the placeholders they and signatures use, and whether
resolving tells the client by default. Reads only; sending is ``deskui.services.mail``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from deskui.domain.catalog.team_mail import CannedReplySpec, TeamMailSpec
from deskui.domain.mail_rules import fill_template, first_name, fuzzy_rank
from deskui.services.tickets.unit_of_work import normalise_reference
from deskui.services.tickets.views import CannedReply
from deskui.store.models import Team, Ticket
from deskui.store.session import Database


def team_mail(team: Team | None) -> TeamMailSpec:
    """The team's mail settings (all defaults when it has none)."""
    if team is None or not team.mail:
        return TeamMailSpec()
    return TeamMailSpec.model_validate(team.mail)


def placeholders(ticket: Ticket, agent_name: str) -> dict[str, str]:
    """The values a canned reply or signature may use."""
    eta = ticket.eta_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if ticket.eta_at else ""
    return {
        "first_name": first_name(ticket.requester_name or ""),
        "requester": ticket.requester_name or "",
        "reference": ticket.reference,
        "agent": agent_name,
        "eta": eta or "as soon as we can",
        "subject": ticket.subject,
        "team": ticket.team.name,
    }


def _ticket(database: Database, ref: str):  # type: ignore[no-untyped-def]
    return select(Ticket).where(Ticket.reference == normalise_reference(ref))


def tells_client_by_default(database: Database, ref: str) -> bool:
    """Whether resolving ``ref`` sends the summary unless told not to (the team's default)."""
    with database.read() as session:
        ticket = session.scalars(_ticket(database, ref)).first()
        return ticket is not None and team_mail(ticket.team).resolution_to_client


def canned_replies(
    database: Database, ref: str, *, agent_name: str, query: str = ""
) -> list[CannedReply]:
    """The ticket team's canned replies matching ``query`` (fuzzy, best first), filled in."""
    with database.read() as session:
        ticket = session.scalars(_ticket(database, ref)).first()
        if ticket is None:
            return []
        spec = team_mail(ticket.team)
        values = placeholders(ticket, agent_name)
        by_name: dict[str, CannedReplySpec] = {c.name: c for c in spec.canned_replies}
        return [
            CannedReply(
                name,
                fill_template(by_name[name].subject, values),
                fill_template(by_name[name].body, values),
            )
            for name in fuzzy_rank(query, by_name)
        ]
