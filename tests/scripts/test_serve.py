"""Multi-process serving (scripts/serve.py, RASA_PROCESSES in scripts/run.sh), without starting servers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import serve  # noqa: E402


def test_several_rasa_processes_are_refused_without_a_shared_lock_store(tmp_path):
    env = {**os.environ, "CAP_VAR_DIR": str(tmp_path / "var"), "RASA_PROCESSES": "2", "LOCK_STORE": "memory",
           "RASA_PORT": "1", "ACTION_PORT": "1", "WEB_PORT": "1", "COUNSEL_PORT": "1"}
    done = subprocess.run(["bash", str(REPO / "scripts" / "run.sh")], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert "LOCK_STORE=redis" in done.stderr  # says what to set, in French
    assert "verrou partagé" in done.stderr


def test_site_without_tls_or_action_servers_has_neither():
    site = serve.render_site(listen="127.0.0.1:8000", rasa=["127.0.0.1:5101"])
    assert "ssl" not in site and "Strict-Transport-Security" not in site
    assert "cap_actions" not in site
    assert "{{" not in site
    assert "return 404;" in site  # no page configured: nothing served at /
    assert "    access_log off;\n" in site


def test_site_needs_a_rasa_process_and_a_private_action_listener():
    with pytest.raises(ValueError):
        serve.render_site(listen="443", rasa=[])
    with pytest.raises(ValueError):
        serve.render_site(listen="443", rasa=["127.0.0.1:5101"], actions=["127.0.0.1:5151"])


def test_cli_prints_the_production_site(capsys):
    assert serve.main(["nginx-site", "--listen", "443", "--server-name", "chat.example.fr", "--cert", "/c.pem",
                       "--key", "/k.pem", "--rasa", "127.0.0.1:5101", "127.0.0.1:5102", "--actions", "127.0.0.1:5151",
                       "--action-listen", "127.0.0.1:5055", "--web", "127.0.0.1:8080", "--counsel",
                       "127.0.0.1:8081"]) == 0
    site = capsys.readouterr().out
    assert "listen 443 ssl;" in site and "ssl_certificate /c.pem;" in site
    assert site.count("server 127.0.0.1:5102") == 2  # in the round-robin and the sticky upstream
    assert "listen 127.0.0.1:5055;" in site and "location /conseil/" in site
    assert "access_log /var/log/nginx/cap-reconversion.access.log cap_noquery;" in site


def test_systemd_units_are_valid(tmp_path):
    """deploy/systemd/ as systemd reads it (paths pointed at this checkout)."""
    import shutil

    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    units = sorted((REPO / "deploy" / "systemd").glob("cap-*"))
    names = []
    for unit in units:
        if unit.suffix not in (".service", ".timer", ".target"):
            continue
        name = unit.name.replace("@.", "@5101.")  # an instance of each template
        (tmp_path / name).write_text(unit.read_text(encoding="utf-8").replace("/srv/cap-reconversion", str(REPO)),
                                     encoding="utf-8")
        names.append(name)
    assert {"cap-purge.timer", "cap-purge.service", "cap-rasa@5101.service", "cap-actions@5101.service"} <= set(names)
    done = subprocess.run([analyze, "verify", "--man=no", *names], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
    problems = [line for line in done.stderr.splitlines() if "cap-" in line and "Failed to" not in line]
    assert not problems, done.stderr
    assert "OnCalendar=" in (tmp_path / "cap-purge.timer").read_text()
