"""What the ticket screen, its forms and "go to ticket" ask of the database.

The ticket with its customer's time zone and its policy's priorities, its current version (cheap:
the screen compares it to know when to reload), the agents to assign to, references matching
what was typed, and why a clock is due when it is. Each is one short read; the UI calls them
from thread workers, the CLI directly.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from deskui.domain.sla.explain import render_explanation
from deskui.services.tickets.lifecycle import get_ticket
from deskui.services.tickets.reads import priority_view
from deskui.services.tickets.sla_context import sla_context
from deskui.services.tickets.sla_explain import ticket_explanations
from deskui.services.tickets.unit_of_work import normalise_reference
from deskui.services.tickets.views import AgentChoice, TicketMatch, TicketPage
from deskui.store.models import Agent, Contact, Organisation, Ticket
from deskui.store.session import Database


def ticket_page(database: Database, ref: str, *, now: dt.datetime) -> TicketPage:
    """The ticket as it stands at ``now``; ``TicketNotFoundError`` if there is none."""
    view = get_ticket(database, ref, now=now)
    with database.read() as session:
        zones = session.execute(
            select(Contact.timezone, Organisation.timezone)
            .select_from(Ticket)
            .outerjoin(Contact, Contact.id == Ticket.contact_id)
            .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)
            .where(Ticket.id == view.ticket_id)
        ).one_or_none()
    customer_zone = (zones[0] or zones[1]) if zones is not None else None
    policy = sla_context(database).policies.get(view.policy)
    priorities = tuple(priority_view(policy, p.slug) for p in policy.priorities) if policy else ()
    return TicketPage(view, customer_zone, priorities)


def ticket_version(database: Database, ref: str) -> int | None:
    """The ticket's current version (``None``: no such ticket)."""
    with database.read() as session:
        return session.scalar(
            select(Ticket.version).where(Ticket.reference == normalise_reference(ref))
        )


def active_agents(database: Database) -> list[AgentChoice]:
    """Active agents, by name."""
    with database.read() as session:
        rows = session.execute(
            select(Agent.handle, Agent.name).where(Agent.active).order_by(Agent.name)
        )
        return [AgentChoice(handle, name) for handle, name in rows]


def find_tickets(database: Database, text: str, *, limit: int = 10) -> list[TicketMatch]:
    """Tickets whose reference contains ``text`` (case-insensitive), newest first."""
    wanted = normalise_reference(text)
    if not wanted:
        return []
    with database.read() as session:
        rows = session.execute(
            select(Ticket.reference, Ticket.subject, Ticket.status)
            .where(
                or_(
                    Ticket.reference == wanted,
                    Ticket.reference.contains(wanted, autoescape=True),
                )
            )
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
        return [TicketMatch(ref, subject, str(status.value)) for ref, subject, status in rows]


def explain_clocks(
    database: Database, ref: str, *, now: dt.datetime, clock: str | None = None
) -> str:
    """Plain text: why the ticket's clock ``clock`` (or every clock) is due when it is."""
    heading, explanations = ticket_explanations(database, ref, now=now)
    chosen = [e for e in explanations if clock is None or e.clock.value == clock]
    return "\n\n".join([heading, *(render_explanation(e) for e in chosen)])
