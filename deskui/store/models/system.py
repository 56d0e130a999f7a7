"""Bookkeeping tables: the change-feed events, reference counters and quarantined mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from deskui.store.models.base import Base
from deskui.store.types import BigId, JSONDocument, UTCDateTime


class Event(Base):
    """One committed change, for apps catching up after a reconnect (``deskui.store.changes``).

    Ids only grow (AUTOINCREMENT on SQLite, a sequence on PostgreSQL) and are handed out in
    commit order (see ``changes.record_event``), so "everything after id N" misses nothing.
    """

    __tablename__ = "event"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - SQLAlchemy's own API

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ticket_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)


class ReferenceCounter(Base):
    """The next number to hand out for a reference prefix (``DSK`` → ``DSK-000123``)."""

    __tablename__ = "reference_counter"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger)


class MailQuarantine(Base):
    """Incoming mail that could not be turned into a ticket, kept byte for byte."""

    __tablename__ = "mail_quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(500))
    # A person looked at it and dealt with it (re-ingested, or dismissed with a note).
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    review_note: Mapped[str | None] = mapped_column(Text)
