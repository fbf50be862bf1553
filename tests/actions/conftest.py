"""Action tests: a real knowledge base in a temporary SQLite file, real Tracker and dispatcher."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services, set_services

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


DOMAIN: dict[str, Any] = {"forms": {"profile_form": {"required_slots": ["status"]}}, "slots": {}}
