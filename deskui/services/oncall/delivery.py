"""Delivering queued pages through their channels, with retries and backoff; the pager's tick.

``deliver_due`` claims the pages that are due in one short write transaction (a lease on
``next_attempt_at`` keeps a second runner off them), sends each with no transaction open, then
writes the outcome and a ``page`` log entry under the ticket's lock. A failed delivery is tried
again after ``pager_retry_seconds`` doubling each time; after ``pager_max_attempts`` the page is
``failed`` and its log says so. A channel that is not configured fails at once: retrying would
not help, and the log must still show it.

``pager_tick`` is one pass of the runner: escalate what is overdue, then deliver what is due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import or_, select

from deskui.domain.vocabulary import InteractionKind, PageChannel, PageStatus
from deskui.services.oncall.channels import CHANNELS, OutgoingPage, PageDeliveryError
from deskui.services.oncall.paging import escalate
from deskui.services.tickets.unit_of_work import begin_edit, require_aware
from deskui.settings import Settings
from deskui.store.models import Page, Ticket
from deskui.store.session import Database

# How long a claimed page is kept from other runners while it is being sent.
LEASE_SECONDS = 120


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one attempt: ``sent``, ``retrying`` or ``failed``."""

    page_id: int
    reference: str
    agent: str
    channel: PageChannel
    result: str
    error: str | None


@dataclass(frozen=True, slots=True)
class TickSummary:
    escalated: list[str]
    outcomes: list[Outcome]


def pager_tick(database: Database, settings: Settings, now: dt.datetime) -> TickSummary:
    """One pass of the pager: escalate, then deliver everything due at ``now``."""
    escalated = escalate(database, settings, now)
    return TickSummary(escalated, deliver_due(database, settings, now))


def deliver_due(database: Database, settings: Settings, now: dt.datetime) -> list[Outcome]:
    """Send every pending page due at ``now``; the outcome of each attempt."""
    require_aware(now, "now")
    outcomes: list[Outcome] = []
    for page in _claim(database, now):
        page = _with_target(page, settings)
        try:
            send_page(settings, page)
        except PageDeliveryError as exc:
            outcomes.append(_record(database, settings, page, now, exc))
        else:
            outcomes.append(_record(database, settings, page, now, None))
    return outcomes


def _claim(database: Database, now: dt.datetime) -> list[OutgoingPage]:
    with database.write() as session:
        statement = (
            select(Page, Ticket)
            .join(Ticket, Ticket.id == Page.ticket_id)
            .where(
                Page.status == PageStatus.PENDING,
                or_(Page.next_attempt_at.is_(None), Page.next_attempt_at <= now),
            )
            .order_by(Page.id)
        )
        if database.dialect == "postgresql":
            statement = statement.with_for_update(of=Page, skip_locked=True)
        claimed: list[OutgoingPage] = []
        for page, ticket in session.execute(statement).all():
            page.next_attempt_at = now + dt.timedelta(seconds=LEASE_SECONDS)
            claimed.append(
                OutgoingPage(
                    id=page.id,
                    ticket_id=ticket.id,
                    reference=ticket.reference,
                    subject=ticket.subject,
                    priority=ticket.priority,
                    organisation=ticket.organisation.name if ticket.organisation else None,
                    level=page.level,
                    channel=page.channel,
                    target=page.target,
                    agent=page.agent.handle,
                    agent_name=page.agent.name,
                )
            )
        return claimed


def _with_target(page: OutgoingPage, settings: Settings) -> OutgoingPage:
    target = CHANNELS[page.channel].target(settings, page)
    return replace(page, target=target)


def send_page(settings: Settings, page: OutgoingPage) -> None:
    """One attempt over the page's channel; ``PageDeliveryError`` says why it failed."""
    CHANNELS[page.channel].send(settings, page)


def _record(
    database: Database,
    settings: Settings,
    sent: OutgoingPage,
    now: dt.datetime,
    error: PageDeliveryError | None,
) -> Outcome:
    with database.write() as session:
        edit = begin_edit(database, session, sent.reference, by=None, at=now)
        page = session.get(Page, sent.id)
        assert page is not None
        page.attempts += 1
        page.target = sent.target[:1000]
        who = f"{sent.agent_name} ({sent.agent})"
        channel = sent.channel.value
        meta: dict[str, object] = {
            "agent": sent.agent,
            "level": sent.level,
            "channel": channel,
            "attempt": page.attempts,
            "page_id": sent.id,
        }
        if error is None:
            result = "sent"
            page.sent_at = now
            page.last_error = None
            page.next_attempt_at = None
            if page.status == PageStatus.PENDING:
                page.status = PageStatus.SENT
            body = f"page to {who} by {channel} sent to {sent.target}"
        elif error.permanent or page.attempts >= settings.pager_max_attempts:
            result = "failed"
            page.last_error = str(error)
            page.next_attempt_at = None
            if page.status == PageStatus.PENDING:  # an acknowledgement meanwhile stands
                page.status = PageStatus.FAILED
            body = (
                f"page to {who} by {channel} failed after {page.attempts} "
                f"attempt{'s' if page.attempts != 1 else ''}: {error}"
            )
        else:
            result = "retrying"
            page.last_error = str(error)
            wait = settings.pager_retry_seconds * 2 ** (page.attempts - 1)
            page.next_attempt_at = now + dt.timedelta(seconds=wait)
            meta["next_attempt_at"] = page.next_attempt_at.isoformat()
            body = (
                f"page to {who} by {channel} failed (attempt {page.attempts} of "
                f"{settings.pager_max_attempts}): {error}; next try at "
                f"{page.next_attempt_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
            )
        meta["page"] = result
        if error is not None:
            meta["error"] = str(error)
        edit.log(InteractionKind.PAGE, body, meta)
        edit.finish(f"page-{result}", channel=channel, agent=sent.agent)
        return Outcome(sent.id, sent.reference, sent.agent, sent.channel, result, page.last_error)
