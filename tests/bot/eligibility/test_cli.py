"""`python -m bot recommend|explain`: the contract's JSON, readable French, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

CONTRACT = REPO / "bot" / "contract"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=REPO, input=stdin, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture()
def p01_file(tmp_path: Path, personas) -> Path:
    path = tmp_path / "p01.json"
    path.write_text(json.dumps(personas[0]["profile"]), encoding="utf-8")
    return path


def test_recommend_json_follows_the_contract(p01_file: Path):
    import jsonschema

    out = run("recommend", "--profile", str(p01_file), "--as-of", "2026-03-15", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    schema = json.loads((CONTRACT / "recommendation.schema.json").read_text())
    profile_schema = json.loads((CONTRACT / "profile.schema.json").read_text())
    resolver = jsonschema.RefResolver.from_schema(schema, store={"profile.schema.json": profile_schema})
    jsonschema.Draft202012Validator(schema, resolver=resolver).validate(doc)
    assert doc["as_of"] == "2026-03-15"
    assert doc["profile"]["code_insee"] == "59350"  # Lille resolved
    assert [i["id"] for i in doc["recommended"]][:1] == ["ptp"]  # most useful first for a career change


def test_recommend_reads_stdin_and_prints_french_by_default(personas):
    out = run("recommend", "--profile", "-", "--as-of", "2026-03-15", stdin=json.dumps(personas[0]["profile"]))
    assert out.returncode == 0
    assert "Ce qui vous correspond" in out.stdout and "Projet de transition professionnelle" in out.stdout
    assert "possible dans 12 mois" in out.stdout  # démission-reconversion, 48 of 60 months


@pytest.mark.parametrize(("profile", "field"), [
    ({"status": "retraite"}, "status"),
    ({"age": "trente"}, "age"),
    ({"age": 12}, "age"),
    ({"seniority_months_total": -1}, "seniority_months_total"),
    ({"code_insee": "ABCDE"}, "code_insee"),
    ({"salaire": 2000}, "salaire"),
])
def test_invalid_profile_exits_2_naming_the_field_in_french_and_english(profile, field):
    out = run("recommend", "--profile", "-", "--json", stdin=json.dumps(profile))
    assert out.returncode == 2
    assert out.stdout == ""
    assert f"« {field} »" in out.stderr  # French
    assert f"'{field}'" in out.stderr  # English
    assert "Traceback" not in out.stderr


def test_not_json_and_missing_file_are_clear_errors(tmp_path: Path):
    out = run("recommend", "--profile", "-", stdin="{pas du json")
    assert out.returncode == 2 and "JSON" in out.stderr
    out = run("recommend", "--profile", str(tmp_path / "absent.json"))
    assert out.returncode == 2 and "impossible de lire" in out.stderr


def test_contradictions_are_reported_not_fatal():
    profile = {"status": "demandeur_emploi", "contract": "cdi", "commune": "Arras"}
    out = run("recommend", "--profile", "-", "--json", stdin=json.dumps(profile))
    assert out.returncode == 0
    warnings = json.loads(out.stdout)["warnings"]
    assert any("ne vont pas ensemble" in w for w in warnings)


def test_explain_lists_each_condition(p01_file: Path):
    out = run("explain", "demission_reconversion", "--profile", str(p01_file), "--as-of", "2026-03-15")
    assert out.returncode == 0
    assert "Pas pour vous aujourd'hui" in out.stdout
    assert "48 mois" in out.stdout and "possible dans 12 mois" in out.stdout
    assert "https://demission-reconversion.gouv.fr" in out.stdout
    unknown = run("explain", "fongecif", "--profile", str(p01_file))
    assert unknown.returncode == 2 and "fongecif" in unknown.stderr


def test_bad_as_of_date():
    out = run("recommend", "--profile", "-", "--as-of", "31/12/2025", stdin="{}")
    assert out.returncode == 2 and "AAAA-MM-JJ" in out.stderr
