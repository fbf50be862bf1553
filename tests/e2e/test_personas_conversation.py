"""End to end: each public persona talks to the real servers and gets the right recommendations.

The test sends the persona's opening message, then answers every question the assistant asks
from the persona's profile ("je ne sais pas" when the profile does not say), until the results
are shown. It then checks the `recommendations` slot against must / must_not, and every profile
slot the assistant collected against the persona's profile.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bot.text import fold as bot_fold

pytestmark = [pytest.mark.servers, pytest.mark.rasa]

DIPLOMA_WORDS = {0: "aucun diplôme", 3: "un CAP", 4: "le bac", 5: "bac+2", 6: "une licence", 7: "un master",
                 8: "un doctorat"}
CLOSED = {"status", "contract", "goal", "sick_leave_cause"}
MAX_TURNS = 20


def answer(field: str, profile: dict[str, Any]) -> str:
    """What the persona replies when asked `field` (as a person would type or click)."""
    value = profile.get(field)
    if value is None:
        return "je ne sais pas"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if field in CLOSED:
        return f'/inform{{"{field}": "{value}"}}'  # a click on the matching button
    if field == "diploma_level":
        return DIPLOMA_WORDS[value]
    if field == "age":
        return f"j'ai {value} ans"
    if field.startswith("interim_hours") or field == "part_time_hours_week":
        return f"{value} heures"
    if field in ("seniority_months_company", "seniority_months_total", "cdd_months_last_12",
                 "sick_leave_months_last_24", "unpaid_or_sabbatical_leave_last_60m"):
        return f"{value} mois"
    return str(value)


def fold(text: str) -> str:
    return bot_fold(str(text)).replace("-", " ").replace("'", " ").strip()


def converse(assistant, persona: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    sender = str(uuid.uuid4())
    profile = persona["profile"]
    transcript = [f"> {persona['message']}"]
    replies = assistant.say(sender, persona["message"])
    asked: list[str] = []
    for _ in range(MAX_TURNS):
        transcript += [f"< {r.get('text', '')}" for r in replies]
        slots = assistant.tracker(sender)["slots"]
        if slots.get("recommendations") is not None and slots.get("requested_slot") is None:
            return slots, asked, transcript
        field = slots.get("requested_slot")
        if not field:
            transcript.append("> /ask_results")
            replies = assistant.say(sender, "/ask_results")
            continue
        asked.append(field)
        text = answer(field, profile)
        transcript.append(f"> {text}")
        replies = assistant.say(sender, text)
    raise AssertionError(f"no results after {MAX_TURNS} turns:\n" + "\n".join(transcript))


def check_slots(slots: dict[str, Any], profile: dict[str, Any], asked: list[str], transcript: str) -> None:
    for field, value in profile.items():
        got = slots.get(field)
        if got is None:
            continue
        if field == "commune":
            assert fold(got) == fold(value), (field, got, value, transcript)
        elif isinstance(value, bool) or isinstance(got, bool):
            assert got is value, (field, got, value, transcript)
        elif isinstance(value, (int, float)) and field not in asked and field != "age":
            # durations read from the story ("4 ans de CDI") are as precise as the words used
            assert abs(got - value) < 12, (field, got, value, transcript)
        else:
            assert got == value, (field, got, value, transcript)
    # and no invented fact: every collected profile slot is one the persona's profile knows
    for field in ("status", "contract", "goal", "rqth", "registered_france_travail", "rsa", "diploma_level", "age"):
        if slots.get(field) is not None:
            assert field in profile, (field, slots[field], transcript)


@pytest.mark.parametrize("index", range(14))
def test_persona_conversation(assistant, personas, index):
    if index >= len(personas):
        pytest.skip("fewer personas")
    persona = personas[index]
    slots, asked, transcript = converse(assistant, persona)
    text = "\n".join(transcript)
    recommended = slots["recommendations"]
    for must in persona.get("must", []):
        assert must["scheme"] in recommended, (persona["id"], must["scheme"], text)
    for must_not in persona.get("must_not", []):
        assert must_not["scheme"] not in recommended, (persona["id"], must_not["scheme"], text)
    check_slots(slots, persona["profile"], asked, text)
