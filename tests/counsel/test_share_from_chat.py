"""A code produced by a real chat (trained model + action server) opens the case in the workspace."""

from __future__ import annotations

import html
import re

import pytest

from tests.counsel.test_web import _csrf, login
from tests.support.servers import running_assistant

pytestmark = [pytest.mark.servers, pytest.mark.rasa]


def test_code_from_a_real_chat_opens_the_facts(workspace, tmp_path) -> None:
    env = {"DATABASE_URL": workspace.database_url, "CAP_AS_OF": "2026-03-15"}
    with running_assistant(tmp_path / "assistant", env=env) as assistant:
        assistant.say("share-1", "Je suis en CDI depuis 3 ans dans une boîte de logistique à Lille, "
                                 "je voudrais devenir plombier")
        replies = assistant.say("share-1", "PARTAGER")
        text = " ".join(r.get("text", "") for r in replies)
        match = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", text)
        assert match, text
        code = match.group(1)
        # "annuler le partage" would revoke it; here the counsellor opens it
    s, _ = login(workspace, "anne@cep.fr")
    csrf = _csrf(s.get(f"{workspace.url}/dossiers", timeout=30).text)
    resp = s.post(f"{workspace.url}/code", data={"csrf": csrf, "code": code}, timeout=60)
    page = html.unescape(resp.text)
    assert resp.status_code == 200 and "Lille" in page and "Projet de transition professionnelle" in page
    assert "logistique" not in page  # the facts, never the transcript
    again = s.post(f"{workspace.url}/code", data={"csrf": csrf, "code": code}, timeout=60)
    assert again.status_code == 404
