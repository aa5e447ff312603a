"""Sessions: what a login opens (refresh tokens stored as hashes).

Revision ID: 0006_sessions
Revises: 0005_trace
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_sessions"
down_revision: str | Sequence[str] | None = "0005_trace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("refresh_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=True),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_sessions_refresh_hash"), "sessions", ["refresh_hash"], unique=True)
    op.create_index(op.f("ix_sessions_previous_hash"), "sessions", ["previous_hash"])
    op.create_index(op.f("ix_sessions_user_id_id"), "sessions", ["user_id", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sessions_user_id_id"), table_name="sessions")
    op.drop_index(op.f("ix_sessions_previous_hash"), table_name="sessions")
    op.drop_index(op.f("ix_sessions_refresh_hash"), table_name="sessions")
    op.drop_table("sessions")
