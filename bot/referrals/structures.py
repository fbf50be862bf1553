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
            parts.append(f"horaires : {hours}")
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
WHAT_IS_SENT = (
    "Si vous êtes d'accord, j'envoie à {name} uniquement : ce que vous m'avez dit de votre situation "
    "(les informations notées, sans votre nom), vos résultats (les dispositifs qui vous correspondent), "
    "votre département, et le moyen de vous recontacter que vous allez me donner (téléphone ou e-mail). "
    "Rien d'autre : pas notre conversation. Vous pourrez suivre votre demande (« où en est ma demande ? ») "
    "ou l'annuler (« annuler ma demande »).\nÊtes-vous d'accord ?")


def choose_reply(offers: Sequence[Offer]) -> Reply:
    """Which structure should call the person back (only those that can receive a referral)."""
    able = [o for o in offers if o.channel is not None]
    lines = ["Quelle structure voulez-vous qu'elle vous recontacte ?"]
    lines += [f"- {o.name}{o.contact_fr()}" for o in able]
    buttons = tuple(Button(o.name[:60], payload("request_callback", referral_structure=o.structure_id))
                    for o in able[:4])
    return Reply("\n".join(lines), buttons + (Button("Non merci", "/deny"),))


def no_channel_reply(offers: Sequence[Offer], fallback: str) -> Reply:
    """No structure near the person can receive a referral: say so, and give the contacts instead."""
    text = ("Je ne peux pas transmettre de demande de rappel aux structures près de chez vous : aucune n'est "
            "reliée à ce service pour l'instant. Vous pouvez les contacter directement :")
    if not offers:
        return Reply("Je ne peux pas transmettre de demande de rappel pour l'instant. " + fallback)
    return Reply("\n".join([text, *(f"- {o.name}{o.contact_fr()}" for o in offers[:3])]))


def consent_reply(offer: Offer) -> Reply:
    return Reply(WHAT_IS_SENT.format(name=offer.name), (Button("Oui", "/affirm"), Button("Non", "/deny")))


ASK_CONTACT = ("Sur quel numéro de téléphone ou quelle adresse e-mail {name} peut-il vous recontacter ? "
               "(par exemple 06 12 34 56 78 ou prenom.nom@exemple.fr)")
BAD_CONTACT = ("Je n'ai pas reconnu de numéro de téléphone français ni d'adresse e-mail. Écrivez par exemple "
               "06 12 34 56 78, +33 6 12 34 56 78 ou prenom.nom@exemple.fr, ou « non » pour ne rien envoyer.")
NO_CONSENT = "D'accord : je n'envoie rien. Vous pouvez toujours contacter une structure vous-même."
SENT = ("C'est fait : votre demande a été transmise à {name}, qui vous recontactera {channel} ({masked}). "
        "Vos coordonnées ne sont gardées que le temps de la demande. Pour savoir où elle en est, écrivez "
        "« où en est ma demande ? » ; pour l'annuler, « annuler ma demande ».")
NOT_SENT = ("Je n'ai pas réussi à transmettre votre demande à {name} pour le moment, et je ne l'ai pas gardée. "
            "Réessayez plus tard, ou contactez la structure directement{contact}.")
ALREADY = "Vous avez déjà une demande en cours auprès de {name}. " \
          "Écrivez « où en est ma demande ? » pour la suivre, ou « annuler ma demande »."
NONE_YET = ("Vous n'avez pas de demande de rappel en cours. Si vous voulez qu'une structure près de chez vous "
            "vous recontacte, écrivez « je veux être recontacté ».")
CANCELLED = "C'est fait : votre demande à {name} est annulée et vos coordonnées sont supprimées."
NEED_PLACE = "Pour trouver une structure qui peut vous recontacter, dites-moi dans quelle commune vous habitez."
UNAVAILABLE = "Les demandes de rappel ne sont pas disponibles pour le moment. Réessayez un peu plus tard."


def handoff_reply(offer: Offer, now: datetime) -> Reply:
    """"Je veux parler à quelqu'un": during the structure's office hours, offer the referral; else when and how."""
    hours = offer.hours_fr()
    phone = f" au {offer.phone}" if offer.phone else ""
    opened = is_open(offer.hours, now)
    if opened is False:
        return Reply(f"{offer.name} est fermé en ce moment. Vous pouvez les joindre{phone} "
                     f"aux heures d'ouverture : {hours}." if hours else f"{offer.name} est fermé en ce moment.")
    if offer.channel is None:
        when = f" ({hours})" if hours else ""
        return Reply(f"Vous pouvez parler à un conseiller de {offer.name}{phone}{when}.")
    intro = (f"{offer.name} est ouvert en ce moment{' (' + hours + ')' if hours else ''}. "
             if opened else f"Je ne connais pas les horaires de {offer.name}. ")
    return Reply(intro + f"Voulez-vous qu'un conseiller de {offer.name} vous rappelle ? "
                 f"Vous pouvez aussi les appeler vous-même{phone}.",
                 (Button("Oui, être rappelé(e)", payload("request_callback", referral_structure=offer.structure_id)),
                  Button("Non merci", "/deny")))
