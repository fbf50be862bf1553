"""The one extraction pass: the NLU components turn a message into the entities the slots read."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.cues import read_cues
from rasa_components.fact_extractor import FactExtractor, ProfileFacts

ROOT = Path(__file__).resolve().parents[2]


def entities(text: str) -> list[dict]:
    message = Message({TEXT: text})
    FactExtractor({}).process([message])
    ProfileFacts({}).process([message])
    return message.get(ENTITIES, [])


def by(found: list[dict], entity: str) -> dict:
    return {e.get("role"): e["value"] for e in found if e["entity"] == entity}


def test_a_story_gives_guide_entities_and_profile_facts_with_their_field_as_role():
    found = entities("Je suis aide-soignante en CDI depuis 6 ans à Arras, 41 ans, je veux devenir infirmière")
    guide = [e for e in found if e["extractor"] == "FactExtractor"]
    assert {e["entity"] for e in guide} >= {"contract", "duration", "commune", "age"}
    facts = by(found, "fact")
    assert facts["contract"] == "cdi" and facts["seniority_months_company"] == 72 and facts["age"] == 41
    assert facts["code_insee"] == "62041"
    assert all(e["extractor"] == "ProfileFacts" for e in found if e["entity"] in ("fact", "answer"))


def test_a_short_message_is_also_read_as_the_answer_to_each_question():
    answers = by(entities("3 ans"), "answer")
    assert answers["seniority_months_company"] == 36 and "age" not in answers
    assert by(entities("oui"), "answer")["rqth"] is True
    assert "fact" not in {e["entity"] for e in entities("3 ans")}


def test_button_payloads_are_left_to_rasa():
    assert entities('/inform{"status": "cdi"}') == []


def test_cues_questions_needs_and_a_resignation():
    assert read_cues("j'ai 27 ans, l'apprentissage c'est jusqu'à quel âge ?")["question"] == ["age_limit"]
    assert read_cues("je suis au chomage a Amiens, l'apprentissage c'est jusqu'à quel âge ?")["question"] == [
        "age_limit"]  # only the question part: being unemployed is no question about pay
    assert "pay" in read_cues("je serai payé pendant la formation ?")["question"]
    assert "for_me" in read_cues("le CEJ c'est pour moi ?")["question"]
    assert read_cues("je suis sourde, il y a une association ?") == {
        "question": ["help"], "need": ["deaf"], "change": [], "term": []}
    assert read_cues("je veux devenir infirmière")["question"] == []  # no question, nothing to answer
    assert read_cues("un contrat pro, c'est vrai ?")["question"] == ["general"]
    assert read_cues("et si je démissionne ?")["change"] == ["resign"]
    cue = {e["value"] for e in entities("je suis malvoyant") if e["entity"] == "need"}
    assert cue == {"blind"}


def test_the_actions_never_read_the_text():
    for path in (ROOT / "actions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "bot.understanding" not in source, path
        assert 'get("text")' not in source and "['text']" not in source, path
