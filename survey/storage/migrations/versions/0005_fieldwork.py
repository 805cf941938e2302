"""telephone fieldwork: waves, quotas, cases and calls; responses record mode and interviewer

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    _create_waves_and_quotas()
    _create_cases()
    _create_calls()
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mode", sa.String(length=8), nullable=False, server_default="web")
        )
        batch_op.add_column(sa.Column("interviewer", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("started_at", _WHEN, nullable=True))


def _create_waves_and_quotas() -> None:
    """A topic's wave as fieldwork, and its district quotas."""
    op.create_table(
        "fieldwork_waves",
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("wave", sa.String(length=8), nullable=False),
        sa.Column("calling_from", sa.String(length=5), nullable=False),
        sa.Column("calling_until", sa.String(length=5), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("opened_at", _WHEN, nullable=False),
        sa.Column("closed_at", _WHEN, nullable=True),
        sa.Column("purged_at", _WHEN, nullable=True),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("topic", "wave", name=op.f("pk_fieldwork_waves")),
    )
    op.create_table(
        "fieldwork_quotas",
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("wave", sa.String(length=8), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("topic", "wave", "district", name=op.f("pk_fieldwork_quotas")),
    )


def _create_cases() -> None:
    """The frame's contacts, which the draw and release turn into callable cases."""
    op.create_table(
        "fieldwork_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("wave", sa.String(length=8), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.Column("phone_token", sa.Text(), nullable=True),
        sa.Column("phone_key", sa.String(length=64), nullable=True),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("street", sa.String(length=40), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("batch", sa.String(length=40), nullable=False),
        sa.Column("replicate", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_call_at", _WHEN, nullable=True),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column("held_since", _WHEN, nullable=True),
        sa.Column("last_code", sa.String(length=8), nullable=True),
        sa.Column("final_code", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["users.id"], name=op.f("fk_fieldwork_cases_holder_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fieldwork_cases")),
        sa.UniqueConstraint("topic", "wave", "contact_id", name="uq_fieldwork_cases_contact"),
        sa.UniqueConstraint("topic", "wave", "phone_key", name="uq_fieldwork_cases_phone"),
    )
    op.create_index(
        "ix_fieldwork_cases_queue",
        "fieldwork_cases",
        ["topic", "wave", "status", "next_call_at"],
    )


def _create_calls() -> None:
    """Every call attempt with its disposition."""
    op.create_table(
        "fieldwork_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("ended_at", _WHEN, nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("callback_at", _WHEN, nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["fieldwork_cases.id"],
            name=op.f("fk_fieldwork_calls_case_id_fieldwork_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"],
            ["users.id"],
            name=op.f("fk_fieldwork_calls_interviewer_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fieldwork_calls")),
    )
    op.create_index("ix_fieldwork_calls_case", "fieldwork_calls", ["case_id"])
    op.create_index(
        "ix_fieldwork_calls_interviewer", "fieldwork_calls", ["interviewer_id", "started_at"]
    )


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("started_at")
        batch_op.drop_column("interviewer")
        batch_op.drop_column("mode")
    op.drop_index("ix_fieldwork_calls_interviewer", table_name="fieldwork_calls")
    op.drop_index("ix_fieldwork_calls_case", table_name="fieldwork_calls")
    op.drop_table("fieldwork_calls")
    op.drop_index("ix_fieldwork_cases_queue", table_name="fieldwork_cases")
    op.drop_table("fieldwork_cases")
    op.drop_table("fieldwork_quotas")
    op.drop_table("fieldwork_waves")
