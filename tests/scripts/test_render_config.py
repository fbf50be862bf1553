"""`make run` configuration: secrets referenced from the environment, substituted by Rasa itself."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def render(tmp_path, **env: str) -> tuple[str, str]:
    full = {"PATH": "/usr/bin:/bin", "CAP_VAR_DIR": str(tmp_path), **env}
    subprocess.run([sys.executable, str(REPO / "scripts" / "render_config.py")], env=full, check=True,
                   capture_output=True)
    return (tmp_path / "endpoints.yml").read_text(), (tmp_path / "credentials.yml").read_text()


def test_defaults_need_no_server(tmp_path):
    endpoints, credentials = render(tmp_path)
    assert "dialect: sqlite" in endpoints and "lock_store" not in endpoints
    assert "session_persistence: true" in credentials and "channels.privacy.PrivacyInput" in credentials
    assert "telegram" not in credentials.lower()
    # the web channels are the repository's closed ones, not Rasa's open rest/socketio
    assert "channels.web.CapRestInput" in credentials and "channels.web.CapSocketIOInput" in credentials
    assert "\nrest:" not in credentials and "\nsocketio:" not in credentials


def test_secrets_stay_in_the_environment_and_rasa_substitutes_them(tmp_path, monkeypatch):
    from rasa.shared.utils.io import read_config_file

    secrets = {"TELEGRAM_ACCESS_TOKEN": "123:abc", "TELEGRAM_VERIFY": "cap_bot", "TELEGRAM_WEBHOOK_URL": "",
               "TRACKER_STORE": "postgresql", "TRACKER_DB_PASSWORD": "pw-secret", "LOCK_STORE": "redis",
               "REDIS_PASSWORD": "redis-secret", "ACTION_SERVER_TOKEN": "action-secret-1",
               "ACTION_SERVER_URL": "http://127.0.0.1:5055/webhook"}
    endpoints, credentials = render(tmp_path, **secrets)
    for value in ("123:abc", "pw-secret", "redis-secret", "action-secret-1"):
        assert value not in endpoints + credentials  # never written to disk
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    creds = read_config_file(str(tmp_path / "credentials.yml"))
    assert creds["channels.messaging.CapTelegramInput"]["access_token"] == "123:abc"
    ends = read_config_file(str(tmp_path / "endpoints.yml"))
    assert ends["tracker_store"]["password"] == "pw-secret" and ends["tracker_store"]["dialect"] == "postgresql"
    assert ends["lock_store"]["password"] == "redis-secret"
    assert ends["lock_store"]["type"] == "rasa_components.lock_store.AtomicRedisLockStore"
    assert ends["action_endpoint"]["headers"]["X-Cap-Action-Token"] == "action-secret-1"
