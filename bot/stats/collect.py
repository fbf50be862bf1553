"""Read what the statistics need, and nothing else: categories, never text or identifiers.

Conversations come from Rasa's SQL tracker store (table `events`): a conversation "reached
results" when `action_show_results` ran and set the `recommendations` slot (actions/results.py).
At that moment the profile slots `code_insee` (→ département), `goal` and `target_field` (→ an id
of the shipped field table, bot/trainings/data/fields.yml; anything else is "non reconnu") are
read; the free text of a slot never leaves this module. The last results of a conversation count.

Referrals come from the workspace table `counsel_referral` (read here, not declared in the
workspace's models): when it does not exist, referrals are reported as unavailable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, Text, inspect, select
from sqlalchemy.engine import Engine

_META = MetaData()
#: Rasa's SQLTrackerStore table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), the columns read.
EVENTS = Table("events", _META, Column("id", Integer, primary_key=True), Column("sender_id", String(255)),
               Column("type_name", String(255)), Column("timestamp", Float), Column("action_name", String(255)),
               Column("data", Text))
#: The referrals' table (contract with the referral area): read-only here.
REFERRALS = Table("counsel_referral", _META, Column("created_at", DateTime), Column("status", String(32)),
                  Column("taken_at", DateTime), Column("closed_at", DateTime), Column("departement", String(8)))

RESULTS_ACTION = "action_show_results"
PROFILE_SLOTS = ("code_insee", "goal", "target_field")
GOALS = ("change_job", "get_qualification", "validate_experience", "create_business", "train_ai_data", "find_job",
         "explore")
#: Hauts-de-France first; everything else is grouped.
DEPARTEMENTS = {"02": "Aisne", "59": "Nord", "60": "Oise", "62": "Pas-de-Calais", "80": "Somme",
                "autre": "Autre département", "inconnu": "Non renseigné"}
UNKNOWN_FIELD = "non_reconnu"
NO_FIELD = "aucun"
NO_GOAL = "aucun"


@dataclass(frozen=True)
class Outcome:
    """One conversation that reached results: categories only."""

    month: str  # YYYY-MM (UTC) of its last results
    departement: str  # a key of DEPARTEMENTS
    code_insee: str | None  # a commune code, to look for structures and trainings nearby (never output)
    recommended: tuple[str, ...]  # scheme ids of the shipped rules
    goal: str  # a GOALS value or NO_GOAL
    field: str  # a field id, UNKNOWN_FIELD or NO_FIELD


@dataclass(frozen=True)
class Referral:
    month: str
    departement: str
    status: str
    taken_days: float | None
    closed_days: float | None


def departement_of(code_insee: Any) -> str:
    """The département key of an INSEE commune code ("59350" → "59"), "autre" or "inconnu"."""
    if not isinstance(code_insee, str) or len(code_insee) != 5:
        return "inconnu"
    code = code_insee[:3] if code_insee.startswith("97") else code_insee[:2]
    return code if code in DEPARTEMENTS else "autre"


def normalise_departement(value: Any) -> str:
    """A référral's département ("59", "Nord", "059"…) as a key of DEPARTEMENTS."""
    if not isinstance(value, str) or not value.strip():
        return "inconnu"
    v = value.strip()
    if v.isdigit() and len(v) in (2, 3):
        v = v[-2:] if len(v) == 3 and v.startswith("0") else v
    if v in DEPARTEMENTS and v not in ("autre", "inconnu"):
        return v
    names = {name.lower(): key for key, name in DEPARTEMENTS.items() if key.isdigit()}
    return names.get(v.lower(), "autre")


def _month(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m")


def _field_id(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        return NO_FIELD
    from bot.trainings.fields import resolve_field

    fld = resolve_field(text[:200])
    return fld.id if fld else UNKNOWN_FIELD


def _scheme_ids() -> frozenset[str]:
    from bot.eligibility.rules import load_rules

    return frozenset(load_rules())


def read_outcomes(engine: Engine, *, since: str | None = None, until: str | None = None) -> list[Outcome]:
    """Every conversation of the tracker store that reached results (months `since`..`until`, YYYY-MM)."""
    if not inspect(engine).has_table("events"):
        return []
    known = _scheme_ids()
    out: list[Outcome] = []
    for outcome in _walk(engine, known):
        if (since and outcome.month < since) or (until and outcome.month > until):
            continue
        out.append(outcome)
    return out


def _walk(engine: Engine, known: frozenset[str]) -> Iterator[Outcome]:
    wanted = (*PROFILE_SLOTS, "recommendations")
    stmt = (select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.action_name, EVENTS.c.data)
            .where((EVENTS.c.type_name.in_(("slot", "restart", "session_started")))
                   | ((EVENTS.c.type_name == "action") & (EVENTS.c.action_name == RESULTS_ACTION)))
            .order_by(EVENTS.c.sender_id, EVENTS.c.id))
    sender: str | None = None
    slots: dict[str, Any] = {}
    after_results: float | None = None  # timestamp of the action_show_results whose events follow
    last: Outcome | None = None
    with engine.connect() as conn:
        for row in conn.execution_options(stream_results=True).execute(stmt):
            if row.sender_id != sender:
                if last is not None:
                    yield last
                sender, slots, after_results, last = row.sender_id, {}, None, None
            if row.type_name == "action":
                after_results = row.timestamp
                continue
            if row.type_name == "restart":
                slots, after_results = {}, None
                continue
            if row.type_name != "slot":
                continue
            try:
                event = json.loads(row.data or "{}")
            except ValueError:
                continue
            name = event.get("name")
            if name not in wanted:
                continue
            value = event.get("value")
            if name == "recommendations" and after_results is not None:
                ids = tuple(i for i in value if isinstance(i, str) and i in known) if isinstance(value, list) else ()
                goal = slots.get("goal")
                last = Outcome(month=_month(after_results), departement=departement_of(slots.get("code_insee")),
                               code_insee=slots.get("code_insee") if isinstance(slots.get("code_insee"), str) else None,
                               recommended=ids, goal=goal if goal in GOALS else NO_GOAL,
                               field=_field_id(slots.get("target_field")))
                after_results = None
            slots[name] = value
    if last is not None:
        yield last


def read_referrals(engine: Engine, *, since: str | None = None, until: str | None = None) -> list[Referral] | None:
    """The referrals (month of creation, département, status, delays in days), or None without the table."""
    if not inspect(engine).has_table(REFERRALS.name):
        return None
    out: list[Referral] = []
    with engine.connect() as conn:
        for row in conn.execute(select(REFERRALS)):
            if row.created_at is None:
                continue
            month = row.created_at.strftime("%Y-%m")
            if (since and month < since) or (until and month > until):
                continue

            def days(end: datetime | None, start: datetime = row.created_at) -> float | None:
                return max(0.0, (end - start).total_seconds() / 86400) if end is not None else None

            out.append(Referral(month, normalise_departement(row.departement), str(row.status or ""),
                                days(row.taken_at), days(row.closed_at)))
    return out
