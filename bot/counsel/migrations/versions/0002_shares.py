"""Share codes: a person hands their facts and results to a counsellor.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counsel_share",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("conversation_hash", sa.String(64), nullable=True, index=True),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("results", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
        sa.Column("used_at", sa.DateTime, nullable=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("counsel_case.id", ondelete="SET NULL"), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("counsel_share")
