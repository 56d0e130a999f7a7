"""The outbox: automatic acknowledgements queued with the ticket, sent after commit, retried.

A new ticket from email or the web gets an acknowledgement with its reference in the subject
(``[DSK-000123] Re: …``). ``queue_acknowledgement`` writes it to ``outbound_mail`` inside the
ticket's own transaction, with a fresh ``Message-ID`` also recorded in ``mail_message`` so the
customer's reply threads back to the ticket. ``send_pending`` sends what is due *after* the
transaction committed (a slow mail server never holds a database lock):

1. claim the due rows (one short write: ``next_attempt_at`` moves a lease ahead, so a second
   sender running at the same time skips them);
2. send each through ``mailer.send_mail``, outside any transaction;
3. record the outcome (one short write per message): sent → ``status = "sent"`` and an
   ``acknowledgement`` entry "automatic acknowledgement sent" on the ticket, which meets the
   acknowledgement clock (the ticket stays ``new``: no person has looked at it yet);
   failed → ``attempts + 1``, ``last_error``, the next attempt 1, 2, 4, … minutes later (capped
   at an hour), a ``system`` entry on the ticket at the first failure, and after
   ``mail_max_attempts`` the row is ``failed`` with a last ``system`` entry saying so.

Nothing is dropped silently: ``deskui mail outbox`` lists every row with its state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from deskui.domain.vocabulary import Channel, InteractionKind
from deskui.services.actor import Actor
from deskui.services.mail.replies import mail_domain, team_mail
from deskui.services.mail.smtp import MailDeliveryError, mail_configured, send_mail
from deskui.services.tickets.unit_of_work import begin_edit
from deskui.settings import Settings
from deskui.store.models import MailMessage, OutboundMail, Ticket
from deskui.store.session import Database

# ``mail_domain`` lives in replies (which makes reply ids); callers import it from here too.
__all__ = [
    "ACKNOWLEDGEMENT",
    "deliver_pending",
    "mail_domain",
    "outbox",
    "queue_acknowledgement",
    "send_pending",
]

ACKNOWLEDGEMENT = "acknowledgement"
ACKNOWLEDGED_CHANNELS = frozenset({Channel.EMAIL, Channel.WEB})
CLAIM_LEASE = dt.timedelta(minutes=5)
MAX_BACKOFF = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class OutboxView:
    """One queued message as the CLI lists it."""

    id: int
    reference: str | None
    purpose: str
    to_address: str
    subject: str
    status: str
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class SendResult:
    """What one send attempt did: ``sent``, ``retry`` (will try again) or ``failed``."""

    id: int
    reference: str | None
    outcome: str
    error: str | None = None


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failure: 1, 2, 4, … minutes, at most 1 h."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def acknowledgement_text(ticket: Ticket) -> tuple[str, str]:
    """The acknowledgement's subject and body."""
    subject = f"[{ticket.reference}] Re: {ticket.subject}"
    name = ticket.requester_name or "there"
    body = (
        f"Hello {name},\n\n"
        f"Thank you for contacting {ticket.team.name}. Your request has been logged as "
        f"{ticket.reference}: {ticket.subject}\n\n"
        "Please keep the reference in the subject when you reply, so your message reaches "
        "the same ticket.\n\n"
        f"{ticket.team.name}\n"
    )
    return subject, body


def queue_acknowledgement(
    session: Session,
    ticket: Ticket,
    *,
    at: dt.datetime,
    domain: str,
    in_reply_to: str | None = None,
) -> OutboundMail | None:
    """Queue the acknowledgement of a just-opened (flushed) ticket from email or the web
    that has an address to write to; ``None`` when it gets none. ``in_reply_to``: the
    customer's Message-ID, so the acknowledgement threads under their message."""
    address = ticket.requester_email or (ticket.contact.email if ticket.contact else None)
    if Channel(ticket.channel) not in ACKNOWLEDGED_CHANNELS or not address:
        return None
    subject, body = acknowledgement_text(ticket)
    message_id = make_msgid(idstring=ticket.reference, domain=domain)
    row = OutboundMail(
        ticket_id=ticket.id,
        purpose=ACKNOWLEDGEMENT,
        to_address=address,
        subject=subject[:500],
        body=body,
        message_id=message_id,
        created_at=at,
        status="pending",
        attempts=0,
        next_attempt_at=at,
        from_address=team_mail(ticket.team).address,
        in_reply_to=in_reply_to,
        references_header=in_reply_to,
    )
    session.add(row)
    session.add(
        MailMessage(message_id=message_id, ticket_id=ticket.id, direction="outbound", at=at)
    )
    return row


def build_message(settings: Settings, row: OutboundMail) -> EmailMessage:
    """The message for ``row``: From the team's address (else ``mail_from``), Cc kept from
    the customer, the threading headers; only acknowledgements say ``auto-replied``."""
    message = EmailMessage()
    message["From"] = row.from_address or settings.mail_from
    message["To"] = row.to_address
    if row.cc:
        message["Cc"] = ", ".join(row.cc)
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    if row.in_reply_to:
        message["In-Reply-To"] = row.in_reply_to
    if row.references_header:
        message["References"] = row.references_header
    message["Auto-Submitted"] = "auto-replied" if row.purpose == ACKNOWLEDGEMENT else "no"
    message.set_content(row.body)
    return message


def deliver_pending(actor: Actor) -> list[SendResult]:
    """Send what is due now when SMTP is configured in the actor's settings (nothing
    otherwise: the mail waits for ``deskui mail send-pending``). Call it after the commit."""
    if not mail_configured(actor.settings):
        return []
    return send_pending(actor.database, actor.settings, at=actor.now())


def _claim(database: Database, at: dt.datetime, limit: int) -> list[int]:
    with database.write() as session:
        rows = list(
            session.scalars(
                select(OutboundMail)
                .where(
                    OutboundMail.status == "pending",
                    or_(OutboundMail.next_attempt_at.is_(None), OutboundMail.next_attempt_at <= at),
                )
                .order_by(OutboundMail.id)
                .limit(limit)
            )
        )
        for row in rows:
            row.next_attempt_at = at + CLAIM_LEASE
        return [row.id for row in rows]


def _reference(session: Session, row: OutboundMail) -> str | None:
    if row.ticket_id is None:
        return None
    return session.scalar(select(Ticket.reference).where(Ticket.id == row.ticket_id))


def send_pending(
    database: Database, settings: Settings, *, at: dt.datetime, limit: int = 100
) -> list[SendResult]:
    """Send the queued messages that are due at ``at``; what happened to each."""
    results: list[SendResult] = []
    for row_id in _claim(database, at, limit):
        with database.read() as session:
            row = session.get(OutboundMail, row_id)
            assert row is not None
            message = build_message(settings, row)
        error: str | None = None
        try:
            send_mail(settings, message)
        except MailDeliveryError as exc:
            error = str(exc)
        results.append(_record(database, settings, row_id, at, error))
    return results


def _record(
    database: Database, settings: Settings, row_id: int, at: dt.datetime, error: str | None
) -> SendResult:
    with database.write() as session:
        row = session.get(OutboundMail, row_id)
        assert row is not None
        reference = _reference(session, row)
        row.attempts += 1
        what = "automatic acknowledgement" if row.purpose == ACKNOWLEDGEMENT else row.purpose
        if error is None:
            row.status, row.sent_at, row.next_attempt_at, row.last_error = "sent", at, None, None
            outcome = "sent"
            kind = InteractionKind.ACKNOWLEDGEMENT
            body = f"automatic acknowledgement sent to {row.to_address}"
        else:
            row.last_error = error
            if row.attempts >= settings.mail_max_attempts:
                row.status, row.next_attempt_at, outcome = "failed", None, "failed"
                body = (
                    f"{what} to {row.to_address} could not be sent after "
                    f"{row.attempts} attempts; giving up: {error}"
                )
            else:
                retry_at = at + backoff(row.attempts)
                row.next_attempt_at, outcome = retry_at, "retry"
                body = (
                    f"{what} to {row.to_address} not sent yet (attempt "
                    f"{row.attempts}): {error}; next try at {retry_at:%Y-%m-%d %H:%M} UTC"
                )
            kind = InteractionKind.SYSTEM
        # Only the first failure and the outcome are logged: retries stay in the outbox. An
        # agent's reply is already logged as email-out: only its failures are added.
        logged = outcome != "retry" or row.attempts == 1
        if row.purpose != ACKNOWLEDGEMENT and outcome == "sent":
            logged = False
        if reference is not None and logged:
            edit = begin_edit(database, session, reference, by=None, at=at)
            meta = {"automatic": True, "message_id": row.message_id, "outcome": outcome}
            edit.log(kind, body, meta, author_name="deskui")
            action = "acknowledgement-mail" if row.purpose == ACKNOWLEDGEMENT else "mail"
            edit.finish(action, outcome=outcome)
        else:
            session.flush()
        return SendResult(row_id, reference, outcome, error)


def outbox(database: Database, *, status: str | None = None) -> list[OutboxView]:
    """Every queued message (or those with ``status``), newest first."""
    with database.read() as session:
        statement = select(OutboundMail).order_by(OutboundMail.id.desc())
        if status is not None:
            statement = statement.where(OutboundMail.status == status)
        return [
            OutboxView(
                id=row.id,
                reference=_reference(session, row),
                purpose=row.purpose,
                to_address=row.to_address,
                subject=row.subject,
                status=row.status,
                attempts=row.attempts,
                created_at=row.created_at,
                sent_at=row.sent_at,
                next_attempt_at=row.next_attempt_at,
                last_error=row.last_error,
            )
            for row in session.scalars(statement)
        ]
