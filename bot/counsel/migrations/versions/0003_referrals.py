"""Referrals: a person asks a structure to call them back (issue 10).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counsel_referral",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("refusal_reason", sa.String(500), nullable=True),
        sa.Column("structure_id", sa.String(200), nullable=False),
        sa.Column("structure_name", sa.String(250), nullable=False),
        sa.Column("counsel_structure", sa.String(200), nullable=False, index=True),
        sa.Column("departement", sa.String(3), nullable=True),
        sa.Column("taken_at", sa.DateTime, nullable=True),
        sa.Column("closed_at", sa.DateTime, nullable=True, index=True),
        sa.Column("conversation_hash", sa.String(64), nullable=False, index=True),
        sa.Column("contact_kind", sa.String(10), nullable=True),
        sa.Column("contact", sa.String(254), nullable=True),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("results", sa.JSON, nullable=False),
        sa.Column("notified_at", sa.DateTime, nullable=True),
        sa.CheckConstraint("status IN ('recue', 'prise_en_charge', 'close', 'refusee', 'annulee')",
                           name="ck_counsel_referral_status"),
    )
    op.create_index("ix_counsel_referral_structure_status", "counsel_referral", ["counsel_structure", "status"])


def downgrade() -> None:
    op.drop_index("ix_counsel_referral_structure_status", table_name="counsel_referral")
    op.drop_table("counsel_referral")
