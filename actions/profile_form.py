"""The questions: extract every fact from each message, then ask only what the engine still needs."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import evaluate_profile, list_slot, payload_entities, profile_from, send
from bot.conversation.dialogue import (
    BOOLEAN_FIELDS,
    NO_ALSO_ANSWERS,
    PROFILE_FIELDS,
    Button,
    Reply,
    messages,
    next_question,
    question,
)

log = logging.getLogger(__name__)

#: Longer messages are read up to this many characters.
MAX_CHARS = 2000

#: Button payload entities → profile fields (entity names follow docs/nlu-guide.md).
PAYLOAD_FIELDS = {"diploma": "diploma_level", "france_travail": "registered_france_travail"}


def _valid(field: str, value: Any) -> bool:
    from bot.eligibility.profile import validate_profile
    from bot.errors import InvalidProfile

    try:
        validate_profile({field: value})
    except InvalidProfile:
        return False
    return True


def facts_from_message(tracker: Tracker) -> tuple[dict[str, Any], list[str], list[str]]:
    """(facts to set, fields the person does not know, INSEE candidates for an ambiguous place)."""
    from bot.understanding import extract

    latest = tracker.latest_message or {}
    text = latest.get("text") or ""
    intent = (latest.get("intent") or {}).get("name")
    asked = tracker.get_slot("requested_slot")
    facts: dict[str, Any] = {}
    candidates: list[str] = []
    payload_intent, payload = payload_entities(text)
    if payload_intent:
        intent = payload_intent
        for name, value in payload.items():
            field = PAYLOAD_FIELDS.get(name, name)
            if field in PROFILE_FIELDS:
                facts[field] = value
    elif text.strip():
        found = extract(text[:MAX_CHARS], asked=asked, known=profile_from(tracker))
        facts.update(found.facts)
        candidates = list(found.commune_candidates)
    if asked in BOOLEAN_FIELDS and asked not in facts and intent in ("affirm", "deny"):
        facts[asked] = intent == "affirm"
    if asked in NO_ALSO_ANSWERS and facts.get(asked) is False:
        facts.setdefault(NO_ALSO_ANSWERS[asked], False)
    unknown = [asked] if asked and intent == "dont_know" and asked not in facts else []
    facts = {k: v for k, v in facts.items() if v is not None and _valid(k, v)}
    if "commune" in facts and "code_insee" not in facts:
        facts["code_insee"] = None  # a new place: forget the previous resolution
    return facts, unknown, candidates


class ValidateProfileForm(FormValidationAction):
    """Fills every profile slot the message mentions, then picks the next question from the engine."""

    def name(self) -> str:
        return "validate_profile_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        facts, unknown, candidates = facts_from_message(tracker)
        events: list[EventType] = [SlotSet(k, v) for k, v in facts.items()]
        if unknown:
            events.append(SlotSet("unknown_fields", sorted(set(list_slot(tracker, "unknown_fields")) | set(unknown))))
            send(dispatcher, Reply(messages()["noted_unknown"]))
        if "commune" in facts:
            events.append(SlotSet("commune_candidates", candidates or None))
        tracker.add_slots(events)
        if facts:
            result = evaluate_profile(profile_from(tracker), tracker)
            place_doubt = _place_message(facts)
            for warning in result.get("warnings", []):
                if warning == place_doubt:
                    continue  # the commune question asks it next, once, with numbered choices
                send(dispatcher, Reply(messages()["warning_prefix"].format(warning=warning)))
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        if next_slot is not None:
            events.append(next_slot)
        return events

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        result = evaluate_profile(profile_from(tracker), tracker)
        field = next_question(result, asked=list_slot(tracker, "asked_fields"),
                              skip=list_slot(tracker, "unknown_fields"))
        return [field] if field else []

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> EventType | None:
        # Unlike the default, a filled slot can be asked again: a place that could not be resolved.
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return SlotSet("requested_slot", required[0] if required else None)


def _place_message(facts: dict) -> str | None:
    """The message of a commune that could not be resolved (it is asked again, not a warning)."""
    if not facts.get("commune") or facts.get("code_insee"):
        return None
    from bot.geo import resolve

    return resolve(str(facts["commune"])).message_fr


class AskForField(Action, ABC):
    """Asks one profile question (buttons for closed choices; free text always accepted)."""

    field: str = ""

    @abstractmethod
    def name(self) -> str:  # pragma: no cover - concrete classes are generated below
        ...

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        profile = profile_from(tracker)
        reply = question(self.field, profile)
        if self.field == "commune" and tracker.get_slot("commune"):
            reply = self._commune_again(tracker, reply)
        send(dispatcher, reply)
        asked = list_slot(tracker, "asked_fields")
        return [SlotSet("asked_fields", [*asked, self.field])] if self.field not in asked else []

    @staticmethod
    def _commune_again(tracker: Tracker, reply: Reply) -> Reply:
        from bot.geo import communes, resolve

        typed = str(tracker.get_slot("commune"))
        codes = list_slot(tracker, "commune_candidates")
        index = communes()
        cands = [index.get(c) for c in codes]
        cands = [c for c in cands if c is not None]
        if not cands:
            res = resolve(typed)
            cands = list(res.candidates)
            text = res.message_fr
        else:
            text = f"Plusieurs communes correspondent à « {typed} ». Laquelle est la vôtre ?"
        buttons = tuple(Button(f"{c.nom} ({c.departement})", f'/inform{{"commune": "{c.nom}", "code_insee": "{c.code_insee}"}}')
                        for c in cands[:8])
        return Reply(text or reply.text, buttons)


def _make_ask_action(field: str) -> type[AskForField]:
    action_name = f"action_ask_{field}"
    camel = "".join(part.title() for part in field.split("_"))
    return type(f"ActionAsk{camel}", (AskForField,), {"field": field, "name": lambda self: action_name})


ASK_ACTIONS = [_make_ask_action(f) for f in PROFILE_FIELDS if f != "code_insee"]
