"""Helpers shared by the actions: profile from slots, entities of the latest message, replies.

The actions never read the text people type: the NLU pipeline (rasa_components/fact_extractor.py)
turns it into entities once, and the slot mappings of domain.yml into slots.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation.dialogue import TEXT_CHANNELS, Reply, plain_words, profile_of
from bot.reading import easy, easy_read

log = logging.getLogger(__name__)

#: Facts that tell a person's own situation (a story), as opposed to the scheme or job they ask about.
STORY_FIELDS = ("status", "contract", "seniority_months_company", "seniority_months_total", "age", "commune",
                "diploma_level", "rqth", "registered_france_travail", "rsa", "interim_hours_branch_18m")


RunT = TypeVar("RunT", bound=Callable[..., Any])


def reading_mode(run: RunT) -> RunT:
    """Decorates an action's `run`: everything it says is worded for the conversation's reading mode
    (the `easy_read` slot: FALC wording from bot/conversation/messages_falc.yml and bot/eligibility/falc.yml)."""
    if inspect.iscoroutinefunction(run):
        @functools.wraps(run)
        async def run_async(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any) -> Any:
            with easy_read(bool(tracker.get_slot("easy_read"))):
                return await run(self, dispatcher, tracker, domain)
        return run_async  # type: ignore[return-value]

    @functools.wraps(run)
    def run_sync(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any) -> Any:
        with easy_read(bool(tracker.get_slot("easy_read"))):
            return run(self, dispatcher, tracker, domain)
    return run_sync  # type: ignore[return-value]


def profile_from(tracker: Tracker) -> dict[str, Any]:
    """The person's profile as held in the slots."""
    return profile_of(tracker.slots)


def list_slot(tracker: Tracker, name: str) -> list[Any]:
    """A list-valued slot (None → [])."""
    value = tracker.get_slot(name)
    return list(value) if isinstance(value, (list, tuple)) else []


#: Recent evaluations (a turn evaluates the same profile in validate_profile_form, the question it asks
#: and the answer it gives: ~3 × 3.5 ms of the action server's ~13 ms a turn before this cache).
_EVALUATIONS: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_EVALUATIONS_LOCK = threading.Lock()
EVALUATION_CACHE_SIZE = 512


def evaluate_profile(profile: dict[str, Any], tracker: Tracker | None = None) -> dict[str, Any]:
    """Run the engine for this profile at today's date (never raises for a bad profile).

    The engine is a pure function of the profile, the fields the person does not know, the date and
    the reading mode: a recent result for the same four is returned (a fresh copy: callers may change it).
    """
    from actions.services import get_services

    skip = list_slot(tracker, "unknown_fields") if tracker is not None else []
    today = get_services().today() or date.today()  # the date is part of the key: a long-running server changes day
    key = (json.dumps(profile, sort_keys=True, default=str), tuple(sorted(map(str, skip))), today.isoformat(), easy())
    with _EVALUATIONS_LOCK:
        cached = _EVALUATIONS.get(key)
        if cached is not None:
            _EVALUATIONS.move_to_end(key)
    if cached is not None:
        return pickle.loads(cached)  # noqa: S301 — bytes this process pickled itself
    result = _evaluate(profile, today, skip)
    with _EVALUATIONS_LOCK:
        _EVALUATIONS[key] = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
        while len(_EVALUATIONS) > EVALUATION_CACHE_SIZE:
            _EVALUATIONS.popitem(last=False)
    return result


def _evaluate(profile: dict[str, Any], today: Any, skip: list[Any]) -> dict[str, Any]:
    from bot.eligibility.engine import evaluate
    from bot.errors import InvalidProfile

    try:
        return evaluate(profile, today, skip_fields=skip)
    except InvalidProfile as exc:  # a slot holds a bad value: drop it rather than fail the conversation
        log.warning("invalid profile field dropped: %s", exc.field)
        cleaned = {k: v for k, v in profile.items() if k != exc.field}
        return evaluate(cleaned, today, skip_fields=skip)


def latest_entities(tracker: Tracker, name: str, role: str | None = None) -> list[Any]:
    """Values of entity `name` (and `role`) in the latest message (from NLU or a button payload)."""
    return [e.get("value") for e in (tracker.latest_message or {}).get("entities", [])
            if e.get("entity") == name and e.get("role") == role and e.get("value") is not None]


def facts_in_message(tracker: Tracker) -> dict[str, Any]:
    """The profile facts the latest message states (`fact` entities), whatever its intent."""
    return {e["role"]: e.get("value") for e in (tracker.latest_message or {}).get("entities", [])
            if e.get("entity") == "fact" and e.get("role") and e.get("role") != "commune_candidates"
            and e.get("value") is not None}


def tells_a_story(tracker: Tracker) -> bool:
    """The latest message tells the person's situation (two facts or more), even if it ends with a question."""
    return sum(1 for f in facts_in_message(tracker) if f in STORY_FIELDS) >= 2


def text_channel(tracker: Tracker) -> bool:
    """The conversation happens on a channel where buttons become numbered text (SMS, Telegram…)."""
    return (tracker.get_latest_input_channel() or "") in TEXT_CHANNELS


def answered_this_turn(tracker: Tracker, actions: tuple[str, ...]) -> bool:
    """One of `actions` already ran since the person's latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") in actions:
            return True
    return False


def slots_set_this_turn(tracker: Tracker) -> dict[str, Any]:
    """Slots set since the person's latest message (by the slot mappings), latest value."""
    out: dict[str, Any] = {}
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot" and event.get("name") not in out:
            out[event["name"]] = event.get("value")
    return out


class Speaker:
    """Sends replies in plain words (acronyms explained once) and never makes a statement twice.

    `said` (a list slot) keeps the keys of what was already said in the conversation.
    """

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        self.dispatcher = dispatcher
        self.said: set[str] = set(list_slot(tracker, "said"))
        self._before = set(self.said)

    def once(self, key: str) -> bool:
        """True the first time `key` is seen in this conversation (and remembers it)."""
        if key in self.said:
            return False
        self.said.add(key)
        return True

    def send(self, reply: Reply) -> None:
        """Send one reply (text and optional buttons)."""
        out = reply.to_dict()
        out["text"] = plain_words(out["text"], self.said)
        self.dispatcher.utter_message(**out)

    def events(self) -> list[EventType]:
        """The SlotSet that remembers what was said (nothing when nothing new was said)."""
        return [SlotSet("said", sorted(self.said))] if self.said != self._before else []


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send one reply as it is (no bookkeeping; for replies without acronyms or repeats)."""
    dispatcher.utter_message(**reply.to_dict())


def start_questions() -> list[Any]:
    """Events that start the questions (the form) after an answer, when the message told a story."""
    from rasa_sdk.events import FollowupAction

    return [FollowupAction("profile_form")]
