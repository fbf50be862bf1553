"""Referrals: created with the person's consent, followed by the structure, read and cancelled by the person.

The person is known only by `conversation_hash` (an HMAC of the conversation id with CAP_REFERRAL_KEY):
the raw id is never stored. The contact is kept only while the referral is open (reçue, prise en
charge); closing, refusing or cancelling deletes it, and `purge` deletes closed referrals
REFERRAL_RETENTION_DAYS after they closed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.counsel.models import REFERRAL_OPEN, Referral, utcnow
from bot.errors import BotError
from bot.referrals.contact import Contact

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 30
TO_CHECK_SHOWN = 6  # the schemes "à vérifier" a referral carries (the engine's order: most relevant first)
STATUS_LABELS = {"recue": "reçue", "prise_en_charge": "prise en charge", "close": "close", "refusee": "refusée",
                 "annulee": "annulée par la personne"}
#: What a counsellor may change a referral to, from each status.
TRANSITIONS = {"recue": ("prise_en_charge", "close", "refusee"), "prise_en_charge": ("close", "refusee")}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


class ReferralError(BotError):
    """A change the rules do not allow (unknown status, closed referral, refusal without a reason)."""

    message_fr = "Ce changement n'est pas possible."


def retention_days() -> int:
    """Days closed referrals are kept (REFERRAL_RETENTION_DAYS, default 30)."""
    try:
        return max(0, int(os.environ.get("REFERRAL_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS))
    except ValueError:
        return DEFAULT_RETENTION_DAYS


def conversation_hash(sender_id: str) -> str:
    """Keyed hash of a conversation id (CAP_REFERRAL_KEY, generated into var/secrets/ when unset)."""
    from bot.config import local_secret

    key = local_secret("CAP_REFERRAL_KEY").encode("utf-8")
    return hmac.new(key, ("conv:" + sender_id).encode("utf-8"), hashlib.sha256).hexdigest()


def results_of(result: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The results a referral carries: ids and titles of the recommended schemes and those to check."""
    limits = {"recommended": None, "to_check": TO_CHECK_SHOWN}
    return {key: [{"id": i["id"], "title": i.get("title") or i["id"]} for i in result.get(key, [])][:limit]
            for key, limit in limits.items()}


def fact_lines(facts: dict[str, Any]) -> list[tuple[str, str]]:
    """The facts as (label, value) in plain French, in the conversation's order."""
    from bot.counsel.facts import rows

    def third_person(label: str) -> str:  # "Votre âge" → "Âge": the structure reads it, not the person
        return label[6:7].upper() + label[7:] if label.startswith("Votre ") else label

    return [(third_person(r.label), r.shown) for r in rows(facts, {}, set(), []) if r.name in facts and r.shown]


def fr_day(d: datetime) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


@dataclass(frozen=True)
class Target:
    """The structure a referral goes to."""

    structure_id: str
    name: str
    counsel_structure: str  # the accounts' structure that see it
    email: str


def open_referral(db: Session, sender_id: str) -> Referral | None:
    """The conversation's open referral (the latest), if any."""
    return db.execute(select(Referral).where(Referral.conversation_hash == conversation_hash(sender_id),
                                             Referral.status.in_(REFERRAL_OPEN))
                      .order_by(Referral.created_at.desc(), Referral.id.desc())).scalars().first()


def latest_referral(db: Session, sender_id: str) -> Referral | None:
    """The conversation's latest referral, whatever its status."""
    return db.execute(select(Referral).where(Referral.conversation_hash == conversation_hash(sender_id))
                      .order_by(Referral.created_at.desc(), Referral.id.desc())).scalars().first()


def create_referral(db: Session, *, sender_id: str, target: Target, contact: Contact, facts: dict[str, Any],
                    results: dict[str, Any], departement: str | None) -> Referral:
    """A new referral (status reçue). The caller has the person's explicit consent."""
    now = utcnow()
    dep = (departement or "").strip()[:3] or None
    ref = Referral(public_id=secrets.token_urlsafe(12), created_at=now, updated_at=now, status="recue",
                   structure_id=target.structure_id, structure_name=target.name[:250],
                   counsel_structure=target.counsel_structure[:200], departement=dep,
                   conversation_hash=conversation_hash(sender_id), contact_kind=contact.kind,
                   contact=contact.value, facts=dict(facts), results=dict(results))
    db.add(ref)
    db.flush()
    return ref


def _close(ref: Referral, status: str, now: datetime) -> None:
    ref.status = status
    ref.closed_at = now
    ref.updated_at = now
    ref.contact = None  # contact details are kept only while the referral is open


def cancel(db: Session, sender_id: str) -> Referral | None:
    """The person cancels their open referral (status annulée, contact deleted); None when none is open."""
    ref = open_referral(db, sender_id)
    if ref is not None:
        _close(ref, "annulee", utcnow())
    return ref


def list_for(db: Session, counsel_structure: str) -> list[Referral]:
    """The queue of one structure: open ones first (oldest first), then the closed ones."""
    rows = list(db.execute(select(Referral).where(Referral.counsel_structure == counsel_structure)
                           .order_by(Referral.created_at)).scalars())
    return [r for r in rows if r.status in REFERRAL_OPEN] + [r for r in reversed(rows) if r.status not in REFERRAL_OPEN]


def get_for(db: Session, counsel_structure: str, public_id: str) -> Referral | None:
    """A referral of this structure, or None (others are never loaded)."""
    ref = db.execute(select(Referral).where(Referral.public_id == public_id)).scalar_one_or_none()
    return ref if ref is not None and ref.counsel_structure == counsel_structure else None


def set_status(ref: Referral, status: str, reason: str | None = None, *, now: datetime | None = None) -> None:
    """A counsellor moves a referral on: prise en charge, close, or refusée (with a reason)."""
    now = now or utcnow()
    if status not in TRANSITIONS.get(ref.status, ()):
        raise ReferralError(f"{ref.status} -> {status} not allowed",
                            message_fr=f"Une demande « {STATUS_LABELS.get(ref.status, ref.status)} » ne peut pas "
                                       f"passer à « {STATUS_LABELS.get(status, status)} ».")
    reason = (reason or "").strip()
    if status == "refusee" and not reason:
        raise ReferralError("a refusal needs a reason", message_fr="Indiquez la raison du refus : la personne la lira.")
    if status == "prise_en_charge":
        ref.status, ref.taken_at, ref.updated_at = status, now, now
        return
    if status == "refusee":
        ref.refusal_reason = reason[:500]
    _close(ref, status, now)


def erase_conversation(db: Session, sender_id: str) -> int:
    """The person erases their conversation: open referrals are deleted; closed ones lose every link to it.

    Returns how many open referrals were deleted.
    """
    h = conversation_hash(sender_id)
    n = db.execute(delete(Referral).where(Referral.conversation_hash == h, Referral.status.in_(REFERRAL_OPEN))
                   ).rowcount or 0
    db.execute(update(Referral).where(Referral.conversation_hash == h).values(
        conversation_hash="erased:" + secrets.token_hex(8), facts={}, results={}, contact=None))
    return int(n)


def purge(db: Session, *, days: int | None = None, now: datetime | None = None) -> int:
    """Delete referrals closed (close, refusée, annulée) more than `days` ago; returns how many."""
    days = retention_days() if days is None else days
    limit = (now or utcnow()) - timedelta(days=days)
    return int(db.execute(delete(Referral).where(Referral.closed_at.is_not(None), Referral.closed_at <= limit)
                          ).rowcount or 0)


def status_fr(ref: Referral) -> str:
    """Where the person's referral stands, in plain French (the reading mode's wording, messages.yml)."""
    from bot.referrals.structures import wording

    m = wording()["status"]
    name = ref.structure_name
    channel = "par téléphone" if ref.contact_kind == "phone" else "par e-mail"
    if ref.status == "recue":
        return m["recue"].format(name=name, made=fr_day(ref.created_at), channel=channel)
    if ref.status == "prise_en_charge":
        return m["prise_en_charge"].format(name=name, day=fr_day(ref.taken_at or ref.updated_at), channel=channel)
    if ref.status == "close":
        return m["close"].format(name=name, day=fr_day(ref.closed_at or ref.updated_at))
    if ref.status == "refusee":
        return m["refusee"].format(name=name, reason=ref.refusal_reason)
    return m["annulee"].format(name=name)
