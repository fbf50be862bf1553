"""The action server as deployed: token required when configured, no tracker echoed on errors."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.support.servers import REPO, VENV_BIN, _wait, free_port

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    env = {**os.environ, "ACTION_SERVER_TOKEN": "s3cret-test-token", "SANIC_HOST": "127.0.0.1",
           "CAP_AS_OF": "2026-03-15", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
                            cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        _wait(f"http://127.0.0.1:{port}/health", proc, "action server", log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def call(url: str, body: dict, token: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["X-Cap-Action-Token"] = token
    req = urllib.request.Request(f"{url}/webhook", data=json.dumps(body).encode(), headers=headers)
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


def test_token_is_required(action_server):
    assert call(action_server, SUMMARY_CALL, None)[0] == 401
    assert call(action_server, SUMMARY_CALL, "wrong")[0] == 401
    status, body = call(action_server, SUMMARY_CALL, "s3cret-test-token")
    assert status == 200
    assert "31 ans" in body["responses"][0]["text"]


def test_errors_do_not_echo_what_people_typed(action_server):
    broken = json.loads(json.dumps(SUMMARY_CALL))
    broken["tracker"]["slots"] = "pas un dictionnaire — texte privé de la personne"
    status, body = call(action_server, broken, "s3cret-test-token")
    assert status == 500
    assert "texte privé" not in json.dumps(body, ensure_ascii=False)
    assert "request_body" not in body
