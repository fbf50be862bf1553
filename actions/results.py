"""Results and the questions people ask about them: why not, what if, summary, explanations."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    evaluate_profile,
    latest_entities,
    list_slot,
    profile_from,
    send,
    start_questions_with,
    story_in_message,
)
from bot.conversation import dialogue
from bot.conversation.dialogue import Reply, messages

log = logging.getLogger(__name__)


def _short_titles() -> dict[str, str]:
    from bot.eligibility.rules import load_rules

    return {r.id: r.short_title or r.title for r in load_rules().values()}


def mentioned_dispositif(tracker: Tracker) -> str | None:
    """The scheme the latest message names (entity or payload), else None."""
    from bot.eligibility.rules import load_rules

    rules = load_rules()
    for value in latest_entities(tracker, "dispositif"):
        if value in rules:
            return str(value)
    return None


class ActionShowResults(Action):
    """Evaluates the profile and presents what applies, grouped, with why and the first step."""

    def name(self) -> str:
        return "action_show_results"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        story = story_in_message(tracker)
        if story:
            return start_questions_with(story)
        profile = profile_from(tracker)
        if not profile:
            send(dispatcher, Reply(messages()["summary"]["empty"]))
            return []
        result = evaluate_profile(profile, tracker)
        replies, shown = dialogue.present_results(result, short_titles=_short_titles())
        for reply in replies:
            send(dispatcher, reply)
        return [SlotSet("recommendations", shown)]


class ActionExplainDispositif(Action):
    """"C'est quoi la VAE ?", "le fongecif ça existe encore ?": a short answer with its link."""

    def name(self) -> str:
        return "action_explain_dispositif"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from actions.services import get_services
        from bot.eligibility.rules import load_rules

        dispositif = mentioned_dispositif(tracker)
        if dispositif is None:
            send(dispatcher, Reply(messages()["explain"]["which"]))
            return []
        rules = load_rules()
        send(dispatcher, dialogue.explain_dispositif(rules[dispositif], get_services().today(), rules))
        return [SlotSet("last_dispositif", dispositif)]


class ActionWhyNot(Action):
    """"Pourquoi pas le PTP ?": the failing conditions and when it becomes possible."""

    def name(self) -> str:
        return "action_why_not"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispositif = mentioned_dispositif(tracker) or tracker.get_slot("last_dispositif")
        if not dispositif:
            send(dispatcher, Reply(messages()["why_not"]["unknown"]))
            return []
        story = story_in_message(tracker)
        if story:
            return [SlotSet("last_dispositif", dispositif), *start_questions_with(story)]
        profile = profile_from(tracker)
        if not profile:
            send(dispatcher, Reply(messages()["why_not"]["need_profile"]))
            return [SlotSet("last_dispositif", dispositif)]
        send(dispatcher, dialogue.why_not(evaluate_profile(profile, tracker), dispositif))
        return [SlotSet("last_dispositif", dispositif)]


class ActionWhatIf(Action):
    """"Et si je m'inscris à France Travail ?": re-evaluates with the change, without saving it."""

    def name(self) -> str:
        return "action_what_if"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from bot.understanding import extract

        story = story_in_message(tracker)
        if story:  # "4 ans de CDI… je touche le chômage si je démissionne ?" is their real situation
            return start_questions_with(story)
        text = (tracker.latest_message or {}).get("text") or ""
        profile = profile_from(tracker)
        changes = {k: v for k, v in hypothetical_facts(extract(text[:2000], known=profile), text, profile).items()
                   if v is not None and profile.get(k) != v}
        if not changes:
            send(dispatcher, Reply(messages()["what_if"]["unknown"]))
            return []
        before = evaluate_profile(profile, tracker)
        after = evaluate_profile({**profile, **changes}, tracker)
        send(dispatcher, dialogue.what_if(before, after, dialogue.describe_change(changes)))
        return []


#: Entities that state a fact directly (their value is the profile value).
_ENTITY_FIELDS = {"france_travail": "registered_france_travail", "rqth": "rqth", "rsa": "rsa",
                  "diploma": "diploma_level", "status": "status", "contract": "contract", "goal": "goal",
                  "age": "age"}


def hypothetical_facts(found: Any, text: str, profile: dict[str, Any]) -> dict[str, Any]:
    """The facts a "what if" supposes: stated facts, plus facts named in a hypothesis ("si j'avais…")."""
    from bot.text import fold

    facts = dict(found.facts)
    for entity in found.entities:
        field = _ENTITY_FIELDS.get(entity.entity)
        if field and field not in facts and isinstance(entity.value, (bool, int, str)):
            facts[field] = entity.value
        if entity.entity == "duration" and isinstance(entity.value, int) and "seniority_months_total" not in facts \
                and profile.get("status") in ("salarie_prive", "interimaire", "agent_public"):
            facts["seniority_months_total"] = max(entity.value, profile.get("seniority_months_total") or 0)
    if "demission" in fold(text) and "status" not in facts:
        # after resigning, a person is a job seeker; France Travail registration is the next step
        facts.update({"status": "demandeur_emploi", "contract": "aucun", "registered_france_travail": True})
    return facts


class ActionSummary(Action):
    """What the assistant knows, so the person can check and correct it."""

    def name(self) -> str:
        return "action_summary"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, dialogue.summary(profile_from(tracker), list_slot(tracker, "unknown_fields")))
        return []
