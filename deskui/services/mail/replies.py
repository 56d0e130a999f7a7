"""Agents' email to the customer: a reply or the resolution, logged and queued in one write.

``send_reply`` is what ``r`` (kind email) and ``deskui ticket reply --kind email-out`` call. In
one transaction it logs the ``email-out`` entry (which meets the response clock) and queues the
message in the outbox (``deskui.services.mail.outbox``), so the reply is never lost: the caller
sends it with ``send_pending`` after the commit, and a failed send stays in the outbox, is
retried with backoff and is logged on the ticket.

The message goes to the ticket's requester, with the addresses the customer's latest mail had
in Cc kept in Cc. Its headers:

- ``From``: the team's address (``mail.address`` in ``teams.yaml``), else ``mail_from``;
- ``Subject``: ``[REF] Re: subject`` (the reference in brackets, once);
- ``Message-ID``: made on the desk's domain and recorded in ``mail_message``, so an answer
  with ``In-Reply-To`` set to it threads back even if the customer changed the subject;
- ``In-Reply-To``: the customer's latest message; ``References``: the thread's ids, oldest
  first (at most the last 20);
- ``Auto-Submitted: no`` (a person wrote it; acknowledgements say ``auto-replied``).

``resolve_and_tell`` resolves the ticket and, when asked (or by the team's
``resolution_to_client`` default), sends the summary the same way, in the same transaction.
"""

from __future__ import annotations

from email.utils import make_msgid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from deskui.domain.catalog.team_mail import TeamMailSpec
from deskui.domain.mail_rules import fill_template
from deskui.domain.vocabulary import InteractionKind
from deskui.services.actor import Actor
from deskui.services.authorization import refusals_recorded
from deskui.services.errors import TicketValidationError
from deskui.services.tickets import lifecycle
from deskui.services.tickets.canned import (
    canned_replies,
    placeholders,
    team_mail,
    tells_client_by_default,
)
from deskui.services.tickets.unit_of_work import TicketEdit, begin_edit, required_text
from deskui.settings import Settings
from deskui.store.models import Interaction, MailMessage, OutboundMail, Ticket

__all__ = [
    "REPLY",
    "RESOLUTION",
    "canned_replies",
    "mail_domain",
    "placeholders",
    "queue_mail",
    "resolve_and_tell",
    "send_reply",
    "team_mail",
    "tells_client_by_default",
    "thread_headers",
]

REPLY = "reply"
RESOLUTION = "resolution"
MAX_REFERENCES = 20


def mail_domain(settings: Settings) -> str:
    """The domain of the desk's From address, for the Message-IDs it makes."""
    return settings.mail_from.rpartition("@")[2].strip(" >") or "deskui.invalid"


def thread_headers(session: Session, ticket_id: int) -> tuple[str | None, str | None]:
    """``In-Reply-To`` (the customer's latest message) and ``References`` for a new message
    on the ticket; ``(None, None)`` when the desk has seen no message on it."""
    rows = list(
        session.execute(
            select(MailMessage.message_id, MailMessage.direction)
            .where(MailMessage.ticket_id == ticket_id)
            .order_by(MailMessage.id.desc())
            .limit(MAX_REFERENCES)
        )
    )
    if not rows:
        return None, None
    inbound = next((mid for mid, direction in rows if direction == "inbound"), None)
    references = " ".join(mid for mid, _direction in reversed(rows))
    return inbound or rows[0][0], references


def _latest_cc(session: Session, ticket: Ticket) -> list[str]:
    entry = session.scalars(
        select(Interaction)
        .where(
            Interaction.ticket_id == ticket.id,
            Interaction.kind == InteractionKind.EMAIL_IN,
        )
        .order_by(Interaction.id.desc())
        .limit(1)
    ).first()
    cc = (entry.meta or {}).get("cc") if entry is not None else None
    return [str(a) for a in cc] if isinstance(cc, list) else []


def recipients(session: Session, ticket: Ticket, own: set[str]) -> tuple[str | None, list[str]]:
    """Who a reply goes to (the requester) and who stays in Cc (the customer's Cc, less
    the requester and the desk's own addresses)."""
    to = ticket.requester_email or (ticket.contact.email if ticket.contact else None)
    skip = {a.casefold() for a in own} | ({to.casefold()} if to else set())
    cc = [a for a in _latest_cc(session, ticket) if a.casefold() not in skip]
    return to, list(dict.fromkeys(cc))


def reply_subject(ticket: Ticket, subject: str | None = None) -> str:
    """``[REF] Re: subject``, the reference once even when the subject already has it."""
    text = (subject or "").strip() or ticket.subject
    tag = f"[{ticket.reference}]"
    if tag.casefold() in text.casefold():
        return text[:500]
    prefix = "" if text.lower().startswith("re:") else "Re: "
    return f"{tag} {prefix}{text}"[:500]


def with_signature(body: str, spec: TeamMailSpec, values: dict[str, str]) -> str:
    if not spec.signature.strip():
        return body
    return f"{body.rstrip()}\n\n-- \n{fill_template(spec.signature.strip(), values)}\n"


def queue_mail(
    edit: TicketEdit,
    body: str,
    *,
    purpose: str,
    domain: str,
    fallback_from: str | None = None,
    subject: str | None = None,
) -> OutboundMail:
    """Queue a message from the agent of ``edit`` to the ticket's requester (signature
    appended, threading headers set) and record its Message-ID on the ticket."""
    session, ticket = edit.session, edit.ticket
    spec = team_mail(ticket.team)
    own = {a for a in (spec.address, fallback_from) if a}
    to, cc = recipients(session, ticket, own)
    if to is None:
        raise TicketValidationError(
            "kind", f"{ticket.reference} has no email address to write to: log a call instead"
        )
    in_reply_to, references = thread_headers(session, ticket.id)
    agent = edit.actor.name if edit.actor is not None else ticket.team.name
    message_id = make_msgid(idstring=ticket.reference, domain=domain)
    row = OutboundMail(
        ticket_id=ticket.id,
        purpose=purpose,
        to_address=to,
        subject=reply_subject(ticket, subject),
        body=with_signature(body, spec, placeholders(ticket, agent)),
        message_id=message_id,
        created_at=edit.at,
        status="pending",
        attempts=0,
        next_attempt_at=edit.at,
        from_address=spec.address,
        cc=cc or None,
        in_reply_to=in_reply_to,
        references_header=references,
    )
    session.add(row)
    session.add(
        MailMessage(message_id=message_id, ticket_id=ticket.id, direction="outbound", at=edit.at)
    )
    session.flush()
    return row


def _sent_meta(row: OutboundMail) -> dict[str, Any]:
    meta: dict[str, Any] = {"message_id": row.message_id, "to": row.to_address, "outbox": row.id}
    if row.cc:
        meta["cc"] = list(row.cc)
    return meta


def send_reply(actor: Actor, ref: str, body: str, *, subject: str | None = None) -> int:
    """Log an ``email-out`` reply by ``actor`` and queue it for sending (Message-ID on the
    domain of the actor's ``mail_from``); the ticket's new version."""
    database, by, at = actor.database, actor.handle, actor.now()
    domain = mail_domain(actor.settings)
    text = required_text(body, "body", "what was said to the customer")
    with refusals_recorded(database), database.write() as session:
        edit = begin_edit(database, session, ref, by=by, at=at)
        row = queue_mail(edit, text, purpose=REPLY, domain=domain, subject=subject)
        edit.log(InteractionKind.EMAIL_OUT, text, _sent_meta(row))
        return edit.finish("reply", kind=InteractionKind.EMAIL_OUT.value)


def resolve_and_tell(
    actor: Actor,
    ref: str,
    summary: str,
    *,
    tell: bool | None = None,
    breach_reason: str | None = None,
    expected_version: int | None = None,
) -> int:
    """Resolve with ``summary``; with ``tell`` (``None``: the team's default) the summary is
    also emailed to the client, logged as ``email-out``, in the same transaction."""
    database, by, at = actor.database, actor.handle, actor.now()
    domain = mail_domain(actor.settings)
    with refusals_recorded(database), database.write() as session:
        edit = begin_edit(database, session, ref, by=by, at=at, expected_version=expected_version)
        wanted = team_mail(edit.ticket.team).resolution_to_client if tell is None else tell
        lifecycle.resolve_in(edit, summary, breach_reason)
        if wanted:
            text = required_text(summary, "summary", "a resolution summary")
            body = f"Your request {edit.ticket.reference} has been resolved.\n\n{text}\n"
            row = queue_mail(edit, body, purpose=RESOLUTION, domain=domain)
            meta = {**_sent_meta(row), "resolution": True}
            edit.log(InteractionKind.EMAIL_OUT, body, meta)
        return edit.finish("resolved", told_client=bool(wanted))
