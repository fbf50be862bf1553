"""`python -m bot communes resolve` through a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "communes", "resolve", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_found_exits_0():
    p = run("Saint-Quentin", "02100")
    assert p.returncode == 0, p.stderr
    assert "Saint-Quentin (02)" in p.stdout and "02691" in p.stdout
    assert p.stderr == ""


def test_ambiguous_exits_1_with_candidates():
    p = run("02100")
    assert p.returncode == 1
    assert "Plusieurs communes ont le code postal 02100" in p.stdout
    assert "Communes possibles" in p.stdout and "Harly" in p.stdout


@pytest.mark.parametrize("text", ["xyzzy", "", "  "])
def test_not_found_exits_1_without_traceback(text):
    p = run(text)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    assert "Pouvez-vous" in p.stdout


def test_json():
    p = run("villeneuve dascq", "--json")
    assert p.returncode == 0
    data = json.loads(p.stdout)
    assert data["status"] == "found" and data["commune"]["code_insee"] == "59009"
    p = run("62300", "--json")
    assert p.returncode == 1
    assert [c["nom"] for c in json.loads(p.stdout)["candidates"]] == ["Lens", "Éleu-dit-Leauwette"]


def test_help_is_french():
    p = subprocess.run([sys.executable, "-m", "bot", "communes", "resolve", "--help"], cwd=REPO,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "code postal" in p.stdout
