"""Counsellors, web sessions, login attempts and cases.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counsel_counsellor",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("structure", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "counsel_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("counsellor_id", sa.Integer, sa.ForeignKey("counsel_counsellor.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "counsel_login_attempt",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "counsel_case",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("counsellor_id", sa.Integer, sa.ForeignKey("counsel_counsellor.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("structure", sa.String(200), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("unknown", sa.JSON, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("counsel_case")
    op.drop_table("counsel_login_attempt")
    op.drop_table("counsel_session")
    op.drop_table("counsel_counsellor")
