"""Account management by an admin, on the real workspace server: list, create (password shown once),
deactivate; CSRF, login, 403 for counsellors."""

from __future__ import annotations

import html
import re

import pytest
import requests

from tests.counsel.test_web import _csrf, login
from tests.counsel.workspace import ADMIN

pytestmark = pytest.mark.servers


def test_accounts_need_login_and_the_admin_role(workspace) -> None:
    resp = requests.get(f"{workspace.url}/comptes", allow_redirects=False, timeout=30)
    assert resp.status_code in (302, 303) and resp.headers["Location"].endswith("/conseil/connexion")
    resp = requests.post(f"{workspace.url}/comptes", data={"csrf": "x", "email": "x@y.fr"}, allow_redirects=False,
                         timeout=30)
    assert resp.status_code in (302, 303)
    s, _ = login(workspace, "bruno@cep.fr")
    csrf = _csrf(s.get(f"{workspace.url}/dossiers", timeout=30).text)
    assert s.get(f"{workspace.url}/comptes", timeout=30).status_code == 403
    resp = s.post(f"{workspace.url}/comptes", data={"csrf": csrf, "email": "intrus@cep.fr", "structure": "X"},
                  timeout=30)
    assert resp.status_code == 403
    assert s.post(f"{workspace.url}/comptes/1/desactiver", data={"csrf": csrf}, timeout=30).status_code == 403
    admin, _ = login(workspace, ADMIN)
    assert "intrus@cep.fr" not in admin.get(f"{workspace.url}/comptes", timeout=30).text


def test_admin_creates_an_account_with_a_password_shown_once_then_deactivates_it(workspace) -> None:
    s, _ = login(workspace, ADMIN)
    page = s.get(f"{workspace.url}/comptes", timeout=30)
    assert page.status_code == 200 and "anne@cep.fr" in page.text and "chloe@ft.fr" in page.text
    csrf = _csrf(page.text)
    forged = s.post(f"{workspace.url}/comptes", data={"csrf": "forged", "email": "eve@cep.fr", "structure": "CEP Arras"},
                    timeout=30)
    assert forged.status_code == 403
    resp = s.post(f"{workspace.url}/comptes", data={"csrf": csrf, "email": "Eve@CEP.fr", "name": "Ève",
                                                     "structure": "CEP Arras", "role": "counsellor"}, timeout=60)
    assert resp.status_code == 201
    password = re.search(r'id="new-password">([^<]+)<', resp.text).group(1)
    assert len(password) >= 12
    again = s.get(f"{workspace.url}/comptes", timeout=30).text
    assert "eve@cep.fr" in again and password not in again  # shown once
    dup = s.post(f"{workspace.url}/comptes", data={"csrf": csrf, "email": "eve@cep.fr", "structure": "CEP Arras"},
                 timeout=60)
    assert dup.status_code == 422 and "existe déjà" in html.unescape(dup.text)

    eve, logged = login(workspace, "eve@cep.fr", password)
    assert logged.url.endswith("/conseil/dossiers")
    assert eve.get(f"{workspace.url}/comptes", timeout=30).status_code == 403  # a counsellor, not an admin

    uid = re.search(r'action="/conseil/comptes/(\d+)/desactiver">\s*<input[^>]*>\s*<button[^>]*eve@cep\.fr', again)
    assert uid, again
    done = s.post(f"{workspace.url}/comptes/{uid.group(1)}/desactiver", data={"csrf": csrf}, timeout=30)
    assert done.status_code == 200 and "désactivé" in html.unescape(done.text)
    # her open session ends at once, and she cannot log in again
    assert eve.get(f"{workspace.url}/dossiers", allow_redirects=False, timeout=30).status_code in (302, 303)
    _, retry = login(workspace, "eve@cep.fr", password)
    assert retry.status_code == 401


def test_an_admin_cannot_deactivate_their_own_account(workspace) -> None:
    from sqlalchemy import select

    from bot.catalogue.db import make_engine, make_sessionmaker
    from bot.counsel.models import Counsellor

    engine = make_engine(workspace.database_url)
    with make_sessionmaker(engine)() as db:
        admin_id = db.execute(select(Counsellor.id).where(Counsellor.email == ADMIN)).scalar_one()
    engine.dispose()
    s, _ = login(workspace, ADMIN)
    page = s.get(f"{workspace.url}/comptes", timeout=30).text
    assert "Votre compte" in page and f"/comptes/{admin_id}/desactiver" not in page  # no button on one's own row
    resp = s.post(f"{workspace.url}/comptes/{admin_id}/desactiver", data={"csrf": _csrf(page)}, timeout=30)
    assert resp.status_code == 422 and "propre compte" in html.unescape(resp.text)
    assert s.get(f"{workspace.url}/comptes", timeout=30).status_code == 200
