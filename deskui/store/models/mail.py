"""Mail: message ids that tie a thread to its ticket, attachments kept from incoming mail, and
the outbox of mail the desk sends (automatic acknowledgements), retried until delivered."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from deskui.store.models.base import Base
from deskui.store.types import BigId, JSONDocument, UTCDateTime


class MailMessage(Base):
    """A ``Message-ID`` seen or sent on a ticket, so ``In-Reply-To`` finds the ticket."""

    __tablename__ = "mail_message"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    # "inbound" or "outbound".
    direction: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Attachment(Base):
    """A file that came with an inbound message, kept byte for byte beside its log entry."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    interaction_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("interaction.id"), index=True
    )
    filename: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary)


class OutboundMail(Base):
    """A message the desk sends; ``status`` is pending, sent or failed (after retries)."""

    __tablename__ = "outbound_mail"
    __table_args__ = (Index("ix_outbound_mail_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(998))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    # Replies and resolution notices: the team's address (NULL: the desk's ``mail_from``),
    # the addresses kept in Cc from the customer's mail, and the threading headers pointing
    # at the customer's latest message (acknowledgements carry them too).
    from_address: Mapped[str | None] = mapped_column(String(320))
    cc: Mapped[list[str] | None] = mapped_column(JSONDocument)
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references_header: Mapped[str | None] = mapped_column(Text)
