"""Action tests: a real knowledge base in a temporary SQLite file, real Tracker and dispatcher."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services, set_services
from tests.support.aio import run_async

AS_OF = date(2026, 3, 15)


@pytest.fixture(scope="session")
def kb_sessionmaker(tmp_path_factory):
    from bot.catalogue.build import build_database
    from bot.catalogue.db import make_engine, make_sessionmaker

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('kb') / 'catalogue.db'}")
    build_database(engine=engine)
    return make_sessionmaker(engine)


class FakeTrainings:
    """Records calls; answers like bot.trainings.service.answer_trainings."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, field: str, place: str, **kwargs: Any) -> Any:
        from types import SimpleNamespace

        self.calls.append((field, place))
        return SimpleNamespace(text_fr=f"Formations en {field} (TEST)")


@pytest.fixture()
def services(kb_sessionmaker):
    fake = Services(today=lambda: AS_OF, session_factory=kb_sessionmaker, trainings=FakeTrainings())
    set_services(fake)
    yield fake
    set_services(None)


def make_tracker(text: str = "", intent: str = "inform", slots: dict[str, Any] | None = None,
                 entities: list[dict[str, Any]] | None = None, active_loop: str | None = None) -> Tracker:
    """A real rasa_sdk Tracker as the action server receives it."""
    return Tracker(
        sender_id="test-user",
        slots=dict(slots or {}),
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99},
                        "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@pytest.fixture()
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


DOMAIN: dict[str, Any] = {"forms": {"profile_form": {"required_slots": []}}, "slots": {}}


def rasa_turn(text: str, intent: str = "inform", slots: dict[str, Any] | None = None,
              active_loop: str | None = None, said: list[str] | None = None, channel: str = "rest") -> Tracker:
    """The tracker the action server receives after one message, built by Rasa's own pieces.

    The message goes through the real NLU components of config.yml (FactExtractor, ProfileFacts;
    the intent is given), Rasa unpacks button payloads (`/inform{…}`), and Rasa's
    `action_extract_slots` applies the slot mappings of domain.yml — as in the running assistant.
    """
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.constants import REQUESTED_SLOT
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from rasa_components.fact_extractor import FactExtractor, ProfileFacts

    domain = _domain()
    message = Message({TEXT: text, INTENT: {"name": intent, "confidence": 0.99}})
    for component in (FactExtractor({}), ProfileFacts({})):
        component.process([message])
    message = YAMLStoryReader.unpack_regex_message(message, domain, entity_extractor_name="RegexMessageHandler")
    parsed_intent = message.get(INTENT) or {"name": intent, "confidence": 0.99}
    events: list[Any] = [ActionExecuted("action_listen")]
    events += [SlotSet(k, v) for k, v in (slots or {}).items()]
    if said:
        events.append(SlotSet("said", said))
    if active_loop:
        events.append(ActiveLoop(active_loop))
    events.append(ActionExecuted("action_listen"))
    events.append(UserUttered(text, parsed_intent, message.get(ENTITIES, []),
                              parse_data={"text": text, "intent": parsed_intent,
                                          "entities": message.get(ENTITIES, [])},
                              input_channel=channel))
    tracker = DialogueStateTracker.from_events("test-user", events, slots=domain.slots)
    extracted = run_async(ActionExtractSlots(None).run(CollectingOutputChannel(),
                                                       TemplatedNaturalLanguageGenerator(domain.responses),
                                                       tracker, domain))
    tracker.update_with_events(extracted, domain)
    state = tracker.current_state(EventVerbosity.AFTER_RESTART)
    assert REQUESTED_SLOT in state["slots"]
    return Tracker.from_dict(state)


_DOMAIN_CACHE: list[Any] = []


def _domain() -> Any:
    from pathlib import Path

    from rasa.shared.core.domain import Domain

    if not _DOMAIN_CACHE:
        _DOMAIN_CACHE.append(Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml")))
    return _DOMAIN_CACHE[0]
