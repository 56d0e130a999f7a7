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

import dataclasses
import datetime as dt
import email.policy
import re
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from deskui.domain.catalog.team_mail import TeamMailSpec
from deskui.domain.mail_rules import is_enhancement, no_acknowledgement_reason, stated_priority
from deskui.domain.storage_errors import StoreError
from deskui.domain.untrusted import one_line
from deskui.domain.vocabulary import Channel, InteractionKind, Status
from deskui.services.actor import Actor
from deskui.services.errors import ServiceError, TicketValidationError
from deskui.services.intake.mail_limits import DEFAULT_LIMITS, limits_from
from deskui.services.intake.mail_parse import (
    WHOLE_MESSAGE_NAME,
    MailRejectedError,
    ParsedMail,
    parse_mail,
    parse_whole,
    storable,
)
from deskui.services.intake.opening import DEFAULT_PREFIX, open_ticket
from deskui.services.mail.outbox import ACKNOWLEDGEMENT
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
    OutboundMail,
    Team,
    Ticket,
)
from deskui.store.session import Database

ORIGINAL_NAME = WHOLE_MESSAGE_NAME


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What became of one message.

    ``action``: ``opened`` (a new ticket), ``appended`` (an entry on ``reference``),
    ``duplicate`` (seen before, nothing logged), ``bounce`` (a delivery report logged on
    ``reference``) or ``quarantined`` (``quarantine_id``, ``reason``); ``related``: the ticket
    a stranger quoted. ``effect`` is ``resumed``/``reopened`` when the reply did that; ``follows``
    the old ticket a new one continues; ``notes`` anything worth telling the operator.
    """

    action: str
    reference: str | None = None
    effect: str | None = None
    follows: str | None = None
    related: str | None = None
    quarantine_id: int | None = None
    reason: str | None = None
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "reference": self.reference,
            "effect": self.effect,
            "follows": self.follows,
            "related": self.related,
            "quarantine_id": self.quarantine_id,
            "reason": self.reason,
            "notes": list(self.notes),
        }


# ---- filing -------------------------------------------------------------------------------


def _prefix(session: Session) -> str:
    desk = session.get(Desk, 1)
    return desk.reference_prefix if desk is not None else DEFAULT_PREFIX


def find_thread(session: Session, mail: ParsedMail) -> Ticket | None:
    """The ticket ``mail`` continues: a Message-ID the desk knows in ``In-Reply-To`` or
    ``References`` (so a changed subject still threads), else a reference in the subject."""
    return thread_of(session, mail)[0]


def thread_of(session: Session, mail: ParsedMail) -> tuple[Ticket | None, bool]:
    """The ticket ``mail`` continues and whether only its subject's ``[REF]`` said so."""
    if mail.thread_ids:
        ticket_id = session.scalar(
            select(MailMessage.ticket_id)
            .where(MailMessage.message_id.in_(mail.thread_ids))
            .order_by(MailMessage.id.desc())
            .limit(1)
        )
        if ticket_id is not None:
            return session.get(Ticket, ticket_id), False
    prefix = re.escape(_prefix(session))
    for number in re.findall(rf"\[{prefix}-(\d+)\]", mail.subject, re.IGNORECASE):
        reference = f"{_prefix(session)}-{int(number):06d}"
        ticket = session.scalars(select(Ticket).where(Ticket.reference == reference)).first()
        if ticket is not None:
            return ticket, True
    return None, False


def _known_to(session: Session, ticket: Ticket, sender: str, contact: Contact | None) -> bool:
    """Whether ``sender`` may add to ``ticket`` by quoting its reference: the requester, an
    address Cc'd on its mail, or a contact of the same organisation."""
    if sender in {
        (ticket.requester_email or "").lower(),
        (ticket.contact.email if ticket.contact else "").lower(),
    }:
        return True
    if contact is not None and contact.organisation_id == ticket.organisation_id:
        return True
    copied = session.scalars(
        select(Interaction.meta).where(
            Interaction.ticket_id == ticket.id, Interaction.kind == InteractionKind.EMAIL_IN
        )
    )
    return any(sender in ((meta or {}).get("cc") or []) for meta in copied)


def team_by_address(session: Session, addresses: list[str]) -> str | None:
    """The team whose mail address (or enhancement address) is one of ``addresses``."""
    wanted = {a.casefold() for a in addresses}
    if not wanted:
        return None
    for slug, mail in session.execute(select(Team.slug, Team.mail).where(Team.mail.is_not(None))):
        spec = team_mail_spec(mail)
        own = {a.casefold() for a in (spec.address, *spec.enhancement_addresses) if a}
        if own & wanted:
            return str(slug)
    return None


def team_mail_spec(mail: Any) -> TeamMailSpec:
    return TeamMailSpec.model_validate(mail or {})


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
    if truncated and not any(name == ORIGINAL_NAME and data == raw for name, _, data in files):
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
    if mail.cc:
        # Kept so replies keep them in Cc, and so they may write in by the reference.
        meta["cc"] = list(mail.cc)
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
    related: str | None = None,
    requested: str | None = None,
    no_ack: str | None = None,
) -> IngestResult:
    body, truncated = _entry_body(mail, limit)
    if follows is not None:
        body = f"(Follows up {follows}, which is closed or past its reopen window.)\n\n{body}"
    if related is not None:
        body = (
            f"(Quotes {related}, but the sender is not its requester, a Cc'd address or a "
            f"contact of the same organisation: opened apart and linked.)\n\n{body}"
        )
    files = _files(mail, raw, truncated)
    meta = _meta(mail, truncated)
    if follows is not None:
        meta["follows"] = follows
    if related is not None:
        meta["related"] = related
    if no_ack is not None:
        meta["no_acknowledgement"] = no_ack
    notes = tuple(mail.notes) + ((f"no acknowledgement: {no_ack}",) if no_ack else ())
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
        requested_priority=requested,
    )

    def after_open(session: Session, ticket: Ticket, entry: Interaction) -> None:
        _keep(session, ticket.id, entry, files, mail, at)
        if related is not None:
            _link(actor.database, session, related, ticket.reference, mail, at)

    def opened(draft: TicketDraft) -> str:
        return open_ticket(
            actor.as_system().at(at),
            draft,
            route=True,
            acknowledge=no_ack is None,
            opening_meta=meta,
            opening_attachments=_listing(files),
            after_open=after_open,
            lowest_by_default=True,
            fallback_priorities=actor.settings.mail_priorities,
        ).reference

    try:
        reference = opened(draft)
    except TicketValidationError as exc:
        if exc.field != "requested_priority":
            raise
        # The stated priority is not one of the contract policy's: file it as unstated.
        reference = opened(dataclasses.replace(draft, requested_priority=None))
        notes += (f"stated priority {requested!r} is not one of the policy's",)
    return IngestResult("opened", reference, follows=follows, related=related, notes=notes)


def _link(
    database: Database,
    session: Session,
    old: str,
    new: str,
    mail: ParsedMail,
    at: dt.datetime,
) -> None:
    """A note on the quoted ticket naming the new one (in the same transaction)."""
    edit = begin_edit(database, session, old, by=None, at=at)
    edit.log(
        InteractionKind.SYSTEM,
        f"{mail.sender} wrote quoting this reference; not its requester, so filed as {new}.",
        {"related": new, "sender": mail.sender},
        author_name="deskui",
    )
    edit.finish("linked", related=new)


def _bounce(
    database: Database, mail: ParsedMail, raw: bytes, at: dt.datetime, limit: int
) -> IngestResult:
    """A delivery report: a system entry on the ticket whose mail bounced (with the report
    attached) and the bounced contacts flagged; never a new ticket."""
    assert mail.bounce is not None
    bounce = mail.bounce
    with database.write() as session:
        ticket_id = None
        if bounce.original_ids:
            ticket_id = session.scalar(
                select(MailMessage.ticket_id)
                .where(MailMessage.message_id.in_(bounce.original_ids))
                .order_by(MailMessage.id.desc())
                .limit(1)
            )
        if ticket_id is None:
            raise MailRejectedError(
                "a delivery failure report for mail the desk did not send (no known "
                "Message-ID in it): never opened as a ticket"
            )
        reference = session.scalar(select(Ticket.reference).where(Ticket.id == ticket_id))
        assert reference is not None
        flagged: list[str] = []
        for address in bounce.recipients:
            contact = session.scalars(select(Contact).where(Contact.email == address)).first()
            if contact is not None:
                contact.mail_bounced_at = at
                contact.mail_bounce_reason = bounce.reason or "delivery failed"
                flagged.append(address)
        edit = begin_edit(database, session, reference, by=None, at=at)
        failed = ", ".join(bounce.recipients) or "the recipient"
        body = f"Mail to {failed} bounced: {bounce.reason or 'delivery failed'}"
        meta = {**_meta(mail, False), "bounce": True, "recipients": list(bounce.recipients)}
        files = [(ORIGINAL_NAME, "message/rfc822", raw)]
        entry = edit.log(InteractionKind.SYSTEM, body[:limit], meta, author_name="deskui")
        entry.attachments = _listing(files)
        edit.save()
        _keep(session, ticket_id, entry, files, mail, at)
        session.flush()
        edit.announce("bounce")
        notes = tuple(f"contact {a} flagged: mail bounced" for a in flagged)
        return IngestResult("bounce", reference, notes=notes)


def quarantine(actor: Actor, raw: bytes, reason: str) -> IngestResult:
    """Keep ``raw`` byte for byte with ``reason`` for a person to look at."""
    database, at = actor.database, actor.now()
    sender = subject = None
    try:
        # Headers only, and at most the allowed header bytes: the body may be what is wrong
        # (a MIME bomb), and the parser would recurse into it.
        head = raw[: DEFAULT_LIMITS.max_header_bytes]
        message = BytesHeaderParser(policy=email.policy.default).parsebytes(head)
        sender = storable(one_line(str(message.get("From") or ""), 320)) or None
        subject = storable(one_line(str(message.get("Subject") or ""), 500)) or None
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
    whole: bool = False,
    recipients: tuple[str, ...] = (),
    fallback_message_id: str | None = None,
) -> IngestResult:
    """File ``raw`` or raise ``MailRejectedError`` (or a service error) saying why not.

    ``ticket`` forces the ticket to append to (a retry from the quarantine); ``team`` is the
    team for a sender whose organisation does not name one (default: ``mail_team`` of the
    settings; a team whose address the mail was sent to comes first). ``recipients``: the
    envelope's (LMTP), besides To. The body limit, category, priorities, the hourly
    acknowledgement cap and the limits of what is read (``mail_max_*``) come from the actor's
    settings. ``whole`` files a message that cannot be read (past the limits, or one the parser
    chokes on) from its top-level headers alone, the whole message attached: a person's choice
    when retrying from the quarantine.
    """
    database, at, settings = actor.database, actor.now(), actor.settings
    body_limit = settings.mail_body_limit
    ack_cap = settings.mail_ack_per_sender_hour
    team = team or settings.mail_team
    require_aware(at)
    mail = parse_whole(raw) if whole else parse_mail(raw, limits_from(settings))
    if mail.message_id is None and fallback_message_id is not None:
        # A mailbox re-read after a crash must find the message filed already.
        mail.message_id = fallback_message_id
    addressed = list(recipients) + mail.to
    with database.read() as session:
        if mail.message_id is not None:
            seen = session.scalar(
                select(Ticket.reference)
                .join(MailMessage, MailMessage.ticket_id == Ticket.id)
                .where(MailMessage.message_id == mail.message_id)
            )
            if seen is not None:
                return IngestResult("duplicate", seen, notes=("already filed",))
    if mail.bounce is not None and ticket is None:
        return _bounce(database, mail, raw, at, body_limit)
    with database.read() as session:
        contact = session.scalars(select(Contact).where(Contact.email == mail.sender)).first()
        by_reference = False
        if ticket is not None:
            found = session.scalars(
                select(Ticket).where(Ticket.reference == ticket.strip().upper())
            ).first()
            if found is None:
                raise MailRejectedError(f"no ticket {ticket!r}")
        else:
            found, by_reference = thread_of(session, mail)
        follows: str | None = None
        related: str | None = None
        if (
            found is not None
            and by_reference
            and not _known_to(session, found, mail.sender or "", contact)
        ):
            related, found = found.reference, None
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
        if reference is None:
            fallback = (
                team_by_address(session, addressed)
                or team
                or (found.team.slug if found is not None else None)
            )
            team_slug = _team_for(session, contact, fallback, at)
            organisation = contact.organisation.slug if contact is not None else None
            spec = team_mail_spec(session.scalar(select(Team.mail).where(Team.slug == team_slug)))
            requested = stated_priority(mail.subject, mail.body, spec.priority_words)
            if spec.enhancement_priority and is_enhancement(mail.subject, addressed, spec):
                requested = spec.enhancement_priority
            no_ack = no_acknowledgement_reason(mail.loop_headers, mail.sender or "")
            if no_ack is None:
                no_ack = _over_cap(session, mail.sender or "", at, ack_cap)
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
        related=related,
        requested=requested,
        no_ack=no_ack,
    )


def _over_cap(session: Session, sender: str, at: dt.datetime, cap: int) -> str | None:
    """A reason when ``sender`` already had ``cap`` acknowledgements in the last hour."""
    sent = session.scalar(
        select(func.count(OutboundMail.id)).where(
            OutboundMail.purpose == ACKNOWLEDGEMENT,
            OutboundMail.to_address == sender,
            OutboundMail.created_at > at - dt.timedelta(hours=1),
        )
    )
    if (sent or 0) >= cap:
        return f"{sender} had {sent} acknowledgements in the last hour (at most {cap})"
    return None


def ingest_message(
    actor: Actor,
    raw: bytes,
    *,
    team: str | None = None,
    recipients: tuple[str, ...] = (),
    fallback_message_id: str | None = None,
) -> IngestResult:
    """File ``raw``; when it cannot be filed, quarantine it with the reason (never raises for
    a bad message: the result says ``quarantined``). Only a database that cannot be reached
    raises (``StoreError``): then nothing was kept and the MTA should try again."""
    actor = actor.at(actor.now())
    try:
        return file_message(
            actor,
            raw,
            team=team,
            recipients=recipients,
            fallback_message_id=fallback_message_id,
        )
    except StoreError:
        raise
    except ServiceError as exc:
        return quarantine(actor, raw, str(exc))
    except RecursionError:
        return quarantine(actor, raw, "the message is nested too deeply to read")
    except Exception as exc:  # a message that trips anything else is kept, not lost
        reason = f"it could not be filed ({exc.__class__.__name__}: {one_line(str(exc), 300)})"
        return quarantine(actor, raw, reason)
