"""Results and the questions people ask about them: the plan, all details, why not, what if, summary."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Speaker,
    evaluate_profile,
    facts_in_message,
    latest_entities,
    list_slot,
    profile_from,
    reading_mode,
    start_questions,
    tells_a_story,
    text_channel,
)
from bot.conversation import dialogue
from bot.conversation.dialogue import Reply, messages
from bot.eligibility.falc import plain

log = logging.getLogger(__name__)


def _short_titles() -> dict[str, str]:
    from bot.eligibility.rules import load_rules

    return {r.id: plain(r.short_title or r.title) for r in load_rules().values()}


def mentioned_dispositif(tracker: Tracker) -> str | None:
    """The scheme the latest message names (entity or payload; the last one, nearest the question), else None."""
    from bot.eligibility.rules import load_rules

    rules = load_rules()
    for value in reversed(latest_entities(tracker, "dispositif")):
        if value in rules:
            return str(value)
    return None


class ActionShowResults(Action):
    """The results as a plan (two or three first steps, "Voir tout"), or what changed since they were shown."""

    def name(self) -> str:
        return "action_show_results"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        speaker = Speaker(dispatcher, tracker)
        profile = profile_from(tracker)
        if not profile:
            speaker.send(Reply(messages()["summary"]["empty"]))
            return []
        result = evaluate_profile(profile, tracker)
        shown_before = tracker.get_slot("recommendations")
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if shown_before is not None and intent != "ask_results":
            speaker.send(dialogue.what_changed(list(shown_before), result, text_channel=text_channel(tracker)))
        else:
            needs = list_slot(tracker, "needs")
            speaker.send(dialogue.present_plan(result, short_titles=_short_titles(),
                                               text_channel=text_channel(tracker), said=speaker.said,
                                               extra_step=messages()["results"]["plan_need"] if needs else None))
        return [SlotSet("recommendations", dialogue.all_ids(result)), *speaker.events()]


class ActionShowAll(Action):
    """"Voir tout" / TOUT: every recommendation, grouped, with why and the first step."""

    def name(self) -> str:
        return "action_show_all"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        speaker = Speaker(dispatcher, tracker)
        profile = profile_from(tracker)
        if not profile:
            speaker.send(Reply(messages()["summary"]["empty"]))
            return []
        result = evaluate_profile(profile, tracker)
        from actions.help import inclusive_lines

        needs = list_slot(tracker, "needs")
        extra = inclusive_lines(tracker, needs) if needs else []
        replies, shown = dialogue.present_results(result, short_titles=_short_titles(), extra_who=extra)
        for reply in replies:
            speaker.send(reply)
        return [SlotSet("recommendations", shown), *speaker.events()]


class ActionExplainDispositif(Action):
    """"C'est quoi la VAE ?", "le CPF c'est jusqu'à quel âge ?": the answer for this person, with its link."""

    def name(self) -> str:
        return "action_explain_dispositif"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from actions.services import get_services
        from bot.eligibility.rules import load_rules

        speaker = Speaker(dispatcher, tracker)
        dispositif = mentioned_dispositif(tracker)
        terms = [t for t in latest_entities(tracker, "term") if t in dialogue.glossary()]
        if dispositif is None and terms:  # "ça veut dire quoi OPCO ?": the glossary's plain sentence
            for term in terms[:2]:
                speaker.once(f"acronym:{term}")  # defined here: no brackets later
                speaker.send(dialogue.define(term))
            return speaker.events()
        if dispositif is None:
            speaker.send(Reply(messages()["explain"]["which"]))
            return speaker.events()
        rules = load_rules()
        rule = rules[dispositif]
        profile = profile_from(tracker)
        topics = [t for t in latest_entities(tracker, "question") if t != "general"]
        if profile and (topics or facts_in_message(tracker)):
            speaker.send(dialogue.answer_question(evaluate_profile(profile, tracker), rule, topics))
        else:  # "c'est quoi la VAE ?": what it is and its link, then what it means for this person
            speaker.send(dialogue.explain_dispositif(rule, get_services().today(), rules))
            if profile:
                speaker.send(dialogue.answer_question(evaluate_profile(profile, tracker), rule, []))
        events = [SlotSet("last_dispositif", dispositif), *speaker.events()]
        if tells_a_story(tracker) and not tracker.active_loop_name:
            events += start_questions()
        return events


class ActionWhyNot(Action):
    """"Pourquoi pas le PTP ?": the failing conditions and when it becomes possible."""

    def name(self) -> str:
        return "action_why_not"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        speaker = Speaker(dispatcher, tracker)
        dispositif = mentioned_dispositif(tracker) or tracker.get_slot("last_dispositif")
        if not dispositif:
            speaker.send(Reply(messages()["why_not"]["unknown"]))
            return speaker.events()
        profile = profile_from(tracker)
        if not profile:
            speaker.send(Reply(messages()["why_not"]["need_profile"]))
            return [SlotSet("last_dispositif", dispositif), *speaker.events()]
        speaker.send(dialogue.why_not(evaluate_profile(profile, tracker), dispositif))
        events = [SlotSet("last_dispositif", dispositif), *speaker.events()]
        if tells_a_story(tracker) and not tracker.active_loop_name:
            events += start_questions()
        return events


#: Guide entities that state a fact directly (their value is the profile value).
_ENTITY_FIELDS = {"france_travail": "registered_france_travail", "rqth": "rqth", "rsa": "rsa",
                  "diploma": "diploma_level", "status": "status", "contract": "contract", "goal": "goal",
                  "age": "age"}
_EMPLOYED = ("salarie_prive", "interimaire", "agent_public")


def hypothetical_facts(entities: list[dict[str, Any]], changes: list[str], profile: dict[str, Any]
                       ) -> dict[str, Any]:
    """The facts a "what if" supposes: the facts its entities name, and a resignation ("si je démissionne")."""
    facts: dict[str, Any] = {}
    for entity in entities:
        field = _ENTITY_FIELDS.get(entity.get("entity", ""))
        value = entity.get("value")
        if field and field not in facts and isinstance(value, (bool, int, str)) and entity.get("role") is None:
            facts[field] = value
        if entity.get("entity") == "duration" and isinstance(value, int) and "seniority_months_total" not in facts \
                and profile.get("status") in _EMPLOYED:
            facts["seniority_months_total"] = max(value, profile.get("seniority_months_total") or 0)
    if "resign" in changes and "status" not in facts:
        # after resigning, a person is a job seeker; France Travail registration is the next step
        facts.update({"status": "demandeur_emploi", "contract": "aucun", "registered_france_travail": True})
    return facts


class ActionWhatIf(Action):
    """"Et si je m'inscris à France Travail ?": re-evaluates with the change, without saving it."""

    def name(self) -> str:
        return "action_what_if"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        speaker = Speaker(dispatcher, tracker)
        profile = profile_from(tracker)
        story = tells_a_story(tracker)  # "4 ans de CDI à Calais… si je démissionne ?": their real situation
        entities = (tracker.latest_message or {}).get("entities", [])
        changes = {k: v for k, v in hypothetical_facts(entities, latest_entities(tracker, "change"), profile).items()
                   if v is not None and profile.get(k) != v}
        if changes:
            before = evaluate_profile(profile, tracker)
            after = evaluate_profile({**profile, **changes}, tracker)
            speaker.send(dialogue.what_if(before, after, dialogue.describe_change(changes)))
        elif not story:
            speaker.send(Reply(messages()["what_if"]["unknown"]))
        events = speaker.events()
        if story and not tracker.active_loop_name:
            events += start_questions()
        return events


class ActionSummary(Action):
    """What the assistant knows, so the person can check and correct it."""

    def name(self) -> str:
        return "action_summary"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        speaker = Speaker(dispatcher, tracker)
        speaker.send(dialogue.summary(profile_from(tracker), list_slot(tracker, "unknown_fields")))
        return speaker.events()


class ActionCorrect(Action):
    """"Corriger" / CORRIGER: what was noted, and how to change it (a new fact simply replaces the old)."""

    def name(self) -> str:
        return "action_correct"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from bot.eligibility.render import profile_lines

        speaker = Speaker(dispatcher, tracker)
        lines = profile_lines({k: v for k, v in profile_from(tracker).items() if k != "code_insee"})
        if not lines:
            speaker.send(Reply(messages()["correct_empty"]))
        else:
            speaker.send(Reply(messages()["correct"].format(facts="\n".join(f"• {line}" for line in lines))))
        return speaker.events()
