"""Who can help: structures near the person, a human counsellor, trainings."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Speaker,
    evaluate_profile,
    latest_entities,
    list_slot,
    profile_from,
    reading_mode,
    send,
    text_channel,
)
from bot.conversation.dialogue import Reply, messages, need_sentence, noted
from bot.trainings.loader import PRESS_PREFIX
from bot.trainings.service import de

log = logging.getLogger(__name__)

#: Accompaniment ids whose structures are worth showing, in priority order, per situation.
ACCOMPANIMENT = ("mon_cep_hdf", "france_travail", "mission_locale", "cap_emploi", "apec", "transitions_pro_hdf",
                 "e2c", "epide", "reseaux_creation", "la_turbine_dunkerque", "entreprendre_ensemble_dunkerque",
                 "proch_emploi", "vae")


def _place(tracker: Tracker) -> dict[str, Any] | None:
    """The person's resolved commune (from the slots, or named in the latest message)."""
    from bot.geo import communes, resolve

    code = tracker.get_slot("code_insee")
    commune = communes().get(code) if code else None
    named = latest_entities(tracker, "commune")
    if named:
        res = resolve(str(named[0]))
        commune = res.commune if res.status == "found" else commune
    if commune is None and tracker.get_slot("commune"):
        res = resolve(str(tracker.get_slot("commune")))
        commune = res.commune if res.status == "found" else None
    if commune is None:
        return None
    return {"code_insee": commune.code_insee, "nom": commune.nom, "departement": commune.departement,
            "region": commune.region, "lat": commune.lat, "lon": commune.lon}


def _contact(s: dict[str, Any]) -> str:
    c = s["contact"]
    parts = [v for v in (c.get("phone"), c.get("website") or c.get("contact_url"), c.get("email")) if v]
    source = s.get("source") or {}
    if not parts and source.get("url"):
        # an association known from its press: the article that presents it, said to be one
        press = source.get("kind") == "press" or str(source.get("title", "")).startswith(PRESS_PREFIX)
        parts = [("article de presse : " if press else "") + source["url"]]
    return (" — " + " · ".join(parts)) if parts else ""


#: Words of a catalogue description that make an inclusive organisation relevant to a need.
NEED_WORDS = {"deaf": ("sourd", "langue des signes"), "blind": ("aveugle", "malvoyant", "visuel"),
              "disability": ("handicap",)}


def inclusive_structures(needs: list[str]) -> list[dict[str, Any]]:
    """Inclusive organisations of the catalogue relevant to the person's needs (deaf: Signes de sens…)."""
    from bot.catalogue.structures import read_structures

    words = [w for n in needs for w in NEED_WORDS.get(n, ())]
    out = []
    for s in read_structures():
        text = f"{s.get('name', '')} {s.get('description', '')}".lower()
        if s.get("type") == "inclusion" and any(w in text for w in words):
            out.append(s)
    return out


def _line(s: dict[str, Any]) -> str:
    where = (s.get("address") or {}).get("commune") or "Hauts-de-France"
    return messages()["nearby"]["item"].format(name=s["name"], where=where, distance="", contact=_contact(s))


def inclusive_help(tracker: Tracker, needs: list[str]) -> Reply:
    """Who helps with a disability or sensory need: Cap emploi, Agefiph and the relevant associations."""

    return Reply("\n".join([messages()["answer"]["help_intro"], *inclusive_lines(tracker, needs)]))


def inclusive_lines(tracker: Tracker, needs: list[str]) -> list[str]:
    """Cap emploi and the Agefiph (nearest when the place is known), then the associations for the need."""
    from bot.catalogue.structures import read_structures

    place = _place(tracker)
    lines: list[str] = []
    if place is not None:
        lines += [_row_line(r) for r in _nearby_rows(place, ["cap_emploi", "agefiph"], per_id=1)]
    else:
        catalogue = {s["id"]: s for s in read_structures()}
        lines.append(messages()["need"]["cap_emploi"])
        lines += [_line(catalogue[i]) for i in ("agefiph-hauts-de-france",) if i in catalogue]
    return lines + [_line(s) for s in inclusive_structures(needs)]


def _nearby_rows(place: dict[str, Any], dispositif_ids: list[str], per_id: int = 2) -> list[dict[str, Any]]:
    """The nearest structures serving each scheme, without duplicates, in the order of the schemes."""
    from actions.services import get_services
    from bot.catalogue.structures import structures_near

    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    with get_services().session_factory() as session:
        for dispositif in dispositif_ids:
            for near in structures_near(session, place, for_id=dispositif, radius_km=40, limit=per_id):
                item = near.to_dict()
                if item["id"] not in seen:
                    seen.add(item["id"])
                    rows.append(item)
    return rows


def _row_line(r: dict[str, Any]) -> str:
    m = messages()["nearby"]
    where = r["address"]["street"] or r["address"]["commune"] or "votre secteur"
    if r["address"]["street"] and r["address"]["commune"]:
        where = f"{r['address']['street']}, {r['address']['commune']}"
    distance = f" ({r['distance_km']:.0f} km)" if r["distance_km"] is not None and r["distance_km"] >= 1 else ""
    line = m["item"].format(name=r["name"], where=where, distance=distance, contact=_contact(r))
    return line + m["verify"] if r["to_verify"] else line


def say_what_was_understood(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """A story told with a request ("… à Calais, quelles formations ?"): what was understood comes first."""
    from actions.profile_form import _commune_name, understood

    facts = understood(tracker)
    if len(facts) >= 2:
        reply = noted(facts, commune_name=_commune_name(tracker), text_channel=text_channel(tracker))
        if reply is not None:
            send(dispatcher, reply)


def nearby_reply(place: dict[str, Any], dispositif_ids: list[str], limit: int = 5,
                 needs: list[str] | None = None, profile: dict[str, Any] | None = None) -> Reply:
    """The nearest structures serving the person's recommended accompaniments (and inclusive ones for a need)."""
    from actions.services import get_services

    m = messages()["nearby"]
    rows = _nearby_rows(place, dispositif_ids)
    with get_services().session_factory() as session:
        extra = get_services().support_services(session, place, profile)[:3]
    inclusive = inclusive_structures(needs) if needs else []
    if not rows and not extra and not inclusive:
        return Reply(m["none"].format(de_commune=de(place["nom"]), fallback=messages()["human"]["generic"]))
    lines = [m["intro"].format(de_commune=de(place["nom"]))]
    lines += [_row_line(r) for r in rows[:limit]]
    lines += [_line(s) for s in inclusive]
    if extra:
        lines.append(m["data_inclusion"])
        for item in extra:
            where = item.commune or "votre secteur"
            distance = f" ({item.distance_km:.0f} km)" if item.distance_km and item.distance_km >= 1 else ""
            lines.append(m["item"].format(name=item.name, where=where, distance=distance, contact=item.contact_fr()))
    return Reply("\n".join(lines))


def _accompaniments(tracker: Tracker) -> list[str]:
    profile = profile_from(tracker)
    needs = list_slot(tracker, "needs")
    first = ["cap_emploi", "agefiph"] if needs or profile.get("rqth") else []
    if not profile:
        return [*first, *(i for i in ["mon_cep_hdf", "france_travail", "mission_locale", "cap_emploi"] if i not in first)]
    result = evaluate_profile(profile, tracker)
    ids = [i["id"] for i in result["recommended"] if i["id"] in ACCOMPANIMENT and i["id"] not in first]
    return first + (ids or ["mon_cep_hdf", "france_travail"])


class ActionNearbyHelp(Action):
    """"Qui peut m'aider près de chez moi ?": nearest structures for the person's situation."""

    def name(self) -> str:
        return "action_nearby_help"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        say_what_was_understood(dispatcher, tracker)
        speaker = Speaker(dispatcher, tracker)
        place = _place(tracker)
        needs = latest_entities(tracker, "need") or list_slot(tracker, "needs")
        # A disability cue with the RQTH unknown: the same sentence whichever action answers the message.
        if latest_entities(tracker, "need") and profile_from(tracker).get("rqth") is None \
                and speaker.once("need:rqth"):
            speaker.send(need_sentence(latest_entities(tracker, "need")))
        if place is None:
            if needs:
                speaker.send(inclusive_help(tracker, needs))
            speaker.send(Reply(messages()["nearby"]["need_commune"]))
            return speaker.events()
        speaker.send(nearby_reply(place, _accompaniments(tracker), needs=needs, profile=profile_from(tracker)))
        return speaker.events()


class ActionHumanContacts(Action):
    """A human counsellor: always available, the right one for the situation."""

    def name(self) -> str:
        return "action_human_contacts"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        m = messages()["human"]
        place = _place(tracker)
        send(dispatcher, Reply(m["intro"] + "\n" + m["generic"]))
        if place is None:
            send(dispatcher, Reply(m["ask_commune"]))
        else:
            send(dispatcher, nearby_reply(place, _accompaniments(tracker), limit=3))
            handoff = _handoff(tracker)
            if handoff is not None:
                send(dispatcher, handoff)
        return []


def _handoff(tracker: Tracker) -> Reply | None:
    """During the chosen structure's office hours, offer it to call the person back; else when and how."""
    from actions.referral import offers_for
    from actions.services import get_services
    from bot.referrals.structures import find_offer, handoff_reply

    try:
        _place_, offers = offers_for(tracker)
    except Exception as exc:  # noqa: BLE001 - the contacts above are enough
        log.warning("hand-off unavailable: %s", type(exc).__name__)
        return None
    offer = (find_offer(offers, tracker.get_slot("referral_structure"))
             or next((o for o in offers if o.channel is not None), None)
             or next((o for o in offers if o.hours), None))
    return handoff_reply(offer, get_services().now()) if offer is not None else None


class ActionSearchTrainings(Action):
    """"Quelles formations en data près de Lens ?" / "et les formations ?": a short list."""

    def name(self) -> str:
        return "action_search_trainings"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from actions.services import get_services

        say_what_was_understood(dispatcher, tracker)
        field = next(iter(latest_entities(tracker, "target_field")), None) or tracker.get_slot("target_field")
        named = next(iter(latest_entities(tracker, "commune")), None)
        code = tracker.get_slot("code_insee")
        # a place already resolved in the conversation is passed as its INSEE code (not a postcode)
        place = named or (f"insee:{code}" if code else None) or tracker.get_slot("commune")
        if not field:
            send(dispatcher, Reply("Dans quel domaine ou pour quel métier cherchez-vous une formation ? "
                                   "(par exemple « data », « aide-soignant », « plombier »)"))
            return []
        if not place:
            send(dispatcher, Reply(messages()["nearby"]["need_commune"]))
            return []
        try:
            answer = get_services().trainings(str(field), str(place))
        except Exception:  # a bug there must not end the conversation
            log.exception("trainings search failed")
            send(dispatcher, Reply("Je n'arrive pas à chercher les formations pour le moment. Vous pouvez consulter "
                                   "Mon Compte Formation : https://www.moncompteformation.gouv.fr"))
            return []
        send(dispatcher, Reply(answer.text_fr))
        return []
