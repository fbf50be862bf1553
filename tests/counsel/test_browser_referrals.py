"""The workspace's "Demandes de rappel" pages and the case deletion's confirmation in headless Chromium,
keyboard only, axe-core on every page (WCAG 2.1 AA). The real workspace server; no assistant needed."""

from __future__ import annotations

import re

import pytest

from tests.counsel.browser import check, follow, keyboard_login, tab_to
from tests.counsel.test_referral_web import _new_referral, _row
from tests.counsel.test_web import SITUATION
from tests.counsel.workspace import PASSWORD
from tests.web.conftest import launch_browser, new_context  # noqa: F401  (Chromium + axe-core fixtures)


@pytest.fixture(scope="module")
def browser():
    """This module's own Chromium, closed after its tests (Playwright keeps a loop running meanwhile)."""
    yield from launch_browser()


pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_referral_queue_and_status_by_keyboard_with_axe(workspace, new_context, monkeypatch) -> None:  # noqa: F811
    rid = _new_referral(workspace, "CEP Arras", monkeypatch)
    page = new_context().new_page()
    seen: dict[str, list] = {}
    keyboard_login(page, workspace.url, "bruno@cep.fr", PASSWORD)

    follow(page, "nav a[href$='/demandes']", "**/conseil/demandes")
    assert page.locator("h1").inner_text() == "Demandes de rappel"
    check(page, "referrals", seen)
    follow(page, f"a[href$='/demandes/{rid}']", f"**/demandes/{rid}")
    assert "personne@exemple.fr" in page.inner_text("#contact")
    check(page, "referral", seen)

    # a refusal without a reason is refused, with a message read out
    tab_to(page, "input[name=status]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#s-refusee")
    tab_to(page, "button:has-text('Enregistrer')")
    page.keyboard.press("Enter")
    page.wait_for_selector("p.error[role=alert]")
    assert "raison du refus" in page.inner_text("p.error")
    assert _row(workspace, rid).status == "recue"
    check(page, "referral-error", seen)

    # taken in charge: Space on the first choice
    tab_to(page, "#s-prise_en_charge")
    page.keyboard.press("Space")
    tab_to(page, "button:has-text('Enregistrer')")
    page.keyboard.press("Enter")
    page.wait_for_url("**?enregistre=1")
    assert page.inner_text("#statut") == "prise en charge"
    assert "Statut enregistré" in page.inner_text("[role=status]")
    check(page, "referral-taken", seen)

    # refused with its reason, typed then sent with Enter from the reason field
    tab_to(page, "input[name=status]")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#s-refusee")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "reason"
    page.keyboard.type("Nous ne couvrons pas votre commune")
    with page.expect_navigation():  # the same URL again (…?enregistre=1)
        page.keyboard.press("Enter")
    assert page.inner_text("#statut") == "refusée — Nous ne couvrons pas votre commune"
    assert "coordonnées supprimées" in page.inner_text("#contact")
    assert page.locator("form[action$='/statut']").count() == 0  # closed: nothing left to change
    check(page, "referral-refused", seen)

    bad = {name: v for name, v in seen.items() if v}
    assert not bad, f"axe-core WCAG 2.1 AA violations: {bad}"


def test_case_deletion_asks_for_confirmation_by_keyboard(workspace, new_context) -> None:  # noqa: F811
    """RGAA 11.12: the case page's button opens a confirmation page; "Non" keeps the case, "Oui" deletes."""
    page = new_context().new_page()
    seen: dict[str, list] = {}
    keyboard_login(page, workspace.url, "anne@cep.fr", PASSWORD)
    tab_to(page, "#text")
    page.keyboard.type(SITUATION)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/conseil/dossiers/[\w-]+$"))
    case_url = page.url

    follow(page, "button:has-text('Supprimer ce dossier')", "**/supprimer")
    assert page.locator("h1").inner_text() == "Supprimer ce dossier ?"
    check(page, "delete-confirm", seen)
    follow(page, "a:has-text('Non, garder le dossier')", case_url)
    assert "« Arras »" in page.inner_text("#contenu")  # still there

    follow(page, "button:has-text('Supprimer ce dossier')", "**/supprimer")
    follow(page, "button:has-text('Oui, supprimer définitivement')", "**/conseil/dossiers?supprime=1")
    assert "Le dossier a été supprimé" in page.inner_text("[role=status]")
    check(page, "deleted", seen)
    assert page.goto(case_url).status == 404

    bad = {name: v for name, v in seen.items() if v}
    assert not bad, f"axe-core WCAG 2.1 AA violations: {bad}"
