"""responses and invitations

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("wave", sa.String(length=8), nullable=False),
        sa.Column("batch", sa.String(length=40), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invitations_code_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index("ix_invitations_topic_wave", ["topic", "wave"], unique=False)

    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("receipt", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("wave", sa.String(length=8), nullable=False),
        sa.Column("version", sa.String(length=140), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("street", sa.String(length=40), nullable=True),
        sa.Column("satisfaction", sa.String(length=8), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sa.UniqueConstraint("receipt", name=op.f("uq_responses_receipt")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_responses_submission_id")),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index("ix_responses_topic_wave", ["topic", "wave"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index("ix_responses_topic_wave")

    op.drop_table("responses")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_topic_wave")

    op.drop_table("invitations")
