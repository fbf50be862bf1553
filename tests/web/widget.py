"""Test helpers: the widget as a person uses it (Playwright), and the server side of a conversation."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

#: The conversation that reaches recommendations with tests/web/rasa_project. Steps:
#:   {"expect_reply": "<button title>"}  wait until the bot offers that button
#:   {"click": "<button title>"}         click a quick reply and wait for the answer
#:   {"say": "<text>"}                   type a message, press Enter, wait for the answer
#:   {"expect": "<regex>"}               a bot message matches (case-insensitive)
#: Set WEB_TEST_SCRIPT to a JSON file with such a list to drive the real assistant.
DEFAULT_SCRIPT: list[dict[str, str]] = [
    {"expect_reply": "Salarié du privé"},
    {"click": "Salarié du privé"},
    {"click": "Non, pas encore"},
    {"expect": "Voici les dispositifs"},
]



def artifacts_dir() -> Path:
    """Where screenshots go (WEB_TEST_ARTIFACTS, default test-artifacts/web/, gitignored)."""
    path = Path(os.environ.get("WEB_TEST_ARTIFACTS", REPO / "test-artifacts" / "web"))
    path.mkdir(parents=True, exist_ok=True)
    return path


#: A session token issued and signed by the server (channels/web.py): random id + HMAC.
SESSION_TOKEN_RE = re.compile(r"^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$")
STORAGE_KEY = "cap-reconversion:conversation"

_DEEP_ACTIVE = """() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a) return null;
  const style = getComputedStyle(a);
  return {tag: a.tagName.toLowerCase(), text: (a.innerText || a.value || '').trim(), cls: String(a.className),
          role: a.getAttribute('role'), outlineStyle: style.outlineStyle,
          outlineWidth: parseFloat(style.outlineWidth) || 0};
}"""

_IDLE = """(minBots) => {
  const w = window.CapReconversion && window.CapReconversion.widget;
  return Boolean(w && w.connState === 'ready' && !w.syncing && w.inflight === null
                 && w.queue.length === 0 && w.counts.bot >= minBots);
}"""


def conversation_script() -> list[dict[str, str]]:
    """WEB_TEST_SCRIPT's steps, or the test project's."""
    path = os.environ.get("WEB_TEST_SCRIPT")
    if not path:
        return DEFAULT_SCRIPT
    return json.loads(Path(path).read_text(encoding="utf-8"))


def sender_of(session_token: str) -> str:
    """The conversation id (Rasa's sender id) a signed session token stands for."""
    return session_token.split(".", 1)[0]


class RasaApi:
    """The server side of a conversation: privacy endpoints, HTTP API, tracker database."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.url = server.url
        self.token = getattr(server, "token", None) or os.environ.get("RASA_AUTH_TOKEN")

    def _request(self, url: str, body: dict | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                raw = res.read()
                return res.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            return err.code, json.loads(raw) if raw else None

    def history(self, session_id: str) -> dict:
        """POST /webhooks/privacy/history."""
        status, body = self._request(f"{self.url}/webhooks/privacy/history", {"session_id": session_id})
        assert status == 200, (status, body)
        return body

    def user_texts(self, session_id: str) -> list[str]:
        return [m["text"] for m in self.history(session_id)["messages"]
                if m["sender"] == "user" and not m.get("hidden")]

    def tracker_messages(self, session_id: str) -> list[dict]:
        """User and bot events from the HTTP API (GET /conversations/{id}/tracker)."""
        query = f"?token={urllib.parse.quote(self.token)}" if self.token else ""
        status, body = self._request(f"{self.url}/conversations/{sender_of(session_id)}/tracker{query}")
        assert status == 200, (status, body)
        return [e for e in body.get("events", []) if e.get("event") in ("user", "bot")]

    def db_rows(self, session_id: str) -> int | None:
        """Rows of the SQLite tracker store for this sender (None when the store is not ours)."""
        db = getattr(self.server, "tracker_db", None)
        if not db:
            return None
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?",
                                (sender_of(session_id),)).fetchone()[0]


class WidgetPage:
    """The demo page and its widget, driven like a person would (roles and names)."""

    def __init__(self, page: Any, web_url: str, title: str = "Cap Reconversion") -> None:
        self.page = page
        self.web_url = web_url
        self.title = title

    # --------------------------------------------------------------- locators

    @property
    def launcher(self):
        return self.page.get_by_role("button", name="Ouvrir la discussion")

    @property
    def dialog(self):
        return self.page.get_by_role("dialog", name=self.title)

    @property
    def textbox(self):
        return self.page.get_by_role("textbox", name="Votre message")

    @property
    def log(self):
        return self.page.get_by_role("log")

    def reply_button(self, title: str):
        return self.page.get_by_role("group", name="Réponses proposées").get_by_role("button", name=title, exact=True)

    # --------------------------------------------------------------- actions

    def goto(self, path: str = "/") -> None:
        self.page.goto(self.web_url + path)
        self.page.wait_for_function("() => Boolean(window.CapReconversion)")

    def open(self) -> None:
        self.launcher.click()
        self.dialog.wait_for(state="visible")
        # let the 160 ms opening fade finish: mid-fade, colours are half transparent (and axe says so)
        self.page.wait_for_function(
            "() => { const r = document.querySelector('#cap-reconversion-widget').shadowRoot;"
            " return r.getAnimations().every(a => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity); }",
            timeout=5000)

    def wait_idle(self, min_bots: int = 0, timeout: float = 30000) -> None:
        """Connected, synchronised, nothing waiting to be sent or answered."""
        self.page.wait_for_function(_IDLE, arg=min_bots, timeout=timeout)

    def send(self, text: str) -> None:
        before = self.bot_count()
        self.textbox.fill(text)
        self.textbox.press("Enter")
        self.wait_idle(before + 1)

    def click_reply(self, title: str) -> None:
        before = self.bot_count()
        self.reply_button(title).click()
        self.wait_idle(before + 1)

    def run_script(self, script: list[dict[str, str]]) -> None:
        for step in script:
            if "expect_reply" in step:
                self.reply_button(step["expect_reply"]).wait_for(state="visible", timeout=30000)
            elif "click" in step:
                self.click_reply(step["click"])
            elif "say" in step:
                self.send(step["say"])
            elif "expect" in step:
                pattern = re.compile(step["expect"], re.IGNORECASE)
                self.page.wait_for_function(
                    "(p) => Array.from(document.querySelector('#cap-reconversion-widget').shadowRoot"
                    ".querySelectorAll('.cap-msg--bot .cap-bubble')).some(b => new RegExp(p, 'i').test(b.innerText))",
                    arg=pattern.pattern, timeout=30000)
            else:
                raise ValueError(f"unknown script step {step!r}")

    # --------------------------------------------------------------- reading

    def state(self) -> dict:
        return self.page.evaluate("""() => { const w = window.CapReconversion.widget;
          return {connState: w.connState, sessionId: w.sessionId, queue: w.queue.length,
                  inflight: Boolean(w.inflight), counts: w.counts, isOpen: w.isOpen}; }""")

    def bot_count(self) -> int:
        return self.page.evaluate("() => window.CapReconversion.widget.counts.bot")

    def texts(self, who: str) -> list[str]:
        """Visible text of the bubbles of `who` ('bot' or 'user'), without the spoken speaker prefix."""
        return self.page.evaluate(
            """(who) => Array.from(document.querySelector('#cap-reconversion-widget').shadowRoot
                 .querySelectorAll('.cap-msg--' + who + ' .cap-bubble')).map(b => {
                   const c = b.cloneNode(true); c.querySelectorAll('.cap-sr').forEach(s => s.remove());
                   return c.innerText.trim(); })""", who)

    def storage(self) -> dict:
        return self.page.evaluate("() => Object.assign({}, localStorage)")

    def session_storage(self) -> dict:
        return self.page.evaluate("() => Object.assign({}, sessionStorage)")

    def session_id(self) -> str | None:
        raw = self.storage().get(STORAGE_KEY)
        return json.loads(raw)["id"] if raw else None

    def focused(self) -> dict | None:
        """The element that really has focus (through the shadow root)."""
        return self.page.evaluate(_DEEP_ACTIVE)

    def status_text(self) -> str:
        return " ".join(t.strip() for t in self.page.get_by_role("status").all_inner_texts()).strip()

    # --------------------------------------------------------------- checks and artifacts

    def axe(self) -> list[dict]:
        """axe-core violations on the whole page (all rules but experimental ones)."""
        errors = getattr(self.page, "errors", None)
        start = len(errors) if errors is not None else 0
        violations = self.page.evaluate("""async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                         nodes: v.nodes.map(n => n.target.join(' > '))}));
        }""")
        if errors is not None:
            # axe copies the stylesheets into <style> elements to inspect them (its "cssom"
            # preload); the page's strict CSP refuses that, which is not the widget's doing.
            errors[start:] = [e for e in errors[start:] if "Content Security Policy" not in e]
        return violations

    def shot(self, name: str) -> Path:
        path = artifacts_dir() / f"{name}.png"
        # caret="initial": Playwright would otherwise inject a <style>, which the page's CSP refuses.
        self.page.screenshot(path=str(path), full_page=False, caret="initial")
        return path
