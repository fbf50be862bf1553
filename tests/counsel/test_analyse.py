"""Contract §5: `python -m bot analyse --text … --json` on every public persona's opening message."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import jsonschema
import pytest

from bot.counsel.analyse import UnusableText, analyse
from tests.conftest import REPO, shared_path

AS_OF = date(2026, 3, 15)  # the personas describe the rules of March 2026


def _personas() -> list[dict]:
    import yaml

    return yaml.safe_load(shared_path("personas", "public.yml").read_text(encoding="utf-8"))["personas"]


def _schema(name: str) -> dict:
    return json.loads(shared_path("contract", name).read_text(encoding="utf-8"))


def _validator(name: str) -> jsonschema.Validator:
    from jsonschema import RefResolver

    schema = _schema(name)
    store = {s["$id"]: s for s in (_schema("profile.schema.json"), _schema("recommendation.schema.json"))}
    return jsonschema.Draft202012Validator(schema, resolver=RefResolver.from_schema(schema, store=store))


@pytest.mark.parametrize("persona", _personas(), ids=lambda p: p["id"])
def test_persona_opening_message(persona: dict) -> None:
    result = analyse(persona["message"], AS_OF)
    _validator("profile.schema.json").validate(result["profile"])
    _validator("recommendation.schema.json").validate(result["recommendation"])
    recommended = {i["id"] for i in result["recommendation"]["recommended"]}
    to_check = {i["id"] for i in result["recommendation"]["to_check"]}
    for bad in persona.get("must_not", []):
        assert bad["scheme"] not in recommended, f"{persona['id']}: {bad['scheme']} recommended ({bad['why']})"
    for good in persona.get("must", []):
        assert good["scheme"] in recommended | to_check, (
            f"{persona['id']}: {good['scheme']} neither recommended nor to check; profile read: {result['profile']}")
    # every fact read in the text shows the words that gave it
    for field, words in result["evidence"].items():
        assert field in result["profile"]
        for part in words.split(" … "):
            assert part in persona["message"]
    assert result["questions"] == result["recommendation"]["questions"]


def test_cli_json_matches_the_contract() -> None:
    text = "CDD de 4 mois dans un EHPAD à Arras, 34 ans, veut devenir infirmière"
    out = subprocess.run([sys.executable, "-m", "bot", "analyse", "--text", text, "--as-of", "2026-03-15", "--json"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) == {"profile", "evidence", "questions", "recommendation"}
    assert doc["profile"]["contract"] == "cdd" and doc["profile"]["age"] == 34
    assert "Arras" in doc["evidence"]["commune"]
    assert "34 ans" in doc["evidence"]["age"]
    assert doc["recommendation"]["as_of"] == "2026-03-15"
    # the most decisive missing fact first: the same order the engine asks in
    assert doc["questions"] and doc["questions"][0] not in doc["profile"]


@pytest.mark.parametrize("text", ["", "   ", "bonjour merci"])
def test_unusable_text_exits_2_in_french_and_english(text: str) -> None:
    out = subprocess.run([sys.executable, "-m", "bot", "analyse", "--text", text, "--json"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "Erreur :" in out.stderr and "Error:" in out.stderr
    assert out.stdout == ""


def test_corrections_and_unknown_change_the_verdicts() -> None:
    text = "Je suis en CDI depuis 3 ans à Lille, je veux devenir plombier"
    base = analyse(text, AS_OF)
    corrected = analyse(text, AS_OF, corrections={"contract": "cdd"}, unknown=["commune"])
    assert corrected["profile"]["contract"] == "cdd" and "contract" not in corrected["evidence"]
    assert "commune" not in corrected["profile"] and "commune" not in corrected["questions"]
    assert base["profile"]["contract"] == "cdi"
    with pytest.raises(UnusableText):
        analyse("", AS_OF)
