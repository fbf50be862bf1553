"""The statistics page over HTTP on the real workspace server: admins only, figures, CSV download."""

from __future__ import annotations

import csv
import html
import io

import pytest
import requests

from tests.counsel.test_web import login
from tests.counsel.workspace import ADMIN
from tests.stats.generate import COMMUNES, SENTINELS

pytestmark = pytest.mark.servers


def test_only_admins_see_the_statistics(stats_workspace) -> None:
    ws = stats_workspace
    for path in ("/statistiques", "/statistiques.csv"):
        resp = requests.get(ws.url + path, allow_redirects=False, timeout=30)
        assert resp.status_code in (302, 303) and resp.headers["Location"].endswith("/conseil/connexion")
    s, _ = login(ws, "anne@cep.fr")
    assert "Statistiques" not in s.get(f"{ws.url}/dossiers", timeout=30).text  # no link for a counsellor
    for path in ("/statistiques", "/statistiques.csv"):
        resp = s.get(ws.url + path, timeout=120)
        assert resp.status_code == 403 and "réservée aux administrateurs" in html.unescape(resp.text)


def test_admin_page_and_csv(stats_workspace, generated) -> None:
    ws = stats_workspace
    _, truth, _ = generated
    s, resp = login(ws, ADMIN)
    assert 'href="/conseil/statistiques"' in resp.text
    page = s.get(f"{ws.url}/statistiques", timeout=300)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Conversations arrivées aux résultats" in text and "Nord (59)" in text and "masqué (moins de 10)" in text
    assert text.count('role="img"') >= 6 and text.count("<title id=") == text.count('role="img"')
    assert f">{sum(truth.results.values())}<" in text  # the grand total, in a data table
    # the workspace's migrations created the referrals table (empty here): the section is there, with no figure
    assert "orientations ne sont pas encore disponibles" not in text and 'id="orientations"' in text
    low = text.lower()
    assert not any(sentinel.lower() in low for sentinel in SENTINELS) and not any(c in text for c in COMMUNES)
    resp = s.get(f"{ws.url}/statistiques.csv?depuis=2026-03&jusqua=2026-03", timeout=300)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    total = next(r for r in rows if (r["indicateur"], r["mois"], r["departement"]) == ("results", "total", "total"))
    assert int(total["valeur"]) == sum(n for (m, _), n in truth.results.items() if m == "2026-03")
    assert {r["mois"] for r in rows} <= {"2026-03", "total", ""}
    bad = s.get(f"{ws.url}/statistiques?depuis=mars", timeout=60)
    assert bad.status_code == 422 and "AAAA-MM" in html.unescape(bad.text)
