"""The easy-to-read (FALC) wording of the rule texts, written by hand in falc.yml.

falc.yml pairs each normal text of a rule file (summary, provides, first step, condition texts,
notes, facts to check) with its FALC version, rule by rule, so both can be reviewed side by side.
`plain(text)` gives the FALC version in the easy-to-read mode (bot.reading), else the text itself;
a text without a FALC version stays as it is (tests/bot/eligibility/test_falc.py lists them).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.reading import easy

FALC_FILE = Path(__file__).resolve().parent / "falc.yml"


def _key(text: str) -> str:
    return " ".join(str(text).split())


@lru_cache(maxsize=1)
def pairs() -> dict[str, str]:
    """Normal text (spaces normalised) → FALC text, over every rule."""
    data = yaml.safe_load(FALC_FILE.read_text(encoding="utf-8")) or {}
    out: dict[str, str] = {}
    for entries in data.values():
        for entry in entries or []:
            out[_key(entry["normal"])] = _key(entry["falc"])
    return out


def falc_of(text: str) -> str | None:
    """The FALC version of a normal rule text, or None when none is written."""
    return pairs().get(_key(text))


def plain(text: str) -> str:
    """`text` in the current reading mode (its FALC version when the mode is easy-to-read)."""
    if not easy() or not text:
        return text
    return falc_of(text) or text
