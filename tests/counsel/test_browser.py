"""The workspace in headless Chromium, keyboard only: log in, analyse, correct a fact, read a scheme's
reasoning, run a what-if, download the synthesis, open the case of a code produced by a real chat
(the real assistant, its "Partager avec mon conseiller" button), log out — axe-core on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.counsel.browser import axe, check, tab_to
from tests.counsel.workspace import PASSWORD
from tests.web.conftest import launch_browser, new_context  # noqa: F401  (Chromium + axe-core fixtures)
from tests.web.widget import artifacts_dir


@pytest.fixture(scope="module")
def browser():
    """This module's own Chromium, closed after its tests (Playwright keeps a loop running meanwhile)."""
    yield from launch_browser()

pytestmark = [pytest.mark.browser, pytest.mark.servers, pytest.mark.rasa]
#: The person's chat (tests/web/real_assistant_script.json): the facts, one "Non", then the results.
CHAT = ("Je suis en CDI depuis 3 ans à Lens, j'ai 31 ans, j'ai travaillé 4 ans en tout et je ne suis pas "
        "inscrit à France Travail. Je voudrais devenir plombier.")
SHARE_BUTTON = "Partager avec mon conseiller"


@pytest.fixture(scope="module")
def chat_code(workspace, tmp_path_factory) -> str:
    """A share code said by the real assistant after the person pressed "Partager avec mon conseiller"."""
    from tests.support.servers import running_assistant

    env = {"DATABASE_URL": workspace.database_url, "CAP_AS_OF": "2026-03-15"}
    with running_assistant(tmp_path_factory.mktemp("assistant"), env=env) as assistant:
        replies = assistant.say("partage-nav", CHAT)
        for _ in range(6):
            buttons = {b["title"]: b["payload"] for r in replies for b in r.get("buttons") or []}
            if SHARE_BUTTON in buttons:
                replies = assistant.say("partage-nav", buttons[SHARE_BUTTON])
                break
            assert "Non" in buttons, replies  # the one question this story leaves (RQTH)
            replies = assistant.say("partage-nav", buttons["Non"])
        else:
            raise AssertionError("the results never offered to share")
    said = " ".join(r.get("text", "") for r in replies)
    match = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b", said)
    assert match and "pas notre conversation" in said, said
    return match.group(1)

SITUATION = ("Je suis en CDD depuis 4 mois dans un EHPAD à Arras (avant j'ai fait 2 ans d'intérim). "
             "Je voudrais faire la formation d'aide-soignante, j'ai 34 ans.")
def test_keyboard_journey_with_axe(workspace, chat_code, new_context) -> None:  # noqa: F811
    context = new_context(accept_downloads=True)
    page = context.new_page()
    seen: dict[str, list] = {}

    page.goto(workspace.url + "/")
    assert page.url.endswith("/conseil/connexion")
    check(page, "login", seen)
    tab_to(page, "#email")
    page.keyboard.type("anne@cep.fr")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/conseil/dossiers")
    check(page, "cases", seen)

    tab_to(page, "#text")
    page.keyboard.type(SITUATION)
    page.keyboard.press("Tab")  # the "Analyser" button
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/conseil/dossiers/[\w-]+$"))
    case_url = page.url
    assert "« Arras »" in page.inner_text("#contenu")
    check(page, "case", seen)
    # the README's picture (docs/images/counsel-workspace.png is a copy of this file)
    page.screenshot(path=str(artifacts_dir() / "counsel-workspace.png"), full_page=False, caret="initial")

    # correct a fact: 34 → 35 years old, through the keyboard
    tab_to(page, "#f_age")
    page.keyboard.press("Control+A")
    page.keyboard.type("35")
    tab_to(page, "button:has-text('Enregistrer les faits')")
    page.keyboard.press("Enter")
    page.wait_for_url("**?enregistre=1*")
    assert page.input_value("#f_age") == "35"
    assert "Les faits ont été enregistrés" in page.inner_text("#contenu")

    # one scheme's full reasoning
    tab_to(page, "a[href$='/dispositifs/ptp']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dispositifs/ptp")
    body = page.inner_text("#contenu")
    assert "PTP-R2" in body and "Règle vérifiée le" in body
    assert page.locator("a[href^='https://travail-emploi.gouv.fr']").count() >= 1
    check(page, "scheme", seen)

    # what-if: more seniority, compared to the case, which stays as it was
    page.goto(case_url)
    tab_to(page, "a[href$='/simulation']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/simulation")
    check(page, "whatif-form", seen)
    tab_to(page, "#f_seniority_months_company")
    page.keyboard.press("Control+A")
    page.keyboard.type("14")
    tab_to(page, "button:has-text('Simuler')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#h-diff")
    assert "Inchangés" in page.inner_text("#contenu")
    check(page, "whatif", seen)
    page.goto(case_url)
    assert page.input_value("#f_seniority_months_company") == "4"

    # the synthesis, downloaded, rendered and read
    tab_to(page, "a[href$='/synthese.pdf']")
    with page.expect_download() as dl:
        page.keyboard.press("Enter")
    pdf = artifacts_dir() / "counsel-synthesis.pdf"
    dl.value.save_as(str(pdf))
    text = _pdf_text_and_png(pdf, artifacts_dir() / "counsel-synthesis-page1.png")
    assert "Projet de transition professionnelle" in text and "Votre plan" in text
    assert re.search(r"https://\S+", text)

    # the case a person shared from their chat, opened from the code the assistant gave them
    page.goto(workspace.url + "/dossiers")
    tab_to(page, "#code")
    page.keyboard.type(chat_code)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/conseil/dossiers/[\w-]+$"))
    shared = page.inner_text("#contenu")
    assert page.url != case_url and "Lens" in page.content() and "Projet de transition professionnelle" in shared
    assert "j'ai travaillé 4 ans en tout" not in shared  # the facts, never the transcript
    check(page, "shared-case", seen)

    # log out
    tab_to(page, "button:has-text('Se déconnecter')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/conseil/connexion*")
    page.goto(workspace.url + "/dossiers")
    assert page.url.endswith("/conseil/connexion")

    bad = {name: v for name, v in seen.items() if v}
    assert not bad, f"axe-core WCAG 2.1 AA violations: {bad}"


def test_readable_at_200_percent_zoom(workspace, new_context) -> None:  # noqa: F811
    """A 640 px wide window is what a 1280 px screen shows at 200 %: no horizontal scrolling."""
    page = new_context(viewport={"width": 640, "height": 800}).new_page()
    _open_analysed_case(page, workspace)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(artifacts_dir() / "counsel-case-200pct.png"), full_page=False, caret="initial")
    # the person's synthesis as a web page: same check, and axe-core
    page.goto(page.url + "/synthese.html")
    assert page.locator("h1").inner_text() == "Votre plan de reconversion"
    # styled under the workspace's strict CSP (a linked stylesheet, not an inline one)
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") == "rgb(18, 48, 90)"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert axe(page) == []
    page.screenshot(path=str(artifacts_dir() / "counsel-synthesis-200pct.png"), full_page=False, caret="initial")


def _open_analysed_case(page, workspace) -> None:
    """Log in (mouse and fill, not the keyboard journey) and analyse SITUATION: the case page."""
    page.goto(workspace.url + "/connexion")
    page.fill("#email", "bruno@cep.fr")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.fill("#text", SITUATION)
    page.click("text=Analyser")
    page.wait_for_url(re.compile(r".*/conseil/dossiers/[\w-]+$"))


def _pdf_text_and_png(pdf: Path, png: Path) -> str:
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(str(pdf))
    try:
        doc[0].render(scale=1.5).to_pil().save(png)
        text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


#: WCAG 1.4.12 text spacing (the bookmarklet's values).
TEXT_SPACING = """() => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync('* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }'
                    + ' p { margin-bottom: 2em !important; }');
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}"""

#: Text cut by its box (controls, cells, headings) and horizontal scrolling of the page.
CLIPPED = """() => {
  const out = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push('horizontal scroll');
  for (const el of document.querySelectorAll('button, a, label, input, select, h1, h2, h3, th, td, caption, li, p')) {
    if (!el.getClientRects().length || el.closest('.sr, .skip')) continue;
    const s = getComputedStyle(el);
    const hides = s.overflowX !== 'visible' || s.overflowY !== 'visible';
    if (el.scrollWidth > el.clientWidth + 1 && (hides || el.matches('button, input, select')))
      out.push('clipped: ' + el.tagName + ' ' + (el.innerText || el.value || '').slice(0, 40));
    const r = el.getBoundingClientRect();
    if (r.right > document.documentElement.clientWidth + 1) out.push('off screen: ' + el.tagName + ' ' + (el.innerText || '').slice(0, 40));
  }
  return out;
}"""


def test_case_page_at_320px_with_text_spacing_and_forced_colours(workspace, new_context) -> None:  # noqa: F811
    """A 320 px wide window, then WCAG 1.4.12 text spacing, then forced colours: nothing is cut or
    pushed off screen, no horizontal scrolling, and axe-core finds nothing."""
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    _open_analysed_case(page, workspace)
    assert page.evaluate(CLIPPED) == []
    page.evaluate(TEXT_SPACING)
    problems = page.evaluate(CLIPPED)
    assert problems == [], problems
    assert axe(page) == []
    page.emulate_media(forced_colors="active")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    assert axe(page) == []
    # The scheme page: its conditions table becomes one block per condition at 320 px, text spacing
    # included (RGAA 10.12).
    page.emulate_media(forced_colors="none")
    page.locator("a[href$='/dispositifs/ptp']").click()
    page.wait_for_url("**/dispositifs/ptp")
    assert page.evaluate(CLIPPED) == []
    page.evaluate(TEXT_SPACING)
    problems = page.evaluate(CLIPPED)
    assert problems == [], problems
    assert "PTP-R2" in page.inner_text("table.conditions")
    assert axe(page) == []
    page.screenshot(path=str(artifacts_dir() / "counsel-scheme-320px.png"), full_page=False, caret="initial")
