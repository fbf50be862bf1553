"""Workspace storage and rules: migrations, accounts, sessions, login rate limit, cases, share codes, purge.

Every read of a case goes through `get_case(session, who, public_id)`, which only returns cases of
the counsellor's structure: there is no other way to load one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.counsel.models import Case, Counsellor, LoginAttempt, Share, WebSession, utcnow
from bot.errors import BotError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ROLES = ("counsellor", "admin")
SESSION_HOURS = 8
#: Login attempts allowed per key (e-mail, client address) in the window, then refused until it slides.
LOGIN_MAX_FAILURES = 5
LOGIN_MAX_FAILURES_PER_CLIENT = 20  # a whole office may share one address
LOGIN_WINDOW = timedelta(minutes=15)
SHARE_DAYS = 7
DEFAULT_RETENTION_DAYS = 90
#: Share codes: no 0/O, 1/I/L confusions; 8 characters shown as XXXX-XXXX (≈ 40 bits).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class AccessDenied(BotError):
    """Not logged in, wrong password, or not allowed to see this."""

    message_fr = "Accès refusé."


class TooManyAttempts(BotError):
    """Login attempts are temporarily refused."""

    message_fr = "Trop de tentatives de connexion : réessayez dans quelques minutes."


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def retention_days() -> int:
    """How long cases and shares are kept (COUNSEL_RETENTION_DAYS, default 90)."""
    from bot.config import env_int

    return env_int("COUNSEL_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)


# ---------------------------------------------------------------- schema
def alembic_config(engine_or_conn: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = engine_or_conn
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the workspace tables to `revision` (creates them on an empty database; keeps rows)."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


_MIGRATED: set[int] = set()


def ensure_migrated(engine: Engine) -> None:
    """`migrate(engine)` once per engine and process (for long-running callers such as actions)."""
    if id(engine) not in _MIGRATED:
        migrate(engine)
        _MIGRATED.add(id(engine))


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": "counsel_alembic_version"}).get_current_revision()


def workspace_engine(url: str | None = None) -> Engine:
    """The catalogue's database (DATABASE_URL), migrated to the latest workspace revision."""
    from bot.catalogue.db import make_engine
    from bot.config import get_settings

    engine = make_engine(url or get_settings().database_url)
    migrate(engine)
    return engine


# ---------------------------------------------------------------- accounts
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def add_counsellor(db: Session, *, email: str, name: str, password: str, structure: str,
                   role: str = "counsellor") -> Counsellor:
    """Create an account (password hashed with argon2id)."""
    email = email.strip().lower()
    if role not in ROLES:
        raise BotError(f"role must be one of {ROLES}", message_fr=f"Rôle inconnu : {role} (counsellor ou admin).")
    if len(password) < 12:
        raise BotError("password too short (12 characters minimum)",
                       message_fr="Mot de passe trop court (12 caractères minimum).")
    if "@" not in email or not structure.strip():
        raise BotError("an e-mail and a structure are required",
                       message_fr="Une adresse e-mail et une structure sont nécessaires.")
    if db.execute(select(Counsellor).where(Counsellor.email == email)).scalar_one_or_none():
        raise BotError(f"account {email} already exists", message_fr=f"Le compte {email} existe déjà.")
    user = Counsellor(email=email, name=name.strip() or email, password_hash=_hasher().hash(password),
                      role=role, structure=structure.strip(), active=True, created_at=utcnow())
    db.add(user)
    db.flush()
    return user


def one_time_password() -> str:
    """A generated password for a new account (shown once to the admin who creates it)."""
    return secrets.token_urlsafe(12)


def list_counsellors(db: Session) -> list[Counsellor]:
    """Every account of the workspace, active first."""
    return list(db.execute(select(Counsellor).order_by(Counsellor.active.desc(), Counsellor.structure,
                                                       Counsellor.email)).scalars())


def deactivate_counsellor(db: Session, counsellor_id: int, *, by: Who) -> Counsellor:
    """Disable an account and close its sessions (an admin cannot disable their own)."""
    user = db.get(Counsellor, counsellor_id)
    if user is None:
        raise BotError(f"no account {counsellor_id}", message_fr="Ce compte n'existe pas.")
    if user.id == by.id:
        raise BotError("an admin cannot deactivate their own account",
                       message_fr="Vous ne pouvez pas désactiver votre propre compte.")
    user.active = False
    db.execute(delete(WebSession).where(WebSession.counsellor_id == user.id))
    return user


def _failures(db: Session, key: str, now: datetime) -> int:
    return int(db.execute(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.key == key, LoginAttempt.at > now - LOGIN_WINDOW)).scalar_one())


def authenticate(db: Session, email: str, password: str, client: str = "") -> Counsellor:
    """The account for these credentials; failures are counted per e-mail and per client address."""
    from argon2.exceptions import VerificationError

    now = utcnow()
    keys = [_sha("email:" + email.strip().lower())] + ([_sha("client:" + client)] if client else [])
    limits = (LOGIN_MAX_FAILURES, LOGIN_MAX_FAILURES_PER_CLIENT)
    if any(_failures(db, k, now) >= limit for k, limit in zip(keys, limits, strict=False)):
        raise TooManyAttempts("too many login attempts")
    user = db.execute(select(Counsellor).where(Counsellor.email == email.strip().lower())).scalar_one_or_none()
    ok = False
    try:
        if user is not None and user.active:
            ok = _hasher().verify(user.password_hash, password)
        else:
            _hasher().hash(password)  # same cost whether the account exists or not
    except VerificationError:
        ok = False
    if not ok or user is None:
        for k in keys:
            db.add(LoginAttempt(key=k, at=now))
        db.flush()
        raise AccessDenied("bad credentials", message_fr="Adresse ou mot de passe incorrect.")
    db.execute(delete(LoginAttempt).where(LoginAttempt.key == keys[0]))
    return user


@dataclass(frozen=True)
class Who:
    """The logged-in counsellor, as the pages see them."""

    id: int
    email: str
    name: str
    role: str
    structure: str
    csrf: str


def open_session(db: Session, user: Counsellor) -> str:
    """A new session: returns the cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    db.add(WebSession(token_hash=_sha(token), counsellor_id=user.id, csrf=secrets.token_urlsafe(32),
                      created_at=utcnow(), expires_at=utcnow() + timedelta(hours=SESSION_HOURS)))
    db.flush()
    return token


def session_user(db: Session, token: str | None) -> Who | None:
    """The counsellor behind a cookie value, or None (unknown, expired, account disabled)."""
    if not token:
        return None
    row = db.get(WebSession, _sha(token))
    if row is None or row.expires_at <= utcnow():
        return None
    user = db.get(Counsellor, row.counsellor_id)
    if user is None or not user.active:
        return None
    return Who(user.id, user.email, user.name, user.role, user.structure, row.csrf)


def close_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(WebSession).where(WebSession.token_hash == _sha(token)))


# ---------------------------------------------------------------- cases
def create_case(db: Session, who: Who, *, text: str, facts: dict[str, Any], evidence: dict[str, str],
                unknown: list[str] | None = None, source: str = "analyse") -> Case:
    now = utcnow()
    case = Case(public_id=secrets.token_urlsafe(12), counsellor_id=who.id, structure=who.structure, text=text,
                facts=facts, evidence=evidence, unknown=list(unknown or []), source=source,
                created_at=now, updated_at=now, expires_at=now + timedelta(days=retention_days()))
    db.add(case)
    db.flush()
    return case


def get_case(db: Session, who: Who, public_id: str) -> Case:
    """The case if it belongs to this counsellor's structure; else AccessDenied (pages answer 404)."""
    case = db.execute(select(Case).where(Case.public_id == public_id)).scalar_one_or_none()
    if case is None or case.structure != who.structure or case.expires_at <= utcnow():
        raise AccessDenied(f"no case {public_id} for this counsellor", message_fr="Dossier introuvable.")
    return case


def list_cases(db: Session, who: Who) -> list[Case]:
    return list(db.execute(select(Case).where(Case.structure == who.structure, Case.expires_at > utcnow())
                           .order_by(Case.updated_at.desc())).scalars())


def update_case(db: Session, case: Case, *, facts: dict[str, Any], unknown: list[str]) -> None:
    case.facts = dict(facts)
    case.unknown = sorted(set(unknown))
    case.evidence = {k: v for k, v in (case.evidence or {}).items() if k in facts}
    case.updated_at = utcnow()


def delete_case(db: Session, case: Case) -> None:
    db.execute(delete(Share).where(Share.case_id == case.id))
    db.delete(case)


# ---------------------------------------------------------------- share codes
def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_share(db: Session, facts: dict[str, Any], results: dict[str, Any], *,
                 conversation_id: str | None = None, days: int = SHARE_DAYS) -> str:
    """A new share code for one conversation's facts and results (shown once: only its hash is kept).

    A conversation has at most one live code: creating a new one revokes the previous one.
    """
    now = utcnow()
    conv = _sha("conv:" + conversation_id) if conversation_id else None
    if conv:
        revoke_shares(db, conversation_id=conversation_id)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    db.add(Share(code_hash=_sha("code:" + raw), conversation_hash=conv, facts=dict(facts), results=dict(results),
                 created_at=now, expires_at=now + timedelta(days=days)))
    db.flush()
    return f"{raw[:4]}-{raw[4:]}"


def revoke_shares(db: Session, *, conversation_id: str | None = None, code: str | None = None) -> int:
    """Revoke the live codes of a conversation (or one code); returns how many were revoked."""
    stmt = select(Share).where(Share.revoked_at.is_(None))
    if code is not None:
        stmt = stmt.where(Share.code_hash == _sha("code:" + normalise_code(code)))
    elif conversation_id is not None:
        stmt = stmt.where(Share.conversation_hash == _sha("conv:" + conversation_id))
    else:
        return 0
    n = 0
    for share in db.execute(stmt).scalars():
        share.revoked_at = utcnow()
        n += 1
    return n


def open_share(db: Session, who: Who, code: str) -> Case:
    """Turn a live code into a case of this counsellor (single use); AccessDenied otherwise."""
    share = db.execute(select(Share).where(Share.code_hash == _sha("code:" + normalise_code(code)))).scalar_one_or_none()
    now = utcnow()
    if share is None or share.revoked_at is not None or share.expires_at <= now:
        raise AccessDenied("unknown, expired or revoked code", message_fr="Ce code n'ouvre aucun dossier (inconnu, expiré ou révoqué).")
    if share.case_id is not None or share.used_at is not None:
        raise AccessDenied("code already used", message_fr="Ce code a déjà été utilisé.")
    case = create_case(db, who, text="", facts=dict(share.facts), evidence={}, source="share")
    share.used_at = now
    share.case_id = case.id
    return case


# ---------------------------------------------------------------- purge
def purge(db: Session, *, days: int | None = None, now: datetime | None = None) -> dict[str, int]:
    """Delete cases older than `days`, expired shares, stale sessions and login attempts."""
    now = now or utcnow()
    days = days if days is not None else retention_days()
    limit = now - timedelta(days=days)
    old_cases = [c.id for c in db.execute(select(Case).where(
        (Case.expires_at <= now) | (Case.updated_at <= limit))).scalars()]
    shares = db.execute(delete(Share).where(
        (Share.expires_at <= now) | (Share.created_at <= limit) | Share.case_id.in_(old_cases or [-1]))).rowcount
    cases = db.execute(delete(Case).where(Case.id.in_(old_cases or [-1]))).rowcount
    sessions = db.execute(delete(WebSession).where(WebSession.expires_at <= now)).rowcount
    attempts = db.execute(delete(LoginAttempt).where(LoginAttempt.at <= now - LOGIN_WINDOW)).rowcount
    return {"cases": cases, "shares": shares, "sessions": sessions, "login_attempts": attempts}
