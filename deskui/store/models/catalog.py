"""Configuration tables: the desk, calendars, SLA policies and their priorities, teams, products.

Calendars and policies keep their whole domain spec as JSON, which is the source of truth for
the SLA engine (``CalendarSpec.model_validate(row.spec)`` gives back exactly what was saved);
``sla_priority`` rows repeat each priority's slug, rank and targets for queries and joins.
Write both through ``deskui.store.catalog_store`` so they never disagree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deskui.store.models.base import Base
from deskui.store.types import JSONDocument


class Desk(Base):
    """The one row of installation-wide settings (``DeskSpec``)."""

    __tablename__ = "desk"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    name: Mapped[str] = mapped_column(String(200))
    reference_prefix: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)


class Calendar(Base):
    """A business calendar; ``spec`` is the full ``CalendarSpec`` as JSON."""

    __tablename__ = "calendar"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDocument)


class SlaPolicy(Base):
    """An SLA policy; ``spec`` is the full ``PolicySpec`` as JSON (the engine reads that)."""

    __tablename__ = "sla_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDocument)

    calendar: Mapped[Calendar] = relationship(lazy="joined", innerjoin=True)
    priorities: Mapped[list[SlaPriority]] = relationship(
        back_populates="policy", order_by="SlaPriority.rank", cascade="all, delete-orphan"
    )


class SlaPriority(Base):
    """One priority of a policy; ``rank`` 0 is the highest. Targets are the spec's strings
    (``"4h"``, ``"1h on kenco-24x7"``, ``"cob+1"``, ``"negotiated"``), NULL for no SLA."""

    __tablename__ = "sla_priority"
    __table_args__ = (
        # Tickets point at (policy_id, slug), so a ticket's priority always exists.
        UniqueConstraint("policy_id", "slug"),
        Index("ix_sla_priority_policy_rank", "policy_id", "rank"),
        CheckConstraint("rank >= 0", name="rank_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("sla_policy.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text, default="")
    rank: Mapped[int] = mapped_column()
    acknowledgement_target: Mapped[str | None] = mapped_column(String(64))
    response_target: Mapped[str | None] = mapped_column(String(64))
    resolution_target: Mapped[str | None] = mapped_column(String(64))

    policy: Mapped[SlaPolicy] = relationship(back_populates="priorities")


class Team(Base):
    """A support team: its calendar says when it is "after hours"; ``policy`` is the default
    SLA policy for tickets that arrive without a contract."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # The team's mail settings (``deskui.domain.catalog.team_mail.TeamMailSpec`` as JSON):
    # its address, signature, canned replies, mailboxes; NULL when it has none.
    mail: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)

    calendar: Mapped[Calendar] = relationship()
    policy: Mapped[SlaPolicy | None] = relationship()


class Product(Base):
    """A product the desk supports, looked after by one team."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")

    team: Mapped[Team] = relationship()
