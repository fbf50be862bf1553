"""The action server as deployed: its secret required on every path, no tracker echoed on errors."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest

from tests.support.servers import REPO, VENV_BIN, _wait, free_port

pytestmark = pytest.mark.servers


@contextmanager
def _action_server(workdir, **env_vars: str):
    port = free_port()
    log = workdir / "actions.log"
    env = {**os.environ, "SANIC_HOST": "127.0.0.1", "CAP_AS_OF": "2026-03-15", "PYTHONPATH": str(REPO), **env_vars}
    if "ACTION_SERVER_TOKEN" not in env_vars:
        env.pop("ACTION_SERVER_TOKEN", None)
    proc = subprocess.Popen([str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
                            cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        _wait(f"http://127.0.0.1:{port}/health", proc, "action server", log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    with _action_server(tmp_path_factory.mktemp("actions"), ACTION_SERVER_TOKEN="s3cret-test-token") as url:
        yield url


def call(url: str, body: dict, token: str | None, path: str = "/webhook") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["X-Cap-Action-Token"] = token
    req = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


SUMMARY_CALL = {
    "next_action": "action_summary", "sender_id": "t", "version": "3.6.21", "domain": {},
    "tracker": {"sender_id": "t", "slots": {"status": "salarie_prive", "contract": "cdi", "age": 31},
                "latest_message": {"text": "récap", "intent": {"name": "ask_summary"}, "entities": []},
                "events": [], "paused": False, "followup_action": None, "active_loop": {},
                "latest_action_name": "action_listen"},
}


@pytest.mark.parametrize("path", ["/webhook", "/webhook/", "//webhook", "/webhook?x=1"])
def test_token_is_required_on_every_path(action_server, path):
    assert call(action_server, SUMMARY_CALL, None, path)[0] == 401
    assert call(action_server, SUMMARY_CALL, "wrong", path)[0] == 401
    if path == "//webhook":
        return  # however the router reads it, it never runs an action without the token
    status, body = call(action_server, SUMMARY_CALL, "s3cret-test-token", path)
    assert status == 200
    assert "31 ans" in body["responses"][0]["text"]


def test_action_list_needs_the_token_too(action_server):
    req = urllib.request.Request(f"{action_server}/actions")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert err.value.code == 401
    with urllib.request.urlopen(f"{action_server}/health", timeout=30) as resp:  # health stays open
        assert resp.status == 200


def test_without_a_configured_secret_one_is_generated_and_required(tmp_path):
    """As `make run` starts it when ACTION_SERVER_TOKEN is unset: never open."""
    from bot.config import Settings

    with _action_server(tmp_path, CAP_VAR_DIR=str(tmp_path / "var"),
                        DATABASE_URL=Settings.from_env().database_url) as url:
        assert call(url, SUMMARY_CALL, None)[0] == 401
        assert call(url, SUMMARY_CALL, None, "/webhook/")[0] == 401
        secret_file = tmp_path / "var" / "secrets" / "ACTION_SERVER_TOKEN"
        assert secret_file.stat().st_mode & 0o777 == 0o600
        assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700
        assert call(url, SUMMARY_CALL, secret_file.read_text().strip())[0] == 200


def test_errors_do_not_echo_what_people_typed(action_server):
    broken = json.loads(json.dumps(SUMMARY_CALL))
    broken["tracker"]["slots"] = "pas un dictionnaire — texte privé de la personne"
    status, body = call(action_server, broken, "s3cret-test-token")
    assert status == 500
    assert "texte privé" not in json.dumps(body, ensure_ascii=False)
    assert "request_body" not in body
