"""The one extraction pass of the assistant: French profile facts from each message, as entities.

Two components of the NLU pipeline (config.yml), in this order:

- `FactExtractor` reads the message once with `bot.understanding.extract` and adds the entities of
  docs/nlu-guide.md (spans and values; scored by the held-out NLU gate). Short messages are also
  read as the answer to each question the assistant may have asked (`extract(text, asked=field)`),
  and the cues the conversation needs (a question to answer first, a disability cue) are read by
  `bot.conversation.cues.read_cues`. Nothing else in the Rasa process reads the text.
- `ProfileFacts` turns what `FactExtractor` found into the entities the slot mappings of domain.yml
  read: `fact` (role = profile field, value = the contract value) for facts the message states,
  `answer` (role = profile field) for what a short message means as an answer to that field's
  question (mapped only while that question is asked), `question`, `need`, `change` for the cues
  and `note` (`long_message` when the message was cut).
  They carry their own extractor name, so `rasa test nlu` scores them apart from the guide entities.

DIET only classifies intents (entity_recognition: false). Button payloads (`/inform{"status": …}`)
are unpacked by Rasa itself (RegexMessageHandler); these components leave them alone.
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
#: Messages up to this length may be a short answer to a question: read them once per askable field.
ANSWER_MAX_CHARS = 160
#: Where FactExtractor leaves its reading for ProfileFacts (not an output property).
READING = "cap_reading"

#: Fields a question can ask (bot/conversation/messages.yml `questions`), read as answers.
ANSWERABLE = (  # the place last: it is skipped when the message already answers something else
    "status", "contract", "seniority_months_company", "seniority_months_total", "cdd_months_last_12",
    "interim_hours_branch_18m", "interim_hours_same_agency_18m", "age", "rqth", "diploma_level", "goal",
    "target_field", "registered_france_travail", "is_cadre", "rsa", "part_time_hours_week",
    "sick_leave_months_last_24", "sick_leave_cause", "unpaid_or_sabbatical_leave_last_60m",
    "employer_self_insured_unemployment", "business_in_qpv_or_zfrr", "months_worked_last_60",
    "public_service_months", "laid_off_economic_or_unfit", "rqth_pending", "unemployment_benefit",
    "registered_months_last_18", "commune",
)


def _json_value(value: Any) -> Any:
    """Entity values must serialise cleanly in trackers (bool, int, float, str)."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def read_message(text: str) -> dict[str, Any]:
    """Everything the assistant understands in one message: guide entities, facts, answers, cues."""
    from bot.conversation.cues import read_cues, says_dont_know
    from bot.understanding import extract

    cut = len(text) > MAX_CHARS
    text = text[:MAX_CHARS]
    found = extract(text)
    answers: dict[str, Any] = {}
    if len(text) <= ANSWER_MAX_CHARS:
        for field in ANSWERABLE:
            if field == "commune" and (answers or says_dont_know(text)):
                continue  # "oui", "je ne sais pas": no place to look up (the fuzzy search is the slow part)
            facts = extract(text, asked=field).facts
            if facts.get(field) is not None and facts[field] != found.facts.get(field):
                answers[field] = facts[field]
                if field == "commune" and facts.get("code_insee"):
                    answers["code_insee"] = facts["code_insee"]
    cues = read_cues(text)
    cues["note"] = ["long_message"] if cut else []
    return {"entities": found.entities, "facts": dict(found.facts), "answers": answers,
            "commune_candidates": list(found.commune_candidates), "cues": cues}


class _Component(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class FactExtractor(_Component):
    """Reads each message once and adds the entities of docs/nlu-guide.md."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text: str | None = message.get(TEXT)
            if not text or text.startswith("/"):
                continue  # button payloads carry their own entities
            try:
                reading = read_message(text)
            except Exception:  # never let a parsing bug break the conversation
                logger.exception("fact extraction failed")
                continue
            message.set(READING, reading)
            entities = [
                {"entity": e.entity, "value": _json_value(e.value), "start": e.start, "end": e.end,
                 "confidence_entity": 1.0}
                for e in reading["entities"]
            ]
            entities = self.add_extractor_name(entities)
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages


def profile_entities(reading: dict[str, Any], length: int) -> list[dict[str, Any]]:
    """The slot-mapping entities of one reading (spans cover the whole message: facts are inferred)."""
    span = {"start": 0, "end": length, "confidence_entity": 1.0}
    out: list[dict[str, Any]] = []
    for field, value in reading["facts"].items():
        if value is not None:
            out.append({"entity": "fact", "role": field, "value": _json_value(value), **span})
    for code in reading["commune_candidates"]:
        out.append({"entity": "fact", "role": "commune_candidates", "value": code, **span})
    for field, value in reading["answers"].items():
        out.append({"entity": "answer", "role": field, "value": _json_value(value), **span})
    for kind in ("question", "need", "change", "note", "term"):
        for value in reading["cues"].get(kind, []):
            out.append({"entity": kind, "value": value, **span})
    return out


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ProfileFacts(_Component):
    """Adds the `fact`, `answer`, `question`, `need` and `change` entities the slots and actions read."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            reading = message.get(READING)
            if not reading:
                continue
            entities = self.add_extractor_name(profile_entities(reading, len(message.get(TEXT) or "")))
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
