"""Fixtures for the widget tests: a Rasa server, the demo page server and headless Chromium.

Everything is configurable from the environment, so the same tests run against the real
assistant once `make test` starts it:

  RASA_URL              a running Rasa server to use (`channels.web.CapSocketIOInput` with
                        `session_persistence: true`, `channels.privacy.PrivacyInput`, `--cors`
                        allowing the page, `--enable-api`). Unset: the fixture trains (once, cached in
                        var/test-models/) and starts the small test project below.
  RASA_AUTH_TOKEN       that server's HTTP API token, if it has one.
  WEB_TEST_RASA         `assistant`: use the real assistant of the `assistant` fixture
                        (tests/conftest.py) instead (then set WEB_TEST_SCRIPT too).
  WEB_URL               a running page server to use (its page must point at RASA_URL).
                        Unset: bot.web.server is started in-process on a free port.
  WEB_TEST_RASA_PROJECT Rasa project served when RASA_URL is unset (default tests/web/rasa_project).
  WEB_TEST_RASA_MODEL   a trained model to serve instead of training that project.
  WEB_TEST_SCRIPT       JSON file: the conversation that leads to recommendations (see
                        tests/web/widget.py::DEFAULT_SCRIPT for the format).
  CHROMIUM_PATH         default /usr/bin/chromium (Debian package `chromium`).
  WEB_TEST_RESTART      0 skips the test that kills and restarts the Rasa server (~2 starts of
                        `rasa run` instead of 1); the socket-drop test still runs.
  WEB_TEST_ARTIFACTS    screenshots folder (default test-artifacts/web/).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import free_port, train_project_model

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
RASA_START_TIMEOUT_S = 180


# ----------------------------------------------------------------------------- Rasa


def train_test_model(project: Path, workdir: Path) -> Path:
    """The project's model, trained once per content (cached under var/test-models/)."""
    return train_project_model(project, workdir, "web", env=_rasa_env())


def _rasa_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
    })
    return env


class RasaServer:
    """A `rasa run` process this test session owns (it can stop and restart it)."""

    def __init__(self, model: Path, workdir: Path) -> None:
        self.model = model
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tracker_db = workdir / "tracker.db"
        self.log_path = workdir / "rasa.log"
        self.process: subprocess.Popen | None = None
        # As `make run`: the API needs the token, CORS allows only the page (whose port is chosen
        # now), the widget's sessions are signed with a key that survives a restart.
        self.token = secrets.token_hex(24)
        self.session_secret = secrets.token_hex(24)
        self.page_port = free_port()
        (workdir / "credentials.yml").write_text(
            "channels.web.CapSocketIOInput:\n"
            "  user_message_evt: user_uttered\n"
            "  bot_message_evt: bot_uttered\n"
            "  session_persistence: true\n"
            "channels.privacy.PrivacyInput: {}\n",
            encoding="utf-8",
        )
        (workdir / "endpoints.yml").write_text(
            f"tracker_store:\n  type: rasa_components.tracker_store.CapSQLTrackerStore\n  dialect: sqlite\n  db: {self.tracker_db}\n", encoding="utf-8"
        )

    owned = True

    def start(self) -> None:
        """Start `rasa run` and wait until the model is loaded."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "rasa"), "run", "--enable-api", f"--auth-token={self.token}",
             "--cors", f"http://127.0.0.1:{self.page_port}", f"http://localhost:{self.page_port}",
             "-m", str(self.model), "--credentials", str(self.workdir / "credentials.yml"),
             "--endpoints", str(self.workdir / "endpoints.yml"), "-i", "127.0.0.1", "-p", str(self.port)],
            cwd=REPO, env={**_rasa_env(), "RASA_AUTH_TOKEN": self.token, "CAP_SESSION_SECRET": self.session_secret},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + RASA_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rasa run exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/status?token={self.token}", timeout=2) as res:
                    if json.load(res).get("model_id"):
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"rasa run did not start in {RASA_START_TIMEOUT_S}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the process this fixture started (its own process group only)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def kill(self) -> None:
        """Simulate a crash."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


class ExternalRasa:
    """A Rasa server somebody else runs (RASA_URL, or the session's `assistant` fixture)."""

    owned = False

    def __init__(self, url: str, tracker_db: Path | None = None, token: str | None = None,
                 page_port: int = 0) -> None:
        self.url = url.rstrip("/")
        self.page_port = page_port  # the page's port the server allows by CORS (0: any free one)
        self.tracker_db = tracker_db  # an SQLite tracker store the tests may read, if known
        self.token = token or os.environ.get("RASA_AUTH_TOKEN") or None


@pytest.fixture(scope="session")
def rasa_server(request, tmp_path_factory) -> Iterator[RasaServer | ExternalRasa]:
    """The Rasa server the widget talks to."""
    external = os.environ.get("RASA_URL")
    if external:
        yield ExternalRasa(external)
        return
    if os.environ.get("WEB_TEST_RASA") == "assistant":
        # The real assistant that tests/conftest.py starts once for the whole session.
        running = request.getfixturevalue("assistant")
        yield ExternalRasa(running.rasa_url, tracker_db=getattr(running, "tracker_db", None),
                           token=getattr(running, "token", None), page_port=getattr(running, "page_port", 0))
        return
    workdir = tmp_path_factory.mktemp("rasa")
    model_env = os.environ.get("WEB_TEST_RASA_MODEL")
    if model_env:
        model = Path(model_env)
    else:
        project = Path(os.environ.get("WEB_TEST_RASA_PROJECT", HERE / "rasa_project"))
        model = train_test_model(project, workdir)
    server = RasaServer(model, workdir)
    server.start()
    yield server
    server.stop()


# ----------------------------------------------------------------------------- page server


@pytest.fixture(scope="session")
def web_url(rasa_server) -> Iterator[str]:
    """Base URL of the demo page (no trailing slash)."""
    external = os.environ.get("WEB_URL")
    if external:
        yield external.rstrip("/")
        return
    from bot.web.server import WebConfig, make_server

    httpd = make_server("127.0.0.1", getattr(rasa_server, "page_port", 0), WebConfig.from_env(rasa_server.url))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


# ----------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Headless Debian Chromium driven by Playwright (a fresh profile per launch), one per test module:
    Playwright's sync API keeps an event loop running while it is open, so none may outlive its module
    (another folder's browser tests, or any asyncio.run, would fail after it)."""
    yield from launch_browser()


def launch_browser() -> Iterator:
    """One Playwright session and its Chromium, closed when the generator ends. Playwright's sync API
    keeps an event loop running in this thread while it is open: a module of another folder that
    needs a browser defines its own module-scoped fixture with this, so none outlives its tests."""
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.skip(f"Chromium not found at {executable} (apt-get install -y chromium)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Factory of isolated browser contexts (own storage, cookies, cache); all closed afterwards."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "fr-FR")
        context = browser.new_context(**options)
        context.set_default_timeout(15000)
        # Injected through the DevTools protocol, so the page's strict CSP does not block it.
        context.add_init_script(path=str(HERE / "vendor" / "axe.min.js"))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context, with browser errors collected in `page.errors`."""
    page = new_context().new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    return page


@pytest.fixture
def rasa_api(rasa_server):
    """Helpers that read the server side of a conversation."""
    from tests.web.widget import RasaApi

    return RasaApi(rasa_server)


def pytest_collection_modifyitems(config, items) -> None:
    # Browser tests reuse one Rasa server; the one that restarts it runs last.
    items.sort(key=lambda item: item.get_closest_marker("restarts_rasa") is not None)
