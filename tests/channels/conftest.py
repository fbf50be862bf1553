"""Fixtures for the messaging channel tests: a real `rasa run` with the three channels, and local
fakes of the Telegram, Messenger (Graph) and Twilio APIs on 127.0.0.1.

One Rasa server serves the whole session (start-up takes 20-40 s). What it runs is chosen by
the environment, so the same tests run against the real assistant:

  CHANNELS_TEST_MODEL   unset or "project": the small French project in tests/channels/rasa_project
                        (trained once per content, cached in var/test-models/); no action server.
                        "real": the assistant's model (scripts/train_if_needed.py trains it if
                        needed) and its action server (`rasa run actions --actions actions`,
                        started here unless CHANNELS_TEST_ACTIONS_URL points at a running one).
                        A path: that model file, with the assistant's action server as for "real".
  CHANNELS_TEST_BUTTONS_TRIGGER  a message whose answer has at least two buttons
                        (project: "bonjour"; real model: "/inform", the first profile question).
  CHANNELS_TEST_LONG_TRIGGER     a message whose answer is longer than 4096 characters with URLs
                        (project: "toutes les étapes"; real: none, the long answer is then sent
                        through the HTTP API with `execute_side_effects`, same output channels).

The credentials and endpoints files are written by scripts/render_config.py from the
environment, exactly as `make run` does, with the fakes' addresses as API bases.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.channels.fake_platforms import FakePlatform
from tests.support.servers import free_port
from tests.support.servers import train_project_model as _train_project_model

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RASA = str(Path(sys.executable).parent / "rasa")
START_TIMEOUT_S = 240

# Test secrets (never real ones): the webhook posts below are signed with them.
TELEGRAM_TOKEN = "123456:TEST-token-for-local-fakes"
TELEGRAM_USERNAME = "cap_test_bot"
TELEGRAM_SECRET = "telegram-secret-token-for-tests"
FACEBOOK_VERIFY = "verify-token-for-tests"
FACEBOOK_SECRET = "facebook-app-secret-for-tests"
FACEBOOK_PAGE_TOKEN = "EAAtestpagetoken"
FACEBOOK_PAGE_ID = "104000000000001"
TWILIO_SID = "AC" + "0" * 31 + "1"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
TWILIO_NUMBER = "+15005550006"
TWILIO_WHATSAPP = "whatsapp:+14155238886"
MESSAGING_ID_KEY = "messaging-id-key-for-tests"


def conversation_id_of(sender: str) -> str:
    """Rasa's conversation id for a platform sender, computed independently of channels/: the
    channel as prefix; phone numbers as HMAC-SHA256 (hex, 40 characters) with the test key."""
    sender = str(sender)
    if sender.startswith("whatsapp:") or sender.startswith("+"):
        channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
        return f"{channel}:" + hmac.new(MESSAGING_ID_KEY.encode(), sender.encode(), hashlib.sha256).hexdigest()[:40]
    return ("facebook:" if len(sender) > 12 else "telegram:") + sender  # PSIDs are longer than chat ids


def rasa_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("TRACKER_STORE", "LOCK_STORE", "HTTP_PROXY", "HTTPS_PROXY",
                 "http_proxy", "https_proxy"):
        env.pop(name, None)
    env.update({
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        # the action server always requires its secret: the same one for it and for Rasa's endpoints
        "ACTION_SERVER_TOKEN": "channels-test-action-token",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    })
    env.update(extra)
    return env


def _stop(process: subprocess.Popen | None) -> None:
    """Stop a process this module started (its own process group only)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _wait_http(url: str, process: subprocess.Popen, log: Path, check=lambda r: r.ok) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited ({process.returncode}):\n{_tail(log)}")
        try:
            res = requests.get(url, timeout=2)
            if check(res):
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {START_TIMEOUT_S}s:\n{_tail(log)}")


def _tail(path: Path, size: int = 4000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-size:]
    except OSError:
        return ""


# ----------------------------------------------------------------------------- what to run


@dataclass
class Target:
    """The model to serve and how to make it answer with buttons / a long text."""

    name: str
    model: Path
    action_url: str | None
    buttons_trigger: str
    long_trigger: str | None


def train_project_model(project: Path, workdir: Path) -> Path:
    """The test project's model, trained once per content (cached under var/test-models/)."""
    return _train_project_model(project, workdir, "channels", env=rasa_env())


def real_model() -> Path:
    """The assistant's model (trained by scripts/train_if_needed.py when its inputs changed)."""
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "train_if_needed.py")], cwd=REPO,
                            env=rasa_env(), capture_output=True, text=True, timeout=3600)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines or not Path(lines[-1]).exists():
        raise RuntimeError(f"scripts/train_if_needed.py failed:\n{result.stderr[-3000:]}")
    return Path(lines[-1])


@pytest.fixture(scope="session")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the assistant's action server: CHANNELS_TEST_ACTIONS_URL, or one started here."""
    given = os.environ.get("CHANNELS_TEST_ACTIONS_URL")
    if given:
        yield given
        return
    workdir = tmp_path_factory.mktemp("actions")
    port = free_port()
    log = workdir / "actions.log"
    with log.open("ab") as out:
        process = subprocess.Popen([RASA, "run", "actions", "--actions", "actions", "--port", str(port)],
                                   cwd=REPO, env=rasa_env(SANIC_HOST="127.0.0.1"), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_http(f"http://127.0.0.1:{port}/health", process, log)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def channels_target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Target:
    """What the channel tests run against (see the module docstring)."""
    choice = os.environ.get("CHANNELS_TEST_MODEL", "project").strip() or "project"
    buttons = os.environ.get("CHANNELS_TEST_BUTTONS_TRIGGER")
    long_ = os.environ.get("CHANNELS_TEST_LONG_TRIGGER")
    if choice == "project":
        model = train_project_model(HERE / "rasa_project", tmp_path_factory.mktemp("train"))
        return Target("project", model, None, buttons or "bonjour", long_ or "toutes les étapes")
    if choice == "real":
        model = real_model()
        return Target("real", model, request.getfixturevalue("action_server"), buttons or "/inform", long_)
    model = Path(choice)
    if not model.exists():
        raise RuntimeError(f"CHANNELS_TEST_MODEL: no such model {model}")
    return Target("model", model, request.getfixturevalue("action_server"), buttons or "/inform", long_)


# ----------------------------------------------------------------------------- fakes and server


@pytest.fixture(scope="session")
def fakes() -> Iterator[dict[str, FakePlatform]]:
    """Local fakes of the three platforms' APIs."""
    started = {
        "telegram": FakePlatform("telegram", bot_username=TELEGRAM_USERNAME).start(),
        "facebook": FakePlatform("facebook").start(),
        "twilio": FakePlatform("twilio").start(),
    }
    yield started
    for fake in started.values():
        fake.stop()


def twilio_signature(url: str, form: Mapping[str, str], token: str) -> str:
    """Twilio's documented algorithm, written independently of channels.messaging."""
    data = url + "".join(f"{name}{form[name]}" for name in sorted(form))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


class ChannelsServer:
    """The running `rasa run` and helpers to post real-format webhooks to it."""

    def __init__(self, target: Target, fakes: dict[str, FakePlatform], workdir: Path) -> None:
        self.target = target
        self.fakes = fakes
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tracker_db = workdir / "tracker.db"
        self.log = workdir / "rasa.log"
        self.twilio_webhook_url = f"{self.url}/webhooks/twilio/webhook"
        self.telegram_webhook_url = f"{self.url}/webhooks/telegram/webhook"
        self.process: subprocess.Popen | None = None
        self._update_id = 100000
        self.env = rasa_env(
            CAP_VAR_DIR=str(workdir), TRACKER_STORE="sqlite", TRACKER_DB_PATH=str(self.tracker_db),
            LOCK_STORE="memory", ACTION_SERVER_URL=target.action_url or "http://127.0.0.1:9/webhook",
            TELEGRAM_ACCESS_TOKEN=TELEGRAM_TOKEN, TELEGRAM_VERIFY=TELEGRAM_USERNAME,
            TELEGRAM_WEBHOOK_URL=self.telegram_webhook_url, TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET,
            TELEGRAM_API_BASE=fakes["telegram"].url,
            FACEBOOK_VERIFY=FACEBOOK_VERIFY, FACEBOOK_SECRET=FACEBOOK_SECRET,
            FACEBOOK_PAGE_ACCESS_TOKEN=FACEBOOK_PAGE_TOKEN, FACEBOOK_GRAPH_URL=f"{fakes['facebook'].url}/v19.0",
            TWILIO_ACCOUNT_SID=TWILIO_SID, TWILIO_AUTH_TOKEN=TWILIO_TOKEN, TWILIO_NUMBER=TWILIO_NUMBER,
            TWILIO_WHATSAPP_NUMBER=TWILIO_WHATSAPP, CAP_MESSAGING_ID_KEY=MESSAGING_ID_KEY,
            TWILIO_WEBHOOK_URL=self.twilio_webhook_url, TWILIO_API_BASE=fakes["twilio"].url,
        )

    def start(self) -> None:
        rendered = subprocess.run([sys.executable, str(REPO / "scripts" / "render_config.py")], cwd=REPO,
                                  env=self.env, capture_output=True, text=True, timeout=60)
        if rendered.returncode != 0:
            raise RuntimeError(f"render_config.py failed: {rendered.stderr}")
        # Rasa 3.6 substitutes ${VAR} only in plain (unquoted) YAML scalars; a quoted "${VAR}"
        # stays literal. Unquote them so the channels get the values (no-op once the generator
        # writes them plain).
        credentials = self.workdir / "credentials.yml"
        credentials.write_text(re.sub(r'"(\$\{\w+\})"', r"\1", credentials.read_text(encoding="utf-8")),
                               encoding="utf-8")
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [RASA, "run", "--enable-api", "-m", str(self.target.model),
                 "--credentials", str(self.workdir / "credentials.yml"),
                 "--endpoints", str(self.workdir / "endpoints.yml"),
                 "-i", "127.0.0.1", "-p", str(self.port)],
                cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        _wait_http(f"{self.url}/status", self.process, self.log,
                   check=lambda r: r.ok and bool(r.json().get("model_id")))

    def stop(self) -> None:
        _stop(self.process)

    def log_tail(self, size: int = 4000) -> str:
        return _tail(self.log, size)

    # ------------------------------------------------------------------ webhooks

    def post_telegram(self, update: dict[str, Any], secret: str | None = TELEGRAM_SECRET) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return requests.post(self.telegram_webhook_url, data=json.dumps(update), headers=headers, timeout=60)

    def telegram_text_update(self, chat_id: int, text: str) -> dict[str, Any]:
        """A Telegram Update as the Bot API posts it for a private text message."""
        self._update_id += 1
        person = {"id": chat_id, "is_bot": False, "first_name": "Camille", "language_code": "fr"}
        return {"update_id": self._update_id, "message": {
            "message_id": self._update_id % 10000, "from": person,
            "chat": {"id": chat_id, "first_name": "Camille", "type": "private"},
            "date": int(time.time()), "text": text}}

    def telegram_callback_update(self, chat_id: int, data: str, message_text: str = "…") -> dict[str, Any]:
        """A Telegram Update for a press on an inline button."""
        self._update_id += 1
        person = {"id": chat_id, "is_bot": False, "first_name": "Camille", "language_code": "fr"}
        return {"update_id": self._update_id, "callback_query": {
            "id": str(4382000000000000000 + self._update_id), "from": person,
            "chat_instance": "-5000000000000000000", "data": data,
            "message": {"message_id": 77, "date": int(time.time()), "text": message_text,
                        "from": {"id": 123456, "is_bot": True, "first_name": "Cap Reconversion",
                                 "username": TELEGRAM_USERNAME},
                        "chat": {"id": chat_id, "first_name": "Camille", "type": "private"}}}}

    @staticmethod
    def messenger_event(psid: str, text: str | None = None, quick_reply: str | None = None) -> dict[str, Any]:
        """A Messenger webhook event as Meta posts it for a text message."""
        now = int(time.time() * 1000)
        message: dict[str, Any] = {"mid": f"m_{now}{psid}", "text": text or ""}
        if quick_reply is not None:
            message["quick_reply"] = {"payload": quick_reply}
        return {"object": "page", "entry": [{"id": FACEBOOK_PAGE_ID, "time": now, "messaging": [{
            "sender": {"id": psid}, "recipient": {"id": FACEBOOK_PAGE_ID}, "timestamp": now,
            "message": message}]}]}

    def post_messenger(self, event: dict[str, Any], signature: str | None = "valid",
                       algorithm: str = "sha1") -> requests.Response:
        """``signature``: "valid" (HMAC with the app secret), None (no header) or a literal header value."""
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if signature == "valid":
            digest = hmac.new(FACEBOOK_SECRET.encode(), body, getattr(hashlib, algorithm)).hexdigest()
            name = "X-Hub-Signature-256" if algorithm == "sha256" else "X-Hub-Signature"
            headers[name] = f"{algorithm}={digest}"
        elif signature is not None:
            headers["X-Hub-Signature"] = signature
        return requests.post(f"{self.url}/webhooks/facebook/webhook", data=body, headers=headers, timeout=60)

    @staticmethod
    def sms_form(sender: str, body: str) -> dict[str, str]:
        """Twilio's form for an incoming SMS."""
        sid = "SM" + hashlib.md5(f"{sender}{body}{time.time()}".encode()).hexdigest()
        return {"ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
                "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
                "Body": body, "FromCountry": "FR", "To": TWILIO_NUMBER, "ToZip": "", "NumSegments": "1",
                "MessageSid": sid, "AccountSid": TWILIO_SID, "From": sender, "ApiVersion": "2010-04-01"}

    @staticmethod
    def whatsapp_form(sender: str, body: str) -> dict[str, str]:
        """Twilio's form for an incoming WhatsApp message (``From=whatsapp:+33…``)."""
        sid = "SM" + hashlib.md5(f"{sender}{body}{time.time()}".encode()).hexdigest()
        return {"SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Camille", "MessageType": "text",
                "SmsSid": sid, "WaId": sender.split("+", 1)[1], "SmsStatus": "received", "Body": body,
                "To": TWILIO_WHATSAPP, "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
                "AccountSid": TWILIO_SID, "From": sender, "ApiVersion": "2010-04-01"}

    def post_twilio(self, form: dict[str, str], signature: str | None = "valid") -> requests.Response:
        headers = {}
        if signature == "valid":
            headers["X-Twilio-Signature"] = twilio_signature(self.twilio_webhook_url, form, TWILIO_TOKEN)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        return requests.post(self.twilio_webhook_url, data=form, headers=headers, timeout=60)

    # ------------------------------------------------------------------ state

    def tracker(self, sender: str) -> dict[str, Any]:
        """The tracker of a platform sender's conversation (read through the HTTP API)."""
        res = requests.get(f"{self.url}/conversations/{conversation_id_of(sender)}/tracker", timeout=30)
        res.raise_for_status()
        return res.json()

    def events(self, sender_id: str, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.tracker(sender_id)["events"] if e.get("event") == kind]

    def stored_event_count(self, sender: str) -> int:
        """Rows of that conversation in the SQL tracker store (read directly, API untouched)."""
        with sqlite3.connect(self.tracker_db) as db:
            return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?",
                              (conversation_id_of(sender),)).fetchone()[0]

    def stored_text(self) -> str:
        """Every sender id and event of the SQL tracker store, as stored."""
        with sqlite3.connect(self.tracker_db) as db:
            return "\n".join(f"{row[0]} {row[1]}" for row in db.execute("SELECT sender_id, data FROM events"))

    def inject_bot_message(self, channel: str, sender_id: str, text: str,
                           buttons: list[dict[str, Any]] | None = None) -> None:
        """Send a bot message to ``channel`` through the HTTP API (same output channel code)."""
        # Start the conversation first: the SQL store reads the latest session by timestamp, and
        # an event built before its session_started would fall outside it.
        sender_id = conversation_id_of(sender_id)
        requests.post(f"{self.url}/conversations/{sender_id}/tracker/events",
                      json=[{"event": "action", "name": "action_listen"}], timeout=60).raise_for_status()
        event = {"event": "bot", "text": text, "timestamp": time.time(), "data": {"buttons": buttons or []}}
        res = requests.post(f"{self.url}/conversations/{sender_id}/tracker/events",
                            params={"output_channel": channel, "execute_side_effects": "true"},
                            json=[event], timeout=60)
        res.raise_for_status()


@pytest.fixture(scope="session")
def channels_server(channels_target: Target, fakes: dict[str, FakePlatform],
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChannelsServer]:
    """One `rasa run` with the Telegram, Messenger and Twilio channels for the whole session."""
    server = ChannelsServer(channels_target, fakes, tmp_path_factory.mktemp("rasa-channels"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
