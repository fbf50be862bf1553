"""What the assistant says about referrals: the offer after the results, what is sent, no promise without a channel."""

from __future__ import annotations

from datetime import date

from bot.conversation.dialogue import present_plan
from bot.eligibility import evaluate
from bot.referrals.channels import Channel, load_channels
from bot.referrals.structures import Offer, choose_reply, consent_reply, no_channel_reply

ABLE = Offer("s-1", "Mon CEP Arras", phone="03 21 00 00 00", channel=Channel("s-1", "a@cep.example", None))
UNABLE = Offer("s-2", "Mission locale de Lens", phone="03 21 11 11 11")


def test_the_results_offer_to_be_called_back() -> None:
    result = evaluate({"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 72, "age": 41,
                       "commune": "Arras", "code_insee": "62041"}, date(2026, 3, 15))
    titles = {b.payload: b.title for b in present_plan(result).buttons}
    assert titles["/request_callback"] == "Être recontacté(e)"


def test_only_structures_with_a_channel_are_offered() -> None:
    reply = choose_reply([ABLE, UNABLE])
    assert "Mon CEP Arras" in reply.text and "Mission locale" not in reply.text
    assert [b.payload for b in reply.buttons] == ['/request_callback{"referral_structure": "s-1"}', "/deny"]


def test_consent_says_what_is_sent_and_asks_yes_or_no() -> None:
    reply = consent_reply(ABLE)
    assert "uniquement" in reply.text and "pas notre conversation" in reply.text
    assert [(b.title, b.payload) for b in reply.buttons] == [("Oui", "/affirm"), ("Non", "/deny")]


def test_without_a_channel_the_contacts_are_given_and_nothing_is_promised() -> None:
    text = no_channel_reply([UNABLE], "France Travail : 3949").text
    assert "ne peux pas transmettre" in text and "03 21 11 11 11" in text
    assert "rappellera" not in text and "recontactera" not in text


def test_the_channels_file_keeps_only_valid_entries(tmp_path) -> None:
    path = tmp_path / "structures.yml"
    path.write_text("a:\n  email: accueil@cep.example\n  workspace: CEP Arras\nb:\n  email: pas-une-adresse\n"
                    "c: texte\n", encoding="utf-8")
    assert load_channels(path) == {"a": Channel("a", "accueil@cep.example", "CEP Arras")}
    assert load_channels(tmp_path / "absent.yml") == {}
