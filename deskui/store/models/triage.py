"""Triage checklists (IT Works' five steps with 5a–5c, simpler ones for the other desks) and the
record of each step an agent worked through on a ticket."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deskui.domain.vocabulary import TriageAnswer
from deskui.store.models.base import Base
from deskui.store.types import BigId, JSONDocument, UTCDateTime, vocabulary_enum


class TriageChecklist(Base):
    """A checklist for a policy or a team; ``spec`` keeps the sample-data definition whole."""

    __tablename__ = "triage_checklist"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)

    steps: Mapped[list[TriageStep]] = relationship(
        back_populates="checklist", order_by="TriageStep.position", cascade="all, delete-orphan"
    )


class TriageStep(Base):
    """One step, keyed as people say it ("1", "5a"); ``parent_key`` nests "5a" under "5"."""

    __tablename__ = "triage_step"
    __table_args__ = (UniqueConstraint("checklist_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("triage_checklist.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    parent_key: Mapped[str | None] = mapped_column(String(16))
    # Outcome hints such as {"reclassify": "training"} or {"start": "modification"}.
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)

    checklist: Mapped[TriageChecklist] = relationship(back_populates="steps")


class TriageRecord(Base):
    """An agent's answer to one step for one ticket."""

    __tablename__ = "triage_record"
    __table_args__ = (Index("ix_triage_record_ticket_at", "ticket_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"))
    checklist_id: Mapped[int] = mapped_column(ForeignKey("triage_checklist.id"), index=True)
    step_key: Mapped[str] = mapped_column(String(16))
    answer: Mapped[TriageAnswer] = mapped_column(vocabulary_enum(TriageAnswer, "answer"))
    notes: Mapped[str] = mapped_column(Text, default="")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
