"""From entities and cues to profile facts (field names and values of profile.schema.json).

Heuristics, in short (each is tested in tests/bot/understanding):
- status: CSP beats everything; explicit unemployment words ("au chômage", "licencié",
  "demandeur d'emploi") beat a contract; then a current job (agent public > intérimaire >
  indépendant > salarié: a CDI/CDD means salarie_prive); then étudiant, inactive situations;
  otherwise France Travail registration, ARE or RSA without a job means demandeur_emploi, or
  jeune_neet at 25 or less with a left-school cue or a Mission locale follow-up.
- contract follows the status when not said (intérimaire → mission_interim, fonctionnaire →
  fonctionnaire, auto/micro-entrepreneur → micro_entreprise, no job → aucun).
- registered_france_travail: "inscrit(e) à France Travail", ARE/chômage touché, CSP, RSA and a
  Mission locale follow-up (automatic registration since 2025) → true; "pas inscrit" → false.
- seniority: durations by role; total = company + previous ("avant j'ai fait 2 ans d'intérim").
- a later value wins over an earlier one for single-valued facts (people correct themselves);
  negated, hypothetical, past and wished-for mentions never become facts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.understanding.doc import Cand, Doc
from bot.understanding.goals import GOAL_ORDER, is_ai_data

__all__ = ["EMPLOYED_STATUSES", "evidence_spans", "infer_facts", "valid_facts"]

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "contract" / "profile.schema.json"

#: Statuses of a person who has a job.
EMPLOYED_STATUSES = frozenset({"salarie_prive", "interimaire", "agent_public", "independant"})
_NO_JOB = frozenset({"demandeur_emploi", "csp", "jeune_neet", "sans_emploi_non_inscrit", "inactif",
                     "inactif_proche_aidant"})
_EMPLOYED_RANK = {"agent_public": 4, "interimaire": 3, "independant": 2, "salarie_prive": 1}
_RESIDENCE_WORDS = frozenset({"habite", "vis", "reside", "domicilie", "domiciliee", "habitons", "habitez",
                              "chez", "originaire"})


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["properties"]


def valid_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields of the profile schema, with values its enums and ranges allow."""
    props = _schema()
    out: dict[str, Any] = {}
    for name, value in facts.items():
        spec = props.get(name)
        if spec is None or value is None:
            continue
        if "enum" in spec:
            if value in spec["enum"] and not isinstance(value, bool) or (
                    isinstance(value, bool) and value in spec["enum"]):
                out[name] = value
            continue
        kind = spec.get("type")
        if kind == "boolean":
            if isinstance(value, bool):
                out[name] = value
            continue
        if kind in ("integer", "number"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if kind == "integer":
                if value != int(value):
                    continue
                value = int(value)
            if value < spec.get("minimum", float("-inf")) or value > spec.get("maximum", float("inf")):
                continue
            out[name] = value
            continue
        if kind == "string" and isinstance(value, str):
            if len(value) > spec.get("maxLength", 10_000):
                continue
            if "pattern" in spec and not re.fullmatch(spec["pattern"], value):
                continue
            out[name] = value
    return out


def _last(cands: list[Cand]) -> Cand | None:
    return cands[-1] if cands else None


def _status(doc: Doc, cands: list[Cand], facts: dict[str, Any], known: Mapping[str, Any]) -> None:
    statuses = [c for c in cands if c.entity == "status" and c.fact]
    contracts = [c for c in cands if c.entity == "contract" and c.fact and c.emit]
    values = [c.value for c in statuses]
    registered = facts.get("registered_france_travail")
    cues = {c.field for c in cands if c.entity == "cue" and c.fact and c.value is True}
    age = facts.get("age", known.get("age"))
    status: str | None = None
    explicit_unemployed = [c for c in statuses if c.value == "demandeur_emploi"]
    sans_emploi = [c for c in statuses if "sans_emploi" in c.flags]
    employed = [c.value for c in statuses if c.value in EMPLOYED_STATUSES]
    contract_values = [c.value for c in contracts]
    for cv in contract_values:
        if cv in ("cdi", "cdd"):
            employed.append("salarie_prive")
        elif cv == "mission_interim":
            employed.append("interimaire")
        elif cv in ("fonctionnaire", "contractuel_public"):
            employed.append("agent_public")
        elif cv == "micro_entreprise":
            employed.append("independant")
    young = isinstance(age, int) and age <= 25
    if "csp" in values:
        status = "csp"
    elif explicit_unemployed:
        status = "sans_emploi_non_inscrit" if registered is False else "demandeur_emploi"
    elif employed:
        status = max(employed, key=lambda v: _EMPLOYED_RANK[v])
    elif "etudiant" in values:
        status = "etudiant"
    elif "inactif_proche_aidant" in values:
        status = "inactif_proche_aidant"
    elif "inactif" in values:
        status = "inactif"
    elif "jeune_neet" in values:
        status = "jeune_neet"
    elif "mission_locale_follow" in cues and (young or age is None):
        status = "jeune_neet"
    elif young and ("left_school" in cues or (sans_emploi and registered is not True)):
        status = "jeune_neet"
    elif sans_emploi:
        if registered is True:
            status = "demandeur_emploi"
        elif registered is False:
            status = "sans_emploi_non_inscrit"
    elif registered is True and ("are" in cues or "registered_yes" in cues or facts.get("rsa") is True or any(
            c.entity == "france_travail" and c.fact and c.value is True for c in cands)):
        status = "demandeur_emploi"
    if status:
        facts["status"] = status
    if status in ("demandeur_emploi", "csp") and facts.get("registered_france_travail") is not False:
        facts["registered_france_travail"] = True  # a job seeker, in the contract's sense, is registered
    # contract
    contract: str | None = contract_values[-1] if contract_values else None
    if status == "agent_public" and contract in ("cdd", "cdi"):
        contract = "contractuel_public"
    if contract is None:
        if status == "interimaire":
            contract = "mission_interim"
        elif status == "agent_public" and any(
                c.value == "agent_public" and doc.text[c.ns:c.ne].startswith("fonctionnaire") for c in statuses):
            contract = "fonctionnaire"
        elif status == "agent_public" and any("contractuel" in c.flags and c.fact for c in statuses):
            contract = "contractuel_public"
        elif status == "independant" and any("micro" in c.flags for c in statuses):
            contract = "micro_entreprise"
        elif status in _NO_JOB:
            contract = "aucun"
    if status in _NO_JOB and contract not in (None, "aucun"):
        contract = None  # contradiction: leave it to the assistant
    if contract:
        facts["contract"] = contract


def _registration(cands: list[Cand], facts: dict[str, Any]) -> None:
    value: bool | None = None
    for c in cands:
        if not c.fact:
            continue
        if c.entity == "france_travail":
            value = bool(c.value)
        elif c.entity == "cue" and c.field in ("are", "mission_locale_follow", "cap_emploi_follow") \
                and "negated" not in c.flags:
            value = True if value is None else value
        elif c.entity == "cue" and c.field == "registered":
            value = False if value is None else value
        elif c.entity == "cue" and c.field == "registered_yes":
            value = True
        elif c.entity == "status" and c.value == "csp":
            value = True
        elif c.entity == "rsa" and c.value is True:
            value = True
    if value is not None:
        facts["registered_france_travail"] = value


def _durations(doc: Doc, cands: list[Cand], facts: dict[str, Any]) -> None:
    durs = [c for c in cands if c.entity == "duration" and c.fact]
    by_role: dict[str, list[int]] = {}
    for c in durs:
        if c.flags & {"worked_60", "cdd_window"}:
            continue  # a count inside a window ("40 mois sur les 5 dernières années"), not a seniority
        by_role.setdefault(c.role or "other", []).append(int(c.value))
    if by_role.get("company"):
        facts["seniority_months_company"] = by_role["company"][0]
    if by_role.get("total"):
        facts["seniority_months_total"] = by_role["total"][0]
    elif by_role.get("previous") and "seniority_months_company" in facts:
        facts["seniority_months_total"] = facts["seniority_months_company"] + sum(by_role["previous"])
    if by_role.get("sick_leave"):
        facts["sick_leave_months_last_24"] = min(by_role["sick_leave"][0], 24)
    if facts.get("contract") == "cdd" and "seniority_months_company" in facts:
        facts["cdd_months_last_12"] = min(facts["seniority_months_company"], 12)
    window = [int(c.value) for c in durs if "cdd_window" in c.flags]
    if window:
        facts["cdd_months_last_12"] = min(sum(window), 12)
    for c in durs:
        if "worked_60" in c.flags:
            facts["months_worked_last_60"] = min(int(c.value), 60)
    if by_role.get("registration") and facts.get("registered_france_travail") is not False:
        regs = [c for c in durs if c.role == "registration" and "short" not in c.flags]
        if regs:
            facts["registered_months_last_18"] = min(int(regs[0].value), 18)
            facts.setdefault("registered_france_travail", True)  # "inscrit depuis 8 mois"
    if facts.get("status") == "agent_public":
        served = facts.get("seniority_months_company", facts.get("seniority_months_total"))
        if served is not None:
            facts["public_service_months"] = served
    for cue in cands:
        if cue.entity == "cue" and cue.field == "unpaid_leave" and cue.fact:
            clause = doc.clause(cue.ns)
            near = [c for c in durs if clause[0] <= c.ns < clause[1]]
            if near:
                facts["unpaid_or_sabbatical_leave_last_60m"] = min(int(near[0].value), 60)


def _hours(doc: Doc, cands: list[Cand], facts: dict[str, Any], known: Mapping[str, Any]) -> None:
    hours = [c for c in cands if c.entity == "hours" and c.fact]
    week = [c for c in hours if "week" in c.flags]
    if week and 0 < week[0].value < 35:
        facts["part_time_hours_week"] = week[0].value
    else:
        parts = [c for c in cands if c.entity == "cue" and c.field == "part_time"]
        if parts:
            facts["part_time_hours_week"] = parts[0].value
    totals = [c for c in hours if "total" in c.flags]
    if not totals:
        return
    interim = (facts.get("status") == "interimaire" or known.get("status") == "interimaire"
               or re.search(r"interim|agence|\bett\b|18 (?:derniers )?mois", doc.text) is not None)
    if not interim:
        return
    for c in totals:
        after = doc.after(c.ne, 6)
        same = "agence" in after and bool({"meme", "seule", "ma", "cette", "une"} & set(after)) \
            or ("meme" in after and {"boite", "ett", "entreprise"} & set(after))
        if same:
            facts.setdefault("interim_hours_same_agency_18m", c.value)
        elif c.value >= 50:
            facts.setdefault("interim_hours_branch_18m", c.value)
    if len(totals) == 1 and "interim_hours_same_agency_18m" not in facts and re.search(
            r"(?:toujours|que|uniquement|seulement) (?:dans |avec |pour |chez )?(?:la meme|une seule|la seule|ma) agence"
            r"|meme agence depuis", doc.text):
        facts["interim_hours_same_agency_18m"] = totals[0].value  # "toujours dans la même agence, 1000 heures"


def _goal(doc: Doc, cands: list[Cand], facts: dict[str, Any], known: Mapping[str, Any],
          hidden_goals: list[Cand]) -> None:
    found: dict[str, Cand] = {}
    for c in cands:
        if c.entity == "goal" and c.fact:
            found.setdefault(c.value, c)
    for c in hidden_goals:
        found.setdefault(c.value, c)
    targets = [c for c in cands if c.entity == "target_field" and c.emit]
    status = facts.get("status") or known.get("status")
    # a current job stated without a status word ("manager, cadre, 12 ans de boîte") counts as one
    employed = status in EMPLOYED_STATUSES or status is None and (
        "seniority_months_company" in facts or facts.get("is_cadre") is True)
    for t in targets:
        if is_ai_data(doc.text[t.ns:t.ne]):
            found.setdefault("train_ai_data", t)
        if t.value == "devenir" or t.value == "field" and employed:
            found.setdefault("devenir", t)
        elif t.value == "get_qualification" and not _scheme_question(doc, t.ns):
            found.setdefault("get_qualification", t)
    for c in cands:
        if c.entity == "dispositif" and c.value == "vae":
            before = set(doc.before(c.ns, 4))
            after = doc.after(c.ne, 2)
            if _scheme_question(doc, c.ns):
                continue  # "est-ce que je peux faire une VAE ?": a question, not a plan
            if before & {"faire", "passer", "par", "via", "avec", "commencer", "lancer", "demarrer", "tenter",
                         "grace", "veux", "voudrais", "aimerais", "souhaite", "envisage", "pense", "une",
                         "entamer", "engager"} and not ({"quoi", "comment", "koi"} & (before | set(after))):
                found.setdefault("validate_experience", c)
    for goal in GOAL_ORDER:
        if goal in found:
            if goal == "devenir":
                facts["goal"] = "change_job" if employed else "get_qualification"
            else:
                facts["goal"] = goal
            break
    if targets:
        # the job to become names the target better than a training's subject ("une formation en X pour devenir Y")
        first = next((t for t in targets if t.value == "devenir"), targets[0])
        s, e = doc.orig_span(first.ns, first.ne)
        facts["target_field"] = doc.norm.original[s:e]


_CAN_WORDS = frozenset({"peux", "peut", "puis", "pourrais", "pourrai", "droit", "possible", "eligible", "ai-je",
                        "quoi", "comment", "combien", "faut", "dois", "marche", "fonctionne", "existe", "existent"})


def _scheme_question(doc: Doc, pos: int) -> bool:
    """Is the scheme named at `pos` asked about ("est-ce que je peux faire une VAE ?", "j'ai droit au PTP ?")?"""
    start, end = doc.clause(pos)
    if end >= len(doc.text) or doc.text[end] != "?":
        return False
    words = set(doc.clause_words(pos))
    return bool(words & _CAN_WORDS) or "est" in words and "ce" in words or {"y", "a", "t", "il"} <= words


def _commune(doc: Doc, cands: list[Cand], facts: dict[str, Any]) -> list[str]:
    communes = [c for c in cands if c.entity == "commune"]
    if not communes:
        return []
    chosen = communes[0]
    for c in communes:
        if _RESIDENCE_WORDS & set(doc.before(c.ns, 3)):
            chosen = c
            break
    match = chosen.data
    facts["commune"] = match.text.strip()
    if match.commune is not None:
        facts["code_insee"] = match.commune.code_insee
        return []
    return [c.code_insee for c in match.candidates]


def infer_facts(doc: Doc, cands: list[Cand], known: Mapping[str, Any],
                hidden_goals: list[Cand] = ()) -> tuple[dict[str, Any], list[str]]:
    """(facts, commune candidates) from the accepted entities and the cues, in text order.

    `hidden_goals` are goal phrases that lost an overlap to another entity but still state a goal
    ("devenir auto-entrepreneur" under the status "auto-entrepreneur").
    """
    cands = sorted(cands, key=lambda c: c.ns)
    facts: dict[str, Any] = {}
    ages = [c for c in cands if c.entity == "age" and c.fact]
    if ages:
        facts["age"] = ages[-1].value
    diplomas = [c for c in cands if c.entity == "diploma" and c.fact and (c.emit or "no_bac" in c.flags)]
    if diplomas:
        facts["diploma_level"] = max(c.value for c in diplomas)
    rqth = _last([c for c in cands if c.entity == "rqth" and c.fact])
    if rqth is not None:
        facts["rqth"] = bool(rqth.value)
    rsa = _last([c for c in cands if c.entity == "rsa" and c.fact])
    if rsa is not None:
        facts["rsa"] = bool(rsa.value)
    _registration(cands, facts)
    _status(doc, cands, facts, known)
    _durations(doc, cands, facts)
    _hours(doc, cands, facts, known)
    _goal(doc, cands, facts, known, list(hidden_goals))
    candidates = _commune(doc, cands, facts)
    for c in cands:
        if c.entity == "status" and c.value == "csp" and c.fact:
            facts["laid_off_economic_or_unfit"] = True
        if c.entity == "rqth" and "pending" in c.flags and not doc.other_person(c.ns):
            facts["rqth_pending"] = True
        if c.entity != "cue" or not c.fact:
            continue
        if c.field == "laid_off":
            facts["laid_off_economic_or_unfit"] = "negated" not in c.flags  # "pas licencié économique"
        elif c.field == "are":
            facts["unemployment_benefit"] = "negated" not in c.flags
        elif c.field == "no_benefit":
            facts["unemployment_benefit"] = False
        elif c.field == "rqth_pending" and "negated" not in c.flags:
            facts["rqth_pending"] = True
        elif c.field == "is_cadre":
            facts["is_cadre"] = bool(c.value)
        elif c.field == "sick_leave_cause":
            if c.value != "maladie" or "sick_leave_cause" not in facts:
                facts["sick_leave_cause"] = c.value
        elif c.field == "self_insured" and "negated" not in c.flags:
            facts["employer_self_insured_unemployment"] = True
        elif c.field == "qpv" and (facts.get("goal") == "create_business"
                                   or known.get("goal") == "create_business"):
            facts["business_in_qpv_or_zfrr"] = "negated" not in c.flags
    for c in cands:  # "aucun arrêt maladie", "jamais eu de CDD": a zero count, a no — unless a count was given
        if c.entity == "cue" and c.fact and str(c.field).startswith("denied:"):
            facts.setdefault(str(c.field).split(":", 1)[1], c.value)
    if facts.get("rqth_pending") and facts.get("rqth") is False and not any(
            c.entity == "rqth" and c.fact and c.value is False and "negated" in c.flags for c in cands):
        del facts["rqth"]
    return facts, candidates


#: Which candidates back each fact (entity or cue field); see `evidence_spans`.
_SOURCES: dict[str, tuple[tuple[str, str | None], ...]] = {
    "status": (("status", None), ("contract", None), ("cue", "are"), ("cue", "mission_locale_follow"),
               ("cue", "left_school"), ("france_travail", None), ("rsa", None)),
    "contract": (("contract", None), ("status", None)),
    "registered_france_travail": (("france_travail", None), ("cue", "are"), ("cue", "mission_locale_follow"),
                                  ("cue", "registered"), ("status", None), ("rsa", None)),
    "rqth": (("rqth", None),), "rsa": (("rsa", None),), "age": (("age", None),),
    "diploma_level": (("diploma", None),), "goal": (("goal", None), ("target_field", None), ("dispositif", None)),
    "target_field": (("target_field", None),), "commune": (("commune", None),), "code_insee": (("commune", None),),
    "is_cadre": (("cue", "is_cadre"),), "sick_leave_cause": (("cue", "sick_leave_cause"),),
    "employer_self_insured_unemployment": (("cue", "self_insured"),),
    "business_in_qpv_or_zfrr": (("cue", "qpv"),), "laid_off_economic_or_unfit": (("cue", "laid_off"), ("status", None)),
    "unemployment_benefit": (("cue", "are"), ("cue", "no_benefit")),
    "rqth_pending": (("cue", "rqth_pending"), ("rqth", None)),
    "part_time_hours_week": (("hours", None), ("cue", "part_time")),
    "interim_hours_branch_18m": (("hours", None),), "interim_hours_same_agency_18m": (("hours", None),),
    "disability": (("cue", "disability"), ("rqth", None)),
}
for _name in ("sick_leave_months_last_24", "cdd_months_last_12", "unpaid_or_sabbatical_leave_last_60m",
              "interim_hours_branch_18m", "laid_off_economic_or_unfit"):
    _SOURCES[_name] = (*_SOURCES.get(_name, ()), ("cue", f"denied:{_name}"))
_DURATION_SOURCES = {
    "seniority_months_company": ("company",), "seniority_months_total": ("total", "previous", "company"),
    "cdd_months_last_12": ("company", "other"), "sick_leave_months_last_24": ("sick_leave",),
    "unpaid_or_sabbatical_leave_last_60m": ("other", "company"), "months_worked_last_60": ("other", "total"),
    "public_service_months": ("company", "total"), "registered_months_last_18": ("registration",),
}
_STATUS_OF_CONTRACT = {"cdi": "salarie_prive", "cdd": "salarie_prive", "mission_interim": "interimaire",
                       "fonctionnaire": "agent_public", "contractuel_public": "agent_public",
                       "micro_entreprise": "independant"}


def evidence_spans(cands: list[Cand], facts: Mapping[str, Any],
                   cues: Mapping[str, Any]) -> dict[str, list[tuple[int, int]]]:
    """Normalised spans of the candidates that back each fact and cue (empty list: inferred)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for name, value in list(facts.items()) + list(cues.items()):
        spans: list[tuple[int, int]] = []
        if name in _DURATION_SOURCES:
            roles = _DURATION_SOURCES[name]
            spans = [(c.ns, c.ne) for c in cands if c.entity == "duration" and (c.role or "other") in roles
                     and (c.value == value or name in ("seniority_months_total", "public_service_months")
                          or abs(int(c.value) - int(value)) <= 1 or int(c.value) > int(value))][:2]
        for entity, fieldname in _SOURCES.get(name, ()):
            if spans and entity in ("status", "contract", "dispositif", "rsa", "france_travail") \
                    and name not in ("status", "contract"):
                break
            for c in cands:
                if c.entity != entity or (fieldname and c.field != fieldname) or not (c.fact or c.entity == "target_field"):
                    continue
                if name == "status" and entity == "status" and c.value != value:
                    continue
                if name == "status" and entity == "contract" and _STATUS_OF_CONTRACT.get(c.value) != value:
                    continue
                if name == "contract" and entity == "contract" and c.value != value:
                    continue
                if name == "contract" and entity == "status" and (value == "aucun") == (c.value in EMPLOYED_STATUSES):
                    continue
                if name in ("goal", "diploma_level") and entity in ("goal", "diploma") and c.value != value:
                    continue
                if name == "goal" and entity == "dispositif" and c.value != "vae":
                    continue
                spans.append((c.ns, c.ne))
            if spans:
                break
        out[name] = sorted(set(spans))
    return out
