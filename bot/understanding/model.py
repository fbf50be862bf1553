"""The result types of `extract`: entities (spans of the original text) and inferred facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DURATION_ROLES", "ENTITY_TYPES", "Entity", "Evidence", "Extraction"]

#: Entity types, as defined in docs/nlu-guide.md.
ENTITY_TYPES = (
    "status", "contract", "duration", "age", "hours", "diploma", "rqth", "france_travail", "rsa",
    "commune", "dispositif", "target_field", "goal",
)

#: Roles a `duration` entity may carry.
DURATION_ROLES = ("company", "total", "previous", "registration", "sick_leave", "other")


@dataclass(frozen=True)
class Entity:
    """One fact named in the text: `text == original[start:end]`, `value` normalised."""

    entity: str
    value: Any
    start: int
    end: int
    text: str
    role: str | None = None

    def to_rasa(self) -> dict[str, Any]:
        """The entity as a Rasa entity dict (roles only for durations)."""
        out: dict[str, Any] = {"entity": self.entity, "start": self.start, "end": self.end,
                               "value": self.value}
        if self.role:
            out["role"] = self.role
        return out


@dataclass(frozen=True)
class Evidence:
    """The words of the original text that gave a fact: `text == original[start:end]`."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass
class Extraction:
    """What `extract` understood in one message.

    `facts` are profile fields (profile.schema.json); `cues` are things the conversation can use that
    are not profile fields (`disability`: a sensory or disability cue such as "je suis sourde", "en
    fauteuil" — the RQTH itself is a fact only when stated); `evidence` maps each fact and cue name
    to the spans of the original text it comes from (for "je note : …" and the counsellor tool).
    """

    entities: list[Entity] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    dispositifs: list[str] = field(default_factory=list)
    commune_candidates: list[str] = field(default_factory=list)
    cues: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)

    def understood(self) -> list[dict[str, Any]]:
        """Facts then cues, each with its value and evidence spans (JSON-friendly), in text order."""
        items = [{"field": k, "value": v, "kind": "fact", "evidence": [e.to_dict() for e in self.evidence.get(k, [])]}
                 for k, v in self.facts.items()]
        items += [{"field": k, "value": v, "kind": "cue", "evidence": [e.to_dict() for e in self.evidence.get(k, [])]}
                  for k, v in self.cues.items()]
        return sorted(items, key=lambda i: (i["evidence"][0]["start"] if i["evidence"] else 10**9))

    def of_type(self, entity: str) -> list[Entity]:
        """The entities of one type, in text order."""
        return [e for e in self.entities if e.entity == entity]
