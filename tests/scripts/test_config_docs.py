"""docs/configuration.md lists every environment variable the project reads, and is up to date."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO

#: Read by libraries or the shell, set (not read) by the project: documented by their owners.
THIRD_PARTY = {"RASA_TELEMETRY_ENABLED", "SQLALCHEMY_SILENCE_UBER_WARNING", "TF_CPP_MIN_LOG_LEVEL",
               "TF_DETERMINISTIC_OPS", "PYTHONHASHSEED", "PYTHONPATH", "SANIC_HOST", "HOME", "PATH",
               "SQL_POOL_SIZE", "SQL_MAX_OVERFLOW", "POSTGRESQL_SCHEMA", "PYTHON310"}
_READ_CALL = re.compile(r"environ|getenv|\b_?env\(|_setting\(|local_secret\(")
_QUOTED = re.compile(r"[\"']([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{4,})[\"']")
_SHELL_DEFAULT = re.compile(r"\$\{([A-Z][A-Z0-9_]+)(?::-|:=|-)")
_YAML_VAR = re.compile(r"\$\{([A-Z][A-Z0-9]*_[A-Z0-9_]+)\}")


def variables_read() -> dict[str, str]:
    """Every variable name the code, scripts and Rasa files read, with one place reading it."""
    found: dict[str, str] = {}
    for folder in ("bot", "actions", "channels", "rasa_components", "rasa_sdk_plugins", "scripts"):
        for path in (REPO / folder).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if _READ_CALL.search(line):
                    for name in _QUOTED.findall(line):
                        found.setdefault(name, str(path.relative_to(REPO)))
    for path in [*(REPO / "scripts").glob("*.sh"), REPO / "Makefile"]:
        for name in _SHELL_DEFAULT.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, str(path.relative_to(REPO)))
    for path in (REPO / "endpoints.yml", REPO / "credentials.yml", REPO / "scripts" / "render_config.py"):
        for name in _YAML_VAR.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, str(path.relative_to(REPO)))
    return {name: where for name, where in found.items() if name not in THIRD_PARTY}


def test_every_variable_read_is_documented() -> None:
    from bot.config import ENV_VARS

    documented = {var.name for var in ENV_VARS}
    missing = {name: where for name, where in variables_read().items() if name not in documented}
    assert not missing, f"add these to bot/config.py::ENV_VARS, then run scripts/gen_config_docs.py: {missing}"
    # the ones issue 12 found undocumented
    for name in ("CAP_HTTP_TIMEOUT_S", "LBA_CALLER", "CAP_VAR_DIR", "ACTION_SERVER_URL", "ACTION_HOST",
                 "TRACKER_DB_LOGIN_DB", "REDIS_KEY_PREFIX", "RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN"):
        assert name in documented


def test_configuration_reference_is_up_to_date() -> None:
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_config_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, "docs/configuration.md is stale: run python scripts/gen_config_docs.py"
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert "| `CAP_HTTP_TIMEOUT_S` |" in text and "| `REDIS_KEY_PREFIX` |" in text


def test_root_files_are_what_make_run_uses_by_default(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "CAP_VAR_DIR": str(tmp_path), "ACTION_SERVER_TOKEN": "x"}
    subprocess.run([sys.executable, str(REPO / "scripts" / "render_config.py")], env=env, check=True,
                   capture_output=True)
    for name in ("endpoints.yml", "credentials.yml"):
        assert (tmp_path / name).read_text() == (REPO / name).read_text(), name
        assert (tmp_path / name).stat().st_mode & 0o077 == 0  # mode 600


def test_root_endpoints_resolve_after_bot_env(tmp_path, monkeypatch) -> None:
    """`eval "$(python -m bot env)"` then rasa shell/test/interactive: the action server is reached with its secret."""
    import shlex

    from rasa.utils.endpoints import read_endpoint_config

    env = {"PATH": "/usr/bin:/bin", "CAP_VAR_DIR": str(tmp_path / "var")}
    out = subprocess.run([sys.executable, "-m", "bot", "env"], cwd=REPO, env=env, check=True,
                         capture_output=True, text=True).stdout
    exports = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in out.splitlines())
    assert set(exports) >= {"RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN", "ACTION_SERVER_URL", "TRACKER_DB_PATH"}
    secret_file = tmp_path / "var" / "secrets" / "ACTION_SERVER_TOKEN"
    assert exports["ACTION_SERVER_TOKEN"] == secret_file.read_text().strip()
    assert secret_file.stat().st_mode & 0o777 == 0o600
    for name, value in exports.items():
        monkeypatch.setenv(name, value)
    action = read_endpoint_config(str(REPO / "endpoints.yml"), "action_endpoint")
    assert action.url == "http://localhost:5055/webhook"
    assert action.headers["X-Cap-Action-Token"] == exports["ACTION_SERVER_TOKEN"]
    tracker = read_endpoint_config(str(REPO / "endpoints.yml"), "tracker_store")
    assert tracker.kwargs["db"] == str(tmp_path / "var" / "tracker.db")
    # a second call reuses the generated secrets
    again = subprocess.run([sys.executable, "-m", "bot", "env"], cwd=REPO, env=env, check=True,
                           capture_output=True, text=True).stdout
    assert again == out
