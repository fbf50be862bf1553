"""The questions: a dynamic form whose next question is the engine's most decisive missing field.

The slot mappings of domain.yml fill the profile slots from the entities of the NLU pipeline (every
fact a message states, a short answer to the question asked, a button). `validate_profile_form` is
the one validation step: it drops invalid values, records "je ne sais pas", says in one line what
it understood (with a way to correct it), answers the question the person asked, raises a
contradiction once, and picks the next question (`required_slots`, as rasa-sdk documents).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Speaker,
    answered_this_turn,
    evaluate_profile,
    facts_in_message,
    latest_entities,
    list_slot,
    profile_from,
    reading_mode,
    slots_set_this_turn,
    text_channel,
)
from bot.conversation.dialogue import (
    PROFILE_FIELDS,
    Button,
    Reply,
    conflict_question,
    messages,
    need_sentence,
    next_question,
    noted,
    question,
)
from bot.eligibility.falc import plain
from bot.reading import easy_read

log = logging.getLogger(__name__)

#: Intents answered by their own rule during the questions: a short answer read in them is not an answer.
DIGRESSIONS = ("ask_dispositif", "why_not", "what_if", "ask_nearby", "ask_trainings", "ask_summary", "ask_human",
               "ask_capabilities", "out_of_scope", "insult", "thank", "greet", "erase_data", "correct", "show_all",
               "ask_results", "restart", "goodbye", "ask_easy_read", "ask_normal_read")
#: Actions that answer the person's question themselves (the form then does not answer it again).
ANSWERING_ACTIONS = ("action_explain_dispositif", "action_why_not", "action_what_if", "action_nearby_help")


def _valid(field: str, value: Any) -> bool:
    from bot.eligibility.profile import validate_profile
    from bot.errors import InvalidProfile

    try:
        validate_profile({field: value})
    except InvalidProfile:
        return False
    return True


#: Facts changed freely (a new place or a new project is no contradiction to raise).
NEVER_CONFIRMED = frozenset({"commune", "code_insee", "target_field", "goal", "commune_candidates"})
#: Facts read from a number: one number in a short answer fills one field — the one asked.
NUMBER_FIELDS = frozenset({
    "seniority_months_company", "seniority_months_total", "cdd_months_last_12", "interim_hours_branch_18m",
    "interim_hours_same_agency_18m", "age", "part_time_hours_week", "sick_leave_months_last_24",
    "unpaid_or_sabbatical_leave_last_60m", "months_worked_last_60", "public_service_months",
    "registered_months_last_18",
})


def values_before_turn(tracker: Tracker) -> dict[str, Any]:
    """The slot values as they were before the person's latest message."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    values: dict[str, Any] = {}
    for event in events[:last_user]:
        if event.get("event") == "slot":
            values[event["name"]] = event.get("value")
        elif event.get("event") in ("restart", "session_started"):
            values = {}
    return values


def conflict_key(field: str, value: Any) -> str:
    """The `said` key of a contradiction raised (and so resolved by the person's choice)."""
    return f"conflict:{field}:{json.dumps(value)}"


def _outcomes(profile: dict[str, Any], tracker: Tracker) -> set[tuple[str, str]]:
    result = evaluate_profile(profile, tracker)
    return {(item["id"], bucket) for bucket in ("recommended", "to_check", "not_eligible")
            for item in result.get(bucket, [])}


def changes_eligibility(tracker: Tracker, field: str, old: Any, new: Any) -> bool:
    """Would taking `new` instead of `old` change a scheme's outcome (recommended, to check, not eligible)?"""
    profile = profile_from(tracker)
    return _outcomes({**profile, field: old}, tracker) != _outcomes({**profile, field: new}, tracker)


def _commune_name(tracker: Tracker) -> str | None:
    from bot.geo import communes

    code = tracker.get_slot("code_insee")
    commune = communes().get(code) if code else None
    return commune.nom if commune is not None else None


def understood(tracker: Tracker) -> dict[str, Any]:
    """The facts the latest message gave in words (stated, or as the answer to the question asked)."""
    facts = facts_in_message(tracker)
    for e in (tracker.latest_message or {}).get("entities", []):
        if e.get("entity") == "answer" and e.get("role") == tracker.get_slot("requested_slot"):
            facts.setdefault(e["role"], e.get("value"))
    stated = facts_in_message(tracker)
    return {k: tracker.get_slot(k) for k in facts if k in PROFILE_FIELDS and tracker.get_slot(k) is not None
            and (k not in stated or k in ("commune", "code_insee") or stated[k] == tracker.get_slot(k))}


def answer_first(tracker: Tracker, profile: dict[str, Any], result: dict[str, Any]) -> list[Reply]:
    """The question the person asked in this message, answered from the rules (none when no question)."""
    from actions.help import inclusive_help
    from actions.results import mentioned_dispositif
    from bot.conversation import dialogue
    from bot.eligibility.rules import load_rules

    if answered_this_turn(tracker, ANSWERING_ACTIONS):
        return []
    topics = latest_entities(tracker, "question")
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    dispositif = mentioned_dispositif(tracker)
    if dispositif is None and topics and "resign" in latest_entities(tracker, "change"):
        dispositif = "demission_reconversion"  # "je touche le chômage si je démissionne ?"
    if dispositif and (topics or intent in ("ask_dispositif", "why_not")):
        return [dialogue.answer_question(result, load_rules()[dispositif], topics)]
    if "help" in topics and latest_entities(tracker, "need"):
        return [inclusive_help(tracker, latest_entities(tracker, "need"))]
    if "pay" in topics:
        rules = load_rules()
        funds = [i for i in result.get("recommended", []) if i.get("group") == "how_to_fund"]
        if funds:
            rule = rules[funds[0]["id"]]
            return [Reply(messages()["answer"]["pay_general"].format(title=plain(rule.short_title or rule.title),
                                                                   provides=plain(rule.provides)))]
    return []


class ValidateProfileForm(FormValidationAction):
    """The one validation step of the questions (see the module docstring)."""

    def name(self) -> str:
        return "validate_profile_form"

    @reading_mode
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        speaker = Speaker(dispatcher, tracker)
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        asked = tracker.get_slot("requested_slot")
        new = {k: v for k, v in slots_set_this_turn(tracker).items() if k in PROFILE_FIELDS and v is not None}
        events: list[EventType] = []
        if intent in DIGRESSIONS and asked in new and asked not in facts_in_message(tracker) \
                and len(new) == 1 and tracker.active_loop_name == self.form_name():
            # "c'est quoi la VAE ?" is a question, not the answer to "Qu'aimeriez-vous faire ?": the form
            # rejects the message, Rasa hands it to its digression rule, then the question comes back
            return [SlotSet(asked, None), ActionExecutionRejected(self.form_name())]
        for field, value in list(new.items()):
            if not _valid(field, value):
                events.append(SlotSet(field, None))
                del new[field]
            else:
                events.append(SlotSet(field, value))  # confirmed: the form goes on
        before = values_before_turn(tracker)
        stated = facts_in_message(tracker)
        if asked in NUMBER_FIELDS and asked in new and asked not in stated \
                and latest_entities(tracker, "answer", asked):
            # a bare number answers the question asked ("20 ans" to "depuis combien de temps… ?"),
            # it is not also an age or another count
            for field in [f for f in new if f != asked and f in NUMBER_FIELDS and f in stated]:
                events.append(SlotSet(field, before.get(field)))
                del new[field]
        said = set(list_slot(tracker, "said"))
        conflict: tuple[str, Any, Any] | None = None
        for field, value in list(new.items()):
            old = before.get(field)
            if old is None or old == value or field == asked or field in NEVER_CONFIRMED \
                    or conflict_key(field, value) in said or intent == "correct":
                continue  # nothing known, the same, the answer asked for, already chosen, or a correction
            tracker.add_slots(events)
            if not changes_eligibility(tracker, field, old, value):
                continue
            events.append(SlotSet(field, old))  # kept until the person says which is right
            del new[field]
            conflict = conflict or (field, old, value)
        if "commune" in new:
            if "code_insee" not in new:
                events.append(SlotSet("code_insee", None))  # a new place: forget the previous resolution
            if not latest_entities(tracker, "fact", "commune_candidates"):
                events.append(SlotSet("commune_candidates", None))
        if asked and intent == "dont_know" and asked not in new:
            events.append(SlotSet("unknown_fields", sorted(set(list_slot(tracker, "unknown_fields")) | {asked})))
            if speaker.once("noted_unknown"):
                speaker.send(Reply(messages()["noted_unknown"]))
        tracker.add_slots(events)
        if new or any(e["name"] == "unknown_fields" for e in events):
            self._speak(speaker, tracker, asked)
        if conflict is not None:
            field, old, value = conflict
            speaker.once(conflict_key(field, value))
            speaker.send(conflict_question(field, old, value))
        events += speaker.events()
        tracker.add_slots(speaker.events())
        if conflict is not None:  # the next question is the choice (its buttons answer the field)
            return [*events, SlotSet("requested_slot", conflict[0])]
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        if next_slot is not None:
            events.append(next_slot)
            if next_slot["value"]:  # asked here, in the same response (see ask_field)
                tracker.add_slots([next_slot])
                events += ask_field(next_slot["value"], dispatcher, tracker)
        return events

    @staticmethod
    def _speak(speaker: Speaker, tracker: Tracker, asked: str | None) -> None:
        """What was understood, the answer to the person's question, a cue, a contradiction — each once."""
        profile = profile_from(tracker)
        result = evaluate_profile(profile, tracker)
        if "long_message" in latest_entities(tracker, "note") and speaker.once("long_message"):
            speaker.send(Reply(messages()["long_message"]))
        facts = understood(tracker)
        if len(facts) >= 2 or (facts and next(iter(facts)) != asked):
            reply = noted(facts, commune_name=_commune_name(tracker), text_channel=text_channel(tracker))
            if reply is not None:
                speaker.send(reply)
        for reply in answer_first(tracker, profile, result):
            speaker.send(reply)
        needs = latest_entities(tracker, "need")
        if needs and profile.get("rqth") is None and speaker.once("need:rqth"):
            speaker.send(need_sentence(needs))
        for warning in result.get("warnings", []):
            if speaker.once(f"warning:{warning}"):
                speaker.send(Reply(messages()["warning_prefix"].format(warning=warning)))

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        result = evaluate_profile(profile_from(tracker), tracker)
        asked = list_slot(tracker, "asked_fields")
        unknown = list_slot(tracker, "unknown_fields")
        profile = profile_from(tracker)
        # What decides the person's own question or cue comes first, if the engine still needs it.
        prefer: list[str] = []
        dispositif = tracker.get_slot("last_dispositif")
        for item in result.get("to_check", []):
            if item["id"] == dispositif:
                prefer += list(item.get("missing", []))
        if latest_entities(tracker, "need") or (tracker.get_slot("rqth") is None
                                                and "need:rqth" in list_slot(tracker, "said")):
            prefer.append("rqth")
        for field in prefer:
            if field not in profile and field not in unknown and field not in asked \
                    and field in messages()["questions"] and field in result.get("questions", []):
                return [field]
        field = next_question(result, asked=asked, skip=unknown)
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


def ask_field(field: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Asks one profile question (buttons for closed choices; free text always accepted).

    Said by validate_profile_form in the same response as what it understood: the domain declares no
    `action_ask_<field>`, so Rasa's form asks nothing itself and a turn costs one call to the action
    server instead of two (the turn's events are the same: asking in a form logs no action).
    """
    with easy_read(bool(tracker.get_slot("easy_read"))):
        speaker = Speaker(dispatcher, tracker)
        profile = profile_from(tracker)
        if field != "commune" and profile.get(field) is not None:
            return []  # a known fact asked again: the choice between two values was just offered
        reply = question(field, profile)
        if field == "commune" and tracker.get_slot("commune"):
            reply = _commune_again(tracker, reply)
        speaker.send(reply)
        asked = list_slot(tracker, "asked_fields")
        events = [SlotSet("asked_fields", [*asked, field])] if field not in asked else []
        return events + speaker.events()


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
