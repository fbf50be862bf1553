"""Helpers shared by the actions: profile from slots, evaluation, sending replies."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation.dialogue import Reply, profile_of

log = logging.getLogger(__name__)


def profile_from(tracker: Tracker) -> dict[str, Any]:
    """The person's profile as held in the slots."""
    return profile_of(tracker.slots)


def list_slot(tracker: Tracker, name: str) -> list[Any]:
    """A list-valued slot (None → [])."""
    value = tracker.get_slot(name)
    return list(value) if isinstance(value, (list, tuple)) else []


def evaluate_profile(profile: dict[str, Any], tracker: Tracker | None = None) -> dict[str, Any]:
    """Run the engine for this profile at today's date (never raises for a bad profile)."""
    from actions.services import get_services
    from bot.eligibility.engine import evaluate
    from bot.errors import InvalidProfile

    skip = list_slot(tracker, "unknown_fields") if tracker is not None else []
    try:
        return evaluate(profile, get_services().today(), skip_fields=skip)
    except InvalidProfile as exc:  # a slot holds a bad value: drop it rather than fail the conversation
        log.warning("invalid profile field dropped: %s", exc.field)
        cleaned = {k: v for k, v in profile.items() if k != exc.field}
        return evaluate(cleaned, get_services().today(), skip_fields=skip)


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send one reply (text and optional buttons)."""
    dispatcher.utter_message(**reply.to_dict())


def payload_entities(text: str) -> tuple[str | None, dict[str, Any]]:
    """`/inform{"status": "cdi"}` → ("inform", {"status": "cdi"}); other texts → (None, {})."""
    if not text or not text.startswith("/"):
        return None, {}
    body = text[1:]
    brace = body.find("{")
    intent = body if brace < 0 else body[:brace]
    entities: dict[str, Any] = {}
    if brace >= 0:
        try:
            parsed = json.loads(body[brace:])
            if isinstance(parsed, dict):
                entities = parsed
        except json.JSONDecodeError:
            pass
    return intent.strip() or None, entities


def latest_entities(tracker: Tracker, name: str) -> list[Any]:
    """Values of entity `name` in the latest message (from NLU or a button payload)."""
    values = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == name]
    _, payload = payload_entities(tracker.latest_message.get("text") or "")
    if name in payload:
        values.append(payload[name])
    return [v for v in values if v is not None]


#: Facts that tell a person's own situation (a story), as opposed to the scheme or job they ask about.
STORY_FIELDS = ("status", "contract", "seniority_months_company", "seniority_months_total", "age", "commune",
                "diploma_level", "rqth", "registered_france_travail", "rsa", "interim_hours_branch_18m")


def story_in_message(tracker: Tracker) -> dict[str, Any]:
    """Facts of the person's own situation told in the latest message, when nothing is known yet.

    A first message like "4 ans de CDI à Calais, je touche le chômage si je démissionne ?" is a story
    even if it ends with a question: the assistant must not treat it as a hypothesis.
    """
    from bot.understanding import extract

    if profile_from(tracker):
        return {}
    text = (tracker.latest_message or {}).get("text") or ""
    if not text or text.startswith("/"):
        return {}
    facts = extract(text[:2000]).facts
    told = [f for f in STORY_FIELDS if facts.get(f) is not None]
    return facts if len(told) >= 2 else {}


def start_questions_with(facts: dict[str, Any]) -> list[Any]:
    """Events that record a story's facts and start the questions (the form) from there."""
    from rasa_sdk.events import FollowupAction, SlotSet

    return [*(SlotSet(k, v) for k, v in facts.items() if v is not None), FollowupAction("profile_form")]
