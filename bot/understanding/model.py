"""The result types of `extract`: entities (spans of the original text) and inferred facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DURATION_ROLES", "ENTITY_TYPES", "Entity", "Extraction"]

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


@dataclass
class Extraction:
    """What `extract` understood in one message."""

    entities: list[Entity] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    dispositifs: list[str] = field(default_factory=list)
    commune_candidates: list[str] = field(default_factory=list)

    def of_type(self, entity: str) -> list[Entity]:
        """The entities of one type, in text order."""
        return [e for e in self.entities if e.entity == entity]
