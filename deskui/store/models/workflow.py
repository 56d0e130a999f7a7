"""Routing rules, the software-modification plans, the tracked steps of a ticket's workflow,
and approvers' decisions on change and modification requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deskui.store.models.base import Base
from deskui.store.models.people import Agent
from deskui.store.types import BigId, JSONDocument, UTCDateTime


class RoutingRule(Base):
    """One routing rule, tried in ``position`` order; ``spec`` is the sample-data rule whole
    (``deskui.domain.catalog.routing.RoutingRuleSpec``)."""

    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)


class ModificationPlan(Base):
    """A desk's software-modification steps (and the change-request steps before them);
    ``spec`` keeps the sample-data definition whole."""

    __tablename__ = "modification_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)


class TicketTask(Base):
    """One step of a ticket's tracked checklist (``phase`` "change-request" or "modification").

    Done steps keep who and when; ``value`` holds what the step records (a quote, the ETA as
    ISO 8601, a release name). The interaction log has the history; this row is the state.
    """

    __tablename__ = "ticket_task"
    __table_args__ = (UniqueConstraint("ticket_id", "phase", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("modification_plan.id"))
    phase: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    records: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))

    done_by: Mapped[Agent | None] = relationship()


class Approval(Base):
    """A change or modification request put to the approvers, and their decision."""

    __tablename__ = "approval"
    __table_args__ = (Index("ix_approval_pending", "decided_at", "requested_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    # NULL until decided; then "approved" or "declined".
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str | None] = mapped_column(String(200))

    decided_by: Mapped[Agent | None] = relationship(foreign_keys=[decided_by_id])
