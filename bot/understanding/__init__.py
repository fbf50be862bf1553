"""Deterministic French fact extraction from what people type (no Rasa, no model).

`extract(text, asked=…, known=…, today=…)` returns the entities of docs/nlu-guide.md (spans of
the original text, normalised values) and the profile facts they imply
(shared/contract/profile.schema.json), conversation cues (`disability`) and, for each fact and cue, the
evidence spans of the original text it comes from (`Extraction.evidence`, `Extraction.understood()`). Nothing is loaded at import time: the scheme names and the
communes are read on first use and kept for the process.
"""

from __future__ import annotations

from bot.understanding.extract import extract
from bot.understanding.model import Entity, Evidence, Extraction

__all__ = ["Entity", "Evidence", "Extraction", "extract"]
