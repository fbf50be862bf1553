"""Accessibility beyond axe, in headless Chromium against a real Rasa server: the "Facile à lire"
switch, read-aloud, what the accessibility tree exposes and announces, forced colours, text spacing
(WCAG 1.4.12), and a plain-language conversation at 320 px (screenshots in test-artifacts/web/)."""

from __future__ import annotations

import json
import re

import pytest

from tests.web.widget import STORAGE_KEY, RasaApi, WidgetPage, conversation_script, sender_of

pytestmark = [pytest.mark.browser, pytest.mark.servers]

LISTEN = "Écouter ce message"
STOP = "Arrêter la lecture"

#: A fake of the browser's Web Speech API that records what would be spoken (the widget's own code
#: runs unchanged). `window.__capSpeech.finish()` ends the current utterance as a voice would.
SPEECH_FAKE = """(() => {
  class FakeUtterance extends EventTarget {
    constructor(text) { super(); this.text = text; this.lang = ''; this.voice = null; this.rate = 1; }
  }
  const record = {spoken: [], cancels: 0, current: null};
  const voices = [{name: 'English', lang: 'en-US', default: true}, {name: 'Belge', lang: 'fr-BE'},
                  {name: 'Française', lang: 'fr-FR'}];
  const end = (type) => { const u = record.current; record.current = null; if (u) u.dispatchEvent(new Event(type)); };
  record.finish = () => end('end');
  const synth = {
    get speaking() { return record.current !== null; }, pending: false, paused: false,
    getVoices: () => voices,
    speak(u) { record.spoken.push({text: u.text, lang: u.lang, voice: u.voice ? u.voice.name : null}); record.current = u; },
    cancel() { record.cancels += 1; end('error'); },
    pause() {}, resume() {}, addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  Object.defineProperty(window, 'SpeechSynthesisUtterance', {value: FakeUtterance, configurable: true});
  window.__capSpeech = record;
})();"""

NO_SPEECH = """delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;
if ('speechSynthesis' in window) Object.defineProperty(window, 'speechSynthesis', {value: undefined});"""

#: Records every change of the transcript (the live region) as it happens: what was added, whether
#: the region was live at that moment, and the text a screen reader would get from the added node
#: (innerText leaves out what is invisible, hence out of the accessibility tree).
LOG_RECORDER = """(() => {
  window.__capLog = {added: [], removed: [], reinserted: 0};
  const seen = new WeakSet();
  const attach = () => {
    const host = document.querySelector('#cap-reconversion-widget');
    const log = host && host.shadowRoot && host.shadowRoot.querySelector('.cap-log');
    if (!log) return setTimeout(attach, 5);
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          if (seen.has(n)) window.__capLog.reinserted += 1;
          seen.add(n);
          const bubble = n.querySelector && n.querySelector('.cap-bubble');
          let text = '';
          if (bubble) { const c = bubble.cloneNode(true); c.querySelectorAll('.cap-sr').forEach(s => s.remove()); text = c.innerText.trim(); }
          window.__capLog.added.push({cls: String(n.className), live: log.getAttribute('aria-live'),
                                      announced: n.innerText, text: text});
        }
        for (const n of r.removedNodes) if (n.nodeType === 1) window.__capLog.removed.push(String(n.className));
      }
    }).observe(log, {childList: true});
  };
  attach();
})();"""

#: WCAG 1.4.12 text spacing, applied to the page and inside the widget's shadow root.
TEXT_SPACING = """() => {
  const css = '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }'
            + ' p { margin-bottom: 2em !important; }';
  for (const root of [document, document.querySelector('#cap-reconversion-widget').shadowRoot]) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  }
}"""

#: Clipped text, overlapping controls and content pushed out of sight, inside the widget.
LAYOUT_PROBLEMS = """() => {
  const root = document.querySelector('#cap-reconversion-widget').shadowRoot;
  const problems = [];
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility === 'visible';
  const name = (el) => el.tagName.toLowerCase() + '.' + el.className + ' «' + (el.innerText || el.value || '').trim().slice(0, 40) + '»';
  const scroll = root.querySelector('.cap-scroll').getBoundingClientRect();
  // text that does not fit its box (anything that hides overflow, and every control)
  for (const el of root.querySelectorAll('.cap-panel *')) {
    if (!visible(el) || el.classList.contains('cap-sr') || el.closest('.cap-sr, svg')) continue;
    const s = getComputedStyle(el);
    const hides = s.overflowX !== 'visible' || s.overflowY !== 'visible';
    const control = el.matches('button, textarea, h2, a');
    if (!hides && !control) continue;
    if (el.classList.contains('cap-scroll')) { if (el.scrollWidth > el.clientWidth + 1) problems.push('horizontal scroll: ' + name(el)); continue; }
    if (el.scrollWidth > el.clientWidth + 1) problems.push('clipped width: ' + name(el));
    if (el.tagName !== 'TEXTAREA' && el.scrollHeight > el.clientHeight + 1 && hides) problems.push('clipped height: ' + name(el));
    if (el.matches('button')) {
      const box = el.getBoundingClientRect();
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        if (t.parentElement.closest('.cap-sr')) continue;  // visually hidden on purpose
        const range = document.createRange(); range.selectNodeContents(t);
        for (const r of range.getClientRects()) {
          if (r.width && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1))
            problems.push('text outside its button: ' + name(el));
        }
      }
    }
  }
  // controls and text blocks must not overlap one another
  const blocks = [...root.querySelectorAll('.cap-header h2, .cap-panel button, .cap-panel textarea, .cap-bubble, .cap-notice, .cap-msg--system')]
    .filter(visible).map(el => {
      // what is inside the scrolling conversation is seen through it only
      const r = el.getBoundingClientRect();
      if (!el.closest('.cap-scroll')) return [el, r];
      return [el, {left: Math.max(r.left, scroll.left), right: Math.min(r.right, scroll.right),
                   top: Math.max(r.top, scroll.top), bottom: Math.min(r.bottom, scroll.bottom)}];
    }).filter(([, r]) => r.right - r.left > 1 && r.bottom - r.top > 1);
  for (let i = 0; i < blocks.length; i++) for (let j = i + 1; j < blocks.length; j++) {
    const [a, ra] = blocks[i], [b, rb] = blocks[j];
    if (a.contains(b) || b.contains(a)) continue;
    const ox = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const oy = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (ox > 1 && oy > 1) problems.push('overlap: ' + name(a) + ' / ' + name(b));
  }
  // every message stays within the conversation's width
  for (const b of root.querySelectorAll('.cap-bubble, .cap-quick, .cap-tools'))
    if (visible(b)) { const r = b.getBoundingClientRect(); if (r.left < scroll.left - 1 || r.right > scroll.right + 1) problems.push('outside the conversation: ' + name(b)); }
  return problems;
}"""


@pytest.fixture
def widget(page, web_url) -> WidgetPage:
    return WidgetPage(page, web_url)


def _no_violations(violations: list[dict], state: str) -> None:
    assert violations == [], f"axe-core, {state}:\n" + json.dumps(violations, indent=1, ensure_ascii=False)


def _widget_with(new_context, web_url, *scripts: str, **options) -> WidgetPage:
    context = new_context(**options)
    for script in scripts:
        context.add_init_script(script=script)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return WidgetPage(page, web_url)


def _switch(widget: WidgetPage):
    return widget.page.get_by_role("button", name="Facile à lire", exact=True)


def _toggle_easy_read(widget: WidgetPage, key: str = "Enter") -> None:
    """Press the switch with the keyboard and wait until the assistant has answered it."""
    before = widget.bot_count()
    _switch(widget).focus()
    widget.page.keyboard.press(key)
    widget.wait_idle(before)  # whatever the assistant answers (possibly nothing)


def _tracker(rasa_api: RasaApi, session_id: str) -> dict:
    query = f"?token={rasa_api.token}" if rasa_api.token else ""
    status, body = rasa_api._request(f"{rasa_api.url}/conversations/{sender_of(session_id)}/tracker{query}")
    assert status == 200, (status, body)
    return body


def _stored(widget: WidgetPage) -> dict:
    return json.loads(widget.storage()[STORAGE_KEY])


# ----------------------------------------------------------------------------- "Facile à lire"


def test_easy_read_switch_tells_the_assistant_without_showing_a_payload_and_survives_reload(
        widget, rasa_api: RasaApi) -> None:
    widget.goto()
    widget.open()
    widget.wait_idle(1)
    switch = _switch(widget)
    assert switch.get_attribute("aria-pressed") == "false"
    assert switch.inner_text().strip() == "Facile à lire"  # visible text, same as its name

    _toggle_easy_read(widget, "Space")
    assert switch.get_attribute("aria-pressed") == "true"
    assert widget.focused()["text"] == "Facile à lire"  # focus stays on the switch
    widget.page.get_by_text("Mode facile à lire activé.").wait_for()
    session_id = widget.session_id()
    tracker = _tracker(rasa_api, session_id)
    users = [e["text"] for e in tracker["events"] if e.get("event") == "user"]
    assert users[-1] == "/ask_easy_read"
    assert tracker["slots"].get("easy_read") is True  # the assistant switched to plain language
    assert "ask_easy_read" not in widget.log.inner_text()  # never shown as the person's message
    assert widget.texts("user") == []
    assert _stored(widget)["easyRead"] is True

    # The mode belongs to the conversation: after a reload the switch is still on, and the
    # history does not show the hidden payload either.
    widget.page.reload()
    widget.dialog.wait_for(state="visible")
    widget.wait_idle(1)
    assert switch.get_attribute("aria-pressed") == "true"
    assert widget.texts("user") == [] and "ask_easy_read" not in widget.log.inner_text()
    assert rasa_api.user_texts(session_id) == []

    _toggle_easy_read(widget, "Enter")
    assert switch.get_attribute("aria-pressed") == "false"
    widget.page.get_by_text("Le mode facile à lire est arrêté.").wait_for()
    tracker = _tracker(rasa_api, session_id)
    assert [e["text"] for e in tracker["events"] if e.get("event") == "user"][-1] == "/ask_normal_read"
    assert tracker["slots"].get("easy_read") is False
    widget.page.reload()
    widget.dialog.wait_for(state="visible")
    assert switch.get_attribute("aria-pressed") == "false"
    assert _stored(widget)["easyRead"] is False

    # Erasing the conversation forgets the mode with it.
    _toggle_easy_read(widget)
    widget.page.get_by_role("button", name="Effacer ma conversation").click()
    widget.page.get_by_role("button", name="Oui, effacer").click()
    widget.page.get_by_text("Tout est effacé, sur cet appareil").wait_for()
    assert switch.get_attribute("aria-pressed") == "false"
    assert widget.storage() == {}
    assert widget.page.errors == []


@pytest.mark.parametrize("name", ["320px-falc"])
def test_plain_language_conversation_at_320px(new_context, web_url, name) -> None:
    """Screenshots of a conversation in "Facile à lire" mode on a 320 px wide phone."""
    widget = _widget_with(new_context, web_url, viewport={"width": 320, "height": 640})
    widget.goto()
    widget.open()
    widget.wait_idle(1)
    _toggle_easy_read(widget)
    assert _switch(widget).get_attribute("aria-pressed") == "true"
    widget.shot(f"20-{name}-switch-on")
    script = conversation_script()
    for index, step in enumerate(script):
        if "expect" in step:  # the expected wording is the normal mode's: here only wait for the answer
            widget.wait_idle(1)
            continue
        widget.run_script([step])
        if "click" in step or "say" in step:
            widget.shot(f"21-{name}-step-{index:02d}")
    widget.shot(f"22-{name}-end")
    width = widget.page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1]
    problems = widget.page.evaluate(LAYOUT_PROBLEMS)
    assert problems == [], problems
    _no_violations(widget.axe(), "plain-language conversation at 320 px")
    assert widget.page.errors == []


# ----------------------------------------------------------------------------- read aloud


def test_read_aloud_in_french_on_demand_only(new_context, web_url) -> None:
    widget = _widget_with(new_context, web_url, SPEECH_FAKE)
    page = widget.page
    widget.goto()
    widget.open()
    widget.run_script(conversation_script()[:2])
    page.wait_for_timeout(700)  # past the moment the controls appear
    spoken = lambda: page.evaluate("() => window.__capSpeech.spoken")  # noqa: E731
    assert spoken() == []  # never plays by itself

    bots = widget.texts("bot")
    buttons = page.get_by_role("button", name=LISTEN, exact=True)
    assert buttons.count() == len(bots) >= 2  # one per answer
    assert buttons.first.inner_text().strip() == "Écouter"
    assert widget.texts("bot") == bots  # the control is not part of the message's text

    # Keyboard: focus the last answer's control, Enter reads it in French, Space stops it.
    last = buttons.last
    last.focus()
    page.keyboard.press("Enter")
    said = spoken()
    assert len(said) == 1
    assert said[0]["lang"] == "fr-FR" and said[0]["voice"] == "Française"
    assert _words(said[0]["text"]) == _words(bots[-1])
    playing = page.get_by_role("button", name=STOP, exact=True)
    assert playing.count() == 1 and playing.inner_text().strip() == "Arrêter"
    assert widget.focused()["tag"] == "button"
    page.keyboard.press("Space")
    assert page.evaluate("() => window.__capSpeech.current") is None
    assert playing.count() == 0 and buttons.count() == len(bots)
    assert len(spoken()) == 1

    # Another answer's control takes over; the end of the speech resets the control.
    buttons.first.click()
    buttons.last.click()
    said = spoken()
    assert len(said) == 3 and _words(said[2]["text"]) == _words(bots[-1])
    assert page.get_by_role("button", name=STOP, exact=True).count() == 1
    page.evaluate("() => window.__capSpeech.finish()")
    assert page.get_by_role("button", name=STOP, exact=True).count() == 0

    # Closing the chat stops the voice.
    buttons.first.click()
    page.get_by_role("button", name="Fermer la discussion").click()
    assert page.evaluate("() => window.__capSpeech.current") is None
    widget.open()
    _no_violations(widget.axe(), "read-aloud controls")
    widget.shot("23-read-aloud")
    assert page.errors == []


def test_no_read_aloud_control_without_speech_synthesis(new_context, web_url) -> None:
    widget = _widget_with(new_context, web_url, NO_SPEECH)
    page = widget.page
    widget.goto()
    assert page.evaluate("() => Boolean(window.speechSynthesis)") is False
    widget.open()
    widget.run_script(conversation_script()[:2])
    page.wait_for_timeout(700)
    assert len(widget.texts("bot")) >= 2
    assert page.get_by_role("button", name=re.compile("^Écouter")).count() == 0
    assert page.locator(".cap-tools").count() == 0
    assert page.errors == []


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _words(text: str) -> list[str]:
    return text.split()


# ----------------------------------------------------------------------------- accessibility tree


def _ax_tree(page) -> list[dict]:
    cdp = page.context.new_cdp_session(page)
    try:
        return cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()


def _prop(node: dict, name: str):
    for prop in node.get("properties", []):
        if prop["name"] == name:
            return prop["value"].get("value")
    return None


def _value(node: dict, key: str) -> str:
    return str((node.get(key) or {}).get("value") or "")


def _subtree(nodes: list[dict], root_id: str) -> list[dict]:
    """The nodes under `root_id`, in document order."""
    by_id = {n["nodeId"]: n for n in nodes}
    out: list[dict] = []

    def walk(node_id: str) -> None:
        node = by_id.get(node_id)
        if node is None:
            return
        out.append(node)
        for child in node.get("childIds", []):
            walk(child)

    walk(root_id)
    return out


def test_accessibility_tree_announces_each_answer_once_in_order(new_context, web_url) -> None:
    widget = _widget_with(new_context, web_url, LOG_RECORDER, SPEECH_FAKE)
    page = widget.page
    widget.goto()
    widget.open()
    script = conversation_script()
    widget.run_script(script)
    page.wait_for_timeout(700)
    bots = widget.texts("bot")

    # The live region: a polite log that announces additions only, message by message.
    nodes = _ax_tree(page)
    logs = [n for n in nodes if _value(n, "role") == "log" and not n.get("ignored")]
    assert len(logs) == 1
    log = logs[0]
    assert _value(log, "name") == "Messages de la conversation"
    assert _prop(log, "live") == "polite"
    assert _prop(log, "relevant") == "additions"
    assert _prop(log, "atomic") in (False, None)

    # Each answer reached the live region once, in order, while it was live, announcing its
    # text (with who speaks) and not the "Écouter" control, which is shown just after.
    record = page.evaluate("() => window.__capLog")
    added_bots = [a for a in record["added"] if "cap-msg--bot" in a["cls"] and a["text"]]
    assert [a["text"] for a in added_bots] == bots
    assert all(a["live"] == "polite" for a in added_bots)
    for a in added_bots:
        assert a["announced"].startswith("Cap Reconversion :"), a
        assert "Écouter" not in a["announced"], a
    assert record["reinserted"] == 0
    assert not [r for r in record["removed"] if "cap-msg" in r]  # no message is re-rendered
    # In the tree, each answer's text (with who speaks, links' hints) is there once, in order.
    under_log = _subtree(nodes, log["nodeId"])
    tree_text = _squeeze("".join(_value(n, "name") for n in under_log if _value(n, "role") == "StaticText"))
    expected = [_squeeze(t) for t in page.locator(".cap-msg--bot .cap-bubble").evaluate_all(
        "els => els.map(b => b.textContent)")]
    assert len(expected) == len(bots)
    position = 0
    for text in expected:
        assert tree_text.count(text) == expected.count(text), text
        found = tree_text.find(text, position)
        assert found >= position, text
        position = found + len(text)
    # The read-aloud controls are in the tree now, named, inside a part of the log that is not
    # live (Chromium exposes live properties on the region's root only: read from the DOM).
    listen = [n for n in under_log if _value(n, "role") == "button" and _value(n, "name") == LISTEN]
    assert len(listen) == len(bots)
    assert page.get_by_role("button", name=LISTEN, exact=True).evaluate_all(
        "els => els.map(b => b.closest('[aria-live]').getAttribute('aria-live'))") == ["off"] * len(bots)

    # Every button of the widget has a name; the header's controls are there and named.
    buttons = [n for n in nodes if _value(n, "role") == "button" and not n.get("ignored")]
    assert all(_value(n, "name").strip() for n in buttons)
    names = {_value(n, "name") for n in buttons}
    assert {"Fermer la discussion", "Effacer ma conversation", "Facile à lire", "Envoyer"} <= names
    switch = next(n for n in buttons if _value(n, "name") == "Facile à lire")
    assert _prop(switch, "pressed") in ("false", False)

    # After a reload the history comes back silently (the region is not live while it is put
    # back), then new answers are announced again.
    page.reload()
    widget.dialog.wait_for(state="visible")
    widget.wait_idle(len(bots))
    page.wait_for_function("() => window.__capLog.added.length > 0")
    restored = page.evaluate("() => window.__capLog.added")
    assert restored and all(a["live"] == "off" for a in restored)
    widget.send("bonjour")
    page.wait_for_timeout(700)
    record = page.evaluate("() => window.__capLog")
    new = [a for a in record["added"][len(restored):] if "cap-msg--bot" in a["cls"] and a["text"]]
    assert new and all(a["live"] == "polite" and "Écouter" not in a["announced"] for a in new)
    assert record["reinserted"] == 0


def test_focus_is_predictable_and_header_controls_are_reachable(widget) -> None:
    widget.goto()
    widget.open()
    page = widget.page
    script = conversation_script()
    first_click = next(i for i, s in enumerate(script) if "click" in s)
    widget.run_script(script[:first_click])  # up to the first proposed answers (after a story, with a real one)
    if not any("say" in s for s in script[:first_click]):
        widget.send("bonjour")
    assert widget.focused()["tag"] == "textarea"  # focus stays in the input after sending

    # Choosing a proposed answer: focus goes back to the text box (the buttons disappear).
    title = script[first_click]["click"]
    widget.reply_button(title).wait_for()
    widget.reply_button(title).focus()
    page.keyboard.press("Enter")
    widget.wait_idle()
    assert widget.focused()["tag"] == "textarea"

    # Backwards from the text box, every stop has a name, up to the header's controls.
    stops: list[str] = []
    for _ in range(60):
        page.keyboard.press("Shift+Tab")
        focused = page.evaluate("""() => { let a = document.activeElement;
          while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
          const name = a.getAttribute('aria-label') || a.innerText || a.getAttribute('aria-labelledby') || '';
          return name.replace(/\\s+/g, ' ').trim(); }""")
        assert focused, f"a control without a name after {stops}"
        stops.append(focused)
        if focused.startswith("Fermer"):
            break
    else:
        pytest.fail(f"Shift+Tab never reached the close button: {stops}")
    assert stops[-3:] == ["Effacer ma conversation", "Facile à lire", "Fermer la discussion"]
    assert "Conversation" in stops  # the scrolling region, just before them


# ----------------------------------------------------------------------------- display settings


def test_forced_colours_keep_every_state_visible(new_context, web_url) -> None:
    widget = _widget_with(new_context, web_url, SPEECH_FAKE)
    page = widget.page
    page.emulate_media(forced_colors="active")  # Windows high-contrast emulation
    widget.goto()
    assert page.evaluate("() => matchMedia('(forced-colors: active)').matches")
    widget.open()
    widget.run_script(conversation_script()[:2])
    page.wait_for_timeout(700)

    def switch_state() -> dict:
        return page.evaluate("""() => {
          const root = document.querySelector('#cap-reconversion-widget').shadowRoot;
          const btn = root.querySelector('.cap-switch'), knob = root.querySelector('.cap-switch-knob');
          const track = root.querySelector('.cap-switch-track').getBoundingClientRect();
          const k = knob.getBoundingClientRect();
          const s = getComputedStyle(btn), ks = getComputedStyle(knob);
          return {knobOffset: Math.round(k.left - track.left), border: s.borderTopStyle + ' ' + s.borderTopWidth,
                  knobColour: ks.backgroundColor, background: s.backgroundColor};
        }""")

    off = switch_state()
    _toggle_easy_read(widget)
    on = switch_state()
    # The state shows by shape and position, not by colour (forced colours override colours).
    assert on["knobOffset"] > off["knobOffset"] + 5, (off, on)
    assert on["border"] != off["border"], (off, on)
    assert off["knobColour"] not in ("rgba(0, 0, 0, 0)", "transparent")
    borders = page.evaluate("""() => Array.from(document.querySelector('#cap-reconversion-widget').shadowRoot
        .querySelectorAll('.cap-bubble, .cap-btn, .cap-panel')).filter(e => e.getClientRects().length)
        .map(e => getComputedStyle(e).borderTopStyle)""")
    assert borders and all(b != "none" for b in borders)  # bubbles and buttons keep their outline
    _no_violations(widget.axe(), "forced colours")
    widget.shot("24-forced-colours")
    assert page.errors == []


@pytest.mark.parametrize("name, viewport", [
    ("desktop", {"width": 1280, "height": 800}),
    ("320px", {"width": 320, "height": 640}),
])
def test_text_spacing_loses_nothing(new_context, web_url, name, viewport) -> None:
    widget = _widget_with(new_context, web_url, SPEECH_FAKE, viewport=viewport)
    page = widget.page
    widget.goto()
    widget.open()
    widget.run_script(conversation_script())
    _toggle_easy_read(widget)
    page.wait_for_timeout(700)
    bots = widget.texts("bot")
    page.evaluate(TEXT_SPACING)
    applied = page.evaluate("""() => { const p = document.querySelector('#cap-reconversion-widget').shadowRoot
        .querySelector('.cap-bubble p'); const s = getComputedStyle(p);
        return [parseFloat(s.letterSpacing) / parseFloat(s.fontSize), parseFloat(s.marginBottom) / parseFloat(s.fontSize)]; }""")
    assert abs(applied[0] - 0.12) < 0.01 and abs(applied[1] - 2) < 0.01, applied  # the spacing is in force
    assert widget.texts("bot") == bots
    problems = page.evaluate(LAYOUT_PROBLEMS)
    assert problems == [], problems
    # the last answer can still be scrolled into view and read to its end
    page.locator(".cap-msg--bot .cap-bubble").last.scroll_into_view_if_needed()
    widget.shot(f"25-text-spacing-{name}")
    _no_violations(widget.axe(), f"text spacing, {name}")
    assert page.errors == []


# ----------------------------------------------------------------------------- non-text contrast

#: What a person sees of a control and of its focus (WCAG 1.4.11, RGAA 3.3), from the page's computed
#: styles: the colour behind it (its ancestors' backgrounds composited, the canvas white under all), its
#: own background over that, its border over its own background, and, when it has focus, its outline
#: and box-shadow ring. No colour is written here: they come from the widget's CSS as the browser applies it.
NON_TEXT = """(which) => {
  const root = document.querySelector('#cap-reconversion-widget').shadowRoot;
  const rgba = (c) => { const m = /rgba?\\(([^)]+)\\)/.exec(c || ''); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(parseFloat); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, below) => top ? [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])) : below;
  const parentOf = (el) => el.parentElement || (el.getRootNode() instanceof ShadowRoot ? el.getRootNode().host : null);
  const behind = (el) => {
    const layers = [];
    for (let n = parentOf(el); n; n = parentOf(n)) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((below, c) => over(c, below), [255, 255, 255]);
  };
  const name = (el) => (el.getAttribute('aria-label') || el.innerText || el.placeholder || el.className)
    .replace(/\\s+/g, ' ').trim().slice(0, 40);
  const describe = (el) => {
    const s = getComputedStyle(el);
    const outside = behind(el);
    const own = over(rgba(s.backgroundColor), outside);
    const sides = ['Top', 'Right', 'Bottom', 'Left'].filter(k => s['border' + k + 'Style'] !== 'none'
                                                            && parseFloat(s['border' + k + 'Width']) >= 1);
    const ring = /(rgba?\\([^)]*\\))\\s+0px\\s+0px\\s+0px\\s+([\\d.]+)px/.exec(s.boxShadow || '');
    const box = el.getBoundingClientRect();
    return {name: name(el), cls: String(el.className), x: box.x + box.width / 2, y: box.y + box.height / 2, outside, own,
            border: sides.length === 4 ? over(rgba(s.borderTopColor), own) : null,
            borderWidth: sides.length === 4 ? parseFloat(s.borderTopWidth) : 0,
            outline: s.outlineStyle === 'none' ? null : over(rgba(s.outlineColor), outside),
            outlineWidth: s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth),
            outlineOffset: parseFloat(s.outlineOffset) || 0,
            ring: ring ? over(rgba(ring[1]), outside) : null, ringSpread: ring ? parseFloat(ring[2]) : 0};
  };
  if (which === 'focus') {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a && a !== document.body ? describe(a) : null;
  }
  if (which === 'switch') {
    const btn = root.querySelector('.cap-switch'), d = describe(btn);
    const track = getComputedStyle(root.querySelector('.cap-switch-track'));
    const knob = getComputedStyle(root.querySelector('.cap-switch-knob'));
    return {...d, pressed: btn.getAttribute('aria-pressed'), track: over(rgba(track.borderTopColor), d.own),
            knob: over(rgba(knob.backgroundColor), d.own)};
  }
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility === 'visible';
  return Array.from(root.querySelectorAll('button, textarea, input, select')).filter(e => visible(e) && !e.disabled)
    .map(describe);
}"""


def _luminance(rgb: list[float]) -> float:
    def channel(v: float) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    """WCAG contrast ratio of two opaque colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _boundary(c: dict) -> float:
    """How well a control's shape stands out from what is behind it: its border or its own background."""
    ratios = [contrast(c["own"], c["outside"])]
    if c["border"] is not None and c["borderWidth"] >= 1:
        ratios.append(contrast(c["border"], c["outside"]))
    return max(ratios)


def _focus_ring(c: dict) -> float:
    """How well the focus indicator stands out from what it is drawn on when the control has no focus:
    the outline (on the control's own background when drawn inside it) or the box-shadow ring, at least
    2 px of either."""
    ratios = [0.0]
    if c["outline"] is not None and c["outlineWidth"] >= 2:
        under = c["own"] if c["outlineOffset"] < 0 else c["outside"]
        ratios.append(contrast(c["outline"], under))
    visible_ring = min(c["ringSpread"], c["outlineOffset"]) if c["outline"] is not None else c["ringSpread"]
    if c["ring"] is not None and visible_ring >= 2:
        ratios.append(contrast(c["ring"], c["outside"]))
    return max(ratios)


def test_non_text_contrast_of_every_control_state_and_focus_indicator(new_context, web_url) -> None:
    """WCAG 1.4.11 / RGAA 3.3, colours as the browser computes them (forced colours off): the shape of
    every control (launcher, header buttons, the "Facile à lire" switch in both states, proposed answers,
    "Écouter", message box, "Envoyer", the erase confirmation) and the focus indicator of each one reached
    with the keyboard stand out at least 3:1 from what is next to them. Figures in
    test-artifacts/web/non-text-contrast.json."""
    from tests.web.widget import artifacts_dir

    widget = _widget_with(new_context, web_url, SPEECH_FAKE)
    page = widget.page
    page.emulate_media(forced_colors="none", reduced_motion="reduce")
    widget.goto()
    assert not page.evaluate("() => matchMedia('(forced-colors: active)').matches")
    figures: dict[str, list[dict]] = {"boundary": [], "state": [], "focus": []}

    def check_controls(state: str) -> None:
        for c in page.evaluate(NON_TEXT, "controls"):
            figures["boundary"].append({"state": state, "control": c["name"], "ratio": round(_boundary(c), 2)})

    def check_focus(state: str) -> str:
        c = page.evaluate(NON_TEXT, "focus")
        assert c is not None, f"nothing has focus ({state})"
        figures["focus"].append({"state": state, "control": c["name"], "ratio": round(_focus_ring(c), 2),
                                 "outline": c["outlineWidth"], "ring": c["ringSpread"]})
        return c["name"]

    def check_switch(state: str) -> None:
        s = page.evaluate(NON_TEXT, "switch")
        for part in ("track", "knob"):
            figures["state"].append({"state": f"{state}, aria-pressed={s['pressed']}", "control": f"switch {part}",
                                     "ratio": round(contrast(s[part], s["own"]), 2)})

    # The launcher, reached with the keyboard from the top of the page.
    check_controls("closed")
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = widget.focused()
        if focused and "cap-launcher" in focused["cls"]:
            break
    else:
        pytest.fail("Tab never reached the launcher")
    check_focus("closed")
    page.keyboard.press("Enter")
    widget.dialog.wait_for(state="visible")
    widget.wait_idle(1)
    widget.run_script(conversation_script()[:1])  # proposed answers on screen
    page.wait_for_function("() => !document.querySelector('#cap-reconversion-widget').shadowRoot"
                           ".querySelector('.cap-tools--later')")
    check_controls("open")
    check_switch("open")

    # Every control of the panel with the keyboard: backwards from the message box to "Fermer", then "Envoyer".
    widget.textbox.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # from the keyboard, so that :focus-visible applies
    reached = [check_focus("open")]
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        reached.append(check_focus("open"))
        if reached[-1].startswith("Fermer"):
            break
    widget.textbox.focus()
    page.keyboard.press("Tab")
    reached.append(check_focus("open"))
    assert {"Fermer la discussion", "Facile à lire", "Effacer ma conversation", "Envoyer",
            "Écouter ce message"} <= {r.strip() for r in reached}, reached

    # The switch on: its state indicator and its focus.
    _toggle_easy_read(widget)
    check_switch("easy read on")
    check_focus("easy read on")
    check_controls("easy read on")

    # The erase confirmation, opened and left with the keyboard.
    page.get_by_role("button", name="Effacer ma conversation").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Oui, effacer").wait_for()
    check_controls("erase confirmation")
    check_focus("erase confirmation")
    page.keyboard.press("Shift+Tab")
    check_focus("erase confirmation")
    page.keyboard.press("Escape")

    # Hover: each button under the pointer (the controls keep their order).
    for index, control in enumerate(page.evaluate(NON_TEXT, "controls")):
        if "cap-btn" in control["cls"] or "cap-send" in control["cls"] or "cap-launcher" in control["cls"]:
            page.mouse.move(control["x"], control["y"])
            hovered = page.evaluate(NON_TEXT, "controls")[index]
            assert hovered["name"] == control["name"]
            figures["boundary"].append({"state": "hover", "control": hovered["name"],
                                        "ratio": round(_boundary(hovered), 2)})

    (artifacts_dir() / "non-text-contrast.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1),
                                                            encoding="utf-8")
    low = [f for kind in figures.values() for f in kind if f["ratio"] < 3]
    assert not low, f"below 3:1: {low}"
    assert len(figures["focus"]) >= 8 and len(figures["boundary"]) >= 10
    assert page.errors == []
