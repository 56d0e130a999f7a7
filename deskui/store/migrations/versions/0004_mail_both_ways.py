"""Mail both ways: the threading headers, Cc and From of outgoing mail, a team's mail settings,
and the bounce flag on a contact.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from deskui.store.types import JSONDocument, UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_mail", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_address", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("cc", JSONDocument, nullable=True))
        batch_op.add_column(sa.Column("in_reply_to", sa.String(length=998), nullable=True))
        batch_op.add_column(sa.Column("references_header", sa.Text(), nullable=True))
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail", JSONDocument, nullable=True))
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_bounced_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("mail_bounce_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 and later): recreating ``contact`` or ``team`` would
    # drop a table that tickets point at, which the foreign keys refuse once there is data.
    with op.batch_alter_table("contact", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("mail_bounce_reason")
        batch_op.drop_column("mail_bounced_at")
    with op.batch_alter_table("team", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("mail")
    with op.batch_alter_table("outbound_mail", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("references_header")
        batch_op.drop_column("in_reply_to")
        batch_op.drop_column("cc")
        batch_op.drop_column("from_address")
