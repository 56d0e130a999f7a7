"""Mail in: one RFC 5322 message becomes a new ticket or an entry on an existing one.

``ingest_message(actor, raw)`` is what ``deskui mail ingest`` (an MTA pipe, like
``rt-mailgate``) calls:

- The message is read by ``deskui.services.intake.mail_parse`` (forgiving about character sets,
  HTML-only bodies and missing subjects).
- The ticket it belongs to: a reference like ``[DSK-000123]`` (the desk's prefix) in the
  subject, else a ``Message-ID`` in ``In-Reply-To``/``References`` the desk has seen or sent
  on a ticket (``mail_message``). Then an ``email-in`` entry is appended, and the customer's
  reply resumes a ticket waiting on them or reopens a resolved one within the reopen window
  (``deskui.services.tickets.customer_contact``). A closed ticket, or a resolved one past the
  window,
  gets a new ticket instead, whose first entry names the old one.
- Otherwise a new ticket is opened (channel ``email``) for the contact whose address sent it;
  an unknown sender is logged anyway, flagged "no entitlement" and routed (to a supervisor by
  the sample rules). The team is the sender organisation's contract team, else ``team`` (the
  ``--team`` option, or ``DESKUI_MAIL_TEAM``). New tickets are routed and get an automatic
  acknowledgement queued in the outbox (sent after commit by the caller).
- Attachments are kept byte for byte in ``attachment`` and listed (name, size, content type)
  on the log entry. A body longer than ``body_limit`` characters is cut there in the log
  entry, which says so, and the whole original message is kept as an attachment
  (``original-message.eml``): nothing is lost and the log stays readable.
- The same ``Message-ID`` ingested twice (an MTA retrying) is recognised and not logged again.
- A message that cannot become a ticket (no headers at all, no usable ``From`` address, no team
  for an unknown sender, an error while filing it) is kept byte for byte in ``mail_quarantine``
  with the reason, and the result says ``quarantined`` (the CLI exits non-zero). A person
  retries it from the app (choosing the team or ticket) or dismisses it with a note.

Body text is stored as the customer wrote it; every screen shows it through
``deskui.domain.untrusted``.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from deskui.domain.untrusted import one_line
from deskui.domain.vocabulary import Channel, InteractionKind, Status
from deskui.services.actor import Actor
from deskui.services.errors import ServiceError
from deskui.services.intake.mail_parse import MailRejectedError, ParsedMail, parse_mail
from deskui.services.intake.opening import DEFAULT_PREFIX, open_ticket
from deskui.services.tickets.customer_contact import apply_customer_contact, within_reopen_window
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.entitlement import contract_teams
from deskui.services.tickets.sla_context import sla_context
from deskui.services.tickets.unit_of_work import begin_edit, require_aware
from deskui.store.changes import record_event
from deskui.store.models import (
    Attachment,
    Contact,
    Desk,
    Interaction,
    MailMessage,
    MailQuarantine,
    Team,
    Ticket,
)
from deskui.store.session import Database

ORIGINAL_NAME = "original-message.eml"


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What became of one message.

    ``action``: ``opened`` (a new ticket), ``appended`` (an entry on ``reference``),
    ``duplicate`` (seen before, nothing logged) or ``quarantined`` (``quarantine_id``,
    ``reason``). ``effect`` is ``resumed``/``reopened`` when the reply did that; ``follows``
    the old ticket a new one continues; ``notes`` anything worth telling the operator.
    """

    action: str
    reference: str | None = None
    effect: str | None = None
    follows: str | None = None
    quarantine_id: int | None = None
    reason: str | None = None
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "reference": self.reference,
            "effect": self.effect,
            "follows": self.follows,
            "quarantine_id": self.quarantine_id,
            "reason": self.reason,
            "notes": list(self.notes),
        }


# ---- filing -------------------------------------------------------------------------------


def _prefix(session: Session) -> str:
    desk = session.get(Desk, 1)
    return desk.reference_prefix if desk is not None else DEFAULT_PREFIX


def find_thread(session: Session, mail: ParsedMail) -> Ticket | None:
    """The ticket ``mail`` continues: a reference in the subject, else a known Message-ID."""
    prefix = re.escape(_prefix(session))
    for number in re.findall(rf"\[{prefix}-(\d+)\]", mail.subject, re.IGNORECASE):
        reference = f"{_prefix(session)}-{int(number):06d}"
        ticket = session.scalars(select(Ticket).where(Ticket.reference == reference)).first()
        if ticket is not None:
            return ticket
    if mail.thread_ids:
        ticket_id = session.scalar(
            select(MailMessage.ticket_id)
            .where(MailMessage.message_id.in_(mail.thread_ids))
            .order_by(MailMessage.id.desc())
            .limit(1)
        )
        if ticket_id is not None:
            return session.get(Ticket, ticket_id)
    return None


def _team_for(
    session: Session, contact: Contact | None, fallback: str | None, at: dt.datetime
) -> str:
    if contact is not None:
        teams = contract_teams(contact.organisation, at)
        if len(teams) == 1:
            return teams[0]
        contracts = sorted(
            contact.organisation.contracts, key=lambda c: (c.active_from, c.id), reverse=True
        )
        if not teams and fallback is None and contracts:
            # No contract in force: the latest one's team still knows the customer best.
            return contracts[0].team.slug
    if fallback is not None:
        if session.scalar(select(Team.id).where(Team.slug == fallback)) is None:
            raise MailRejectedError(f"unknown team {fallback!r} for mail intake")
        return fallback
    who = "unknown sender" if contact is None else f"{contact.organisation.slug} has several teams"
    raise MailRejectedError(
        f"cannot tell which team the message is for ({who}); "
        "give --team or set DESKUI_MAIL_TEAM, or retry it from the quarantine"
    )


def _entry_body(mail: ParsedMail, limit: int) -> tuple[str, bool]:
    body = mail.body or "(no text in the message)"
    if len(body) <= limit:
        return body, False
    note = (
        f"\n\n[The message was {len(body)} characters long; the log keeps the first {limit}. "
        f"The whole message is attached as {ORIGINAL_NAME}.]"
    )
    return body[:limit] + note, True


def _files(mail: ParsedMail, raw: bytes, truncated: bool) -> list[tuple[str, str, bytes]]:
    files = list(mail.attachments)
    if truncated:
        files.append((ORIGINAL_NAME, "message/rfc822", raw))
    return files


def _listing(files: list[tuple[str, str, bytes]]) -> list[dict[str, Any]]:
    return [{"name": n, "size": len(d), "content_type": t} for n, t, d in files]


def _keep(
    session: Session,
    ticket_id: int,
    entry: Interaction,
    files: list[tuple[str, str, bytes]],
    mail: ParsedMail,
    at: dt.datetime,
) -> None:
    for name, content_type, data in files:
        session.add(
            Attachment(
                ticket_id=ticket_id,
                interaction_id=entry.id,
                filename=name,
                content_type=content_type[:200],
                size=len(data),
                data=data,
            )
        )
    if mail.message_id is not None:
        session.add(
            MailMessage(message_id=mail.message_id, ticket_id=ticket_id, direction="inbound", at=at)
        )


def _meta(mail: ParsedMail, truncated: bool) -> dict[str, Any]:
    meta: dict[str, Any] = {"sender": mail.sender, "subject": mail.subject}
    if mail.message_id:
        meta["message_id"] = mail.message_id
    if truncated:
        meta["truncated"] = True
    if mail.notes:
        meta["mail_notes"] = list(mail.notes)
    return meta


def _append(
    database: Database, ticket_ref: str, mail: ParsedMail, raw: bytes, at: dt.datetime, limit: int
) -> IngestResult:
    body, truncated = _entry_body(mail, limit)
    files = _files(mail, raw, truncated)
    with database.write() as session:
        edit = begin_edit(database, session, ticket_ref, by=None, at=at)
        name = mail.sender_name or edit.ticket.requester_name or mail.sender
        entry = edit.log(InteractionKind.EMAIL_IN, body, _meta(mail, truncated), author_name=name)
        entry.attachments = _listing(files)
        effect = apply_customer_contact(edit, "replied by email")
        edit.save()
        _keep(session, edit.ticket.id, entry, files, mail, at)
        session.flush()
        extra = {"effect": effect} if effect is not None else {}
        edit.announce("contact", kind=InteractionKind.EMAIL_IN.value, **extra)
        return IngestResult(
            "appended", edit.ticket.reference, effect=effect, notes=tuple(mail.notes)
        )


def _open(
    actor: Actor,
    team: str,
    organisation: str | None,
    mail: ParsedMail,
    raw: bytes,
    at: dt.datetime,
    limit: int,
    *,
    known_contact: bool,
    follows: str | None,
) -> IngestResult:
    body, truncated = _entry_body(mail, limit)
    if follows is not None:
        body = f"(Follows up {follows}, which is closed or past its reopen window.)\n\n{body}"
    files = _files(mail, raw, truncated)
    meta = _meta(mail, truncated)
    if follows is not None:
        meta["follows"] = follows
    draft = TicketDraft(
        team=team,
        subject=mail.subject,
        channel=Channel.EMAIL,
        category=actor.settings.mail_category,
        description=body,
        organisation=organisation,
        contact_email=mail.sender if known_contact else None,
        requester_email=None if known_contact else mail.sender,
        requester_name=mail.sender_name,
    )

    def after_open(session: Session, ticket: Ticket, entry: Interaction) -> None:
        _keep(session, ticket.id, entry, files, mail, at)

    view = open_ticket(
        actor.as_system().at(at),
        draft,
        route=True,
        acknowledge=True,
        opening_meta=meta,
        opening_attachments=_listing(files),
        after_open=after_open,
        lowest_by_default=True,
        fallback_priorities=actor.settings.mail_priorities,
    )
    return IngestResult("opened", view.reference, follows=follows, notes=tuple(mail.notes))


def quarantine(actor: Actor, raw: bytes, reason: str) -> IngestResult:
    """Keep ``raw`` byte for byte with ``reason`` for a person to look at."""
    database, at = actor.database, actor.now()
    sender = subject = None
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        sender = one_line(str(message.get("From") or ""), 320) or None
        subject = one_line(str(message.get("Subject") or ""), 500) or None
    except Exception:  # the headers are part of what is wrong; the raw bytes are kept anyway
        pass
    with database.write() as session:
        row = MailQuarantine(received_at=at, raw=raw, reason=reason, sender=sender, subject=subject)
        session.add(row)
        session.flush()
        # Through the change feed, so an open quarantine screen shows it at once.
        record_event(session, "mail-quarantine", payload={"quarantined": row.id}, at=at)
        return IngestResult("quarantined", quarantine_id=row.id, reason=reason)


def file_message(
    actor: Actor,
    raw: bytes,
    *,
    team: str | None = None,
    ticket: str | None = None,
) -> IngestResult:
    """File ``raw`` or raise ``MailRejectedError`` (or a service error) saying why not.

    ``ticket`` forces the ticket to append to (a retry from the quarantine); ``team`` is the
    team for a sender whose organisation does not name one (default: ``mail_team`` of the
    settings). The body limit, category and priorities come from the actor's settings.
    """
    database, at, settings = actor.database, actor.now(), actor.settings
    body_limit = settings.mail_body_limit
    team = team or settings.mail_team
    require_aware(at)
    mail = parse_mail(raw)
    with database.read() as session:
        if mail.message_id is not None:
            seen = session.scalar(
                select(Ticket.reference)
                .join(MailMessage, MailMessage.ticket_id == Ticket.id)
                .where(MailMessage.message_id == mail.message_id)
            )
            if seen is not None:
                return IngestResult("duplicate", seen, notes=("already filed",))
        if ticket is not None:
            found = session.scalars(
                select(Ticket).where(Ticket.reference == ticket.strip().upper())
            ).first()
            if found is None:
                raise MailRejectedError(f"no ticket {ticket!r}")
        else:
            found = find_thread(session, mail)
        follows: str | None = None
        if found is not None:
            status = Status(found.status)
            context = sla_context(database, session)
            open_again = status is not Status.CLOSED and (
                status is not Status.RESOLVED or within_reopen_window(session, context, found, at)
            )
            if open_again or ticket is not None:
                reference = found.reference
            else:
                follows = found.reference
                reference = None
        else:
            reference = None
        contact = session.scalars(select(Contact).where(Contact.email == mail.sender)).first()
        if reference is None:
            team_slug = _team_for(
                session, contact, team or (found.team.slug if found is not None else None), at
            )
            organisation = contact.organisation.slug if contact is not None else None
    if reference is not None:
        return _append(database, reference, mail, raw, at, body_limit)
    return _open(
        actor.at(at),
        team_slug,
        organisation,
        mail,
        raw,
        at,
        body_limit,
        known_contact=contact is not None,
        follows=follows,
    )


def ingest_message(actor: Actor, raw: bytes, *, team: str | None = None) -> IngestResult:
    """File ``raw``; when it cannot be filed, quarantine it with the reason (never raises for
    a bad message: the result says ``quarantined``)."""
    actor = actor.at(actor.now())
    try:
        return file_message(actor, raw, team=team)
    except ServiceError as exc:
        return quarantine(actor, raw, str(exc))
