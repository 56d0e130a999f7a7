"""Intake and workflows: routing rules, modification plans and a ticket's tracked steps,
approvals, mail threading, attachments and the outbox, page escalation levels, who has a
ticket open, and refused actions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:09:15.397591
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from deskui.store.types import BigId, JSONDocument, UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (not batch mode) on every backend: SQLite adds a column with a constant
    # default in place, where a batch copy of ``ticket`` would trip over its generated columns.
    op.create_table(
        "audit_refusal",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_audit_refusal_agent_id_agent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_refusal")),
    )
    with op.batch_alter_table("audit_refusal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_refusal_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_refusal_at"), ["at"], unique=False)

    op.create_table(
        "modification_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("spec", JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["sla_policy.id"], name=op.f("fk_modification_plan_policy_id_sla_policy")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_modification_plan_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_modification_plan")),
        sa.UniqueConstraint("slug", name=op.f("uq_modification_plan_slug")),
    )
    with op.batch_alter_table("modification_plan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_modification_plan_policy_id"), ["policy_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_modification_plan_team_id"), ["team_id"], unique=False)

    op.create_table(
        "routing_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("spec", JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_routing_rule_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rule")),
        sa.UniqueConstraint("position", name=op.f("uq_routing_rule_position")),
    )
    with op.batch_alter_table("routing_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_rule_team_id"), ["team_id"], unique=False)

    op.create_table(
        "approval",
        sa.Column("id", BigId, nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("quote", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["agent.id"], name=op.f("fk_approval_decided_by_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["agent.id"], name=op.f("fk_approval_requested_by_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_approval_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval")),
    )
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.create_index("ix_approval_pending", ["decided_at", "requested_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "mail_message",
        sa.Column("id", BigId, nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_mail_message_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_message")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mail_message_message_id")),
    )
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_message_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "outbound_mail",
        sa.Column("id", BigId, nullable=False),
        sa.Column("ticket_id", BigId, nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_outbound_mail_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_mail")),
    )
    with op.batch_alter_table("outbound_mail", schema=None) as batch_op:
        batch_op.create_index("ix_outbound_mail_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbound_mail_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "ticket_presence",
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_ticket_presence_agent_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_ticket_presence_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("ticket_id", "session_id", name=op.f("pk_ticket_presence")),
    )
    with op.batch_alter_table("ticket_presence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_presence_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ticket_presence_seen_at"), ["seen_at"], unique=False)

    op.create_table(
        "ticket_task",
        sa.Column("id", BigId, nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("records", sa.String(length=16), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["agent.id"], name=op.f("fk_ticket_task_done_by_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["modification_plan.id"],
            name=op.f("fk_ticket_task_plan_id_modification_plan"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_ticket_task_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_task")),
        sa.UniqueConstraint(
            "ticket_id", "phase", "key", name=op.f("uq_ticket_task_ticket_id_phase_key")
        ),
    )
    with op.batch_alter_table("ticket_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_task_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "attachment",
        sa.Column("id", BigId, nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("interaction_id", BigId, nullable=True),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interaction.id"],
            name=op.f("fk_attachment_interaction_id_interaction"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_attachment_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attachment_interaction_id"), ["interaction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attachment_ticket_id"), ["ticket_id"], unique=False)

    op.add_column("mail_quarantine", sa.Column("reviewed_at", UTCDateTime(), nullable=True))
    op.add_column("mail_quarantine", sa.Column("reviewed_by", sa.String(length=64), nullable=True))
    op.add_column("mail_quarantine", sa.Column("review_note", sa.Text(), nullable=True))

    op.add_column("page", sa.Column("level", sa.Integer(), server_default="0", nullable=False))
    op.add_column("page", sa.Column("next_attempt_at", UTCDateTime(), nullable=True))

    op.add_column(
        "ticket",
        sa.Column("awaiting_approval", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("ticket", sa.Column("workaround", sa.Text(), nullable=True))
    op.add_column("ticket", sa.Column("fixed_in_release", sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column("ticket", "fixed_in_release")
    op.drop_column("ticket", "workaround")
    op.drop_column("ticket", "awaiting_approval")

    op.drop_column("page", "next_attempt_at")
    op.drop_column("page", "level")

    op.drop_column("mail_quarantine", "review_note")
    op.drop_column("mail_quarantine", "reviewed_by")
    op.drop_column("mail_quarantine", "reviewed_at")

    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_attachment_interaction_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("ticket_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_task_ticket_id"))

    op.drop_table("ticket_task")
    with op.batch_alter_table("ticket_presence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_presence_seen_at"))
        batch_op.drop_index(batch_op.f("ix_ticket_presence_agent_id"))

    op.drop_table("ticket_presence")
    with op.batch_alter_table("outbound_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbound_mail_ticket_id"))
        batch_op.drop_index("ix_outbound_mail_due")

    op.drop_table("outbound_mail")
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_message_ticket_id"))

    op.drop_table("mail_message")
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_ticket_id"))
        batch_op.drop_index("ix_approval_pending")

    op.drop_table("approval")
    with op.batch_alter_table("routing_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_rule_team_id"))

    op.drop_table("routing_rule")
    with op.batch_alter_table("modification_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_modification_plan_team_id"))
        batch_op.drop_index(batch_op.f("ix_modification_plan_policy_id"))

    op.drop_table("modification_plan")
    with op.batch_alter_table("audit_refusal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_refusal_at"))
        batch_op.drop_index(batch_op.f("ix_audit_refusal_agent_id"))

    op.drop_table("audit_refusal")
