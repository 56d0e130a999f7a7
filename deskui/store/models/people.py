"""People and who may do what: client organisations, their contacts and contracts (with the
designated liaisons), agents with roles, skills, teams and SSH keys."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text, true
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deskui.domain.vocabulary import Category, Role
from deskui.store.models.base import Base
from deskui.store.models.catalog import Product, SlaPolicy, Team
from deskui.store.types import UTCDateTime, vocabulary_enum

contract_liaison = Table(
    "contract_liaison",
    Base.metadata,
    Column("contract_id", ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True),
)

agent_team = Table(
    "agent_team",
    Base.metadata,
    Column("agent_id", ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
)

agent_product_skill = Table(
    "agent_product_skill",
    Base.metadata,
    Column("agent_id", ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(Base):
    """A client; ``project_manager`` ran its implementation (training questions go there)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    project_manager_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"), index=True)

    project_manager: Mapped[Agent | None] = relationship()
    contacts: Mapped[list[Contact]] = relationship(back_populates="organisation")
    contracts: Mapped[list[Contract]] = relationship(back_populates="organisation")


class Contact(Base):
    """A person at a client. Emails are unique desk-wide: incoming mail is matched on them."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(64))
    # NULL: the organisation's zone.
    timezone: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(200), default="")
    # Set when mail to the contact bounced (a delivery status notification came back), with
    # the reason the report gave; an agent sees it before writing again.
    mail_bounced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    mail_bounce_reason: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")


class Contract(Base):
    """Support entitlement: a policy and team for a date range, open to the liaisons only."""

    __tablename__ = "contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("sla_policy.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64), default="")
    active_from: Mapped[dt.date] = mapped_column(Date)
    # NULL: open-ended.
    active_to: Mapped[dt.date | None] = mapped_column(Date)

    organisation: Mapped[Organisation] = relationship(back_populates="contracts")
    policy: Mapped[SlaPolicy] = relationship()
    team: Mapped[Team] = relationship()
    liaisons: Mapped[list[Contact]] = relationship(secondary=contract_liaison)


class AgentRole(Base):
    """One role an agent holds; an association table rather than an array so it works on both
    backends and ``WHERE role = 'approver'`` stays an indexed join."""

    __tablename__ = "agent_role"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(vocabulary_enum(Role, "role"), primary_key=True)


class AgentCategorySkill(Base):
    """A ticket category an agent handles."""

    __tablename__ = "agent_category_skill"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[Category] = mapped_column(
        vocabulary_enum(Category, "category"), primary_key=True
    )


class Agent(Base):
    """A member of staff. Never deleted (the log names them): ``active`` false retires one."""

    __tablename__ = "agent"

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    timezone: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    role_rows: Mapped[set[AgentRole]] = relationship(
        collection_class=set, cascade="all, delete-orphan", lazy="selectin"
    )
    category_rows: Mapped[set[AgentCategorySkill]] = relationship(
        collection_class=set, cascade="all, delete-orphan", lazy="selectin"
    )
    # ``agent.roles`` / ``agent.category_skills`` read and write like plain sets of enums.
    roles: AssociationProxy[set[Role]] = association_proxy(
        "role_rows", "role", creator=lambda role: AgentRole(role=role)
    )
    category_skills: AssociationProxy[set[Category]] = association_proxy(
        "category_rows", "category", creator=lambda category: AgentCategorySkill(category=category)
    )
    product_skills: Mapped[list[Product]] = relationship(secondary=agent_product_skill)
    teams: Mapped[list[Team]] = relationship(secondary=agent_team)
    ssh_keys: Mapped[list[SshKey]] = relationship(
        back_populates="agent", cascade="all, delete-orphan"
    )


class SshKey(Base):
    """An OpenSSH public key an agent signs in with; the fingerprint identifies it."""

    __tablename__ = "ssh_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), index=True)
    key_type: Mapped[str] = mapped_column(String(64))
    key_text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(128), unique=True)
    comment: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    agent: Mapped[Agent] = relationship(back_populates="ssh_keys")
