"""Who has a ticket open right now (presence), and refused actions (the roles' audit trail)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from deskui.store.models.base import Base
from deskui.store.types import BigId, UTCDateTime


class TicketPresence(Base):
    """One app session viewing a ticket; refreshed while open, stale rows are ignored."""

    __tablename__ = "ticket_presence"

    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"), index=True)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class AuditRefusal(Base):
    """An action the service layer refused for lack of a role, whatever path asked for it."""

    __tablename__ = "audit_refusal"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text)
