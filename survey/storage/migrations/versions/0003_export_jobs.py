"""export jobs (downloads built in the background); the audit log by action

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=254), nullable=False),
        sa.Column("wave", sa.String(length=8), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("format", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_jobs")),
    )
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_export_jobs_requested_by", ["requested_by", "created_at"], unique=False
        )
    # A plain CREATE INDEX: batch mode could rebuild audit_log on SQLite and drop its triggers.
    op.create_index("ix_audit_log_action_id", "audit_log", ["action", "id"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    op.drop_index("ix_audit_log_action_id", table_name="audit_log")
    op.drop_table("export_jobs")
