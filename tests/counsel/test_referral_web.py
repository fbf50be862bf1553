"""The referral queue of the real workspace server: isolation per structure, CSRF, statuses, refusal reason."""

from __future__ import annotations

import html

import pytest

from bot.catalogue.db import make_engine, make_sessionmaker
from bot.counsel.models import Referral
from bot.referrals import service
from bot.referrals.contact import Contact
from tests.counsel.test_web import _csrf, login

pytestmark = pytest.mark.servers


def _new_referral(ws, structure: str, monkeypatch) -> str:
    monkeypatch.setenv("CAP_REFERRAL_KEY", "web-test-key")
    engine = make_engine(ws.database_url)
    try:
        with make_sessionmaker(engine)() as db, db.begin():
            ref = service.create_referral(
                db, sender_id="web-conv", target=service.Target("s-1", "Mon CEP Arras", structure, "a@cep.example"),
                contact=Contact("email", "personne@exemple.fr"), facts={"age": 41, "commune": "Arras"},
                results={"recommended": [{"id": "cpf", "title": "Compte personnel de formation"}]},
                departement="62")
            return ref.public_id
    finally:
        engine.dispose()


def _row(ws, rid: str) -> Referral:
    engine = make_engine(ws.database_url)
    try:
        with make_sessionmaker(engine)() as db:
            return db.query(Referral).filter_by(public_id=rid).one()
    finally:
        engine.dispose()


def test_queue_statuses_and_isolation(workspace, monkeypatch) -> None:
    rid = _new_referral(workspace, "CEP Arras", monkeypatch)
    link = f"{workspace.url}/demandes/{rid}"
    anne, _ = login(workspace, "anne@cep.fr")
    queue = html.unescape(anne.get(f"{workspace.url}/demandes", timeout=30).text)
    assert rid in queue and "reçue" in queue
    page = html.unescape(anne.get(link, timeout=30).text)
    assert "personne@exemple.fr" in page and "Compte personnel de formation" in page and "41" in page
    chloe, _ = login(workspace, "chloe@ft.fr")
    assert rid not in chloe.get(f"{workspace.url}/demandes", timeout=30).text
    assert chloe.get(link, timeout=30).status_code == 404
    # CSRF required; a refusal needs a reason; then the reason is kept and the contact deleted
    assert anne.post(link + "/statut", data={"status": "refusee", "reason": "x"}, timeout=30).status_code == 403
    csrf = _csrf(anne.get(link, timeout=30).text)
    resp = anne.post(link + "/statut", data={"csrf": csrf, "status": "refusee", "reason": " "}, timeout=30)
    assert resp.status_code == 422 and "raison du refus" in html.unescape(resp.text)
    resp = anne.post(link + "/statut", data={"csrf": csrf, "status": "refusee",
                                             "reason": "Nous ne couvrons pas votre commune"}, timeout=30)
    page = html.unescape(resp.text)
    assert resp.status_code == 200 and "refusée — Nous ne couvrons pas votre commune" in page
    assert "personne@exemple.fr" not in page
    row = _row(workspace, rid)
    assert row.status == "refusee" and row.contact is None and row.closed_at is not None
    # closed: no more changes
    resp = anne.post(link + "/statut", data={"csrf": csrf, "status": "prise_en_charge"}, timeout=30)
    assert resp.status_code == 422 and _row(workspace, rid).status == "refusee"
