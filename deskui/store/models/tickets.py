"""Tickets, their append-only interaction log, and customer feedback.

The queue reads tickets through indexes that end in ``(priority_rank, no_due, next_due_at, id)``:
``is_open`` and ``no_due`` are generated columns (the same SQL on both backends), so "open
tickets by priority, soonest due first, tickets with no running clock last" is one ordered index
scan that stops after a page, never a sort of every open ticket.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deskui.domain.sla.policy import Clock
from deskui.domain.vocabulary import Category, Channel, Direction, InteractionKind, Status
from deskui.store.models.base import Base
from deskui.store.models.catalog import Product, SlaPolicy, Team
from deskui.store.models.people import Agent, Contact, Contract, Organisation
from deskui.store.types import BigId, JSONDocument, UTCDateTime, vocabulary_enum

# Keep in step with ``deskui.domain.vocabulary.DONE_STATUSES`` (a test checks it).
IS_OPEN_SQL = "status NOT IN ('resolved', 'closed')"
NO_DUE_SQL = "next_due_at IS NULL"

_QUEUE_ORDER = ("priority_rank", "no_due", "next_due_at", "id")


class Ticket(Base):
    """A support request. ``version`` guards against lost updates (optimistic locking)."""

    __tablename__ = "ticket"
    __table_args__ = (
        ForeignKeyConstraint(
            ["policy_id", "priority"], ["sla_priority.policy_id", "sla_priority.slug"]
        ),
        CheckConstraint("priority_rank >= 0", name="priority_rank_not_negative"),
        CheckConstraint("paused_business_seconds >= 0", name="paused_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
        # The queue (all open tickets), an agent's pane, a team's pane, and "soonest due".
        Index("ix_ticket_open_queue", "is_open", *_QUEUE_ORDER, "status"),
        Index("ix_ticket_assignee_queue", "assignee_id", "is_open", *_QUEUE_ORDER, "status"),
        Index("ix_ticket_team_queue", "team_id", "is_open", *_QUEUE_ORDER, "status"),
        Index("ix_ticket_open_due", "is_open", "no_due", "next_due_at", "id", "status"),
        # One status at a time (a "new tickets" pane, counts per status).
        Index("ix_ticket_status_rank_due", "status", "priority_rank", "next_due_at"),
        # Tickets resolved since an instant (the board's "today", reports), without a full scan.
        Index("ix_ticket_resolved_at", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    # NULL for a sender the desk does not know yet (flagged ``no_entitlement``).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), index=True)
    # Who raised it as they gave themselves, kept even when a contact row matched.
    requester_name: Mapped[str] = mapped_column(String(200), default="")
    requester_email: Mapped[str | None] = mapped_column(String(320))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    channel: Mapped[Channel] = mapped_column(vocabulary_enum(Channel, "channel"))
    category: Mapped[Category] = mapped_column(vocabulary_enum(Category, "category"))
    subject: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")

    # What the customer asked for, and what the desk assigned (a slug of ``policy``).
    requested_priority: Mapped[str | None] = mapped_column(String(64))
    policy_id: Mapped[int] = mapped_column(ForeignKey("sla_policy.id"))
    priority: Mapped[str] = mapped_column(String(64))
    priority_rank: Mapped[int] = mapped_column()

    status: Mapped[Status] = mapped_column(vocabulary_enum(Status, "status"), default=Status.NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # When the SLA clocks start: the call or email time, which may precede ``created_at``.
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    ack_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    response_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolution_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The earliest running, unmet due instant and its clock: what the queue sorts on.
    next_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    next_clock: Mapped[Clock | None] = mapped_column(vocabulary_enum(Clock, "next_clock"))
    # Set while waiting on the customer (the resolution clock is paused), else NULL.
    paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    paused_business_seconds: Mapped[int] = mapped_column(default=0)
    eta_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    version: Mapped[int] = mapped_column(default=1)
    # SQLAlchemy adds "AND version = <loaded>" to every UPDATE and bumps it: a lost update
    # becomes StaleDataError (StaleEditError through Database.write()).
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API
    flag_non_liaison: Mapped[bool] = mapped_column(default=False, server_default=false())
    flag_no_entitlement: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set while a change or modification request waits for an approver (their review queue).
    awaiting_approval: Mapped[bool] = mapped_column(default=False, server_default=false())
    workaround: Mapped[str | None] = mapped_column(Text)
    fixed_in_release: Mapped[str | None] = mapped_column(String(100))
    reclassified_from: Mapped[Category | None] = mapped_column(
        vocabulary_enum(Category, "reclassified_from")
    )

    is_open: Mapped[bool] = mapped_column(Boolean, Computed(IS_OPEN_SQL, persisted=True))
    no_due: Mapped[bool] = mapped_column(Boolean, Computed(NO_DUE_SQL, persisted=True))

    team: Mapped[Team] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    contract: Mapped[Contract | None] = relationship()
    product: Mapped[Product | None] = relationship()
    policy: Mapped[SlaPolicy] = relationship()
    assignee: Mapped[Agent | None] = relationship()
    # The database refuses to delete log rows; never let the ORM try (no cascade, no nulling).
    interactions: Mapped[list[Interaction]] = relationship(
        back_populates="ticket",
        order_by="(Interaction.at, Interaction.id)",
        passive_deletes="all",
    )


class Interaction(Base):
    """One entry of a ticket's log. APPEND ONLY: database triggers refuse UPDATE and DELETE.

    Attachment metadata (name, size, content type, where stored) goes in ``attachments``.
    """

    __tablename__ = "interaction"
    __table_args__ = (Index("ix_interaction_ticket_at", "ticket_id", "at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id", ondelete="RESTRICT"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    kind: Mapped[InteractionKind] = mapped_column(vocabulary_enum(InteractionKind, "kind"))
    direction: Mapped[Direction] = mapped_column(vocabulary_enum(Direction, "direction"))
    author_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"), index=True)
    # The customer's name (or the system's) when no agent wrote it.
    author_name: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    meta: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)

    ticket: Mapped[Ticket] = relationship(back_populates="interactions")
    author_agent: Mapped[Agent | None] = relationship()


class Feedback(Base):
    """A customer's rating of how their ticket was handled."""

    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_1_to_5"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("ticket.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    score: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
