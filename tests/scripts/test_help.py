"""Every script of scripts/ answers --help with its usage and does nothing else.

A script that ignored --help would train a model, write the configuration, start servers or
reinstall the environment: the check is that it exits 0, prints something, and leaves every file of
the repository (ignored ones included: var/, models/, .venv/) as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(p for p in (REPO / "scripts").iterdir() if p.suffix in (".py", ".sh"))
# .rasa/ and var/: Rasa's cache and the database, which servers started by other tests of the session
# may still touch (the scripts write var/ through CAP_VAR_DIR, pointed at a temporary folder here)
SKIP_DIRS = {".git", "node_modules", "__pycache__", ".ruff_cache", ".pytest_cache", "test-artifacts", ".rasa", "var"}


def _snapshot() -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file under the repository, models/ (a symlink) included; of .venv/,
    everything but lib/, lib64/ and share/."""
    state: dict[str, tuple[int, int]] = {}
    for root, dirs, files in os.walk(REPO, followlinks=True):
        rel = Path(root).relative_to(REPO)
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not (rel == Path(".venv") and d in ("lib", "lib64", "share"))]
        for name in files:
            path = Path(root, name)
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            state[str(path.relative_to(REPO))] = (st.st_mtime_ns, st.st_size)
    return state


def test_every_script_is_covered():
    assert {p.name for p in SCRIPTS} >= {"train_if_needed.py", "render_config.py", "nlu_gate.py", "run.sh",
                                         "test.sh", "install.sh"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_help_has_no_side_effects(script: Path, tmp_path: Path):
    command = [sys.executable, str(script)] if script.suffix == ".py" else ["bash", str(script)]
    env = {**os.environ, "CAP_VAR_DIR": str(tmp_path / "var"), "RASA_TELEMETRY_ENABLED": "false"}
    before = _snapshot()
    # the timeout only stops a script that ignored --help (a training or a server would run for minutes)
    done = subprocess.run([*command, "--help"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    if script.suffix == ".py":
        assert done.stdout.startswith("usage:")
    else:  # the header comment of the script
        header = [line[2:] for line in script.read_text(encoding="utf-8").splitlines()[1:4] if line.startswith("# ")]
        assert done.stdout.startswith(header[0])
    assert _snapshot() == before
    assert not (tmp_path / "var").exists()
