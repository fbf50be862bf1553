"""The structures near the person the conversation can offer a referral to, and what it says about them.

Candidates are the ones the assistant already shows: the catalogue's structures for the person's
recommended accompaniments, then the directory's ranking (`bot.directory.rank.who_to_see`). Only
those with a configured channel (`bot.referrals.channels`) are offered a referral; for the others the
assistant gives their contacts, never a promise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.conversation.dialogue import Button, Reply
from bot.referrals.channels import Channel
from bot.referrals.hours import is_open

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Offer:
    """A structure near the person, with how to reach it and whether it can receive a referral."""

    structure_id: str
    name: str
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    hours: str | None = None  # OpenStreetMap opening hours, as stored
    channel: Channel | None = None

    def hours_fr(self) -> str | None:
        from bot.trainings.support import opening_hours_fr

        return opening_hours_fr(self.hours)

    def contact_fr(self) -> str:
        parts = [p for p in (self.phone, self.email, self.website) if p]
        hours = self.hours_fr()
        if hours:
            parts.append(wording()["hours"].format(hours=hours))
        return " — " + " · ".join(parts) if parts else ""


def nearby_offers(session: Session, place: Mapping[str, Any], profile: Mapping[str, Any] | None,
                  accompaniments: Sequence[str], channels: Mapping[str, Channel], *, limit: int = 5) -> list[Offer]:
    """Structures near `place` (a resolved commune dict), those that can receive a referral first."""
    from bot.catalogue.structures import structures_near
    from bot.directory.rank import who_to_see

    seen: set[str] = set()
    offers: list[Offer] = []
    for dispositif in accompaniments:
        for near in structures_near(session, dict(place), for_id=dispositif, radius_km=40, limit=2):
            s = near.structure
            if s.id not in seen:
                seen.add(s.id)
                offers.append(Offer(s.id, s.name, s.phone, s.email, s.website or s.contact_url, None,
                                    channels.get(s.id)))
    for ranked in who_to_see(session, place, profile, limit=5):
        st, sv = ranked.structure, ranked.service
        sid = st.id if st is not None else sv.structure_id or sv.id
        if sid in seen:
            continue
        seen.add(sid)
        offers.append(Offer(sid, st.name if st is not None else sv.name, sv.phone or (st.phone if st else None),
                            sv.email or (st.email if st else None), sv.url or (st.website if st else None),
                            sv.opening_hours or (st.opening_hours if st else None), channels.get(sid)))
    offers.sort(key=lambda o: o.channel is None)  # stable: the assistant's order otherwise
    return offers[:limit]


def find_offer(offers: Sequence[Offer], structure_id: str | None) -> Offer | None:
    return next((o for o in offers if o.structure_id == structure_id), None)


def payload(intent: str, **entities: str) -> str:
    """A button payload that sets entities (/request_callback{"referral_structure": "…"})."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


# ------------------------------------------------------------------ what the assistant says
# The wording is data: the `referral` section of bot/conversation/messages.yml, and its easy-to-read (FALC)
# version in messages_falc.yml, chosen by the reading mode of the action that renders it (bot.reading).


def wording() -> dict[str, Any]:
    """The referral messages of the current reading mode."""
    from bot.conversation.dialogue import messages

    return messages()["referral"]


def choose_reply(offers: Sequence[Offer]) -> Reply:
    """Which structure should call the person back (only those that can receive a referral)."""
    m = wording()
    able = [o for o in offers if o.channel is not None]
    lines = [m["choose"], *(m["item"].format(name=o.name, contact=o.contact_fr()) for o in able)]
    buttons = tuple(Button(o.name[:60], payload("request_callback", referral_structure=o.structure_id))
                    for o in able[:4])
    return Reply("\n".join(lines), buttons + (Button(m["no_thanks"], "/deny"),))


def no_channel_reply(offers: Sequence[Offer], fallback: str) -> Reply:
    """No structure near the person can receive a referral: say so, and give the contacts instead."""
    m = wording()
    if not offers:
        return Reply(m["no_channel_none"].format(fallback=fallback))
    return Reply("\n".join([m["no_channel"], *(m["item"].format(name=o.name, contact=o.contact_fr())
                                                for o in offers[:3])]))


def consent_reply(offer: Offer) -> Reply:
    """Exactly what is sent, then Oui / Non: nothing is sent without this consent."""
    m = wording()
    return Reply(m["what_is_sent"].format(name=offer.name),
                 tuple(Button(b["title"], b["payload"]) for b in m["consent_buttons"]))


def say(key: str, **values: str) -> Reply:
    """One referral message (ask_contact, bad_contact, no_consent, sent, not_sent, already, none_yet,
    cancelled, need_place, unavailable) in the current reading mode."""
    return Reply(wording()[key].format(**values))


def handoff_reply(offer: Offer, now: datetime) -> Reply:
    """"Je veux parler à quelqu'un": during the structure's office hours, offer the referral; else when and how."""
    m = wording()
    hours = offer.hours_fr()
    phone = m["phone"].format(number=offer.phone) if offer.phone else ""
    when = m["when"].format(hours=hours) if hours else ""
    opened = is_open(offer.hours, now)
    if opened is False:
        return Reply(m["closed"].format(name=offer.name, phone=phone, hours=hours) if hours
                     else m["closed_no_hours"].format(name=offer.name))
    if offer.channel is None:
        return Reply(m["talk"].format(name=offer.name, phone=phone, when=when))
    intro = m["open"].format(name=offer.name, when=when) if opened else m["hours_unknown"].format(name=offer.name)
    return Reply(intro + " " + m["offer"].format(name=offer.name, phone=phone),
                 (Button(m["callback_button"], payload("request_callback", referral_structure=offer.structure_id)),
                  Button(m["no_thanks"], "/deny")))
