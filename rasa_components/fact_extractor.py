"""Rasa NLU component wrapping `bot.understanding.extract`: deterministic French entity extraction.

DIET only classifies intents (entity_recognition: false); every entity comes from here, with the
spans and values defined in docs/nlu-guide.md.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

#: Longer messages are cut before extraction (the assistant tells the person it read the beginning).
MAX_CHARS = 2000


def _json_value(value: Any) -> Any:
    """Entity values must serialise cleanly in trackers (bool, int, str)."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class FactExtractor(GraphComponent, EntityExtractorMixin):
    """Adds the entities found by bot.understanding to each message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> FactExtractor:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        from bot.understanding import extract

        for message in messages:
            text: str | None = message.get(TEXT)
            if not text or text.startswith("/"):
                continue  # button payloads carry their own entities
            try:
                found = extract(text[:MAX_CHARS])
            except Exception:  # never let a parsing bug break the conversation
                logger.exception("fact extraction failed")
                continue
            entities = [
                {"entity": e.entity, "value": _json_value(e.value), "start": e.start, "end": e.end,
                 "confidence_entity": 1.0}
                for e in found.entities
            ]
            entities = self.add_extractor_name(entities)
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
