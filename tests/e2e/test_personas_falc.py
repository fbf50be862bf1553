"""End to end in the easy-to-read mode (FALC, issue 13): the public personas, switched to FALC by
the widget's payload before their first message, get the same recommendations; "parlez plus
simplement" in the middle of the questions switches the mode, and the pending question comes back
in FALC with nothing of the form lost."""

from __future__ import annotations

import uuid

import pytest
import yaml

from bot.conversation.dialogue import FALC_FILE, MESSAGES_FILE
from tests.e2e.test_personas_conversation import check_slots, converse

pytestmark = [pytest.mark.servers, pytest.mark.rasa]

FALC = yaml.safe_load(FALC_FILE.read_text(encoding="utf-8"))
NORMAL = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


class EasyReader:
    """The assistant as seen by a person who turned the easy-to-read switch on first."""

    def __init__(self, assistant) -> None:  # type: ignore[no-untyped-def]
        self.assistant = assistant
        self.switched: set[str] = set()

    def say(self, sender: str, message: str) -> list[dict]:
        if sender not in self.switched:
            self.switched.add(sender)
            replies = self.assistant.say(sender, "/ask_easy_read")
            assert [r.get("text") for r in replies] == [FALC["reading"]["enabled"]], replies
        return self.assistant.say(sender, message)

    def tracker(self, sender: str) -> dict:
        return self.assistant.tracker(sender)


@pytest.mark.parametrize("index", range(14))
def test_persona_in_easy_read_gets_the_same_recommendations(assistant, personas, index):
    if index >= len(personas):
        pytest.skip("fewer personas")
    persona = personas[index]
    slots, asked, transcript = converse(EasyReader(assistant), persona)
    text = "\n".join(transcript)
    assert slots["easy_read"] is True, text
    recommended = slots["recommendations"]
    for must in persona.get("must", []):
        assert must["scheme"] in recommended, (persona["id"], must["scheme"], text)
    for must_not in persona.get("must_not", []):
        assert must_not["scheme"] not in recommended, (persona["id"], must_not["scheme"], text)
    check_slots(slots, persona["profile"], asked, text)
    # every question was asked in its FALC wording, never in the normal one
    for field in asked:
        falc_q = FALC["questions"][field]["text"]
        normal_q = NORMAL["questions"][field]["text"]
        if falc_q != normal_q:
            assert normal_q not in text, (persona["id"], field, text)


@pytest.mark.parametrize("phrase", ["parlez plus simplement", "FACILE"])
def test_asking_for_plain_words_mid_questions_asks_the_pending_question_again_in_falc(assistant, phrase):
    sender = str(uuid.uuid4())
    assistant.say(sender, "Je suis en CDI depuis 3 ans à Lille, je voudrais devenir plombier")
    before = assistant.tracker(sender)["slots"]
    pending = before["requested_slot"]
    assert pending, before
    replies = [r.get("text", "") for r in assistant.say(sender, phrase)]
    after = assistant.tracker(sender)["slots"]
    assert after["easy_read"] is True
    assert replies[0] == FALC["reading"]["enabled"], replies
    falc_question = FALC["questions"][pending]
    assert any(falc_question["text"] in r or falc_question.get("text_cdd", "\0") in r for r in replies[1:]), replies
    assert after["requested_slot"] == pending  # the form is where it was
    for field in ("status", "contract", "commune", "target_field"):
        assert after[field] == before[field], field
    # and back to normal words
    replies = [r.get("text", "") for r in assistant.say(sender, "/ask_normal_read")]
    assert replies[0] == NORMAL["reading"]["disabled"]
    assert assistant.tracker(sender)["slots"]["easy_read"] is False
