"""Initial schema: every table, index and constraint, plus the triggers that make the
interaction log append-only on SQLite and PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:03:44.913605
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from deskui.store.types import BigId, JSONDocument, UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The log is evidence: the database itself refuses to change or remove an entry, whatever
# program is connected. A ticket with log entries cannot be deleted either (RESTRICT foreign
# key, no cascades). Written out here rather than imported so this revision never changes.
APPEND_ONLY_MESSAGE = "interaction log is append-only"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER interaction_no_update BEFORE UPDATE ON interaction
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
    f"""CREATE TRIGGER interaction_no_delete BEFORE DELETE ON interaction
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
)

POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION deskui_refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'restrict_violation';
    END
    $$""",
    """CREATE TRIGGER interaction_no_update_delete BEFORE UPDATE OR DELETE ON interaction
    FOR EACH ROW EXECUTE FUNCTION deskui_refuse_log_change()""",
    """CREATE TRIGGER interaction_no_truncate BEFORE TRUNCATE ON interaction
    FOR EACH STATEMENT EXECUTE FUNCTION deskui_refuse_log_change()""",
)


def _create_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    statements = SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRESQL_TRIGGERS
    for statement in statements:
        op.execute(statement)


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS interaction_no_update")
        op.execute("DROP TRIGGER IF EXISTS interaction_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS interaction_no_truncate ON interaction")
        op.execute("DROP TRIGGER IF EXISTS interaction_no_update_delete ON interaction")
        op.execute("DROP FUNCTION IF EXISTS deskui_refuse_log_change()")


def upgrade() -> None:
    op.create_table(
        "agent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent")),
        sa.UniqueConstraint("handle", name=op.f("uq_agent_handle")),
    )
    op.create_table(
        "calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("spec", JSONDocument, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar")),
        sa.UniqueConstraint("name", name=op.f("uq_calendar_name")),
    )
    op.create_table(
        "desk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("reference_prefix", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("spec", JSONDocument, nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_desk_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk")),
    )
    op.create_table(
        "mail_quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_quarantine")),
    )
    op.create_index(
        op.f("ix_mail_quarantine_received_at"), "mail_quarantine", ["received_at"], unique=False
    )

    op.create_table(
        "reference_counter",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_reference_counter")),
    )
    op.create_table(
        "agent_category_skill",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "technical",
                "training",
                "change-request",
                "enhancement",
                "data",
                "installation",
                "security",
                "hardware-network",
                name="category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_agent_category_skill_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", "category", name=op.f("pk_agent_category_skill")),
    )
    op.create_table(
        "agent_role",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "agent",
                "supervisor",
                "admin",
                "approver",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_agent_role_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", "role", name=op.f("pk_agent_role")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("project_manager_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_manager_id"],
            ["agent.id"],
            name=op.f("fk_organisation_project_manager_id_agent"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisation_slug")),
    )
    op.create_index(
        op.f("ix_organisation_project_manager_id"),
        "organisation",
        ["project_manager_id"],
        unique=False,
    )

    op.create_table(
        "sla_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("spec", JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"], ["calendar.id"], name=op.f("fk_sla_policy_calendar_id_calendar")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policy")),
        sa.UniqueConstraint("name", name=op.f("uq_sla_policy_name")),
    )
    op.create_index(op.f("ix_sla_policy_calendar_id"), "sla_policy", ["calendar_id"], unique=False)

    op.create_table(
        "ssh_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("key_type", sa.String(length=64), nullable=False),
        sa.Column("key_text", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=128), nullable=False),
        sa.Column("comment", sa.String(length=200), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_ssh_key_agent_id_agent"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ssh_key")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_ssh_key_fingerprint")),
    )
    op.create_index(op.f("ix_ssh_key_agent_id"), "ssh_key", ["agent_id"], unique=False)

    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_contact_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("email", name=op.f("uq_contact_email")),
    )
    op.create_index(
        op.f("ix_contact_organisation_id"), "contact", ["organisation_id"], unique=False
    )

    op.create_table(
        "sla_priority",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("acknowledgement_target", sa.String(length=64), nullable=True),
        sa.Column("response_target", sa.String(length=64), nullable=True),
        sa.Column("resolution_target", sa.String(length=64), nullable=True),
        sa.CheckConstraint("rank >= 0", name=op.f("ck_sla_priority_rank_not_negative")),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["sla_policy.id"],
            name=op.f("fk_sla_priority_policy_id_sla_policy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_priority")),
        sa.UniqueConstraint("policy_id", "slug", name=op.f("uq_sla_priority_policy_id_slug")),
    )
    op.create_index(
        "ix_sla_priority_policy_rank", "sla_priority", ["policy_id", "rank"], unique=False
    )

    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"], ["calendar.id"], name=op.f("fk_team_calendar_id_calendar")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["sla_policy.id"], name=op.f("fk_team_policy_id_sla_policy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("slug", name=op.f("uq_team_slug")),
    )
    op.create_index(op.f("ix_team_calendar_id"), "team", ["calendar_id"], unique=False)
    op.create_index(op.f("ix_team_policy_id"), "team", ["policy_id"], unique=False)

    op.create_table(
        "agent_team",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_agent_team_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_agent_team_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agent_id", "team_id", name=op.f("pk_agent_team")),
    )
    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("active_from", sa.Date(), nullable=False),
        sa.Column("active_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_contract_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["sla_policy.id"], name=op.f("fk_contract_policy_id_sla_policy")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_contract_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
    )
    op.create_index(
        op.f("ix_contract_organisation_id"), "contract", ["organisation_id"], unique=False
    )
    op.create_index(op.f("ix_contract_policy_id"), "contract", ["policy_id"], unique=False)
    op.create_index(op.f("ix_contract_team_id"), "contract", ["team_id"], unique=False)

    op.create_table(
        "oncall_rotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("escalation_minutes", sa.Integer(), nullable=True),
        sa.Column("spec", JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_oncall_rotation_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oncall_rotation")),
        sa.UniqueConstraint("slug", name=op.f("uq_oncall_rotation_slug")),
    )
    op.create_index(
        op.f("ix_oncall_rotation_team_id"), "oncall_rotation", ["team_id"], unique=False
    )

    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_product_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("slug", name=op.f("uq_product_slug")),
    )
    op.create_index(op.f("ix_product_team_id"), "product", ["team_id"], unique=False)

    op.create_table(
        "triage_checklist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("spec", JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["sla_policy.id"], name=op.f("fk_triage_checklist_policy_id_sla_policy")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_triage_checklist_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_checklist")),
        sa.UniqueConstraint("slug", name=op.f("uq_triage_checklist_slug")),
    )
    op.create_index(
        op.f("ix_triage_checklist_policy_id"), "triage_checklist", ["policy_id"], unique=False
    )
    op.create_index(
        op.f("ix_triage_checklist_team_id"), "triage_checklist", ["team_id"], unique=False
    )

    op.create_table(
        "agent_product_skill",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_agent_product_skill_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_agent_product_skill_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", "product_id", name=op.f("pk_agent_product_skill")),
    )
    op.create_table(
        "contract_liaison",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_contract_liaison_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.id"],
            name=op.f("fk_contract_liaison_contract_id_contract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contract_id", "contact_id", name=op.f("pk_contract_liaison")),
    )
    op.create_table(
        "oncall_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rotation_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "primary",
                "secondary",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_oncall_shift_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_oncall_shift_agent_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["rotation_id"],
            ["oncall_rotation.id"],
            name=op.f("fk_oncall_shift_rotation_id_oncall_rotation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_oncall_shift_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oncall_shift")),
    )
    op.create_index(op.f("ix_oncall_shift_agent_id"), "oncall_shift", ["agent_id"], unique=False)
    op.create_index(
        op.f("ix_oncall_shift_rotation_id"), "oncall_shift", ["rotation_id"], unique=False
    )
    op.create_index(
        "ix_oncall_shift_team_window",
        "oncall_shift",
        ["team_id", "starts_at", "ends_at"],
        unique=False,
    )

    op.create_table(
        "ticket",
        sa.Column("id", BigId, nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("requester_name", sa.String(length=200), nullable=False),
        sa.Column("requester_email", sa.String(length=320), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "phone",
                "email",
                "fax",
                "answerphone",
                "web",
                "walk-in",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "technical",
                "training",
                "change-request",
                "enhancement",
                "data",
                "installation",
                "security",
                "hardware-network",
                name="category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("requested_priority", sa.String(length=64), nullable=True),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=64), nullable=False),
        sa.Column("priority_rank", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "acknowledged",
                "in-progress",
                "waiting-on-customer",
                "resolved",
                "closed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("first_response_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("ack_due_at", UTCDateTime(), nullable=True),
        sa.Column("response_due_at", UTCDateTime(), nullable=True),
        sa.Column("resolution_due_at", UTCDateTime(), nullable=True),
        sa.Column("next_due_at", UTCDateTime(), nullable=True),
        sa.Column(
            "next_clock",
            sa.Enum(
                "acknowledgement",
                "response",
                "resolution",
                name="next_clock",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("paused_at", UTCDateTime(), nullable=True),
        sa.Column("paused_business_seconds", sa.Integer(), nullable=False),
        sa.Column("eta_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("flag_non_liaison", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("flag_no_entitlement", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "reclassified_from",
            sa.Enum(
                "technical",
                "training",
                "change-request",
                "enhancement",
                "data",
                "installation",
                "security",
                "hardware-network",
                name="reclassified_from",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "is_open",
            sa.Boolean(),
            sa.Computed("status NOT IN ('resolved', 'closed')", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "no_due",
            sa.Boolean(),
            sa.Computed("next_due_at IS NULL", persisted=True),
            nullable=False,
        ),
        sa.CheckConstraint(
            "paused_business_seconds >= 0", name=op.f("ck_ticket_paused_not_negative")
        ),
        sa.CheckConstraint("priority_rank >= 0", name=op.f("ck_ticket_priority_rank_not_negative")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_ticket_version_positive")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["agent.id"], name=op.f("fk_ticket_assignee_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_ticket_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_ticket_contract_id_contract")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_ticket_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id", "priority"],
            ["sla_priority.policy_id", "sla_priority.slug"],
            name=op.f("fk_ticket_policy_id_priority_sla_priority"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["sla_policy.id"], name=op.f("fk_ticket_policy_id_sla_policy")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_ticket_product_id_product")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_ticket_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket")),
        sa.UniqueConstraint("reference", name=op.f("uq_ticket_reference")),
    )
    op.create_index(
        "ix_ticket_assignee_queue",
        "ticket",
        ["assignee_id", "is_open", "priority_rank", "no_due", "next_due_at", "id", "status"],
        unique=False,
    )
    op.create_index(op.f("ix_ticket_contact_id"), "ticket", ["contact_id"], unique=False)
    op.create_index(op.f("ix_ticket_contract_id"), "ticket", ["contract_id"], unique=False)
    op.create_index(
        "ix_ticket_open_due",
        "ticket",
        ["is_open", "no_due", "next_due_at", "id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_ticket_open_queue",
        "ticket",
        ["is_open", "priority_rank", "no_due", "next_due_at", "id", "status"],
        unique=False,
    )
    op.create_index(op.f("ix_ticket_opened_at"), "ticket", ["opened_at"], unique=False)
    op.create_index(op.f("ix_ticket_organisation_id"), "ticket", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_ticket_product_id"), "ticket", ["product_id"], unique=False)
    op.create_index(
        "ix_ticket_status_rank_due",
        "ticket",
        ["status", "priority_rank", "next_due_at"],
        unique=False,
    )
    op.create_index(
        "ix_ticket_team_queue",
        "ticket",
        ["team_id", "is_open", "priority_rank", "no_due", "next_due_at", "id", "status"],
        unique=False,
    )

    op.create_table(
        "triage_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("parent_key", sa.String(length=16), nullable=True),
        sa.Column("outcome", JSONDocument, nullable=True),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["triage_checklist.id"],
            name=op.f("fk_triage_step_checklist_id_triage_checklist"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_step")),
        sa.UniqueConstraint("checklist_id", "key", name=op.f("uq_triage_step_checklist_id_key")),
    )
    op.create_table(
        "event",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("ticket_id", BigId, nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_event_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_event_ticket_id"), "event", ["ticket_id"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_feedback_score_1_to_5")),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_feedback_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_feedback_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index(op.f("ix_feedback_contact_id"), "feedback", ["contact_id"], unique=False)
    op.create_index(op.f("ix_feedback_ticket_id"), "feedback", ["ticket_id"], unique=False)

    op.create_table(
        "interaction",
        sa.Column("id", BigId, nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "call-in",
                "call-out",
                "email-in",
                "email-out",
                "fax-in",
                "answerphone",
                "remote-session",
                "note",
                "status-change",
                "priority-change",
                "assignment-change",
                "triage-step",
                "page",
                "acknowledgement",
                "eta-change",
                "reclassification",
                "approval",
                "feedback",
                "system",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "direction",
            sa.Enum(
                "in",
                "out",
                "internal",
                name="direction",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("author_agent_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("meta", JSONDocument, nullable=False),
        sa.Column("attachments", JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_agent_id"], ["agent.id"], name=op.f("fk_interaction_author_agent_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_interaction_ticket_id_ticket"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction")),
    )
    op.create_index(
        op.f("ix_interaction_author_agent_id"), "interaction", ["author_agent_id"], unique=False
    )
    op.create_index(
        "ix_interaction_ticket_at", "interaction", ["ticket_id", "at", "id"], unique=False
    )

    op.create_table(
        "page",
        sa.Column("id", BigId, nullable=False),
        sa.Column("ticket_id", BigId, nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "webhook",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("target", sa.String(length=1000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                "acknowledged",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_page_attempts_not_negative")),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"], name=op.f("fk_page_agent_id_agent")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_page_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page")),
    )
    op.create_index(op.f("ix_page_agent_id"), "page", ["agent_id"], unique=False)
    op.create_index(op.f("ix_page_status"), "page", ["status"], unique=False)
    op.create_index(op.f("ix_page_ticket_id"), "page", ["ticket_id"], unique=False)

    op.create_table(
        "triage_record",
        sa.Column("id", BigId, nullable=False),
        sa.Column("ticket_id", BigId, nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("step_key", sa.String(length=16), nullable=False),
        sa.Column(
            "answer",
            sa.Enum(
                "yes",
                "no",
                "n-a",
                name="answer",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_triage_record_agent_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["triage_checklist.id"],
            name=op.f("fk_triage_record_checklist_id_triage_checklist"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_triage_record_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_record")),
    )
    op.create_index(op.f("ix_triage_record_agent_id"), "triage_record", ["agent_id"], unique=False)
    op.create_index(
        op.f("ix_triage_record_checklist_id"), "triage_record", ["checklist_id"], unique=False
    )
    op.create_index(
        "ix_triage_record_ticket_at", "triage_record", ["ticket_id", "at"], unique=False
    )
    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_index("ix_triage_record_ticket_at", table_name="triage_record")
    op.drop_index(op.f("ix_triage_record_checklist_id"), table_name="triage_record")
    op.drop_index(op.f("ix_triage_record_agent_id"), table_name="triage_record")

    op.drop_table("triage_record")
    op.drop_index(op.f("ix_page_ticket_id"), table_name="page")
    op.drop_index(op.f("ix_page_status"), table_name="page")
    op.drop_index(op.f("ix_page_agent_id"), table_name="page")

    op.drop_table("page")
    op.drop_index("ix_interaction_ticket_at", table_name="interaction")
    op.drop_index(op.f("ix_interaction_author_agent_id"), table_name="interaction")

    op.drop_table("interaction")
    op.drop_index(op.f("ix_feedback_ticket_id"), table_name="feedback")
    op.drop_index(op.f("ix_feedback_contact_id"), table_name="feedback")

    op.drop_table("feedback")
    op.drop_index(op.f("ix_event_ticket_id"), table_name="event")

    op.drop_table("event")
    op.drop_table("triage_step")
    op.drop_index("ix_ticket_team_queue", table_name="ticket")
    op.drop_index("ix_ticket_status_rank_due", table_name="ticket")
    op.drop_index(op.f("ix_ticket_product_id"), table_name="ticket")
    op.drop_index(op.f("ix_ticket_organisation_id"), table_name="ticket")
    op.drop_index(op.f("ix_ticket_opened_at"), table_name="ticket")
    op.drop_index("ix_ticket_open_queue", table_name="ticket")
    op.drop_index("ix_ticket_open_due", table_name="ticket")
    op.drop_index(op.f("ix_ticket_contract_id"), table_name="ticket")
    op.drop_index(op.f("ix_ticket_contact_id"), table_name="ticket")
    op.drop_index("ix_ticket_assignee_queue", table_name="ticket")

    op.drop_table("ticket")
    op.drop_index("ix_oncall_shift_team_window", table_name="oncall_shift")
    op.drop_index(op.f("ix_oncall_shift_rotation_id"), table_name="oncall_shift")
    op.drop_index(op.f("ix_oncall_shift_agent_id"), table_name="oncall_shift")

    op.drop_table("oncall_shift")
    op.drop_table("contract_liaison")
    op.drop_table("agent_product_skill")
    op.drop_index(op.f("ix_triage_checklist_team_id"), table_name="triage_checklist")
    op.drop_index(op.f("ix_triage_checklist_policy_id"), table_name="triage_checklist")

    op.drop_table("triage_checklist")
    op.drop_index(op.f("ix_product_team_id"), table_name="product")

    op.drop_table("product")
    op.drop_index(op.f("ix_oncall_rotation_team_id"), table_name="oncall_rotation")

    op.drop_table("oncall_rotation")
    op.drop_index(op.f("ix_contract_team_id"), table_name="contract")
    op.drop_index(op.f("ix_contract_policy_id"), table_name="contract")
    op.drop_index(op.f("ix_contract_organisation_id"), table_name="contract")

    op.drop_table("contract")
    op.drop_table("agent_team")
    op.drop_index(op.f("ix_team_policy_id"), table_name="team")
    op.drop_index(op.f("ix_team_calendar_id"), table_name="team")

    op.drop_table("team")
    op.drop_index("ix_sla_priority_policy_rank", table_name="sla_priority")

    op.drop_table("sla_priority")
    op.drop_index(op.f("ix_contact_organisation_id"), table_name="contact")

    op.drop_table("contact")
    op.drop_index(op.f("ix_ssh_key_agent_id"), table_name="ssh_key")

    op.drop_table("ssh_key")
    op.drop_index(op.f("ix_sla_policy_calendar_id"), table_name="sla_policy")

    op.drop_table("sla_policy")
    op.drop_index(op.f("ix_organisation_project_manager_id"), table_name="organisation")

    op.drop_table("organisation")
    op.drop_table("agent_role")
    op.drop_table("agent_category_skill")
    op.drop_table("reference_counter")
    op.drop_index(op.f("ix_mail_quarantine_received_at"), table_name="mail_quarantine")

    op.drop_table("mail_quarantine")
    op.drop_table("desk")
    op.drop_table("calendar")
    op.drop_table("agent")
