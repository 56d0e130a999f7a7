"""What the desk keeps per agent between sessions: saved queue views and the SLA alerts already
raised (so a warning or a breach is announced once per ticket and clock), plus the switch that
lets a bulk load pause the search-index triggers inside its own transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from deskui.store.models.base import Base
from deskui.store.types import BigId, JSONDocument, UTCDateTime


class SavedView(Base):
    """One agent's named queue view: ``spec`` is a ``deskui.domain.views.ViewSpec`` as JSON.

    Kept in the database rather than a file in the user's config directory because the desk is
    shared: over SSH or the web every agent runs as the same system user, and on PostgreSQL one
    agent may sit at several machines. The row belongs to the agent, not to the machine.
    """

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("agent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SlaAlert(Base):
    """An SLA alert already raised for an agent: ``level`` is ``warning`` or ``breached``."""

    __tablename__ = "sla_alert"
    __table_args__ = (
        UniqueConstraint("agent_id", "ticket_id", "clock", "level"),
        Index("ix_sla_alert_ticket_id", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id", ondelete="CASCADE"))
    clock: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SearchIndexPause(Base):
    """While this table has a row *visible to a transaction*, the search-index triggers do
    nothing in it. A bulk load inserts one, writes its rows, indexes them in one statement and
    deletes the row before committing; other transactions never see it (PostgreSQL's MVCC;
    SQLite has one writer at a time), so their writes stay indexed."""

    __tablename__ = "search_index_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
