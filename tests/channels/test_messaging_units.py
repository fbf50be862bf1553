"""Unit tests of channels.messaging: no server, no network."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from twilio.request_validator import RequestValidator

from channels import messaging as m
from tests.support.aio import run_async

URL_RE = re.compile(r"https?://\S+")


def long_text() -> str:
    lines = []
    for i in range(40):
        lines.append(f"Étape {i + 1} : consultez https://www.example.gouv.fr/dispositifs/{i}/details?x=1&y=2 "
                     f"pour tout savoir. Prenez des notes ! Ensuite, parlez-en à votre conseiller.")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- splitting


@pytest.mark.parametrize("limit", [m.TELEGRAM_MAX_CHARS, m.MESSENGER_MAX_CHARS, m.TWILIO_MAX_CHARS, 200, 90])
def test_split_respects_limit_and_keeps_urls_whole(limit: int) -> None:
    text = long_text()
    parts = m.split_text(text, limit)
    assert len(parts) > 1
    assert all(m.text_size(p) <= limit for p in parts)
    # nothing lost, nothing reordered (whitespace aside)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    urls = URL_RE.findall(text)
    found = [u for p in parts for u in URL_RE.findall(p)]
    assert found == urls


def test_split_prefers_paragraphs_then_lines_then_sentences() -> None:
    para_a, para_b = "A" * 50 + ".", "B" * 50 + "."
    assert m.split_text(f"{para_a}\n\n{para_b}", 80) == [para_a, para_b]
    assert m.split_text(f"{para_a}\n\n{para_b}", 200) == [f"{para_a}\n\n{para_b}"]
    assert m.split_text(f"{para_a}\n{para_b}", 80) == [para_a, para_b]
    assert m.split_text("Une phrase courte. Une autre phrase ! Et la dernière ?", 40) == [
        "Une phrase courte. Une autre phrase !", "Et la dernière ?"]


def test_split_counts_emoji_as_two_and_never_cuts_a_url_shorter_than_the_limit() -> None:
    text = "😀" * 10
    assert [m.text_size(p) for p in m.split_text(text, 8)] == [8, 8, 4]
    url = "https://www.francetravail.fr/candidat/en-formation/mes-aides-financieres.html"
    parts = m.split_text(("mot " * 30) + url + " fin", len(url) + 5)
    assert any(url in part.split() for part in parts)
    assert all(m.text_size(p) <= len(url) + 5 for p in parts)


def test_message_parts_per_paragraph_or_packed() -> None:
    text = "Premier paragraphe.\n\nDeuxième paragraphe."
    assert m.message_parts(text, 1600, per_paragraph=True) == ["Premier paragraphe.", "Deuxième paragraphe."]
    assert m.message_parts(text, 1600, per_paragraph=False) == [text]


# ----------------------------------------------------------------------------- links and choices


def test_markdown_links_become_plain_clickable_urls() -> None:
    text = ("Voir [le site](https://www.moncompteformation.gouv.fr/) ou [https://vae.gouv.fr](https://vae.gouv.fr), "
            "appelez le [03 20 00 00 00](tel:+33320000000), écrivez à [nous](mailto:contact@example.org), "
            "[piège](javascript:alert(1)) et [wiki](https://fr.wikipedia.org/wiki/VAE_(France)).")
    assert m.plain_links(text) == (
        "Voir le site : https://www.moncompteformation.gouv.fr/ ou https://vae.gouv.fr, "
        "appelez le 03 20 00 00 00, écrivez à nous : contact@example.org, "
        "piège et wiki : https://fr.wikipedia.org/wiki/VAE_(France).")
    assert m.plain_links("https://hdf.avenir-actifs.org reste tel quel") == "https://hdf.avenir-actifs.org reste tel quel"


def test_numbered_choices_in_french() -> None:
    buttons = [{"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"},
               {"title": "Le site", "url": "https://www.francetravail.fr", "type": "web_url"}]
    assert m.with_numbered_choices("Êtes-vous inscrit(e) ?", buttons) == (
        "Êtes-vous inscrit(e) ?\n\n1. Oui\n2. Non\n3. Le site : https://www.francetravail.fr\n" + m.CHOICE_HINT_FR)


@pytest.mark.parametrize("text, number", [
    ("2", 2), (" 2 ", 2), ("2.", 2), ("2)", 2), ("n°2", 2), ("N° 2", 2), ("nº2", 2), ("no 2", 2),
    ("numéro 2", 2), ("#2", 2), ("2️⃣", 2), ("２", 2), ("12", 12),
    ("0", None), ("2 ans", None), ("2 ou 3", None), ("deux", None), ("", None), (None, None), ("1.5", None),
])
def test_parse_choice_number(text: str | None, number: int | None) -> None:
    assert m.parse_choice_number(text) == number


@pytest.mark.parametrize("text, expected", [
    ("EFFACER", True), ("effacer", True), ("Effacer.", True), (" ÉFFACER ! ", True), ("/effacer", True),
    ("« effacer »", True), ("effacer ma conversation", False), ("effacé", False), ("", False), (None, False),
])
def test_is_erase_command(text: str | None, expected: bool) -> None:
    assert m.is_erase_command(text) is expected


def test_last_turn_buttons_only_from_the_latest_bot_turn() -> None:
    older = BotUttered("Votre situation ?", {"buttons": [{"title": "A", "payload": "/a"},
                                                          {"title": "B", "payload": "/b"}]})
    question = BotUttered("Depuis combien d'années ?", {})
    assert m.last_turn_buttons([older]) == [{"title": "A", "payload": "/a"}, {"title": "B", "payload": "/b"}]
    # an answer, then a question without buttons: "2" is an answer, not button 2
    assert m.last_turn_buttons([older, UserUttered("/a"), question]) == []
    # a turn made of several messages: the last one with buttons counts
    turn = [UserUttered("bonjour"), older, BotUttered("Vous pouvez aussi écrire EFFACER.", {})]
    assert [b["payload"] for b in m.last_turn_buttons(turn)] == ["/a", "/b"]
    quick = BotUttered("Oui ?", {"quick_replies": [{"title": "Oui", "payload": "/affirm"}]})
    assert m.last_turn_buttons([quick, ActionExecuted("action_listen")]) == [{"title": "Oui", "payload": "/affirm"}]


def test_choice_payload_reads_the_tracker_store() -> None:
    domain = Domain.empty()
    store = InMemoryTrackerStore(domain)
    tracker = DialogueStateTracker.from_events("conv-1", [
        UserUttered("bonjour"),
        BotUttered("Votre situation ?", {"buttons": [{"title": "Salarié", "payload": "/inform{\"status\": \"s\"}"},
                                                      {"title": "Demandeur", "payload": "/inform{\"status\": \"d\"}"}]}),
        SlotSet("requested_slot", "status"), ActionExecuted("action_listen"),
    ])

    class Agent:
        tracker_store = store
        lock_store = InMemoryLockStore()

    async def run() -> tuple:
        await store.save(tracker)
        return (await m.choice_payload(Agent, "conv-1", 2), await m.choice_payload(Agent, "conv-1", 3),
                await m.choice_payload(Agent, "unknown", 1))

    assert run_async(run()) == ('/inform{"status": "d"}', None, None)


# ----------------------------------------------------------------------------- signatures


def test_hub_signature_sha1_and_sha256_constant_time_and_fail_closed() -> None:
    body = b'{"object":"page","entry":[]}'
    sha1 = "sha1=" + hmac.new(b"s3cret", body, hashlib.sha1).hexdigest()
    sha256 = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert m.verify_hub_signature("s3cret", body, {"X-Hub-Signature": sha1})
    assert m.verify_hub_signature("s3cret", body, {"X-Hub-Signature-256": sha256, "X-Hub-Signature": "sha1=00"})
    assert not m.verify_hub_signature("s3cret", body + b" ", {"X-Hub-Signature": sha1})
    assert not m.verify_hub_signature("autre", body, {"X-Hub-Signature": sha1})
    assert not m.verify_hub_signature("s3cret", body, {})
    assert not m.verify_hub_signature("s3cret", body, {"X-Hub-Signature": "md5=abc"})
    assert not m.verify_hub_signature("s3cret", body, {"X-Hub-Signature": "nonsense"})
    assert not m.verify_hub_signature("", body, {"X-Hub-Signature": "sha1=" + hmac.new(b"", body, hashlib.sha1).hexdigest()})
    # Rasa's static API keeps working
    assert m.CapFacebookInput.validate_hub_signature("s3cret", body, sha1)


def test_twilio_signature_is_checked_by_twilios_validator() -> None:
    # The example of https://www.twilio.com/docs/usage/security#validating-requests
    url = "https://example.com/myapp.php?foo=1&bar=2"
    params = {"CallSid": ["CA1234567890ABCDE"], "Caller": ["+12349013030"], "Digits": ["1234"],
              "From": ["+12349013030"], "To": ["+18005551212"], "Empty": [""]}
    token = "12345"
    signed = RequestValidator(token).compute_signature(url, {k: v[0] for k, v in params.items()})
    manual = base64.b64encode(hmac.new(token.encode(), (url + "".join(k + v[0] for k, v in sorted(params.items()))).encode(),
                                       hashlib.sha1).digest()).decode()
    assert signed == manual
    assert m.verify_twilio_signature(url, params, token, signed)
    assert not m.verify_twilio_signature(url, {**params, "Digits": ["9999"]}, token, signed)
    assert not m.verify_twilio_signature(url, params, "other", signed)
    assert not m.verify_twilio_signature(url, params, token, None)
    assert not m.verify_twilio_signature(url, params, None, signed)
    # Twilio may sign with or without the default port
    with_port = RequestValidator(token).compute_signature("https://example.com:443/sms", {"A": "1"})
    assert m.verify_twilio_signature("https://example.com/sms", {"A": ["1"]}, token, with_port)
    # a parameter sent twice is signed with both values
    both = base64.b64encode(hmac.new(token.encode(), (url + "A1A2").encode(), hashlib.sha1).digest()).decode()
    assert m.verify_twilio_signature(url, {"A": ["2", "1"]}, token, both)
    assert not hasattr(m, "twilio_signature")  # no hand-written copy of Twilio's algorithm


# ----------------------------------------------------------------------------- configuration


def test_twilio_requests_are_rebased_and_senders_chosen() -> None:
    client = m.RebasedTwilioHttpClient("http://127.0.0.1:9999/base")
    assert client.rebase("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?a=1") == \
        "http://127.0.0.1:9999/base/2010-04-01/Accounts/AC1/Messages.json?a=1"
    assert client.rebase("https://example.org/x") == "https://example.org/x"
    assert m.RebasedTwilioHttpClient(None).rebase("https://api.twilio.com/x") == "https://api.twilio.com/x"
    out = m.CapTwilioOutput("AC1", "token", "+15005550006")
    assert out.sender_for("+33612345678") == "+15005550006"
    assert out.sender_for("whatsapp:+33612345678") == "whatsapp:+15005550006"
    out = m.CapTwilioOutput("AC1", "token", "+15005550006", whatsapp_number="whatsapp:+14155238886")
    assert out.sender_for("whatsapp:+33612345678") == "whatsapp:+14155238886"


def test_settings_from_credentials_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_API_BASE", "http://127.0.0.1:1")
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", "abc")
    monkeypatch.setenv("FACEBOOK_GRAPH_URL", "http://127.0.0.1:2/v19.0")
    monkeypatch.delenv("TWILIO_VALIDATE_SIGNATURE", raising=False)  # on by default
    monkeypatch.setenv("TWILIO_WEBHOOK_URL", "https://bot.example.org/webhooks/twilio/webhook")
    monkeypatch.delenv("TWILIO_API_BASE", raising=False)
    telegram = m.CapTelegramInput.from_credentials({"access_token": "1:a", "verify": "bot", "webhook_url": ""})
    assert (telegram.api_base, telegram.secret_token) == ("http://127.0.0.1:1", "abc")
    assert telegram.get_output_channel().server.api_url("1:a", "getMe") == "http://127.0.0.1:1/bot1:a/getMe"
    facebook = m.CapFacebookInput.from_credentials({"verify": "v", "secret": "s", "page-access-token": "t"})
    assert facebook.get_output_channel().messenger_client.graph_url == "http://127.0.0.1:2/v19.0"
    twilio = m.CapTwilioInput.from_credentials({"account_sid": "AC1", "auth_token": "t", "twilio_number": "+1"})
    assert twilio.validate_signature and twilio.api_base is None
    assert twilio.webhook_url == "https://bot.example.org/webhooks/twilio/webhook"
    assert twilio.get_output_channel().http_client.rebase("https://api.twilio.com/x") == "https://api.twilio.com/x"
    # defaults: the real platforms
    monkeypatch.delenv("TELEGRAM_API_BASE")
    monkeypatch.delenv("FACEBOOK_GRAPH_URL")
    telegram = m.CapTelegramInput.from_credentials({"access_token": "1:a", "verify": "bot", "webhook_url": ""})
    assert telegram.get_output_channel().server.api_url("1:a", "getMe") == "https://api.telegram.org/bot1:a/getMe"
    facebook = m.CapFacebookInput.from_credentials({"verify": "v", "secret": "s", "page-access-token": "t"})
    assert facebook.get_output_channel().messenger_client.graph_url.startswith("https://graph.facebook.com/v")
