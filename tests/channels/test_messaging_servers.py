"""End-to-end tests of the messaging channels: real-format webhooks posted to a running `rasa run`,
outgoing calls captured by local fakes of the Telegram, Messenger and Twilio APIs (127.0.0.1)."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
import time
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from channels.facebook import quick_reply_title
from channels.messaging import (
    CHOICE_HINT_FR,
    EDIT_NOT_APPLIED_FR,
    ERASED_FR,
    MESSENGER_MAX_CHARS,
    MORE_HINT_FR,
    TELEGRAM_MAX_CALLBACK_DATA,
    TELEGRAM_MAX_CHARS,
    TEXT_ONLY_FR,
    TWILIO_MAX_CHARS,
    plain_links,
    sms_text,
    text_size,
)
from tests.channels.conftest import (
    FACEBOOK_SECRET,
    FACEBOOK_VERIFY,
    TELEGRAM_SECRET,
    TWILIO_NUMBER,
    TWILIO_WHATSAPP,
    ChannelsServer,
    conversation_id_of,
)
from tests.channels.fake_platforms import Captured, FakePlatform

pytestmark = pytest.mark.servers

URL_RE = re.compile(r"https?://[^\s]+")


# ----------------------------------------------------------------------------- one API per channel


@dataclass
class Channel:
    """How to talk to one channel of the running server and read what it sent back."""

    kind: str  # telegram | facebook | sms | whatsapp
    fake_name: str
    limit: int
    output_name: str  # the Rasa channel name, for the HTTP API's output_channel

    def new_sender(self) -> str:
        n = random.randint(10_000_000, 99_999_999)
        return {"telegram": str(700_000_000 + n), "facebook": f"2{n}{n}",
                "sms": f"+336{n}", "whatsapp": f"whatsapp:+337{n}"}[self.kind]

    def send(self, server: ChannelsServer, sender: str, text: str) -> requests.Response:
        if self.kind == "telegram":
            res = server.post_telegram(server.telegram_text_update(int(sender), text))
        elif self.kind == "facebook":
            res = server.post_messenger(server.messenger_event(sender, text))
        elif self.kind == "sms":
            res = server.post_twilio(server.sms_form(sender, text))
        else:
            res = server.post_twilio(server.whatsapp_form(sender, text))
        assert res.status_code in (200, 204), (res.status_code, res.text, server.log_tail())
        return res

    def is_message_to(self, sender: str, req: Captured) -> bool:
        if self.kind == "telegram":
            return req.api_method == "sendMessage" and req.form.get("chat_id") == sender
        if self.kind == "facebook":
            body = req.json or {}
            return body.get("recipient", {}).get("id") == sender and "message" in body
        return req.method == "POST" and req.form.get("To") == sender

    def text_of(self, req: Captured) -> str:
        if self.kind == "telegram":
            return req.form["text"]
        if self.kind == "facebook":
            return req.json["message"].get("text", "")
        return req.form["Body"]

    def sent(self, fake: FakePlatform, mark: int, sender: str) -> list[Captured]:
        return fake.since(mark, lambda r: self.is_message_to(sender, r))


CHANNELS = {
    "telegram": Channel("telegram", "telegram", TELEGRAM_MAX_CHARS, "telegram"),
    "facebook": Channel("facebook", "facebook", MESSENGER_MAX_CHARS, "facebook"),
    "sms": Channel("sms", "twilio", TWILIO_MAX_CHARS, "twilio"),
    "whatsapp": Channel("whatsapp", "twilio", TWILIO_MAX_CHARS, "twilio"),
}


def conversation_id(channel: Channel, sender: str) -> str:
    return sender  # the server helpers map a platform sender to its conversation id


def last_buttons(server: ChannelsServer, sender_id: str) -> list[dict[str, Any]]:
    """Buttons of the bot's last message that had some (read back from the tracker)."""
    for event in reversed(server.tracker(sender_id)["events"]):
        if event.get("event") == "bot":
            data = event.get("data") or {}
            buttons = data.get("buttons") or data.get("quick_replies")
            if buttons:
                return buttons
    return []


def last_user_event(server: ChannelsServer, sender_id: str) -> dict[str, Any]:
    return server.events(sender_id, "user")[-1]


def intent_of_payload(payload: str) -> str:
    return payload[1:].split("{", 1)[0]


def start_buttons_turn(server: ChannelsServer, channel: Channel, sender: str) -> list[dict[str, Any]]:
    """Send the scenario's trigger; the answer must carry at least two buttons."""
    channel.send(server, sender, server.target.buttons_trigger)
    buttons = last_buttons(server, conversation_id(channel, sender))
    assert len(buttons) >= 2, (f"{server.target.buttons_trigger!r} got no answer with 2 buttons or more "
                               f"(set CHANNELS_TEST_BUTTONS_TRIGGER)")
    return buttons


def assert_numbered(text: str, buttons: list[dict[str, Any]], sms: bool = False) -> None:
    expected = "\n".join(f"{i}. {b['title']}" for i, b in enumerate(buttons, start=1))
    if sms:  # GSM-7 text, non-GSM accents folded
        expected = sms_text(expected, fold_accents=True)
    assert expected in text, text
    assert CHOICE_HINT_FR in text


# ----------------------------------------------------------------------------- Telegram


def test_telegram_webhook_registered_at_start_with_secret_token(channels_server: ChannelsServer,
                                                               fakes: dict[str, FakePlatform]) -> None:
    calls = fakes["telegram"].wait_for(lambda r: r.api_method == "setWebhook")
    assert calls, "setWebhook was never called"
    assert calls[0].form["url"] == channels_server.telegram_webhook_url
    assert calls[0].form["secret_token"] == TELEGRAM_SECRET


def test_telegram_native_buttons_and_a_number_picks_the_second(channels_server: ChannelsServer,
                                                               fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["telegram"], fakes["telegram"]
    chat = channel.new_sender()
    mark = fake.mark()
    buttons = start_buttons_turn(channels_server, channel, chat)
    assert any(r.api_method == "getMe" for r in fake.requests), "the connector's getMe check was not answered"
    with_keyboard = [r for r in channel.sent(fake, mark, chat) if "reply_markup" in r.form]
    assert with_keyboard, "no message with a keyboard"
    keyboard = json.loads(with_keyboard[-1].form["reply_markup"])["inline_keyboard"]
    keys = [key for row in keyboard for key in row]
    assert [k["text"] for k in keys] == [b["title"] for b in buttons]
    for number, (key, button) in enumerate(zip(keys, buttons, strict=True), start=1):
        fits = len(button["payload"].encode()) <= TELEGRAM_MAX_CALLBACK_DATA
        assert key["callback_data"] == (button["payload"] if fits else str(number))

    channel.send(channels_server, chat, "2")
    user = last_user_event(channels_server, chat)
    assert user["text"] == buttons[1]["payload"]
    assert user["parse_data"]["intent"]["name"] == intent_of_payload(buttons[1]["payload"])
    assert user["metadata"].get("cap_choice_number") == 2


def test_telegram_button_press_is_the_payload_and_is_acknowledged(channels_server: ChannelsServer,
                                                                  fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["telegram"], fakes["telegram"]
    chat = channel.new_sender()
    mark = fake.mark()
    buttons = start_buttons_turn(channels_server, channel, chat)
    keyboard = json.loads([r for r in channel.sent(fake, mark, chat) if "reply_markup" in r.form][-1]
                          .form["reply_markup"])["inline_keyboard"]
    first = [key for row in keyboard for key in row][0]
    update = channels_server.telegram_callback_update(int(chat), first["callback_data"])
    mark = fake.mark()
    res = channels_server.post_telegram(update)
    assert res.status_code == 200
    assert last_user_event(channels_server, chat)["text"] == buttons[0]["payload"]
    acks = fake.since(mark, lambda r: r.api_method == "answerCallbackQuery")
    assert [a.form["callback_query_id"] for a in acks] == [update["callback_query"]["id"]]


def test_telegram_payload_too_long_for_callback_data_is_sent_as_its_number(
        channels_server: ChannelsServer, fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["telegram"], fakes["telegram"]
    chat = channel.new_sender()
    buttons = [{"title": "Villeneuve-d'Ascq (59)",
                "payload": '/choose_status{"status": "Villeneuve-d\'Ascq", "code_insee": "59009", "x": "yyyyyy"}'},
               {"title": "Villeneuve-Saint-Germain (02)",
                "payload": '/choose_status{"status": "Villeneuve-Saint-Germain", "code_insee": "02805"}'}]
    assert all(len(b["payload"].encode()) > TELEGRAM_MAX_CALLBACK_DATA for b in buttons)
    mark = fake.mark()
    channels_server.inject_bot_message("telegram", chat, "Laquelle est votre commune ?", buttons=buttons)
    keyboard = json.loads(channel.sent(fake, mark, chat)[-1].form["reply_markup"])["inline_keyboard"]
    assert [key["callback_data"] for row in keyboard for key in row] == ["1", "2"]
    channels_server.post_telegram(channels_server.telegram_callback_update(int(chat), "2"))
    assert last_user_event(channels_server, chat)["text"] == buttons[1]["payload"]


def test_telegram_start_command_greets(channels_server: ChannelsServer) -> None:
    channel = CHANNELS["telegram"]
    chat = channel.new_sender()
    channel.send(channels_server, chat, "/start")
    assert last_user_event(channels_server, chat)["parse_data"]["intent"]["name"] == "greet"


def test_telegram_update_without_the_secret_token_is_refused(channels_server: ChannelsServer,
                                                             fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["telegram"], fakes["telegram"]
    chat = channel.new_sender()
    mark = fake.mark()
    for secret in (None, "wrong-secret", TELEGRAM_SECRET + "x"):
        res = channels_server.post_telegram(channels_server.telegram_text_update(int(chat), "bonjour"), secret=secret)
        assert res.status_code == 403
    assert channel.sent(fake, mark, chat) == []
    assert channels_server.stored_event_count(chat) == 0


# ----------------------------------------------------------------------------- Messenger


def test_messenger_signed_event_gets_quick_replies_or_numbers_and_a_number_resolves(
        channels_server: ChannelsServer, fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["facebook"], fakes["facebook"]
    psid = channel.new_sender()
    mark = fake.mark()
    buttons = start_buttons_turn(channels_server, channel, psid)
    sent = channel.sent(fake, mark, psid)
    assert sent and all(r.query["access_token"] == ["EAAtestpagetoken"] for r in sent)
    assert all(r.path == "/v19.0/me/messages" for r in sent)
    actions = [r.json["sender_action"] for r in fake.since(mark, lambda r: (r.json or {}).get("sender_action")
                                                           and r.json["recipient"]["id"] == psid)]
    assert actions[:2] == ["mark_seen", "typing_on"] and actions[-1] == "typing_off"
    last = sent[-1].json["message"]
    assert len(buttons) <= 13
    assert [(q["title"], q["payload"]) for q in last["quick_replies"]] == \
        [(quick_reply_title(b)[0], b["payload"]) for b in buttons]
    assert all(len(q["title"]) <= 20 for q in last["quick_replies"])

    channel.send(channels_server, psid, " 2 ")
    user = last_user_event(channels_server, psid)
    assert user["text"] == buttons[1]["payload"]
    assert user["parse_data"]["intent"]["name"] == intent_of_payload(buttons[1]["payload"])


def test_messenger_quick_reply_press_and_sha256_signature(channels_server: ChannelsServer) -> None:
    channel = CHANNELS["facebook"]
    psid = channel.new_sender()
    buttons = start_buttons_turn(channels_server, channel, psid)
    event = channels_server.messenger_event(psid, buttons[0]["title"], quick_reply=buttons[0]["payload"])
    res = channels_server.post_messenger(event, algorithm="sha256")
    assert res.status_code == 200
    assert last_user_event(channels_server, psid)["text"] == buttons[0]["payload"]


def test_messenger_beyond_quick_reply_limits_falls_back_to_numbers(channels_server: ChannelsServer,
                                                                   fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["facebook"], fakes["facebook"]
    psid = channel.new_sender()
    many = [{"title": f"Choix {i}", "payload": "/affirm" if i % 2 else "/deny"} for i in range(1, 15)]
    mark = fake.mark()
    channels_server.inject_bot_message("facebook", psid, "Que voulez-vous faire ?", buttons=many)
    sent = channel.sent(fake, mark, psid)
    assert len(sent) == 1 and channel.text_of(sent[0]).startswith("Que voulez-vous faire ?\n\n1. ")
    assert all("quick_replies" not in r.json["message"] for r in sent)
    assert_numbered("\n".join(channel.text_of(r) for r in sent), many)
    channel.send(channels_server, psid, "n°2")
    assert last_user_event(channels_server, psid)["text"] == "/deny"


def test_messenger_long_titles_become_short_quick_replies_and_the_wording_stays(
        channels_server: ChannelsServer, fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["facebook"], fakes["facebook"]
    psid = channel.new_sender()
    known = [{"title": "Obtenir un diplôme ou une qualification", "payload": "/affirm"},
             {"title": "Non", "payload": "/deny"}]
    unknown = [{"title": "Pourquoi pas le contrat de professionnalisation ?", "payload": "/affirm"},
               {"title": "Non", "payload": "/deny"}]
    for buttons in (known, unknown):
        mark = fake.mark()
        channels_server.inject_bot_message("facebook", psid, "Que voulez-vous faire ?", buttons=buttons)
        message = channel.sent(fake, mark, psid)[-1].json["message"]
        titles = [q["title"] for q in message["quick_replies"]]
        assert all(len(t) <= 20 for t in titles) and titles[1] == "Non"
        if buttons is known:
            assert titles[0] == "Un diplôme" and message["text"] == "Que voulez-vous faire ?"
        else:  # cut here: the full wording is in the bubble, numbered
            assert titles[0].endswith("…")
            assert "1. Pourquoi pas le contrat de professionnalisation ?" in message["text"]


@pytest.mark.parametrize("how", ["forged", "missing", "wrong-secret", "tampered", "unknown-algorithm"])
def test_messenger_forged_signature_is_refused_and_nothing_processed(
        how: str, channels_server: ChannelsServer, fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["facebook"], fakes["facebook"]
    psid = channel.new_sender()
    event = channels_server.messenger_event(psid, "bonjour")
    body = json.dumps(event, ensure_ascii=False).encode()
    signature = {
        "forged": "sha1=" + "0" * 40,
        "missing": None,
        "wrong-secret": "sha1=" + hmac.new(b"not-the-secret", body, hashlib.sha1).hexdigest(),
        "tampered": "sha1=" + hmac.new(FACEBOOK_SECRET.encode(),
                                       json.dumps(channels_server.messenger_event(psid, "autre")).encode(),
                                       hashlib.sha1).hexdigest(),
        "unknown-algorithm": "md5=" + hashlib.md5(body).hexdigest(),
    }[how]
    mark = fake.mark()
    res = channels_server.post_messenger(event, signature=signature)
    assert res.status_code == 403
    assert fake.since(mark) == []
    assert channels_server.stored_event_count(psid) == 0


def test_messenger_webhook_verification(channels_server: ChannelsServer) -> None:
    url = f"{channels_server.url}/webhooks/facebook/webhook"
    ok = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": FACEBOOK_VERIFY,
                                   "hub.challenge": "1158201444"}, timeout=10)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    bad = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "nope",
                                    "hub.challenge": "1158201444"}, timeout=10)
    assert bad.status_code == 403 and "1158201444" not in bad.text


# ----------------------------------------------------------------------------- Twilio SMS / WhatsApp


@pytest.mark.parametrize("kind, reply", [("sms", " 2 "), ("whatsapp", "n°2")])
def test_twilio_numbered_choices_and_a_number_picks_the_second(kind: str, reply: str,
                                                              channels_server: ChannelsServer,
                                                              fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS[kind], fakes["twilio"]
    sender = channel.new_sender()
    mark = fake.mark()
    buttons = start_buttons_turn(channels_server, channel, sender)
    sent = channel.sent(fake, mark, sender)
    assert sent
    expected_from = TWILIO_WHATSAPP if kind == "whatsapp" else TWILIO_NUMBER
    assert {r.form["From"] for r in sent} == {expected_from}
    assert all(r.path.endswith("/Messages.json") and r.headers.get("Authorization", "").startswith("Basic ")
               for r in sent)
    assert all(text_size(r.form["Body"]) <= TWILIO_MAX_CHARS for r in sent)
    assert_numbered("\n".join(r.form["Body"] for r in sent), buttons, sms=kind == "sms")

    channel.send(channels_server, sender, reply)
    user = last_user_event(channels_server, sender)
    assert user["text"] == buttons[1]["payload"]
    assert user["parse_data"]["intent"]["name"] == intent_of_payload(buttons[1]["payload"])
    assert user["input_channel"] == "twilio"


def test_out_of_range_number_and_number_after_another_question_pass_through(
        channels_server: ChannelsServer) -> None:
    channel = CHANNELS["sms"]
    sender = channel.new_sender()
    buttons = start_buttons_turn(channels_server, channel, sender)
    channel.send(channels_server, sender, str(len(buttons) + 1))
    assert last_user_event(channels_server, sender)["text"] == str(len(buttons) + 1)
    # a person answer, then a question without buttons: "2" is an answer to it
    requests.post(f"{channels_server.url}/conversations/{conversation_id_of(sender)}/tracker/events", json=[
        {"event": "user", "text": "je suis salarié", "timestamp": time.time(),
         "parse_data": {"intent": {"name": "inform", "confidence": 1.0}, "entities": []}},
        {"event": "bot", "text": "Depuis combien d'années travaillez-vous ?", "timestamp": time.time()},
    ], timeout=30).raise_for_status()
    channel.send(channels_server, sender, "2")
    assert last_user_event(channels_server, sender)["text"] == "2"


@pytest.mark.parametrize("how", ["forged", "missing", "other-body"])
def test_twilio_forged_signature_is_refused(how: str, channels_server: ChannelsServer,
                                            fakes: dict[str, FakePlatform]) -> None:
    from tests.channels.conftest import TWILIO_TOKEN, twilio_signature

    sender = CHANNELS["sms"].new_sender()
    form = channels_server.sms_form(sender, "bonjour")
    signature = {"forged": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "missing": None,
                 "other-body": twilio_signature(channels_server.twilio_webhook_url, {**form, "Body": "autre"},
                                                TWILIO_TOKEN)}[how]
    mark = fakes["twilio"].mark()
    res = channels_server.post_twilio(form, signature=signature)
    assert res.status_code == 403
    assert fakes["twilio"].since(mark) == []
    assert channels_server.stored_event_count(sender) == 0


# ----------------------------------------------------------------------------- every channel


@pytest.mark.parametrize("kind", list(CHANNELS))
def test_long_answer_is_split_within_the_limit_with_urls_intact(kind: str, channels_server: ChannelsServer,
                                                                fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS[kind], fakes[CHANNELS[kind].fake_name]
    sender = channel.new_sender()
    mark = fake.mark()
    if channels_server.target.long_trigger:
        channel.send(channels_server, sender, channels_server.target.long_trigger)
        original = channels_server.events(sender, "bot")[-1]["text"]
    elif kind in ("sms", "whatsapp"):
        pytest.skip("a phone number is stored as a keyed hash: the HTTP API cannot reach it")
    else:  # the real assistant: the same output channel, reached through the HTTP API
        original = "\n".join(f"Étape {i} : voir https://www.francetravail.fr/candidat/etape-{i}.html?ref=cap&n={i} "
                             f"pour les détails. Notez vos questions avant le rendez-vous !" for i in range(60))
        channels_server.inject_bot_message(channel.output_name, sender, original)
    assert text_size(original) > TELEGRAM_MAX_CHARS
    texts = [channel.text_of(r) for r in channel.sent(fake, mark, sender)]
    expected = plain_links(original)
    if kind == "sms":  # GSM-7 punctuation; a long turn is cut and the rest comes on TOUT
        expected = sms_text(expected)
        assert texts[-1].endswith(MORE_HINT_FR)
        texts[-1] = texts[-1][: -len(MORE_HINT_FR)]
        mark = fake.mark()
        channel.send(channels_server, sender, "TOUT")
        texts += [channel.text_of(r) for r in channel.sent(fake, mark, sender)]
    assert len(texts) >= 2, texts
    assert all(text_size(t) <= channel.limit for t in texts)
    assert " ".join(" ".join(texts).split()) == " ".join(expected.split())  # all of it, in order
    assert [u for t in texts for u in URL_RE.findall(t)] == URL_RE.findall(expected)  # no URL cut


@pytest.mark.parametrize("kind, word", [("telegram", "EFFACER"), ("facebook", "effacer"),
                                        ("sms", "Effacer !"), ("whatsapp", "ÉFFACER")])
def test_effacer_erases_the_conversation_and_confirms(kind: str, word: str, channels_server: ChannelsServer,
                                                     fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS[kind], fakes[CHANNELS[kind].fake_name]
    sender = channel.new_sender()
    start_buttons_turn(channels_server, channel, sender)
    assert channels_server.stored_event_count(sender) > 0
    mark = fake.mark()
    channel.send(channels_server, sender, word)
    assert channels_server.stored_event_count(sender) == 0
    assert [channel.text_of(r) for r in channel.sent(fake, mark, sender)] == [ERASED_FR]
    assert channels_server.events(sender, "user") == [] and channels_server.events(sender, "bot") == []


# ----------------------------------------------------------------------------- edits, media, ids, logs


def _telegram_person(chat: int) -> dict[str, Any]:
    return {"id": chat, "is_bot": False, "first_name": "Camille", "language_code": "fr"}


@pytest.mark.parametrize("media", [
    {"voice": {"file_id": "AwACAgQAAxkBAAIB", "file_unique_id": "AgADxx", "duration": 3,
               "mime_type": "audio/ogg", "file_size": 8000}},
    {"photo": [{"file_id": "AgACAgQAAxkBAAIC", "file_unique_id": "AQADyy", "width": 90, "height": 90}]},
    {"sticker": {"file_id": "CAACAgIAAxkBAAID", "file_unique_id": "AgADzz", "type": "regular",
                 "width": 512, "height": 512, "is_animated": False, "is_video": False}},
])
def test_telegram_media_gets_one_calm_line_and_nothing_reaches_the_agent(
        media: dict[str, Any], channels_server: ChannelsServer, fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["telegram"], fakes["telegram"]
    chat = channel.new_sender()
    update = channels_server.telegram_text_update(int(chat), "x")
    del update["message"]["text"]
    update["message"].update(media)
    mark = fake.mark()
    assert channels_server.post_telegram(update).status_code == 200
    assert [channel.text_of(r) for r in channel.sent(fake, mark, chat)] == [TEXT_ONLY_FR]
    assert channels_server.stored_event_count(chat) == 0


def test_telegram_edited_message_is_never_a_new_answer(channels_server: ChannelsServer,
                                                       fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["telegram"], fakes["telegram"]
    chat = channel.new_sender()
    start_buttons_turn(channels_server, channel, chat)
    users_before = len(channels_server.events(chat, "user"))
    channels_server._update_id += 1
    edited = {"update_id": channels_server._update_id, "edited_message": {
        "message_id": 42, "from": _telegram_person(int(chat)),
        "chat": {"id": int(chat), "first_name": "Camille", "type": "private"},
        "date": int(time.time()) - 30, "edit_date": int(time.time()), "text": "j'ai 45 ans"}}
    mark = fake.mark()
    assert channels_server.post_telegram(edited).status_code == 200
    assert [channel.text_of(r) for r in channel.sent(fake, mark, chat)] == [EDIT_NOT_APPLIED_FR]
    assert len(channels_server.events(chat, "user")) == users_before


def test_messenger_edit_and_attachments_are_answered_by_the_channel(channels_server: ChannelsServer,
                                                                    fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["facebook"], fakes["facebook"]
    psid = channel.new_sender()
    now = int(time.time() * 1000)

    def event(**body: Any) -> dict[str, Any]:
        return {"object": "page", "entry": [{"id": "104000000000001", "time": now, "messaging": [{
            "sender": {"id": psid}, "recipient": {"id": "104000000000001"}, "timestamp": now, **body}]}]}

    audio = event(message={"mid": "m_1", "attachments": [{"type": "audio", "payload": {
        "url": "https://cdn.fbsbx.com/v/t59.3654-21/voice.mp4?_nc_cat=1&oh=secret"}}]})
    link = event(message={"mid": "m_2", "attachments": [{"type": "fallback", "title": "Camille 06 12 34 56 78",
                                                         "payload": {"url": "https://example.org/x"}}]})
    edit = event(message_edit={"mid": "m_3", "text": "j'ai 45 ans", "num_edit": 1})
    for body, expected in ((audio, TEXT_ONLY_FR), (link, TEXT_ONLY_FR), (edit, EDIT_NOT_APPLIED_FR)):
        mark = fake.mark()
        assert channels_server.post_messenger(body, algorithm="sha256").status_code == 200
        assert [channel.text_of(r) for r in channel.sent(fake, mark, psid)] == [expected]
    assert channels_server.stored_event_count(psid) == 0
    log = channels_server.log_tail(size=200_000)
    assert psid not in log and "Camille" not in log and "voice.mp4" not in log


def test_twilio_media_without_text_gets_one_calm_line(channels_server: ChannelsServer,
                                                      fakes: dict[str, FakePlatform]) -> None:
    channel, fake = CHANNELS["whatsapp"], fakes["twilio"]
    sender = channel.new_sender()
    form = {**channels_server.whatsapp_form(sender, ""), "NumMedia": "1", "MessageType": "audio",
            "MediaContentType0": "audio/ogg", "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME"}
    mark = fake.mark()
    assert channels_server.post_twilio(form).status_code == 200
    assert [channel.text_of(r) for r in channel.sent(fake, mark, sender)] == [TEXT_ONLY_FR]
    assert channels_server.stored_event_count(sender) == 0


def test_conversation_ids_are_prefixed_and_phone_numbers_never_stored(channels_server: ChannelsServer) -> None:
    senders = {kind: CHANNELS[kind].new_sender() for kind in CHANNELS}
    for kind, sender in senders.items():
        CHANNELS[kind].send(channels_server, sender, "bonjour")
        assert channels_server.stored_event_count(sender) > 0, kind
    stored = channels_server.stored_text()
    for kind in ("sms", "whatsapp"):
        digits = senders[kind].split("+", 1)[1]
        assert digits not in stored, f"a {kind} phone number is stored"
        assert conversation_id_of(senders[kind]).startswith(f"{kind}:")
    assert f"telegram:{senders['telegram']}" in stored and f"facebook:{senders['facebook']}" in stored


def test_no_message_text_or_sender_in_the_server_log(channels_server: ChannelsServer) -> None:
    channel = CHANNELS["sms"]
    sender = channel.new_sender()
    channel.send(channels_server, sender, "Je m'appelle Dominique Martin, 06 98 76 54 32")
    log = channels_server.log_tail(size=2_000_000)
    assert "Dominique" not in log and sender not in log and sender[1:] not in log
    assert "BEGIN Twilio API Request" not in log  # the twilio client logs each request at INFO

