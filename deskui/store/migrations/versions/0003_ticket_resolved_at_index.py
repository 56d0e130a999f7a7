"""An index on ``ticket.resolved_at``: the breach board's "today" reads the open tickets and
those resolved today, which without it meant reading every ticket ever resolved.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ticket_resolved_at", "ticket", ["resolved_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ticket_resolved_at", table_name="ticket")
