"""On-call: rotations (as configured), the concrete shifts they produce, and the pages sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deskui.domain.vocabulary import PageChannel, PageStatus, ShiftRole
from deskui.store.models.base import Base
from deskui.store.models.people import Agent
from deskui.store.types import BigId, JSONDocument, UTCDateTime, vocabulary_enum


class OnCallRotation(Base):
    """A team's rotation; ``spec`` keeps the sample-data definition (order, handover, swaps)."""

    __tablename__ = "oncall_rotation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    escalation_minutes: Mapped[int | None] = mapped_column()
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)


class OnCallShift(Base):
    """Who is on call for a team in ``[starts_at, ends_at)``; an override says why it differs
    from the rotation (holiday, swap)."""

    __tablename__ = "oncall_shift"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_oncall_shift_team_window", "team_id", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rotation_id: Mapped[int | None] = mapped_column(
        ForeignKey("oncall_rotation.id", ondelete="SET NULL"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    role: Mapped[ShiftRole] = mapped_column(vocabulary_enum(ShiftRole, "role"))
    override_reason: Mapped[str | None] = mapped_column(Text)

    agent: Mapped[Agent] = relationship()


class Page(Base):
    """A notification sent (or being retried) to an agent about a ticket."""

    __tablename__ = "page"
    __table_args__ = (CheckConstraint("attempts >= 0", name="attempts_not_negative"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"), index=True)
    channel: Mapped[PageChannel] = mapped_column(vocabulary_enum(PageChannel, "channel"))
    # An email address or a webhook URL.
    target: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[PageStatus] = mapped_column(
        vocabulary_enum(PageStatus, "status"), default=PageStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    # 0 the on-call primary, 1 the secondary, 2 the supervisor: each level is paged when the
    # one before it has not acknowledged within the rotation's escalation time.
    level: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    agent: Mapped[Agent] = relationship()
