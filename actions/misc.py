"""Restart, erasure information, and the calm rephrase when the assistant is not sure."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_entities, reading_mode, send
from bot.conversation.dialogue import Button, Reply, messages
from bot.reading import easy_read


class ActionGreet(Action):
    """Who the assistant is, what it keeps, how to erase — and quick starts.

    An action rather than a domain response: Rasa would try to fill the JSON braces of the button
    payloads as slot templates (and log an error each time).
    """

    def name(self) -> str:
        return "action_greet"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        spec = messages()["greet"]
        messaging = tracker.get_latest_input_channel() in ("telegram", "facebook", "twilio")
        send(dispatcher, Reply(spec["text_messaging" if messaging else "text"], tuple(Button(b["title"], b["payload"]) for b in spec["buttons"])))
        return []


class ActionRestart(Action):
    """Overrides Rasa's default `action_restart` (intent restart): forget the situation, say so."""

    def name(self) -> str:
        return "action_restart"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, Reply(messages()["restart"]))
        # the reading mode is a way of talking, not part of the situation: it survives the restart
        return [Restarted(), SlotSet("easy_read", True)] if tracker.get_slot("easy_read") else [Restarted()]


class ActionEraseInfo(Action):
    """How to erase the conversation, on the web and on messaging apps."""

    def name(self) -> str:
        return "action_erase_info"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, Reply(messages()["erase"]))
        return []


class ActionRephrase(Action):
    """Low confidence or an answer that does not fit: say so, never guess silently, offer buttons."""

    def name(self) -> str:
        return "action_rephrase"

    @reading_mode
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


class ActionEasyRead(Action):
    """"FACILE", "parlez plus simplement", the widget's switch: the easy-to-read mode, for the conversation.

    The confirmation is in FALC; the form (if any) then asks its pending question again, in FALC.
    """

    def name(self) -> str:
        return "action_easy_read"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        with easy_read(True):
            send(dispatcher, Reply(messages()["reading"]["enabled"]))
        return [SlotSet("easy_read", True)]


class ActionNormalRead(Action):
    """"NORMAL" or the widget's switch: back to the normal wording."""

    def name(self) -> str:
        return "action_normal_read"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        with easy_read(False):
            send(dispatcher, Reply(messages()["reading"]["disabled"]))
        return [SlotSet("easy_read", False)]
