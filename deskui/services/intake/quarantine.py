"""The mail quarantine as a person works through it: list, read, retry, dismiss.

Quarantined messages (``mail_quarantine``) are the ones mail intake could not file. A person
reads the raw text (shown through ``deskui.domain.untrusted``), then either retries the
ingest, after choosing the team (for an unknown sender) or the ticket it belongs to, or
dismisses it with a note. A message that cannot be read at all (a MIME bomb, one past the
mail limits) can be retried "whole": filed from its top-level headers with the entire message
attached, its body never parsed. Either way the row keeps the raw bytes and records who reviewed
it, when, and what became of it; reviewed rows drop out of the default listing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from deskui.services.actor import Actor
from deskui.services.errors import NotFoundError, ServiceError, TicketValidationError
from deskui.services.intake.mail_in import IngestResult, file_message
from deskui.services.tickets.unit_of_work import require_aware
from deskui.store.changes import record_event
from deskui.store.models import MailQuarantine
from deskui.store.session import Database

QUARANTINE_EVENT = "mail-quarantine"

RAW_PREVIEW_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class QuarantinedMail:
    """One quarantined message; ``raw_text`` is filled only when one message is read."""

    id: int
    received_at: dt.datetime
    sender: str | None
    subject: str | None
    reason: str
    size: int
    reviewed_at: dt.datetime | None
    reviewed_by: str | None
    review_note: str | None
    raw_text: str = ""


def _view(row: MailQuarantine, *, raw: bool = False) -> QuarantinedMail:
    text = ""
    if raw:
        # Decoded for reading only: the stored bytes stay exactly as received.
        text = row.raw[:RAW_PREVIEW_LIMIT].decode("utf-8", errors="replace")
        if len(row.raw) > RAW_PREVIEW_LIMIT:
            text += f"\n[… {len(row.raw) - RAW_PREVIEW_LIMIT} more bytes not shown]"
    return QuarantinedMail(
        id=row.id,
        received_at=row.received_at,
        sender=row.sender,
        subject=row.subject,
        reason=row.reason,
        size=len(row.raw),
        reviewed_at=row.reviewed_at,
        reviewed_by=row.reviewed_by,
        review_note=row.review_note,
        raw_text=text,
    )


def list_quarantine(database: Database, *, include_reviewed: bool = False) -> list[QuarantinedMail]:
    """Quarantined messages, newest first (those still waiting for a person by default)."""
    with database.read() as session:
        statement = select(MailQuarantine).order_by(
            MailQuarantine.received_at.desc(), MailQuarantine.id.desc()
        )
        if not include_reviewed:
            statement = statement.where(MailQuarantine.reviewed_at.is_(None))
        return [_view(row) for row in session.scalars(statement)]


def _row(session: Session, quarantine_id: int) -> MailQuarantine:
    row = session.get(MailQuarantine, quarantine_id)
    if row is None:
        raise NotFoundError(f"no quarantined message {quarantine_id}")
    return row


def read_quarantined(database: Database, quarantine_id: int) -> QuarantinedMail:
    """One message with its raw text (decoded with replacements; up to 200 000 bytes)."""
    with database.read() as session:
        return _view(_row(session, quarantine_id), raw=True)


def retry_quarantined(
    actor: Actor,
    quarantine_id: int,
    *,
    team: str | None = None,
    ticket: str | None = None,
    whole: bool = False,
) -> IngestResult:
    """File the message again (into ``ticket``, or for ``team``); on success the row is marked
    reviewed by ``by`` with what became of it. A failure raises (``ServiceError``) with the
    reason and leaves the row as it was. ``whole`` files a message that cannot be read (a MIME
    bomb, one past the limits) from its top-level headers, the whole message attached."""
    database, by, at = actor.database, actor.handle, actor.now()
    require_aware(at)
    with database.read() as session:
        row = _row(session, quarantine_id)
        if row.reviewed_at is not None:
            raise TicketValidationError(
                "quarantine", f"message {quarantine_id} was already reviewed by {row.reviewed_by}"
            )
        raw = row.raw
    result = file_message(actor.at(at), raw, team=team, ticket=ticket, whole=whole)
    _review(database, quarantine_id, by, at, f"re-ingested: {result.action} {result.reference}")
    return result


def dismiss_quarantined(actor: Actor, quarantine_id: int, note: str) -> None:
    """Mark the message dealt with, keeping it; ``note`` says why (required)."""
    database, by, at = actor.database, actor.handle, actor.now()
    require_aware(at)
    text = (note or "").strip()
    if not text:
        raise TicketValidationError("note", "say why the message is dismissed")
    _review(database, quarantine_id, by, at, f"dismissed: {text}")


def _review(
    database: Database, quarantine_id: int, by: str | None, at: dt.datetime, note: str
) -> None:
    with database.write() as session:
        row = _row(session, quarantine_id)
        if row.reviewed_at is not None:
            raise ServiceError(f"message {quarantine_id} was already reviewed by {row.reviewed_by}")
        row.reviewed_at, row.reviewed_by, row.review_note = at, by, note
        # Through the change feed, so every open quarantine screen drops it at once.
        record_event(session, QUARANTINE_EVENT, payload={"dismissed": quarantine_id}, at=at)
