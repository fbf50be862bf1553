"""Referral with consent, end to end on real servers: a chat (trained model + action server) → consent →
referral → e-mail received by a local SMTP server → status changed in the workspace → the person reads
it; without consent nothing is sent; erasing the conversation removes the open referral; purge removes
closed ones after the retention; nothing personal in any log."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import urllib.request

import pytest
from sqlalchemy import select

from bot.catalogue.db import make_engine, make_sessionmaker
from bot.counsel.models import Referral
from tests.conftest import REPO
from tests.counsel.test_web import _csrf, login
from tests.fakes.smtp_server import running_smtp
from tests.support.servers import running_assistant

pytestmark = [pytest.mark.servers, pytest.mark.rasa]

STORY = "Je suis salariée en CDI depuis 6 ans dans un supermarché à Arras, j'ai 41 ans"
PHONE = "06 12 34 56 78"
EMAIL = "marie.exemple@courriel.example"
CEP = "mon-cep-hdf-avenir-actifs"  # Mon CEP Hauts-de-France: serves Arras (catalogue)


def _texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def _button(replies: list[dict], needle: str) -> str:
    for r in replies:
        for b in r.get("buttons") or []:
            if needle in b["payload"]:
                return b["payload"]
    raise AssertionError(f"no button {needle!r} in {replies}")


def _referrals(database_url: str) -> list[Referral]:
    """The referrals to Mon CEP (the workspace database is shared with the other tests of the session)."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            return list(db.execute(select(Referral).where(Referral.structure_id == CEP).order_by(Referral.id))
                        .scalars())
    finally:
        engine.dispose()


def _ask_callback(assistant, sender: str, contact: str | None) -> str:
    """Tell the story, ask to be called back by Mon CEP, consent (or not), give the contact."""
    assistant.say(sender, STORY)
    replies = assistant.say(sender, "je veux être recontactée")
    assert "Quelle structure" in _texts(replies), replies
    replies = assistant.say(sender, _button(replies, CEP))
    text = _texts(replies)
    assert "uniquement" in text and "Êtes-vous d'accord" in text, replies  # what is sent, then the question
    assert [b["title"] for b in replies[-1]["buttons"]] == ["Oui", "Non"]
    if contact is None:
        return _texts(assistant.say(sender, "/deny"))
    assert "téléphone ou quelle adresse e-mail" in _texts(assistant.say(sender, "/affirm"))
    assert "pas reconnu" in _texts(assistant.say(sender, "06 12 34"))  # validated: asked again
    return _texts(assistant.say(sender, contact))


def test_referral_from_a_real_chat(workspace, tmp_path, monkeypatch) -> None:
    mapping = tmp_path / "referral-structures.yml"
    mapping.write_text(f'{CEP}:\n  email: accueil@cep.example\n  workspace: "CEP Arras"\n', encoding="utf-8")
    with running_smtp() as smtp:
        env = {"DATABASE_URL": workspace.database_url, "CAP_AS_OF": "2026-03-15", "SMTP_HOST": smtp.host,
               "SMTP_PORT": str(smtp.port), "SMTP_TLS": "none", "REFERRAL_STRUCTURES_FILE": str(mapping),
               "CAP_REFERRAL_KEY": "referral-test-key", "COUNSEL_PUBLIC_URL": workspace.url + "/"}
        with running_assistant(tmp_path / "assistant", env=env) as assistant:
            # ---- consent → referral → e-mail with the facts and results, not the contact nor free text
            done = _ask_callback(assistant, "referral-1", PHONE)
            assert "transmise à Mon CEP" in done and "06 •• •• •• 78" in done, done
            (mail,) = smtp.wait_for(1)
            assert mail.rcpt_tos == ["accueil@cep.example"]
            body = mail.body
            assert "CDI" in body and "Arras" in body and "41" in body
            assert "Dispositifs qui lui correspondent" in body and "Compte personnel de formation" in body
            assert "par téléphone" in body and PHONE not in body and "supermarché" not in body
            link = re.search(re.escape(workspace.url) + r"/demandes/[\w-]+", body).group(0)
            (ref,) = _referrals(workspace.database_url)
            assert ref.status == "recue" and ref.departement == "62" and ref.contact == PHONE
            assert "referral-1" not in ref.conversation_hash

            # ---- the workspace: only the structure's counsellors, who take it in charge
            s, _ = login(workspace, "anne@cep.fr")
            queue = html.unescape(s.get(f"{workspace.url}/demandes", timeout=30).text)
            assert "Reçue" in queue or "reçue" in queue
            page = s.get(link, timeout=30)
            assert page.status_code == 200 and PHONE in html.unescape(page.text)
            other, _ = login(workspace, "chloe@ft.fr")
            assert other.get(link, timeout=30).status_code == 404
            assert other.post(link + "/statut", data={"csrf": _csrf(other.get(f"{workspace.url}/dossiers").text),
                                                      "status": "close"}, timeout=30).status_code == 404
            assert s.post(link + "/statut", data={"status": "prise_en_charge"}, timeout=30).status_code == 403
            resp = s.post(link + "/statut", data={"csrf": _csrf(page.text), "status": "prise_en_charge"},
                          timeout=30)
            assert resp.status_code == 200 and "prise en charge" in html.unescape(resp.text)

            # ---- the person asks and reads the new status
            status = _texts(assistant.say("referral-1", "où en est ma demande ?"))
            assert "a pris en charge votre demande" in status, status

            # ---- without consent nothing is created nor sent
            refused = _ask_callback(assistant, "referral-2", None)
            assert "je n'envoie rien" in refused, refused
            assert len(smtp.messages) == 1 and len(_referrals(workspace.database_url)) == 1

            # ---- erasing the conversation (widget button) removes its open referral
            monkeypatch.setenv("CAP_SESSION_SECRET", assistant.env["CAP_SESSION_SECRET"])
            from channels.web import issue_session

            session_id, token = issue_session()
            assert "transmise" in _ask_callback(assistant, session_id, EMAIL)
            smtp.wait_for(2)
            assert len(_referrals(workspace.database_url)) == 2
            req = urllib.request.Request(f"{assistant.rasa_url}/webhooks/privacy/erase",
                                         data=json.dumps({"session_id": token}).encode(),
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as erased:
                assert erased.status == 204
            assert [r.public_id for r in _referrals(workspace.database_url)] == [ref.public_id]

            # ---- closed: contact deleted; purge deletes it once the retention is over
            page = s.get(link, timeout=30)
            s.post(link + "/statut", data={"csrf": _csrf(page.text), "status": "close"}, timeout=30)
            (closed,) = _referrals(workspace.database_url)
            assert closed.status == "close" and closed.contact is None and closed.closed_at is not None
            assert "close" in _texts(assistant.say("referral-1", "où en est ma demande ?"))
            purge_env = {**assistant.env, "DATABASE_URL": workspace.database_url}
            cmd = [sys.executable, "-m", "bot", "purge", "--endpoints", str(tmp_path / "assistant" / "endpoints.yml")]
            kept = subprocess.run(cmd, cwd=REPO, env=purge_env, capture_output=True, text=True, timeout=300)
            assert kept.returncode == 0, kept.stderr
            assert len(_referrals(workspace.database_url)) == 1  # closed today: kept 30 days
            gone = subprocess.run(cmd, cwd=REPO, env={**purge_env, "REFERRAL_RETENTION_DAYS": "0"},
                                  capture_output=True, text=True, timeout=300)
            purged = re.search(r"(\d+) demande\(s\) de rappel", gone.stderr)
            assert gone.returncode == 0 and purged and int(purged.group(1)) >= 1, gone.stderr
            assert _referrals(workspace.database_url) == []

        # ---- nothing personal in any log
        logs = [tmp_path / "assistant" / "actions.log", tmp_path / "assistant" / "rasa.log", workspace.log]
        for log in logs:
            content = log.read_text(errors="replace")
            for secret in (PHONE, PHONE.replace(" ", ""), EMAIL, "supermarché", "06 12 34"):
                assert secret not in content, f"{secret!r} in {log.name}"
