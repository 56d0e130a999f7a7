"""Why a stored ticket's SLA clocks are due when they are: ``deskui sla explain REF``.

For each clock: the target and the calendar it counts on, then the timeline from the opening
to the due (the open intervals that counted, closed nights, weekends and public holidays by
name, closures, pauses while waiting on the customer), as the SLA engine's
``deskui.domain.sla.explain`` renders it. The clocks are computed from the ticket's log, the
same way the stored clock columns are (``deskui.services.tickets.clocks``).

The text may contain names from configuration and the ticket's subject; the subject goes
through ``visible_text`` (customers write subjects), and callers show the whole text as plain
text, never as markup.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from deskui.domain.sla.explain import ClockExplanation, explain_clock, render_explanation
from deskui.domain.sla.policy import CLOCKS
from deskui.domain.untrusted import one_line
from deskui.services.connect import desk
from deskui.services.tickets.clocks import load_clock_events
from deskui.services.tickets.sla_context import sla_context
from deskui.services.tickets.unit_of_work import load_ticket, require_aware
from deskui.settings import Settings
from deskui.store.session import Database


def ticket_explanations(
    database: Database, ref: str, *, now: dt.datetime
) -> tuple[str, list[ClockExplanation]]:
    """A heading for the ticket and one explanation per clock, as they stand at ``now``."""
    require_aware(now, "now")
    with database.read() as session:
        ticket = load_ticket(session, ref)
        context = sla_context(database, session)
        if ticket.policy.name not in context.policies:
            context = sla_context(database, session, reload=True)
        policy = context.policy(ticket.policy.name)
        events = load_clock_events(session, ticket.id)
        explanations = [
            explain_clock(
                policy, ticket.priority, context.book, ticket.opened_at, events, clock, now
            )
            for clock in CLOCKS
        ]
        zone = ZoneInfo(ticket.team.calendar.timezone)
        local_now = now.astimezone(zone)
        heading = "\n".join(
            [
                f"{ticket.reference}: {one_line(ticket.subject, 100)}",
                f"team: {ticket.team.slug}; status: {ticket.status.value}; "
                f"as of {local_now:%a %d %b %Y %H:%M %Z}",
            ]
        )
    return heading, explanations


def explain_stored_ticket(database: Database, ref: str, *, now: dt.datetime) -> str:
    """Plain text: the heading, then each clock's explanation, separated by blank lines."""
    heading, explanations = ticket_explanations(database, ref, now=now)
    return "\n\n".join([heading, *(render_explanation(e) for e in explanations)])


def explain_ticket(settings: Settings, ref: str) -> str:
    """``deskui sla explain REF``: the explanation at the settings' "now" (``DESKUI_NOW`` or
    the system clock) from the configured database."""
    with desk(settings) as actor:
        return explain_stored_ticket(actor.database, ref, now=actor.now())
