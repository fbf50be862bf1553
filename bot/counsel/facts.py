"""The facts table of the workspace: one row per profile field, read back from a submitted form."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.eligibility.fields import ASK_ORDER, FIELDS, fmt_value
from bot.eligibility.render import QUESTION_LABELS

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "contract" / "profile.schema.json"

#: Labels of the contract fields the engine's table does not word yet.
_EXTRA_LABELS = {
    "months_worked_last_60": "mois travaillés sur les 5 dernières années",
    "public_service_months": "mois de services publics",
    "laid_off_economic_or_unfit": "licenciement économique ou pour inaptitude",
    "rqth_pending": "demande de RQTH en cours",
    "unemployment_benefit": "allocation chômage (ARE)",
    "registered_months_last_18": "mois d'inscription à France Travail sur 18 mois",
}


@lru_cache(maxsize=1)
def schema_props() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["properties"]


def label(name: str) -> str:
    """The field in plain French, capitalised ("Votre situation actuelle")."""
    text = FIELDS[name].label if name in FIELDS else QUESTION_LABELS.get(name) or _EXTRA_LABELS.get(name, name)
    return text[:1].upper() + text[1:]


def field_order() -> list[str]:
    """Every editable field: the conversation's order, then the others (code_insee follows commune)."""
    names = [n for n in ASK_ORDER if n in schema_props()]
    names += [n for n in schema_props() if n not in names and n != "code_insee"]
    return names


@dataclass
class Row:
    name: str
    label: str
    kind: str  # enum | bool | int | number | text
    value: Any
    shown: str
    evidence: str
    unknown: bool
    options: list[tuple[str, str]]
    minimum: Any = None
    maximum: Any = None


def rows(facts: Mapping[str, Any], evidence: Mapping[str, str], unknown: set[str],
         questions: list[str]) -> list[Row]:
    """Known facts first, then missing ones most decisive first, then the rest."""
    props = schema_props()
    order = field_order()
    ranked = [n for n in order if n in facts] + [q for q in questions if q in order and q not in facts]
    ranked += [n for n in order if n not in ranked]
    out = []
    for name in ranked:
        spec = props[name]
        if "enum" in spec:
            kind = "enum"
            options = [(json.dumps(v), fmt_value(name, v)) for v in spec["enum"]]
        elif spec.get("type") == "boolean":
            kind, options = "bool", [("true", "oui"), ("false", "non")]
        elif spec.get("type") in ("integer", "number"):
            kind, options = spec["type"] if spec["type"] == "number" else "int", []
        else:
            kind, options = "text", []
        value = facts.get(name)
        out.append(Row(name, label(name), kind, value, fmt_value(name, value) if name in facts else "",
                       evidence.get(name, ""), name in unknown, options, spec.get("minimum"), spec.get("maximum")))
    return out


class FormError(ValueError):
    def __init__(self, name: str, message_fr: str) -> None:
        super().__init__(message_fr)
        self.name = name
        self.message_fr = message_fr


def read_form(form: Mapping[str, str]) -> tuple[dict[str, Any], set[str]]:
    """Facts and "inconnu" fields from a submitted facts table (`f_<field>`, `u_<field>`)."""
    props = schema_props()
    facts: dict[str, Any] = {}
    unknown: set[str] = set()
    for name in field_order():
        if form.get(f"u_{name}"):
            unknown.add(name)
            continue
        raw = (form.get(f"f_{name}") or "").strip()
        if not raw:
            continue
        spec = props[name]
        try:
            if "enum" in spec:
                value = json.loads(raw)
                if value not in spec["enum"]:
                    raise ValueError
            elif spec.get("type") == "boolean":
                value = {"true": True, "false": False}[raw]
            elif spec.get("type") == "integer":
                value = int(raw)
            elif spec.get("type") == "number":
                value = float(raw.replace(",", "."))
            else:
                value = raw[:200]
        except (ValueError, KeyError, json.JSONDecodeError):
            raise FormError(name, f"{label(name)} : valeur non reconnue.") from None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            lo, hi = spec.get("minimum"), spec.get("maximum")
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                bounds = f"entre {lo} et {hi}" if hi is not None else f"au moins {lo}"
                raise FormError(name, f"{label(name)} : la valeur doit être {bounds}.")
        facts[name] = value
    return facts, unknown
