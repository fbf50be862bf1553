"""The admin's pages in headless Chromium, keyboard only: statistics (charts, data tables, CSV
download) and accounts (create, password shown once) — axe-core finds 0 WCAG 2.1 AA violation."""

from __future__ import annotations

import csv
import io

import pytest

from tests.counsel.browser import axe, check, follow, keyboard_login, tab_to
from tests.counsel.workspace import ADMIN, PASSWORD
from tests.web.conftest import launch_browser, new_context  # noqa: F401  (axe-core fixture)
from tests.web.widget import artifacts_dir

pytestmark = [pytest.mark.browser, pytest.mark.servers]


@pytest.fixture(scope="module")
def browser():
    """This module's own Chromium, closed after its tests."""
    yield from launch_browser()


def test_admin_keyboard_journey_with_axe(stats_workspace, generated, new_context) -> None:  # noqa: F811
    ws = stats_workspace
    _, truth, _ = generated
    page = new_context(accept_downloads=True).new_page()
    seen: dict[str, list] = {}
    keyboard_login(page, ws.url, ADMIN, PASSWORD)
    follow(page, "a[href='/conseil/statistiques']", "**/conseil/statistiques", timeout=120_000)
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 6
    for i in range(charts.count()):  # each chart: a title, a description, and a data table beside it
        chart = charts.nth(i)
        assert chart.locator("title").text_content() and chart.locator("desc").text_content()
        pair = chart.locator("xpath=ancestor::div[contains(@class,'chart-pair')]")
        assert pair.locator("table.chart-data caption").inner_text().startswith("Données du graphique")
    # open the detailed table with the keyboard, then check the whole page
    tab_to(page, "#resultats summary")
    page.keyboard.press("Enter")
    assert page.locator("#resultats details").first.evaluate("d => d.open")
    body = page.inner_text("#resultats")
    assert "masqué (moins de 10)" in body and str(sum(truth.results.values())) in body
    check(page, "stats", seen)

    tab_to(page, "a[href^='/conseil/statistiques.csv']")
    with page.expect_download() as dl:
        page.keyboard.press("Enter")
    path = artifacts_dir() / "counsel-stats.csv"
    dl.value.save_as(str(path))
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    total = next(r for r in rows if (r["indicateur"], r["mois"], r["departement"]) == ("results", "total", "total"))
    assert int(total["valeur"]) == sum(truth.results.values())

    # a period typed with the keyboard
    tab_to(page, "#depuis")
    page.keyboard.type("2026-02")
    page.keyboard.press("Enter")
    page.wait_for_url("**depuis=2026-02*", timeout=120_000)
    assert "janvier 2026" not in page.inner_text("#contenu")
    seen["stats-period"] = axe(page)

    # accounts: create one, the password is shown once
    follow(page, "a[href='/conseil/comptes']", "**/conseil/comptes")
    check(page, "accounts", seen)
    tab_to(page, "#a-email")
    page.keyboard.type("farid@cep.fr")
    page.keyboard.press("Tab")
    page.keyboard.type("Farid")
    tab_to(page, "button:has-text('Créer le compte')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#new-password")
    assert len(page.inner_text("#new-password")) >= 12
    check(page, "accounts-created", seen)

    bad = {name: v for name, v in seen.items() if v}
    assert not bad, f"axe-core WCAG 2.1 AA violations: {bad}"


def test_statistics_readable_at_200_percent_zoom(stats_workspace, new_context) -> None:  # noqa: F811
    page = new_context(viewport={"width": 640, "height": 800}).new_page()
    page.goto(stats_workspace.url + "/connexion")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(stats_workspace.url + "/statistiques", timeout=120_000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert axe(page) == []
    page.screenshot(path=str(artifacts_dir() / "counsel-stats-200pct.png"), full_page=False, caret="initial")
