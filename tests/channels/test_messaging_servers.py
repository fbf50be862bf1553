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

from channels.messaging import (
    CHOICE_HINT_FR,
    ERASED_FR,
    MESSENGER_MAX_CHARS,
    TELEGRAM_MAX_CALLBACK_DATA,
    TELEGRAM_MAX_CHARS,
    TWILIO_MAX_CHARS,
    plain_links,
    text_size,
)
from tests.channels.conftest import (
    FACEBOOK_SECRET,
    FACEBOOK_VERIFY,
    TELEGRAM_SECRET,
    TWILIO_NUMBER,
    TWILIO_WHATSAPP,
    ChannelsServer,
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
    return sender  # every connector uses the platform's sender/chat id as Rasa's sender_id


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


def assert_numbered(text: str, buttons: list[dict[str, Any]]) -> None:
    expected = "\n".join(f"{i}. {b['title']}" for i, b in enumerate(buttons, start=1))
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
    fits = len(buttons) <= 13 and all(len(b["title"]) <= 20 for b in buttons)
    last = sent[-1].json["message"]
    if fits:
        assert [(q["title"], q["payload"]) for q in last["quick_replies"]] == \
            [(b["title"], b["payload"]) for b in buttons]
    else:
        assert "quick_replies" not in last
        assert_numbered("\n".join(channel.text_of(r) for r in sent), buttons)

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
    long_titles = [{"title": "Obtenir un diplôme ou une qualification", "payload": "/affirm"},
                   {"title": "Non", "payload": "/deny"}]
    for buttons in (many, long_titles):
        mark = fake.mark()
        channels_server.inject_bot_message("facebook", psid, "Que voulez-vous faire ?", buttons=buttons)
        sent = channel.sent(fake, mark, psid)
        assert len(sent) == 1 and channel.text_of(sent[0]).startswith("Que voulez-vous faire ?\n\n1. ")
        assert all("quick_replies" not in r.json["message"] for r in sent)
        assert_numbered("\n".join(channel.text_of(r) for r in sent), buttons)
    channel.send(channels_server, psid, "n°2")
    assert last_user_event(channels_server, psid)["text"] == "/deny"


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
    assert_numbered("\n".join(r.form["Body"] for r in sent), buttons)

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
    requests.post(f"{channels_server.url}/conversations/{sender}/tracker/events", json=[
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
    else:  # the real assistant: the same output channel, reached through the HTTP API
        original = "\n".join(f"Étape {i} : voir https://www.francetravail.fr/candidat/etape-{i}.html?ref=cap&n={i} "
                             f"pour les détails. Notez vos questions avant le rendez-vous !" for i in range(60))
        channels_server.inject_bot_message(channel.output_name, sender, original)
    assert text_size(original) > TELEGRAM_MAX_CHARS
    texts = [channel.text_of(r) for r in channel.sent(fake, mark, sender)]
    assert len(texts) >= 2, texts
    assert all(text_size(t) <= channel.limit for t in texts)
    expected = plain_links(original)
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
