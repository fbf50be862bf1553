"""Referral actions with a real Tracker, the real knowledge base and a local SMTP server."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.help import ActionHumanContacts
from actions.referral import ActionReferralStatus, ActionReferralSubmit, ValidateReferralForm
from bot.counsel.models import Referral
from tests.actions.conftest import make_tracker
from tests.fakes.smtp_server import running_smtp
from tests.support.aio import run_async

CEP = "mon-cep-hdf-avenir-actifs"
SLOTS = {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 72, "age": 41,
         "commune": "Arras", "code_insee": "62041"}


def _texts(d: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in d.messages)


@pytest.fixture()
def smtp(monkeypatch, tmp_path):
    mapping = tmp_path / "structures.yml"
    mapping.write_text(f"{CEP}:\n  email: accueil@cep.example\n  workspace: CEP Arras\n", encoding="utf-8")
    monkeypatch.setenv("REFERRAL_STRUCTURES_FILE", str(mapping))
    monkeypatch.setenv("CAP_REFERRAL_KEY", "k" * 32)
    with running_smtp() as sink:
        monkeypatch.setenv("SMTP_HOST", sink.host)
        monkeypatch.setenv("SMTP_PORT", str(sink.port))
        monkeypatch.setenv("SMTP_TLS", "none")
        yield sink


def _referrals(services) -> list[Referral]:
    from bot.counsel.store import ensure_migrated

    ensure_migrated(services.session_factory.kw["bind"])
    with services.session_factory() as db:
        return list(db.execute(select(Referral)).scalars())


def _submit(services, sender: str, **slots) -> str:
    d = CollectingDispatcher()
    tracker = make_tracker("", "inform", slots={**SLOTS, "referral_structure": CEP, **slots})
    tracker.sender_id = sender
    ActionReferralSubmit().run(d, tracker, {})
    return _texts(d)


def test_without_a_configured_channel_the_assistant_gives_contacts_and_promises_nothing(services, monkeypatch,
                                                                                       tmp_path) -> None:
    monkeypatch.delenv("SMTP_HOST", raising=False)
    monkeypatch.setenv("REFERRAL_STRUCTURES_FILE", str(tmp_path / "none.yml"))
    form = ValidateReferralForm()
    assert run_async(form.required_slots([], CollectingDispatcher(), make_tracker(slots=SLOTS), {})) == []
    text = _submit(services, "no-channel", referral_consent=True, referral_contact="phone:06 12 34 56 78")
    assert "Je ne peux pas transmettre" in text and "Mon CEP" in text
    assert "rappellera" not in text and "recontactera" not in text
    assert not [r for r in _referrals(services) if r.structure_id == CEP]


def test_consent_creates_and_sends_no_consent_sends_nothing(services, smtp) -> None:
    before = len(_referrals(services))
    assert "je n'envoie rien" in _submit(services, "no", referral_consent=False)
    assert not smtp.messages and len(_referrals(services)) == before
    text = _submit(services, "yes", referral_consent=True, referral_contact="phone:06 12 34 56 78")
    assert "transmise à Mon CEP" in text, text
    (mail,) = smtp.wait_for(1)
    assert mail.rcpt_tos == ["accueil@cep.example"] and "06 12 34 56 78" not in mail.body
    d = CollectingDispatcher()
    tracker = make_tracker("où en est ma demande ?", "referral_status")
    tracker.sender_id = "yes"
    ActionReferralStatus().run(d, tracker, {})
    assert "a bien été transmise" in _texts(d)
    assert "déjà une demande en cours" in _submit(services, "yes", referral_consent=True,
                                                   referral_contact="phone:06 12 34 56 78")
    assert len(smtp.messages) == 1


def test_smtp_down_keeps_nothing_and_says_so(services, smtp, monkeypatch) -> None:
    from tests.support.servers import free_port

    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nobody listens there
    before = len(_referrals(services))
    text = _submit(services, "down", referral_consent=True, referral_contact="email:marie@exemple.fr")
    assert "pas réussi à transmettre" in text and len(_referrals(services)) == before


def test_contact_is_validated(services, smtp) -> None:
    form = ValidateReferralForm()
    d = CollectingDispatcher()
    assert form.validate_referral_contact("06 12 34", d, make_tracker(slots=SLOTS), {}) == {"referral_contact": None}
    assert "pas reconnu" in _texts(d)
    assert form.validate_referral_contact("+33 6 12 34 56 78", d, make_tracker(slots=SLOTS), {}) == \
        {"referral_contact": "phone:06 12 34 56 78"}


def test_handoff_offers_the_referral_to_a_structure_that_can_receive_it(services, smtp) -> None:
    services.now = lambda: datetime(2026, 12, 3, 10)
    d = CollectingDispatcher()
    ActionHumanContacts().run(d, make_tracker("je veux parler à quelqu'un", "ask_human", slots=SLOTS), {})
    last = d.messages[-1]
    # the catalogue's Mon CEP states no opening hours: offered, saying they are unknown
    assert "Je ne connais pas les horaires de Mon CEP" in last["text"]
    assert last["buttons"][0]["payload"] == f'/request_callback{{"referral_structure": "{CEP}"}}'


# -- the reading mode (issue 13): with easy_read on, every referral action speaks the FALC wording ----------------

def _wording(falc: bool) -> dict:
    from bot.conversation.dialogue import messages
    from bot.reading import easy_read

    with easy_read(falc):
        return messages()["referral"]


def _fixed(template: str) -> list[str]:
    """The fixed words of a message (between its placeholders)."""
    return [part.strip() for part in re.split(r"\{[^}]*\}", template) if len(part.strip()) > 3]


def _contact_turn(slots: dict, value: str):
    """The tracker the form's validation receives after the person typed a contact."""
    from rasa_sdk import Tracker

    return Tracker("falc-form", {**slots, "referral_contact": value, "requested_slot": "referral_contact"},
                   {"text": value, "intent": {"name": "inform"}, "entities": []},
                   [{"event": "user", "text": value},
                    {"event": "slot", "name": "referral_contact", "value": value}],
                   False, None, {"name": "referral_form"}, "action_listen")


@pytest.mark.parametrize("falc", [False, True], ids=["normal", "falc"])
def test_every_referral_action_speaks_the_conversations_reading_mode(services, smtp, falc) -> None:
    from actions.referral import (
        ActionCancelReferral,
        ActionReferralStop,
        AskReferralConsent,
        AskReferralContact,
        AskReferralStructure,
    )

    said, other = _wording(falc), _wording(not falc)
    slots = {**SLOTS, "easy_read": falc, "referral_structure": CEP}
    sender = f"mode-{falc}"

    def run(action, tracker=None, **extra) -> str:
        d = CollectingDispatcher()
        tracker = tracker or make_tracker("", "inform", slots={**slots, **extra})
        tracker.sender_id = sender
        result = action.run(d, tracker, {"forms": {"referral_form": {"required_slots": []}}})
        if hasattr(result, "__await__"):
            run_async(result)
        return _texts(d)

    def check(text: str, key: str, *path: str) -> None:
        mine, theirs = said, other
        for p in (key, *path):
            mine, theirs = mine[p], theirs[p]
        assert mine != theirs, key  # the two modes are told apart by their words
        assert all(part in text for part in _fixed(mine)), (key, text)
        assert not all(part in text for part in _fixed(theirs)), (key, text)

    check(run(ActionReferralStatus()), "none_yet")
    check(run(AskReferralStructure()), "choose")
    check(run(AskReferralConsent()), "what_is_sent")
    check(run(AskReferralContact()), "ask_contact")
    check(run(ValidateReferralForm(), _contact_turn(slots, "06 12 34")), "bad_contact")
    check(run(ActionReferralStop()), "no_consent")
    check(run(ActionReferralSubmit(), referral_consent=False), "no_consent")
    check(run(ActionReferralSubmit(), referral_consent=True, referral_contact="phone:06 12 34 56 78"), "sent")
    check(run(ActionReferralStatus()), "status", "recue")
    check(run(ActionReferralSubmit(), referral_consent=True, referral_contact="phone:06 12 34 56 78"), "already")
    check(run(ActionCancelReferral()), "cancelled")
    services.now = lambda: datetime(2026, 12, 3, 10)
    check(run(ActionHumanContacts(), make_tracker("je veux parler à quelqu'un", "ask_human", slots=slots)),
          "offer")
