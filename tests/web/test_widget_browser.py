"""The widget in real headless Chromium, against a real Rasa server (session_persistence: true).

Screenshots of every state go to test-artifacts/web/ (see tests/web/conftest.py for the
environment variables that point these tests at the real assistant).
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import urlsplit

import pytest

from tests.web.widget import SESSION_TOKEN_RE, STORAGE_KEY, RasaApi, WidgetPage, conversation_script

pytestmark = [pytest.mark.browser, pytest.mark.servers]


@pytest.fixture
def widget(page, web_url) -> WidgetPage:
    return WidgetPage(page, web_url)


def _no_violations(violations: list[dict], state: str) -> None:
    assert violations == [], f"axe-core, {state}:\n" + json.dumps(violations, indent=1, ensure_ascii=False)


# ----------------------------------------------------------------------------- privacy


def test_nothing_stored_or_sent_before_the_chat_is_opened(widget, rasa_server) -> None:
    to_rasa: list[str] = []
    rasa_host = urlsplit(rasa_server.url).netloc
    widget.page.on("request", lambda r: to_rasa.append(r.url) if urlsplit(r.url).netloc == rasa_host else None)
    widget.page.on("websocket", lambda ws: to_rasa.append(ws.url) if urlsplit(ws.url).netloc == rasa_host else None)
    widget.goto()
    widget.launcher.wait_for(state="visible")
    widget.page.wait_for_timeout(500)
    assert widget.storage() == {}
    assert widget.session_storage() == {}
    assert widget.page.context.cookies() == []
    assert to_rasa == []  # no connection either
    widget.shot("01-page-widget-closed")

    widget.open()
    widget.wait_idle()
    stored = widget.storage()
    assert list(stored) == [STORAGE_KEY]
    session_id = json.loads(stored[STORAGE_KEY])["id"]
    assert SESSION_TOKEN_RE.match(session_id), session_id  # issued and signed by the server
    assert widget.session_storage() == {}
    assert widget.page.context.cookies() == []
    assert any("/socket.io/" in url for url in to_rasa)
    assert widget.page.errors == []


def test_every_session_is_a_fresh_server_issued_token(new_context, web_url) -> None:
    ids = set()
    for _ in range(3):
        page = new_context().new_page()
        w = WidgetPage(page, web_url)
        w.goto()
        w.open()
        w.wait_idle()
        ids.add(w.session_id())
    assert len(ids) == 3 and all(SESSION_TOKEN_RE.match(i) for i in ids)


# ----------------------------------------------------------------------------- the main journey


def test_chat_to_recommendations_reload_and_erase(widget, rasa_api: RasaApi) -> None:
    """Open, answer with buttons up to the recommendations, reload, erase (here and on the server)."""
    widget.goto()
    widget.open()
    assert widget.focused()["tag"] == "textarea"
    widget.run_script(conversation_script()[:1])
    widget.shot("02-open-greeting")

    first_button = next(s["click"] for s in conversation_script() if "click" in s)
    widget.run_script(conversation_script()[1:])
    widget.shot("03-recommendations")
    # A clicked button shows its title, never its payload.
    assert first_button in widget.texts("user")
    assert not any(t.startswith("/") for t in widget.texts("user"))
    # Links in answers are real, safe links.
    links = widget.log.get_by_role("link")
    assert links.count() >= 1
    for href in links.evaluate_all("els => els.map(a => a.getAttribute('href'))"):
        assert re.match(r"^(https?:|mailto:|tel:)", href), href

    session_id = widget.session_id()
    bots, users = widget.texts("bot"), widget.texts("user")
    assert first_button in rasa_api.user_texts(session_id)
    assert rasa_api.db_rows(session_id) in (None, *range(1, 10_000))

    # Reload: the same conversation comes back from the server, in the same order.
    widget.page.reload()
    widget.page.wait_for_function("() => Boolean(window.CapReconversion)")
    widget.dialog.wait_for(state="visible")  # the chat was left open: it reopens
    widget.wait_idle(len(bots))
    assert widget.texts("bot") == bots
    assert widget.texts("user") == users
    assert widget.session_id() == session_id
    widget.shot("04-after-reload-history")

    # The buttons of the last answer still work after the reload.
    last_buttons = widget.page.get_by_role("group", name="Réponses proposées").last.get_by_role("button")
    if last_buttons.count():
        title = last_buttons.first.inner_text()
        widget.click_reply(title)
        assert widget.texts("user")[-1] == title
        assert widget.focused()["tag"] == "textarea"

    # Erase: confirmation, then nothing left here or on the server.
    widget.page.get_by_role("button", name="Effacer ma conversation").click()
    confirm = widget.page.get_by_role("group", name=re.compile("Voulez-vous tout effacer"))
    confirm.wait_for(state="visible")
    assert widget.focused()["text"] == "Annuler"
    _no_violations(widget.axe(), "erase confirmation")
    widget.shot("05-erase-confirmation")
    confirm.get_by_role("button", name="Oui, effacer").click()
    widget.page.get_by_text("Tout est effacé, sur cet appareil").wait_for()
    widget.shot("06-erased")

    assert widget.storage() == {}
    assert widget.texts("bot") == [] and widget.texts("user") == []
    assert widget.focused()["tag"] == "textarea"
    assert rasa_api.db_rows(session_id) in (None, 0)
    assert rasa_api.history(session_id)["messages"] == []
    assert rasa_api.tracker_messages(session_id) == []
    assert rasa_api.db_rows(session_id) in (None, 0) or rasa_api.tracker_messages(session_id) == []

    # Reloading now shows a closed widget and stores nothing.
    widget.page.reload()
    widget.launcher.wait_for(state="visible")
    assert widget.storage() == {}
    assert widget.dialog.count() == 0 or not widget.dialog.is_visible()

    # Writing again starts a brand-new conversation with a new id.
    widget.open()
    widget.send("bonjour")
    assert widget.session_id() not in (None, session_id)
    assert widget.page.errors == []


def test_a_closed_chat_stays_closed_after_reload_and_reopens_with_its_history(widget) -> None:
    widget.goto()
    widget.open()
    widget.run_script(conversation_script()[:2])
    bots, users = widget.texts("bot"), widget.texts("user")
    widget.page.get_by_role("button", name="Fermer la discussion").click()
    assert widget.focused()["text"] == "Ouvrir la discussion"

    widget.page.reload()
    widget.page.wait_for_function("() => Boolean(window.CapReconversion)")
    widget.page.wait_for_timeout(300)
    assert not widget.dialog.is_visible()  # not reopened behind the person's back
    widget.open()
    widget.wait_idle(len(bots))
    assert widget.texts("bot") == bots and widget.texts("user") == users
    assert widget.focused()["tag"] == "textarea"


# ----------------------------------------------------------------------------- accessibility


def test_axe_reports_no_violation_closed_open_and_in_conversation(widget) -> None:
    widget.goto()
    _no_violations(widget.axe(), "widget closed")
    widget.open()
    widget.wait_idle(1)
    widget.run_script(conversation_script()[:1])
    _no_violations(widget.axe(), "widget open")
    widget.shot("07-axe-open")
    widget.run_script(conversation_script()[1:])
    _no_violations(widget.axe(), "after the recommendations")
    widget.page.get_by_role("button", name=re.compile("^Fermer")).click()
    _no_violations(widget.axe(), "closed again")


def test_structure_roles_and_labels(widget) -> None:
    widget.goto()
    assert widget.page.locator("html").get_attribute("lang") == "fr"
    assert widget.page.locator("#cap-reconversion-widget").get_attribute("lang") == "fr"
    widget.open()
    log = widget.log
    assert log.get_attribute("aria-live") == "polite"
    assert log.get_attribute("aria-label")
    assert widget.dialog.get_attribute("aria-modal") is None  # not modal: the page stays usable
    for name in ("Effacer ma conversation", "Fermer la discussion", "Envoyer"):
        assert widget.page.get_by_role("button", name=name, exact=True).is_visible()
    assert widget.textbox.is_visible()
    assert widget.page.get_by_role("region", name="Conversation").get_attribute("tabindex") == "0"
    widget.run_script(conversation_script()[:1])
    # Messages are not focusable; each one tells who speaks to screen readers.
    assert widget.page.locator(".cap-bubble[tabindex], .cap-msg[tabindex]").count() == 0
    assert widget.page.locator(".cap-msg--bot .cap-sr").first.inner_text().startswith("Cap Reconversion")
    group = widget.page.get_by_role("group", name="Réponses proposées").first
    assert group.get_by_role("button").count() >= 1


def test_keyboard_only_journey(widget) -> None:
    widget.goto()
    page = widget.page
    # Tab from the top of the page until the launcher has focus.
    for _ in range(20):
        page.keyboard.press("Tab")
        focused = widget.focused()
        if focused and focused["text"] == "Ouvrir la discussion":
            break
    else:
        pytest.fail("the launcher cannot be reached with Tab")
    assert focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2  # visible focus
    widget.shot("08-keyboard-launcher-focus")
    page.keyboard.press("Enter")
    widget.dialog.wait_for(state="visible")
    assert widget.focused()["tag"] == "textarea"
    widget.wait_idle()
    widget.run_script(conversation_script()[:1])

    # Shift+Tab from the text box reaches the last proposed answer; Enter chooses it.
    page.keyboard.press("Shift+Tab")
    focused = widget.focused()
    assert focused["tag"] == "button" and "cap-quick-btn" in focused["cls"]
    assert focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2
    widget.shot("09-keyboard-quick-reply-focus")
    before = widget.bot_count()
    title = focused["text"]
    page.keyboard.press("Enter")
    widget.wait_idle(before + 1)
    assert widget.texts("user")[-1] == title
    assert widget.focused()["tag"] == "textarea"  # focus does not get lost with the buttons

    # Typing and Enter sends; Shift+Enter makes a new line.
    page.keyboard.type("première ligne")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("seconde")
    assert widget.textbox.input_value() == "première ligne\nseconde"
    widget.textbox.fill("")

    # The scrolling conversation can take focus and scroll with the arrow keys.
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        if widget.focused()["role"] == "region":
            break
    else:
        pytest.fail("the conversation region cannot be reached with the keyboard")
    assert widget.focused()["outlineStyle"] != "none"

    # Every control of the dialog is reachable, in order, and Esc closes it.
    page.keyboard.press("Escape")
    assert not widget.dialog.is_visible()
    focused = widget.focused()
    assert focused["text"] == "Ouvrir la discussion"  # focus back to the launcher
    page.keyboard.press("Enter")
    assert widget.focused()["tag"] == "textarea"
    page.keyboard.press("Escape")
    assert widget.focused()["text"] == "Ouvrir la discussion"


def test_erase_confirmation_by_keyboard_can_be_cancelled(widget) -> None:
    widget.goto()
    widget.open()
    widget.wait_idle(1)
    erase = widget.page.get_by_role("button", name="Effacer ma conversation")
    erase.focus()
    widget.page.keyboard.press("Enter")
    assert widget.focused()["text"] == "Annuler"
    widget.page.keyboard.press("Escape")  # Esc closes the question, not the chat
    assert widget.dialog.is_visible()
    assert widget.focused()["text"] == "Effacer ma conversation"
    assert widget.storage() != {}


@pytest.mark.parametrize("name, viewport", [
    ("320px", {"width": 320, "height": 640}),
    ("zoom-200", {"width": 640, "height": 400}),  # a 1280x800 window at 200 %
])
def test_small_screens_and_zoom_reflow(new_context, web_url, name, viewport) -> None:
    page = new_context(viewport=viewport).new_page()
    widget = WidgetPage(page, web_url)
    widget.goto()
    box = widget.launcher.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    widget.shot(f"10-{name}-closed")
    widget.open()
    widget.wait_idle(1)
    widget.run_script(conversation_script())
    # A very long answer (long word, long URL, a list) wraps inside the bubble.
    page.evaluate("""() => window.CapReconversion.widget._onBotMessage({text:
      'Anticonstitutionnellementanticonstitutionnellementanticonstitutionnellement ' +
      'https://www.example.org/un/chemin/tres/long/qui/ne/doit/pas/deborder/de/la/bulle/meme/sur/petit/ecran ' +
      'Lorem ipsum dolor sit amet, consectetur adipiscing elit.\\n- un\\n- deux'})""")
    widget.shot(f"11-{name}-open")
    sizes = page.evaluate("""() => {
      const root = document.querySelector('#cap-reconversion-widget').shadowRoot;
      const scroll = root.querySelector('.cap-scroll');
      return {docScroll: document.documentElement.scrollWidth, docClient: document.documentElement.clientWidth,
              scrollW: scroll.scrollWidth, clientW: scroll.clientWidth,
              panel: root.querySelector('.cap-panel').getBoundingClientRect().toJSON()};
    }""")
    assert sizes["docScroll"] <= sizes["docClient"], sizes  # no horizontal scrolling
    assert sizes["scrollW"] <= sizes["clientW"], sizes
    assert sizes["panel"]["right"] <= viewport["width"] + 0.5 and sizes["panel"]["bottom"] <= viewport["height"] + 0.5
    for control in (widget.textbox, widget.page.get_by_role("button", name="Envoyer"),
                    widget.page.get_by_role("button", name="Effacer ma conversation"),
                    widget.page.get_by_role("button", name="Fermer la discussion")):
        b = control.bounding_box()
        assert b and b["x"] >= 0 and b["x"] + b["width"] <= viewport["width"] + 0.5, b
        assert b["y"] >= 0 and b["y"] + b["height"] <= viewport["height"] + 0.5, b
        assert b["height"] >= 24  # target size
    # RGAA 11.4: "Votre message" is shown above the box (not only its placeholder), "Envoyer" beside it
    label = widget.page.locator("label[for=cap-input]")
    lb, tb = label.bounding_box(), widget.textbox.bounding_box()
    send = widget.page.get_by_role("button", name="Envoyer").bounding_box()
    assert label.inner_text() == "Votre message" and lb["width"] > 50 and lb["height"] >= 12, lb
    assert lb["y"] + lb["height"] <= tb["y"] + 0.5 and abs(lb["x"] - tb["x"]) <= 1, (lb, tb)
    assert send["y"] < tb["y"] + tb["height"] and send["x"] >= tb["x"] + tb["width"], (send, tb)
    widget.send("bonjour")
    _no_violations(widget.axe(), f"{name} open")


def test_reduced_motion_is_honoured(new_context, web_url) -> None:
    def animations(reduced_motion: str) -> dict:
        page = new_context(reduced_motion=reduced_motion).new_page()
        w = WidgetPage(page, web_url)
        w.goto()
        w.open()
        return page.evaluate("""() => {
          const root = document.querySelector('#cap-reconversion-widget').shadowRoot;
          const probe = document.createElement('span');
          root.querySelector('.cap-typing').append(Object.assign(document.createElement('span'), {className: 'cap-dots'}));
          root.querySelector('.cap-dots').append(probe);
          const result = {panel: getComputedStyle(root.querySelector('.cap-panel')).animationName,
                          dots: getComputedStyle(probe).animationName,
                          scroll: getComputedStyle(root.querySelector('.cap-scroll')).scrollBehavior};
          root.querySelector('.cap-dots').remove();
          return result;
        }""")

    assert animations("no-preference") == {"panel": "cap-in", "dots": "cap-blink", "scroll": "smooth"}
    assert animations("reduce") == {"panel": "none", "dots": "none", "scroll": "auto"}


def test_a_colour_that_fails_contrast_is_darkened(new_context, web_url) -> None:
    page = new_context().new_page()
    html = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Couleur</title></head><body>'
        '<main><h1>Test de couleur</h1></main>'
        f'<script src="/cap-widget.js" data-server-url="{web_url}" data-primary-color="#ffdd00" defer></script>'
        "</body></html>"
    )
    page.route(f"{web_url}/couleur.html", lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"))
    widget = WidgetPage(page, web_url)
    widget.goto("/couleur.html")
    color = page.evaluate("""() => getComputedStyle(document.querySelector('#cap-reconversion-widget')
                               .shadowRoot.querySelector('.cap-root')).getPropertyValue('--cap-primary').trim()""")
    assert color.lower() != "#ffdd00"
    assert _contrast(color, "#ffffff") >= 4.5 and _contrast(color, "#f1f1f6") >= 4.5
    _no_violations(widget.axe(), "adjusted colour, closed")


def _contrast(a: str, b: str) -> float:
    def lum(hex_colour: str) -> float:
        rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    la, lb = sorted((lum(a), lum(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# ----------------------------------------------------------------------------- bot text is safe


def test_bot_text_is_escaped_and_links_filtered(widget) -> None:
    widget.goto()
    widget.open()
    widget.wait_idle()
    widget.page.evaluate("""() => window.CapReconversion.widget._onBotMessage({
      text: '<img src=x onerror="window.__capXss=1"> <script>window.__capXss=2</script> **gras** ' +
            '[piège](javascript:window.__capXss=3) [ok](https://example.org/a?b=1&c=<d>) ' +
            '[données](data:text/html,<b>x</b>)\\n• point un\\n• point deux',
      quick_replies: [{title: '<b>Oui</b>', payload: '/affirm'},
                      {title: 'Site', payload: 'https://example.org/site'},
                      {title: 'Mauvais', payload: 'javascript:alert(1)'}]})""")
    bubble = widget.page.locator(".cap-msg--bot .cap-bubble").last
    assert widget.page.evaluate("() => window.__capXss") is None
    assert bubble.locator("img, script").count() == 0
    assert "<img src=x" in bubble.inner_text()
    assert bubble.locator("strong").inner_text() == "gras"
    hrefs = bubble.get_by_role("link").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert hrefs == ["https://example.org/a?b=1&c=%3Cd%3E", "https://example.org/site"]
    assert bubble.get_by_role("link", name=re.compile("^ok")).get_attribute("rel") == "noopener noreferrer"
    assert bubble.locator("ul:not(.cap-links) li").all_inner_texts() == ["point un", "point deux"]
    buttons = widget.page.get_by_role("group", name="Réponses proposées").last.get_by_role("button")
    assert buttons.all_inner_texts() == ["<b>Oui</b>", "Mauvais"]  # titles as text; payload stays data
    widget.shot("12-sanitised-text")


# ----------------------------------------------------------------------------- network drops


def test_messages_typed_offline_are_sent_after_reconnection(widget, rasa_api: RasaApi) -> None:
    widget.goto()
    widget.open()
    widget.run_script(conversation_script()[:1])
    session_id = widget.session_id()
    context = widget.page.context

    context.set_offline(True)
    widget.page.evaluate("() => window.CapReconversion.widget.conn.socket.io.engine.close()")
    widget.page.get_by_text("La connexion est coupée. J’essaie de la reprendre…").wait_for()
    widget.textbox.fill("bonjour")
    widget.textbox.press("Enter")
    widget.page.get_by_text("En attente d’envoi").wait_for()
    widget.shot("13-offline-pending")
    assert widget.state()["queue"] == 1

    context.set_offline(False)
    widget.wait_idle(timeout=30000)
    widget.page.get_by_text("La connexion est de retour.").wait_for()
    assert widget.page.get_by_text("En attente d’envoi").count() == 0
    widget.shot("14-reconnected")
    assert rasa_api.user_texts(session_id).count("bonjour") == 1  # delivered once
    history = rasa_api.history(session_id)
    assert history["counts"]["bot"] == widget.state()["counts"]["bot"]


@pytest.mark.restarts_rasa
def test_survives_a_rasa_restart(widget, rasa_server, rasa_api: RasaApi) -> None:
    if not getattr(rasa_server, "owned", False):
        pytest.skip("RASA_URL points at a server these tests do not own")
    if os.environ.get("WEB_TEST_RESTART") == "0":
        pytest.skip("WEB_TEST_RESTART=0")
    widget.goto()
    widget.open()
    widget.run_script(conversation_script()[:1])
    bots_before = widget.texts("bot")
    session_id = widget.session_id()

    rasa_server.kill()
    widget.page.get_by_text("La connexion est coupée. J’essaie de la reprendre…").wait_for(timeout=30000)
    widget.textbox.fill("bonjour")
    widget.textbox.press("Enter")
    widget.page.get_by_text("En attente d’envoi").wait_for()
    widget.shot("15-server-down")

    rasa_server.start()
    widget.wait_idle(len(bots_before) + 1, timeout=60000)
    assert widget.texts("bot")[: len(bots_before)] == bots_before
    assert rasa_api.user_texts(session_id).count("bonjour") == 1
    widget.shot("16-server-back")

    # The conversation outlived the server (SQL tracker store): a reload shows all of it.
    widget.page.reload()
    widget.dialog.wait_for(state="visible")
    widget.wait_idle(len(bots_before) + 1)
    assert widget.texts("user")[-1] == "bonjour"
