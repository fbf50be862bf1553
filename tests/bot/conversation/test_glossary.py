"""The glossary (issue 13): every acronym the assistant uses has a plain definition, "c'est quoi X ?"
is answered from it in both reading modes, and the first use of a term in a conversation says what it is."""

from __future__ import annotations

import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation import dialogue
from bot.conversation.cues import read_cues
from bot.conversation.readability import measure
from bot.conversation.texts import all_texts
from bot.reading import easy_read

#: Capitalised words that are not acronyms: the commands people type, names of companies and apps.
NOT_ACRONYMS = {"TOUT", "EFFACER", "CORRIGER", "FACILE", "NORMAL", "SMS", "SNCF", "EDF", "URL", "AVANT", "PTP-R1",
                "HDF", "CAP", "BEP", "FALC"}
ACRONYM = re.compile(r"(?<![\w/.@-])([A-Z][A-Z0-9]{1,}[a-z]?)(?![\w-])")


def _acronyms_used() -> dict[str, str]:
    found: dict[str, str] = {}
    for falc in (False, True):
        with easy_read(falc):
            for where, text in all_texts():
                for match in ACRONYM.finditer(re.sub(r"https?://\S+|\S+\.(?:fr|org|gouv)\S*", " ", text)):
                    found.setdefault(match.group(1), where)
    return found


def test_every_acronym_in_any_message_has_a_glossary_entry():
    glossary = {t.upper() for t in dialogue.glossary()}
    missing = {a: where for a, where in _acronyms_used().items()
               if a not in NOT_ACRONYMS and a.upper() not in glossary and not re.fullmatch(r"[A-Z]+-?R\d+|[A-Z]\d{3,}", a)}  # rule refs, reference codes
    assert not missing, missing


@pytest.mark.parametrize("term", sorted(dialogue.glossary()))
def test_each_definition_is_one_plain_easy_to_read_sentence_or_two(term):
    definition = dialogue.glossary()[term]["definition"]
    m = measure(definition)
    assert m.sentences <= 2 and m.mean_sentence <= 12 and m.score >= 70, (term, m.score, m.mean_sentence)
    assert dialogue.glossary()[term]["short"]


@pytest.mark.parametrize(("question", "term"), [("c'est quoi Qualiopi ?", "Qualiopi"),
                                                ("ça veut dire quoi OPCO", "OPCO"),
                                                ("le RNCP c'est quoi ?", "RNCP"),
                                                ("c'est quoi l'auto-assurance chômage ?", "Auto-assurance chômage"),
                                                ("ça veut dire quoi ARE ?", "ARE")])
def test_a_question_names_its_glossary_term(question, term):
    assert term in read_cues(question)["term"]


def test_a_story_without_a_question_names_no_term():
    assert read_cues("je suis en CDI à Arras")["term"] == []


def _tracker(term: str, easy: bool) -> Tracker:
    entities = [{"entity": "term", "value": term}, {"entity": "question", "value": "general"}]
    return Tracker("g", {"easy_read": easy}, {"intent": {"name": "ask_dispositif"}, "entities": entities, "text": ""},
                   [], False, None, {}, "rest")


@pytest.mark.parametrize("easy", [False, True])
def test_c_est_quoi_is_answered_from_the_glossary_in_both_modes(easy):
    from actions.results import ActionExplainDispositif

    dispatcher = CollectingDispatcher()
    events = ActionExplainDispositif().run(dispatcher, _tracker("Qualiopi", easy), {})
    assert dispatcher.messages[0]["text"] == dialogue.glossary()["Qualiopi"]["definition"]
    said = next(e["value"] for e in events if e.get("name") == "said")
    assert "acronym:Qualiopi" in said  # defined: no brackets later


def test_the_first_use_carries_the_definition_once():
    said: set[str] = set()
    first = dialogue.plain_words("Une formation Qualiopi, financée par l'OPCO.", said)
    assert "Qualiopi (label qualité des organismes de formation)" in first
    assert "OPCO (opérateur de compétences)" in first
    again = dialogue.plain_words("Qualiopi et OPCO encore.", said)
    assert again == "Qualiopi et OPCO encore."


def test_easy_read_also_explains_everyday_acronyms():
    normal, easy = set(), set()
    assert dialogue.plain_words("Vous êtes en CDI.", normal) == "Vous êtes en CDI."
    with easy_read():
        assert dialogue.plain_words("Vous êtes en CDI.", easy) == "Vous êtes en CDI (contrat à durée indéterminée)."
