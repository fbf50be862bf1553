"""Loading the rule files (one YAML per dispositif id) into compiled `Rule` objects."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.eligibility.conditions import Node, compile_condition
from bot.errors import RuleFileError, UnknownDispositif

RULES_DIR = Path(__file__).resolve().parent / "rules"
CONTRACT_IDS_FILE = Path(__file__).resolve().parent.parent / "contract" / "dispositifs.yml"

#: How results are grouped for people (kind → group).
GROUP_OF_KIND = {
    "accompagnement": "who_to_see",
    "financement": "how_to_fund",
    "contrat": "contracts",
    "aide": "aids",
    "statut": "aids",
}

try:  # the C loader is ~10x faster; fall back when libyaml is absent
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def _to_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass
class Rule:
    """A compiled rule file."""

    id: str
    title: str
    kind: str
    state: str
    region: str | None
    summary: str
    provides: str
    first_step: dict[str, Any]
    sources: list[dict[str, Any]]
    checked_on: date
    sources_state: str
    eligibility: Node
    relevance: Node | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    replaced_by: str | None = None
    short_title: str | None = None
    aliases: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    unverified: list[dict[str, str]] = field(default_factory=list)
    verification: dict[str, str] | None = None
    notes: list[tuple[Node | None, Node | None, str]] = field(default_factory=list)
    usefulness: dict[str, int] = field(default_factory=lambda: {"default": 50})
    raw: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""

    @property
    def group(self) -> str:
        """Presentation group: who_to_see / how_to_fund / contracts / aids."""
        return GROUP_OF_KIND[self.kind]

    def params_at(self, as_of: date) -> dict[str, Any]:
        """Parameter values in force on `as_of` (dated lists pick the latest `from` ≤ as_of)."""
        out: dict[str, Any] = {}
        for name, spec in self.parameters.items():
            if isinstance(spec, list):
                current = None
                for entry in sorted(spec, key=lambda e: _to_date(e["from"]) or date.min):
                    if (_to_date(entry["from"]) or date.min) <= as_of:
                        current = entry["value"]
                if current is None:
                    current = sorted(spec, key=lambda e: _to_date(e["from"]) or date.min)[0]["value"]
                out[name] = _fmt_param(current)
            else:
                out[name] = _fmt_param(spec)
        return out

    def in_force(self, as_of: date) -> bool:
        """Whether the scheme exists on `as_of`."""
        if self.valid_from and as_of < self.valid_from:
            return False
        return not (self.valid_until and as_of >= self.valid_until)

    def weight(self, goal: str | None) -> int:
        """Ordering weight for `goal` (higher = more useful first)."""
        if goal and goal in self.usefulness:
            return self.usefulness[goal]
        return self.usefulness.get("default", 50)


def _fmt_param(value: Any) -> Any:
    from bot.eligibility.fields import fmt_number

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return fmt_number(value)


def _expand_goals(spec: Any) -> Any:
    """Shorthand `{goals: [...]}` → a `goal` condition with relevance wording."""
    if isinstance(spec, list):
        return [_expand_goals(s) for s in spec]
    if not isinstance(spec, dict):
        return spec
    if "goals" in spec:
        rest = {k: v for k, v in spec.items() if k != "goals"}
        return {
            "field": "goal", "in": spec["goals"], "ref": rest.pop("ref", "objectif"),
            "text_ok": "Cela correspond à votre objectif : {value}.",
            "text_fail": "Cela ne correspond pas à votre objectif ({value}).",
            "text_unknown": "Utile selon votre objectif, que je ne connais pas encore.",
            **rest,
        }
    return {k: _expand_goals(v) for k, v in spec.items()}


def parse_rule(data: dict[str, Any], *, source: str = "") -> Rule:
    """Compile one rule mapping (already schema-checked or not)."""
    where = source or str(data.get("id", "?"))
    try:
        eligibility = compile_condition(data["eligibility"], f"{where}:eligibility")
        relevance = (compile_condition(_expand_goals(data["relevance"]), f"{where}:relevance")
                     if data.get("relevance") else None)
        notes = [
            (compile_condition(_expand_goals(n["when"]), f"{where}:notes[{i}]") if n.get("when") else None,
             compile_condition(_expand_goals(n["unless"]), f"{where}:notes[{i}]") if n.get("unless") else None,
             n["text"])
            for i, n in enumerate(data.get("notes") or [])
        ]
        return Rule(
            id=data["id"], title=data["title"], kind=data["kind"], state=data["state"], region=data.get("region"),
            summary=data["summary"], provides=data["provides"], first_step=data["first_step"],
            sources=list(data["sources"]), checked_on=_to_date(data["checked_on"]),  # type: ignore[arg-type]
            sources_state=str(data.get("sources_state", "")),
            eligibility=eligibility, relevance=relevance, valid_from=_to_date(data.get("valid_from")),
            valid_until=_to_date(data.get("valid_until")), replaced_by=data.get("replaced_by"),
            short_title=data.get("short_title"), aliases=list(data.get("aliases") or []),
            parameters=dict(data.get("parameters") or {}), unverified=list(data.get("unverified") or []),
            verification=data.get("verification"), notes=notes,
            usefulness=dict(data.get("usefulness") or {"default": 50}), raw=data,
        )
    except KeyError as exc:
        raise RuleFileError(f"{where}: missing key {exc}") from exc


@lru_cache(maxsize=4)
def load_rules(rules_dir: str | None = None) -> dict[str, Rule]:
    """All rule files, compiled, keyed by id (cached per directory)."""
    directory = Path(rules_dir) if rules_dir else RULES_DIR
    rules: dict[str, Rule] = {}
    for path in sorted(directory.glob("*.yml")):
        text = path.read_bytes()
        data = yaml.load(text, Loader=_Loader)
        if not isinstance(data, dict) or data.get("id") != path.stem:
            raise RuleFileError(f"{path.name}: 'id' must equal the file name")
        rule = parse_rule(data, source=path.name)
        rule.content_hash = hashlib.sha256(text).hexdigest()
        rules[rule.id] = rule
    if not rules:
        raise RuleFileError(f"no rule file in {directory}")
    return rules


@lru_cache(maxsize=1)
def contract_ids() -> list[dict[str, Any]]:
    """The contract's list of dispositifs (id, kind, state, region, title)."""
    data = yaml.load(CONTRACT_IDS_FILE.read_bytes(), Loader=_Loader)
    return list(data["dispositifs"])


def get_rule(rule_id: str) -> Rule:
    """One rule by id; raises UnknownDispositif."""
    rules = load_rules()
    if rule_id not in rules:
        raise UnknownDispositif(rule_id)
    return rules[rule_id]
