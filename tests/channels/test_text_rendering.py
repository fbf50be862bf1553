"""Text-channel rendering: GSM-7-safe SMS text, segment counts, packed turns and TOUT, conversation
ids, Messenger quick-reply titles, edits and media wording. No server, no network."""

from __future__ import annotations

import os
import stat
from typing import Any

import pytest
import yaml

from bot.conversation.dialogue import MESSAGES_FILE
from channels import text_channel as tc
from channels.facebook import MESSENGER_MAX_QUICK_REPLY_TITLE, SHORT_TITLES, quick_reply_title
from channels.twilio import HASHED_ID_RE, TWILIO_MAX_CHARS, render_turn

# ----------------------------------------------------------------------------- GSM-7 and segments


def test_gsm7_alphabet_as_the_networks_define_it() -> None:
    # the accents of GSM-7's basic table, and the ones French needs that are not in it
    assert tc.is_gsm7("é è à ù ì ò É Ç Ä Ö Ü ä ö ü ñ ß €[]{}")
    for char in "êâôîûëïçÀÈÊ—•→·«»\u00a0\u202f’…œ":
        assert not tc.is_gsm7(char), char


@pytest.mark.parametrize("text, expected", [
    ("", ("gsm7", 0)),
    ("a" * 160, ("gsm7", 1)),
    ("a" * 161, ("gsm7", 2)),
    ("a" * 306, ("gsm7", 2)),
    ("a" * 307, ("gsm7", 3)),
    ("€" * 80, ("gsm7", 1)),        # extension characters take two septets
    ("€" * 81, ("gsm7", 2)),
    ("a" * 159 + "€", ("gsm7", 2)),  # 161 septets: two segments
    ("ê" * 70, ("ucs2", 1)),
    ("ê" * 71, ("ucs2", 2)),
    ("ê" * 134, ("ucs2", 2)),
    ("ê" * 135, ("ucs2", 3)),
    ("a" * 66 + "😀", ("ucs2", 1)),   # a surrogate pair counts two units (68 <= 70)
])
def test_sms_segments(text: str, expected: tuple[str, int]) -> None:
    assert tc.sms_segments(text) == expected


def test_sms_text_is_gsm7_punctuation_and_keeps_french_accents() -> None:
    text = "Près d’Arras — voici « le plan » :\n• un\u00a0: deux → trois… · quatre"
    safe = tc.sms_text(text)
    assert safe == 'Près d\'Arras - voici "le plan" :\n- un : deux -> trois... - quatre'
    assert tc.is_gsm7(safe)
    assert tc.sms_text("Vous êtes à côté") == "Vous êtes à côté"  # accents kept by default
    assert tc.sms_text("Vous êtes à côté", fold_accents=True) == "Vous etes à coté"
    assert tc.is_gsm7(tc.sms_text("Être à l'aise, ça compte", fold_accents=True))


# ----------------------------------------------------------------------------- packing and TOUT


def test_a_turn_is_packed_into_one_sms_message_and_choices_are_numbered() -> None:
    turn = [("Merci. Vous êtes salarié(e).", []), ("Quel est votre objectif ?",
            [{"title": "Changer de métier", "payload": "/a"}, {"title": "Faire le point", "payload": "/b"}])]
    now, held = render_turn(turn, sms=True, max_segments=6)
    assert held == []
    assert now == ["Merci. Vous etes salarié(e).\n\nQuel est votre objectif ?\n\n1. Changer de métier\n"
                   "2. Faire le point\n" + tc.CHOICE_HINT_FR]
    assert tc.is_gsm7(now[0])  # ê folded by default: the whole SMS stays GSM-7 (2.3 times cheaper)
    kept, _ = render_turn(turn, sms=True, fold_accents=False, max_segments=6)
    assert kept[0].startswith("Merci. Vous êtes salarié(e).") and tc.sms_segments(kept[0])[0] == "ucs2"
    whatsapp, _ = render_turn(turn, sms=False)
    assert whatsapp[0].startswith("Merci. Vous êtes")


def test_a_long_list_is_cut_between_its_items_not_inside_one() -> None:
    items = "\n".join(f"• Piste {i} - une explication de cette piste, assez longue pour compter.\n"
                      f"  Première étape : prendre rendez-vous avec un conseiller." for i in range(12))
    now, held = render_turn([("Voici vos pistes :", []), ("Qui voir :\n" + items, [])], sms=True, max_segments=4)
    sent = "\n\n".join(now)
    assert "Piste 0" in sent and held and held[0].startswith("- Piste")
    assert sent.count("Piste") == sent.count("Première étape")  # no item cut from its first step
    assert sum(tc.sms_segments(m)[1] for m in now) <= 4


def test_a_long_sms_turn_sends_what_fits_with_the_choices_and_holds_the_rest_for_tout() -> None:
    paragraphs = [f"Dispositif {i} : " + "une explication assez longue de ce dispositif. " * 4 for i in range(8)]
    buttons = [{"title": "Qui peut m'aider ?", "payload": "/ask_nearby"}, {"title": "Recommencer", "payload": "/restart"}]
    turn = [(p, []) for p in paragraphs] + [("Et maintenant ?", buttons)]
    now, held = render_turn(turn, sms=True, max_segments=6)
    assert held, "a turn of about 15 segments must be cut"
    assert sum(tc.sms_segments(m)[1] for m in now) <= 6
    sent = "\n\n".join(now)
    assert sent.startswith("Dispositif 0") and "1. Qui peut m'aider ?" in sent and "2. Recommencer" in sent
    assert sent.endswith(tc.MORE_HINT_FR)
    assert "\n\n".join(now + held).count("Dispositif") == 8  # nothing lost
    # WhatsApp is not billed per segment: everything at once, packed
    whole, none = render_turn(turn, sms=False, max_segments=6)
    assert none == [] and all(tc.text_size(m) <= TWILIO_MAX_CHARS for m in whole)
    assert "".join(whole).count("Dispositif") == 8


@pytest.mark.parametrize("text, expected", [("TOUT", True), ("tout", True), (" Tout ! ", True),
                                            ("la suite", True), ("tout va bien", False), ("2", False),
                                            (None, False)])
def test_is_more_command(text: str | None, expected: bool) -> None:
    assert tc.is_more_command(text) is expected


# ----------------------------------------------------------------------------- conversation ids


def test_conversation_ids_are_prefixed_and_phone_numbers_hashed(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Any) -> None:
    monkeypatch.delenv(tc.ID_KEY_ENV, raising=False)
    monkeypatch.setenv("CAP_VAR_DIR", str(tmp_path))
    tc.messaging_id_key.cache_clear()
    try:
        assert tc.conversation_id("telegram", 123456) == "telegram:123456"
        sms = tc.conversation_id("sms", "+33612345678", hashed=True)
        assert HASHED_ID_RE.match(sms) and "33612345678" not in sms
        assert sms == tc.conversation_id("sms", "+33612345678", hashed=True)  # stable
        assert sms != tc.conversation_id("sms", "+33612345679", hashed=True)
        key_file = tmp_path / tc.ID_KEY_FILE
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        # another key, other ids: the number cannot be found back without the key
        monkeypatch.setenv(tc.ID_KEY_ENV, "another-key")
        tc.messaging_id_key.cache_clear()
        assert tc.conversation_id("sms", "+33612345678", hashed=True) != sms
    finally:
        tc.messaging_id_key.cache_clear()
    assert tc.strip_channel_prefix("telegram:123", "telegram") == "123"
    assert tc.strip_channel_prefix("123", "telegram") == "123"


# ----------------------------------------------------------------------------- Messenger titles


def _buttons(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        if "title" in node and "payload" in node:
            return [node]
        return [b for value in node.values() for b in _buttons(value)]
    if isinstance(node, list):
        return [b for value in node for b in _buttons(value)]
    return []


def test_every_choice_of_the_assistant_has_a_quick_reply_title_of_at_most_20_characters() -> None:
    buttons = _buttons(yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8")))
    assert len(buttons) > 40
    for button in buttons:
        if "{" in button["title"]:
            continue  # filled at run time ("Pourquoi pas {short} ?"): cut if it must be
        title, complete = quick_reply_title(button)
        assert len(title) <= MESSENGER_MAX_QUICK_REPLY_TITLE, button
        assert complete, f"no short title for {button['title']!r}: add one to SHORT_TITLES"
    assert all(len(short) <= MESSENGER_MAX_QUICK_REPLY_TITLE for short in SHORT_TITLES.values())


def test_an_unknown_long_title_is_cut_at_a_word_and_flagged() -> None:
    title, complete = quick_reply_title({"title": "Pourquoi pas le contrat de professionnalisation ?",
                                         "payload": "/why_not"})
    assert len(title) <= 20 and title.endswith("…") and not complete


# ----------------------------------------------------------------------------- output and input pieces


class _RecordingTwilio:
    """CapTwilioOutput with its one network call replaced by a list (what Twilio would receive)."""

    @staticmethod
    def make(address: str, conversation: str) -> Any:
        from channels.twilio import CapTwilioOutput

        class Recording(CapTwilioOutput):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self.sent: list[dict[str, Any]] = []

            async def _send_message(self, message_data: dict[str, Any]) -> Any:
                self.sent.append(message_data)

        return Recording("AC1", "token", "+15005550006", address=address, conversation=conversation,
                         sms_turn_segments=6)


def test_a_webhook_turn_is_sent_once_packed_to_the_phone_number_behind_the_hashed_id() -> None:
    from tests.support.aio import run_async

    conversation = "sms:" + "ab" * 20
    out = _RecordingTwilio.make("+33612345678", conversation)

    async def turn() -> None:
        await out.send_response(conversation, {"text": "Merci — c'est noté."})
        await out.send_response(conversation, {"text": "Quel âge avez-vous ?",
                                               "buttons": [{"title": "Moins de 26 ans", "payload": "/a"}]})
        assert out.sent == []  # nothing before the turn ends
        await out.flush_turn(conversation)

    run_async(turn())
    assert [(m["to"], m["from_"]) for m in out.sent] == [("+33612345678", "+15005550006")]
    assert out.sent[0]["body"] == ("Merci - c'est noté.\n\nQuel age avez-vous ?\n\n1. Moins de 26 ans\n"
                                   + tc.CHOICE_HINT_FR)
    # outside a webhook turn (the HTTP API), a hashed id reaches nobody
    other = _RecordingTwilio.make("", "")
    run_async(other.send_response("sms:" + "cd" * 20, {"text": "Bonjour"}))
    assert other.sent == []


def test_tout_sends_what_the_latest_turn_held_back() -> None:
    from tests.support.aio import run_async

    conversation = "sms:" + "ef" * 20
    paragraphs = [f"Piste {i} : " + "une explication assez longue de cette piste. " * 4 for i in range(8)]
    turn = [{"text": "\n\n".join(paragraphs), "buttons": []}]
    out = _RecordingTwilio.make("+33612345678", conversation)
    assert run_async(out.send_rest(conversation, turn)) is True
    rest = "\n\n".join(m["body"] for m in out.sent)
    assert "Piste 7" in rest and "Piste 0" not in rest
    short = _RecordingTwilio.make("+33612345678", conversation)
    assert run_async(short.send_rest(conversation, [{"text": "Court.", "buttons": []}])) is False
    assert short.sent == []


def test_telegram_edits_and_media_are_answered_by_the_channel() -> None:
    from aiogram.types import Update

    from channels.telegram import CapTelegramInput

    chat = {"id": 42, "type": "private", "first_name": "Camille"}
    person = {"id": 42, "is_bot": False, "first_name": "Camille"}
    edited = Update(**{"update_id": 1, "edited_message": {"message_id": 5, "date": 1, "edit_date": 2, "chat": chat,
                                                           "from": person, "text": "j'ai 45 ans"}})
    voice = Update(**{"update_id": 2, "message": {"message_id": 6, "date": 1, "chat": chat, "from": person,
                                                  "voice": {"file_id": "x", "file_unique_id": "y", "duration": 2}}})
    text = Update(**{"update_id": 3, "message": {"message_id": 7, "date": 1, "chat": chat, "from": person,
                                                 "text": "bonjour"}})
    assert CapTelegramInput._direct_reply(edited)[1] == tc.EDIT_NOT_APPLIED_FR
    assert CapTelegramInput._direct_reply(voice)[1] == tc.TEXT_ONLY_FR
    assert CapTelegramInput._direct_reply(text) == (None, None)
