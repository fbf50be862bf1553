"""Workspace tables (counsellors, sessions, cases, share codes, referrals).

They live in the catalogue's database but on their own metadata: `db build` (which only creates
the catalogue's tables) never touches them, and their schema is versioned by alembic
(`bot/counsel/migrations`, `python -m bot counsellors migrate`).
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base

metadata = MetaData()
CounselBase = declarative_base(metadata=metadata)


def utcnow() -> datetime:
    """Naive UTC now (stored as such on every backend)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Counsellor(CounselBase):
    __tablename__ = "counsel_counsellor"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(20), nullable=False, default="counsellor")  # counsellor | admin
    structure = Column(String(200), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class WebSession(CounselBase):
    __tablename__ = "counsel_session"

    token_hash = Column(String(64), primary_key=True)  # sha256 of the cookie value
    counsellor_id = Column(Integer, ForeignKey("counsel_counsellor.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False, index=True)


class LoginAttempt(CounselBase):
    __tablename__ = "counsel_login_attempt"

    id = Column(Integer, primary_key=True)
    key = Column(String(64), nullable=False, index=True)  # sha256 of the e-mail, or of the client address
    at = Column(DateTime, nullable=False, default=utcnow, index=True)


class Case(CounselBase):
    __tablename__ = "counsel_case"

    id = Column(Integer, primary_key=True)
    public_id = Column(String(32), nullable=False, unique=True)  # what URLs show
    counsellor_id = Column(Integer, ForeignKey("counsel_counsellor.id", ondelete="CASCADE"), nullable=False, index=True)
    structure = Column(String(200), nullable=False, index=True)
    text = Column(Text, nullable=False, default="")
    facts = Column(JSON, nullable=False, default=dict)  # the profile as corrected
    evidence = Column(JSON, nullable=False, default=dict)
    unknown = Column(JSON, nullable=False, default=list)  # fields set to "inconnu"
    source = Column(String(20), nullable=False, default="analyse")  # analyse | share
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False, index=True)


class Share(CounselBase):
    __tablename__ = "counsel_share"

    id = Column(Integer, primary_key=True)
    code_hash = Column(String(64), nullable=False, unique=True)  # sha256 of the normalised code
    conversation_hash = Column(String(64), nullable=True, index=True)  # to revoke from the conversation
    facts = Column(JSON, nullable=False, default=dict)
    results = Column(JSON, nullable=False, default=dict)  # ids per verdict at share time
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False, index=True)
    revoked_at = Column(DateTime, nullable=True)
    used_at = Column(DateTime, nullable=True)
    case_id = Column(Integer, ForeignKey("counsel_case.id", ondelete="SET NULL"), nullable=True)


#: Referral statuses, in the order a referral goes through them (``annulee``: cancelled by the person).
REFERRAL_STATUSES = ("recue", "prise_en_charge", "close", "refusee", "annulee")
REFERRAL_OPEN = ("recue", "prise_en_charge")


class Referral(CounselBase):
    """A person asked a structure to call them back (with their consent), from the conversation.

    Statistics (issue 10 item 4) read only ``created_at``, ``status``, ``taken_at``, ``closed_at`` and
    ``departement``. ``contact`` is set only while the referral is open (recue, prise_en_charge).
    """

    __tablename__ = "counsel_referral"

    id = Column(Integer, primary_key=True)
    public_id = Column(String(32), nullable=False, unique=True)  # what URLs and the person's messages use
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    status = Column(String(20), nullable=False, default="recue", index=True)  # REFERRAL_STATUSES
    refusal_reason = Column(String(500), nullable=True)
    structure_id = Column(String(200), nullable=False)  # catalogue or directory id
    structure_name = Column(String(250), nullable=False)
    counsel_structure = Column(String(200), nullable=False, index=True)  # the accounts' structure that sees it
    departement = Column(String(3), nullable=True)  # of the person's commune (2-3 characters)
    taken_at = Column(DateTime, nullable=True)  # became prise_en_charge
    closed_at = Column(DateTime, nullable=True, index=True)  # became close, refusee or annulee
    conversation_hash = Column(String(64), nullable=False, index=True)  # HMAC of the sender id, never the id
    contact_kind = Column(String(10), nullable=True)  # phone | email
    contact = Column(String(254), nullable=True)  # deleted when closed
    facts = Column(JSON, nullable=False, default=dict)
    results = Column(JSON, nullable=False, default=dict)  # titles per verdict at referral time
    notified_at = Column(DateTime, nullable=True)  # e-mail to the structure accepted by the SMTP server

    __table_args__ = (
        Index("ix_counsel_referral_structure_status", "counsel_structure", "status"),
        CheckConstraint("status IN ('recue', 'prise_en_charge', 'close', 'refusee', 'annulee')",
                        name="ck_counsel_referral_status"),
    )
