"""Restart, erasure information, and the calm rephrase when the assistant is not sure."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_entities, send
from bot.conversation.dialogue import Button, Reply, messages


class ActionGreet(Action):
    """Who the assistant is, what it keeps, how to erase — and quick starts.

    An action rather than a domain response: Rasa would try to fill the JSON braces of the button
    payloads as slot templates (and log an error each time).
    """

    def name(self) -> str:
        return "action_greet"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        spec = messages()["greet"]
        messaging = tracker.get_latest_input_channel() in ("telegram", "facebook", "twilio")
        send(dispatcher, Reply(spec["text_messaging" if messaging else "text"], tuple(Button(b["title"], b["payload"]) for b in spec["buttons"])))
        return []


class ActionRestart(Action):
    """Overrides Rasa's default `action_restart` (intent restart): forget the situation, say so."""

    def name(self) -> str:
        return "action_restart"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, Reply(messages()["restart"]))
        return [Restarted()]


class ActionEraseInfo(Action):
    """How to erase the conversation, on the web and on messaging apps."""

    def name(self) -> str:
        return "action_erase_info"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, Reply(messages()["erase"]))
        return []


class ActionRephrase(Action):
    """Low confidence or an answer that does not fit: say so, never guess silently, offer buttons."""

    def name(self) -> str:
        return "action_rephrase"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        m = messages()
        if "long_message" in latest_entities(tracker, "note"):
            send(dispatcher, Reply(m["long_message"]))
        if tracker.active_loop_name:
            # the form asks its question again right after this, with its buttons
            send(dispatcher, Reply(m["rephrase"]["in_form"]))
            return []
        buttons = tuple(Button(b["title"], b["payload"]) for b in m["rephrase"]["buttons"])
        send(dispatcher, Reply(m["rephrase"]["text"], buttons))
        return []
