"""Start the real assistant for tests: action server + Rasa server (REST, socket.io, HTTP API).

One instance per test session (Rasa takes ~20-40 s to start); everything listens on 127.0.0.1
on free ports, with an SQLite tracker store in a temporary folder. As `make run` does, the
servers are closed by default: the HTTP API and the REST channel require the token
(``Assistant.token``), the action server its secret; the web channels are the repository's own
(``channels.web``), with random secrets kept in the work folder.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def trained_model() -> Path:
    """The real model (trained by scripts/train_if_needed.py only when its inputs changed)."""
    env_model = os.environ.get("CAP_TEST_MODEL")
    if env_model and Path(env_model).exists():
        return Path(env_model)
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "train_if_needed.py")], cwd=REPO,
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip().splitlines()[-1])


def _wait(url: str, proc: subprocess.Popen, name: str, log: Path, timeout: float = 240) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{name} did not start in {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@dataclass
class Assistant:
    """A running assistant."""

    rasa_url: str
    action_url: str
    tracker_db: Path
    workdir: Path
    token: str | None = None
    procs: list[subprocess.Popen] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    page_port: int = 0  # the port a test page may serve the widget on (allowed by CORS)

    def _api(self, path: str) -> str:
        url = f"{self.rasa_url}{path}"
        return f"{url}{'&' if '?' in url else '?'}token={self.token}" if self.token else url

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        """Send a message through the REST channel; returns the bot's messages."""
        body = json.dumps({"sender": sender, "message": message}).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(f"{self.rasa_url}/webhooks/rest/webhook", data=body, headers=headers)
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read())

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation's tracker through the HTTP API."""
        with urllib.request.urlopen(self._api(f"/conversations/{sender}/tracker"), timeout=30) as resp:
            return json.loads(resp.read())


def write_config(workdir: Path, action_port: int, *, extra_credentials: str = "", tracker: str | None = None,
                 lock_store: str = "") -> tuple[Path, Path, Path]:
    db = workdir / "tracker.db"
    endpoints = workdir / "endpoints.yml"
    credentials = workdir / "credentials.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
        "  headers:\n    X-Cap-Action-Token: ${ACTION_SERVER_TOKEN}\n"
        + (tracker or f"tracker_store:\n  type: rasa_components.tracker_store.CapSQLTrackerStore\n  dialect: sqlite\n  db: {db}\n") + lock_store,
        encoding="utf-8")
    credentials.write_text(
        "channels.web.CapRestInput: {}\nchannels.web.CapSocketIOInput:\n  user_message_evt: user_uttered\n"
        "  bot_message_evt: bot_uttered\n"
        "  session_persistence: true\nchannels.privacy.PrivacyInput: {}\n" + extra_credentials, encoding="utf-8")
    return endpoints, credentials, db


@contextmanager
def running_assistant(workdir: Path, *, env: dict[str, str] | None = None, extra_credentials: str = "",
                      token: str | None = None, tracker: str | None = None, lock_store: str = "",
                      action_server: bool = True, rasa_port: int | None = None) -> Iterator[Assistant]:
    """Start the action server and the Rasa server; stop them on exit.

    ``token`` defaults to a random one (the servers are never open); the secrets and logs live in
    ``workdir``, so several assistants started on one folder share them.
    """
    import secrets

    workdir.mkdir(parents=True, exist_ok=True)
    secrets_file = workdir / "test-secrets.json"
    if secrets_file.exists():
        known = json.loads(secrets_file.read_text(encoding="utf-8"))
    else:
        known = {"RASA_AUTH_TOKEN": secrets.token_hex(24), "ACTION_SERVER_TOKEN": secrets.token_hex(24),
                 "CAP_SESSION_SECRET": secrets.token_hex(24)}
        secrets_file.write_text(json.dumps(known), encoding="utf-8")
    token = token or known["RASA_AUTH_TOKEN"]
    known["RASA_AUTH_TOKEN"] = token
    model = trained_model()
    action_port, rasa_port, page_port = free_port(), rasa_port or free_port(), free_port()
    endpoints, credentials, db = write_config(workdir, action_port, extra_credentials=extra_credentials,
                                              tracker=tracker, lock_store=lock_store)
    full_env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(REPO),
                "SANIC_HOST": "127.0.0.1", **known, **(env or {})}
    procs: list[subprocess.Popen] = []
    try:
        if action_server:
            alog = workdir / "actions.log"
            aproc = subprocess.Popen([str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port",
                                      str(action_port)], cwd=REPO, env=full_env, stdout=alog.open("w"),
                                     stderr=subprocess.STDOUT)
            procs.append(aproc)
            _wait(f"http://127.0.0.1:{action_port}/health", aproc, "action server", alog)
        rlog = workdir / "rasa.log"
        cmd = [str(VENV_BIN / "rasa"), "run", "-m", str(model), "--enable-api", "--cors", "http://localhost:8080",
               f"http://127.0.0.1:{page_port}", f"http://localhost:{page_port}",
               "--port", str(rasa_port), "--interface", "127.0.0.1", "--endpoints", str(endpoints),
               "--credentials", str(credentials), f"--auth-token={token}"]
        rproc = subprocess.Popen(cmd, cwd=REPO, env=full_env, stdout=rlog.open("w"), stderr=subprocess.STDOUT)
        procs.append(rproc)
        _wait(f"http://127.0.0.1:{rasa_port}/status?token={token}", rproc, "Rasa server", rlog)
        yield Assistant(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", db, workdir, token, procs,
                        full_env, page_port)
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def project_hash(project: Path) -> str:
    """Content hash of a small Rasa test project (with the Rasa version)."""
    import hashlib

    import rasa

    digest = hashlib.sha256(f"rasa {rasa.__version__}\n".encode())
    for path in sorted(p for p in project.rglob("*") if p.is_file() and ".rasa" not in p.parts
                       and "models" not in p.parts):
        digest.update(path.relative_to(project).as_posix().encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()[:16]


def train_project_model(project: Path, workdir: Path, prefix: str, env: dict[str, str] | None = None) -> Path:
    """A test project's model, trained once per content (cached under var/test-models/)."""
    import shutil

    cache = Path(os.environ.get("CAP_VAR_DIR", REPO / "var")) / "test-models"
    cache.mkdir(parents=True, exist_ok=True)
    name = f"{prefix}-{project_hash(project)}"
    model = cache / f"{name}.tar.gz"
    if model.exists():
        return model
    copy = workdir / "project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".rasa", "models"))
    result = subprocess.run([str(VENV_BIN / "rasa"), "train", "--out", str(cache), "--fixed-model-name", name],
                            cwd=copy, env=env or {**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0 or not model.exists():
        raise RuntimeError(f"rasa train failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    for old in cache.glob(f"{prefix}-*.tar.gz"):  # models of earlier versions of the project
        if old != model:
            old.unlink(missing_ok=True)
    return model
