"""Profile validation against the contract schema, normalisation, implied facts and contradictions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.eligibility.fields import fmt_value
from bot.errors import InvalidProfile

CONTRACT_DIR = Path(__file__).resolve().parent.parent / "contract"

#: Statuses in which a person currently holds a job.
EMPLOYED = ("salarie_prive", "interimaire", "agent_public", "independant")
#: Statuses without a job (contract "aucun" is implied).
NOT_EMPLOYED = ("demandeur_emploi", "sans_emploi_non_inscrit", "jeune_neet", "etudiant", "csp",
                "inactif_proche_aidant", "inactif")

#: Date from which RSA recipients are registered at France Travail automatically (loi plein emploi).
AUTO_REGISTRATION_FROM = date(2025, 1, 1)


@lru_cache(maxsize=1)
def profile_schema() -> dict[str, Any]:
    """The contract's profile schema (vendored copy)."""
    return json.loads((CONTRACT_DIR / "profile.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(profile_schema())


_FR_TYPES = {"integer": "un nombre entier", "number": "un nombre", "boolean": "vrai ou faux (true/false)",
             "string": "du texte", "object": "un objet JSON"}


def validate_profile(profile: Any) -> dict[str, Any]:
    """Check `profile` against the schema; raise InvalidProfile naming the first bad field."""
    if not isinstance(profile, dict):
        raise InvalidProfile("(profil)", "the profile must be a JSON object", "le profil doit être un objet JSON")
    validator = _validator()
    if validator.is_valid(profile):
        return profile
    errors = sorted(validator.iter_errors(profile), key=lambda e: (list(e.path), e.validator))
    if not errors:
        return profile
    err = errors[0]
    name = str(err.path[0]) if err.path else "(profil)"
    value = err.instance
    if err.validator == "additionalProperties":
        extra = sorted(set(profile) - set(profile_schema()["properties"]))
        name = extra[0] if extra else name
        raise InvalidProfile(name, "unknown field", "champ inconnu")
    if err.validator == "enum":
        allowed = ", ".join(json.dumps(v, ensure_ascii=False) for v in err.validator_value)
        raise InvalidProfile(name, f"{value!r} is not one of {allowed}",
                             f"valeur {json.dumps(value, ensure_ascii=False)} non reconnue ; valeurs possibles : {allowed}")
    if err.validator == "type":
        expected = err.validator_value
        raise InvalidProfile(name, f"{value!r} is not of type {expected}",
                             f"la valeur {json.dumps(value, ensure_ascii=False)} devrait être {_FR_TYPES.get(expected, expected)}")
    if err.validator in ("minimum", "maximum"):
        word_en = "below the minimum" if err.validator == "minimum" else "above the maximum"
        word_fr = "inférieure au minimum" if err.validator == "minimum" else "supérieure au maximum"
        raise InvalidProfile(name, f"{value!r} is {word_en} {err.validator_value}",
                             f"la valeur {value} est {word_fr} ({err.validator_value})")
    if err.validator == "pattern":
        raise InvalidProfile(name, f"{value!r} does not match {err.validator_value}",
                             f"la valeur {json.dumps(value, ensure_ascii=False)} n'a pas le bon format")
    if err.validator == "maxLength":
        raise InvalidProfile(name, f"longer than {err.validator_value} characters",
                             f"texte trop long (au plus {err.validator_value} caractères)")
    raise InvalidProfile(name, err.message, f"valeur invalide ({err.message})")


@dataclass
class Normalised:
    """The profile as understood: explicit facts, implied facts, bounds, place, warnings."""

    facts: dict[str, Any]  # explicit + implied (what the engine reads)
    implied: dict[str, Any] = field(default_factory=dict)  # subset of facts the person did not state
    bounds: dict[str, int] = field(default_factory=dict)  # lower bounds of unknown numeric fields
    upper: dict[str, int] = field(default_factory=dict)  # upper bounds of unknown numeric fields
    place: dict[str, Any] | None = None  # resolved commune {code_insee, nom, region, epci, departement}
    place_status: str = "missing"  # found / unresolved / missing
    warnings: list[str] = field(default_factory=list)


def _resolve_place(facts: dict[str, Any]) -> tuple[dict[str, Any] | None, str, str | None]:
    """Resolve code_insee / commune with bot.geo when available."""
    code = facts.get("code_insee")
    text = facts.get("commune")
    if not code and not text:
        return None, "missing", None
    try:
        from bot import geo
    except ImportError:  # geo data not installed: keep what we have
        return ({"code_insee": code, "nom": text or code, "region": None, "epci": None} if code else None,
                "found" if code else "unresolved", None)
    if code:
        from bot.geo.index import regional_communes

        commune = regional_communes("32").get(code) or geo.communes().get(code)
        if commune is None:
            return None, "unresolved", f"Code INSEE « {code} » inconnu."
    else:
        res = geo.resolve(str(text))
        if res.status != "found" or res.commune is None:
            return None, "unresolved", res.message_fr
        commune = res.commune
    place = {"code_insee": commune.code_insee, "nom": commune.nom, "region": commune.region,
             "epci": commune.epci, "departement": commune.departement}
    return place, "found", None


def normalise(profile: dict[str, Any], as_of: date, *, resolve_place: bool = True) -> Normalised:
    """Validate, then derive implied facts and lower bounds; report contradictions as warnings."""
    validate_profile(profile)
    facts = {k: v for k, v in profile.items() if v is not None}
    out = Normalised(facts=facts)
    status = facts.get("status")
    contract = facts.get("contract")

    def imply(name: str, value: Any) -> None:
        if name not in facts:
            facts[name] = value
            out.implied[name] = value

    # Implied facts (only when unambiguous).
    if status in NOT_EMPLOYED:
        imply("contract", "aucun")
    if status == "interimaire":
        imply("contract", "mission_interim")
    if contract == "mission_interim":
        imply("status", "interimaire")
    if contract in ("fonctionnaire", "contractuel_public"):
        imply("status", "agent_public")
    if contract == "micro_entreprise":
        imply("status", "independant")
    if contract in ("cdi", "cdd") and status is None:
        imply("status", "salarie_prive")
    if facts.get("rsa") is True and as_of >= AUTO_REGISTRATION_FROM:
        imply("registered_france_travail", True)
    if facts.get("status") == "sans_emploi_non_inscrit":
        imply("registered_france_travail", False)
    if facts.get("status") == "csp":
        imply("registered_france_travail", True)
        imply("unemployment_benefit", True)  # the CSP allowance is paid by France Travail
    if facts.get("unemployment_benefit") is True:
        imply("registered_france_travail", True)
    if facts.get("registered_france_travail") is False:
        imply("unemployment_benefit", False)  # no benefit without registration

    # Lower bounds: total salaried activity is at least the current employer's seniority, etc.
    status = facts.get("status")
    contract = facts.get("contract")
    company = facts.get("seniority_months_company")
    if company is not None and status in ("salarie_prive", "interimaire", "agent_public") and \
            "seniority_months_total" not in facts:
        out.bounds["seniority_months_total"] = company
    if contract == "cdd" and company is not None and "cdd_months_last_12" not in facts:
        out.bounds["cdd_months_last_12"] = min(company, 12)
    same = facts.get("interim_hours_same_agency_18m")
    if same is not None and "interim_hours_branch_18m" not in facts:
        out.bounds["interim_hours_branch_18m"] = same
    if company is not None and status == "agent_public" and "public_service_months" not in facts:
        out.bounds["public_service_months"] = company  # the current administration is public service
    _months_worked_last_60(facts, out, status, company, imply)

    # Contradictions: reported, never fatal.
    w = out.warnings
    if status in NOT_EMPLOYED and contract not in (None, "aucun"):
        w.append(f"Situation « {fmt_value('status', status)} » mais contrat « {fmt_value('contract', contract)} » : "
                 "les deux ne vont pas ensemble, merci de préciser.")
    if status == "salarie_prive" and contract in ("fonctionnaire", "contractuel_public", "micro_entreprise", "aucun"):
        w.append(f"Salarié(e) du privé avec un contrat « {fmt_value('contract', contract)} » : à préciser.")
    if status == "agent_public" and contract in ("mission_interim", "micro_entreprise", "aucun"):
        w.append(f"Agent public avec un contrat « {fmt_value('contract', contract)} » : à préciser.")
    if status == "demandeur_emploi" and facts.get("registered_france_travail") is False:
        w.append("Demandeur d'emploi mais pas inscrit(e) à France Travail : pour les dispositifs, "
                 "seule l'inscription compte.")
    total = facts.get("seniority_months_total")
    if company is not None and total is not None and company > total and status in ("salarie_prive", "interimaire",
                                                                                     "agent_public"):
        w.append(f"Ancienneté chez l'employeur ({company} mois) supérieure à l'activité salariée totale "
                 f"({total} mois) : merci de vérifier.")
    worked = facts.get("months_worked_last_60")
    if worked is not None and total is not None and worked > total:
        w.append(f"{worked} mois travaillés sur les 5 dernières années, mais {total} mois d'activité salariée "
                 "au total : merci de vérifier.")
    branch = facts.get("interim_hours_branch_18m")
    if same is not None and branch is not None and same > branch:
        w.append("Plus d'heures dans une agence d'intérim que dans toute la branche : merci de vérifier.")
    age = facts.get("age")
    if age is not None and total is not None and total > max(0, (age - 14) * 12):
        w.append(f"{total} mois d'activité à {age} ans : merci de vérifier l'âge ou la durée.")
    if facts.get("cdd_months_last_12") and contract == "cdi" and facts.get("seniority_months_company", 0) >= 12:
        w.append("Des mois de CDD sur les 12 derniers mois alors que vous êtes en CDI depuis plus d'un an : à vérifier.")

    if resolve_place:
        place, place_status, message = _resolve_place(facts)
        out.place, out.place_status = place, place_status
        if place and "code_insee" not in facts:
            facts["code_insee"] = place["code_insee"]
            out.implied["code_insee"] = place["code_insee"]
        if message:
            w.append(message)
    return out


def _months_worked_last_60(facts: dict[str, Any], out: Normalised, status: Any, company: Any, imply: Any) -> None:
    """Months worked in the last 60 (démission-reconversion, DR-R2), from what the profile already says.

    Sixty months or more in the current job with the leave taken known implies it (60 minus the leave);
    the total salaried activity and the leave cap it (a total under 60 months cannot reach 60).
    """
    if "months_worked_last_60" in facts:
        return
    leave = facts.get("unpaid_or_sabbatical_leave_last_60m")
    if status in ("salarie_prive", "interimaire", "agent_public") and company is not None and company >= 60 \
            and leave is not None:
        imply("months_worked_last_60", max(0, 60 - leave))
        return
    total = facts.get("seniority_months_total")
    if total is None and leave is None:
        return
    cap = min(60, total if total is not None else 60) - (leave or 0)
    if cap < 60:
        out.upper["months_worked_last_60"] = max(0, cap)
