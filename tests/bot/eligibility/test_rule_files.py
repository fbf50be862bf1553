"""Schema and consistency checks over every rule file, against the contract and the reference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.eligibility.conditions import EligibleLeaf, Node
from bot.eligibility.rules import RULES_DIR, contract_ids, load_rules
from tests.conftest import shared_path

SCHEMA = json.loads((RULES_DIR.parent / "rule.schema.json").read_text(encoding="utf-8"))
RULE_FILES = sorted(RULES_DIR.glob("*.yml"))


def test_one_rule_file_per_contract_id():
    ids = {d["id"] for d in contract_ids()}
    assert {p.stem for p in RULE_FILES} == ids


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_file_matches_schema_and_contract(path: Path):
    import jsonschema

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(json.dumps(data, default=str)))
    contract = next(d for d in contract_ids() if d["id"] == data["id"])
    for key in ("title", "kind", "state", "region"):
        assert data[key] == contract[key], (path.name, key)
    if data["state"] == "supprime":
        assert data.get("valid_until") and data.get("replaced_by"), path.name
    assert data["checked_on"] is not None


def walk(node: Node):
    yield node
    for child in getattr(node, "children", []) or []:
        yield from walk(child)
    for child in (getattr(node, "cases", {}) or {}).values():
        yield from walk(child)
    if getattr(node, "default", None) is not None:
        yield from walk(node.default)


def test_cross_references_exist():
    rules = load_rules()
    for rule in rules.values():
        if rule.replaced_by:
            assert rule.replaced_by in rules
        for node in walk(rule.eligibility):
            if isinstance(node, EligibleLeaf):
                assert node.rule_id in rules, (rule.id, node.rule_id)


def test_every_source_url_comes_from_the_reference():
    """No invented source: every cited URL appears in shared/reference/dispositifs.md."""
    reference = shared_path("reference", "dispositifs.md").read_text(encoding="utf-8")
    for rule in load_rules().values():
        for source in rule.sources:
            url = source["url"].rstrip("/")
            assert url in reference, (rule.id, url)


def test_vendored_contract_is_identical_to_shared():
    vendored = RULES_DIR.parent.parent / "contract"
    for name in ("profile.schema.json", "recommendation.schema.json", "dispositifs.yml"):
        assert (vendored / name).read_bytes() == shared_path("contract", name).read_bytes(), name
