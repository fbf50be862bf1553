"""Share with a counsellor from the conversation: the code opens the facts in the workspace, once; revocable."""

from __future__ import annotations

import re

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.share import ActionRevokeShare, ActionShareWithCounsellor
from bot.counsel import store
from tests.actions.conftest import make_tracker

SLOTS = {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 36,
         "seniority_months_total": 48, "commune": "Lille", "goal": "change_job"}


def _texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def _counsellor(services) -> store.Who:
    with services.session_factory() as db, db.begin():
        user = store.add_counsellor(db, email=f"c{id(services)}@cep.fr", name="C", password="motdepasse-test",
                                    structure="CEP Lille")
        token = store.open_session(db, user)
    with services.session_factory() as db:
        return store.session_user(db, token)


def test_share_code_then_counsellor_opens_the_facts(services) -> None:
    d = CollectingDispatcher()
    ActionShareWithCounsellor().run(d, make_tracker("je veux le montrer à mon conseiller", "share_with_counsellor",
                                                    slots=SLOTS), {})
    text = _texts(d)
    code = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", text).group(1)
    assert "7 jours" in text and "pas notre conversation" in text
    who = _counsellor(services)
    with services.session_factory() as db, db.begin():
        case = store.open_share(db, who, code)
        assert case.facts["contract"] == "cdi" and case.structure == "CEP Lille"
    with services.session_factory() as db, db.begin(), pytest.raises(store.AccessDenied):
        store.open_share(db, who, code)


def test_revoke_then_the_code_opens_nothing(services) -> None:
    d = CollectingDispatcher()
    tracker = make_tracker("PARTAGER", "share_with_counsellor", slots=SLOTS)
    ActionShareWithCounsellor().run(d, tracker, {})
    code = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", _texts(d)).group(1)
    d2 = CollectingDispatcher()
    ActionRevokeShare().run(d2, make_tracker("annuler le partage", "revoke_share", slots=SLOTS), {})
    assert "ne fonctionne plus" in _texts(d2)
    with services.session_factory() as db, db.begin(), pytest.raises(store.AccessDenied):
        store.open_share(db, _counsellor(services), code)


def test_nothing_to_share_yet(services) -> None:
    d = CollectingDispatcher()
    ActionShareWithCounsellor().run(d, make_tracker("PARTAGER", "share_with_counsellor"), {})
    assert "rien à partager" in _texts(d)
