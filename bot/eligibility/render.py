"""Plain-French text renderings of an evaluation (CLI summary, conversation building blocks)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.eligibility.fields import FIELDS, fmt_value

GROUP_TITLES = {
    "who_to_see": "Qui voir",
    "how_to_fund": "Comment financer",
    "contracts": "Contrats en alternance",
    "aids": "Aides",
}
GROUP_ORDER = ("who_to_see", "how_to_fund", "contracts", "aids")

#: How each profile field is asked about, in plain French (the conversation's domain has its own copy).
QUESTION_LABELS = {
    "status": "votre situation actuelle",
    "contract": "votre type de contrat",
    "goal": "ce que vous voulez faire",
    "commune": "votre commune",
    "age": "votre âge",
    "seniority_months_company": "votre ancienneté chez votre employeur",
    "seniority_months_total": "votre durée totale d'activité salariée",
    "cdd_months_last_12": "vos mois en CDD sur les 12 derniers mois",
    "interim_hours_branch_18m": "vos heures d'intérim sur 18 mois",
    "interim_hours_same_agency_18m": "vos heures dans la même agence d'intérim",
    "registered_france_travail": "votre inscription à France Travail",
    "diploma_level": "votre diplôme le plus élevé",
    "rqth": "une éventuelle reconnaissance de handicap (RQTH)",
    "rsa": "le RSA",
    "target_field": "le métier visé",
    "sick_leave_cause": "la cause de l'arrêt",
    "unpaid_or_sabbatical_leave_last_60m": "vos congés sans solde",
    "employer_self_insured_unemployment": "l'assurance chômage de votre employeur",
    "is_cadre": "votre statut de cadre",
    "part_time_hours_week": "vos heures de travail par semaine",
    "sick_leave_months_last_24": "vos arrêts maladie récents",
    "business_in_qpv_or_zfrr": "le lieu de votre future entreprise (quartier prioritaire ou zone rurale)",
    "months_worked_last_60": "vos mois travaillés sur les 5 dernières années",
    "public_service_months": "vos services effectifs dans la fonction publique",
    "laid_off_economic_or_unfit": "un éventuel licenciement économique ou pour inaptitude",
    "rqth_pending": "une éventuelle demande de RQTH en cours",
    "unemployment_benefit": "votre allocation chômage",
    "registered_months_last_18": "vos mois d'inscription à France Travail sur 18 mois",
}

_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"]


def _fr_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{'1er' if d.day == 1 else d.day} {_MONTHS[d.month - 1]} {d.year}"


def profile_lines(profile: dict[str, Any]) -> list[str]:
    """One line per known fact, in the natural order of the conversation."""
    order = [f for f in FIELDS if f != "code_insee"]
    out = []
    for name in order:
        if name in profile:
            label = FIELDS[name].label
            out.append(f"{label[:1].upper()}{label[1:]} : {fmt_value(name, profile[name])}")
    return out


def first_reason(item: dict[str, Any]) -> str:
    """The most telling sentence of an item (failing condition for a refusal)."""
    for cond in item.get("conditions", []):
        if cond.get("ok") is False:
            return str(cond["text"])
    return item["why"][0] if item.get("why") else ""


def render_summary(result: dict[str, Any], *, show_not_eligible: bool = True) -> str:
    """A readable French summary of a recommendation document (for the CLI)."""
    lines: list[str] = [f"Vos possibilités au {_fr_date(result['as_of'])}", ""]
    facts = profile_lines(result.get("profile", {}))
    if facts:
        lines.append("Ce que je sais de votre situation :")
        lines += [f"  - {f}" for f in facts]
        lines.append("")
    for warning in result.get("warnings", []):
        lines.append(f"Attention : {warning}")
    if result.get("warnings"):
        lines.append("")
    recommended = result.get("recommended", [])
    if recommended:
        lines.append("Ce qui vous correspond :")
        for group in GROUP_ORDER:
            items = [i for i in recommended if i.get("group") == group]
            if not items:
                continue
            lines.append(f"  {GROUP_TITLES[group]}")
            for item in items:
                lines.append(f"   • {item['title']}")
                for why in item["why"][:3]:
                    lines.append(f"       {why}")
                lines.append(f"       Première étape : {item['next_step']}")
        lines.append("")
    else:
        lines.append("Je n'ai encore rien de sûr à vous proposer : il me manque des informations.")
        lines.append("")
    if result.get("to_check"):
        lines.append("À vérifier :")
        for item in result["to_check"]:
            missing = ", ".join(QUESTION_LABELS.get(m, m) for m in item.get("missing", []))
            detail = f" (il me manque : {missing})" if missing else f" — {item['why'][0]}"
            lines.append(f"   • {item['title']}{detail}")
        lines.append("")
    if show_not_eligible and result.get("not_eligible"):
        lines.append("Pas pour vous aujourd'hui :")
        for item in result["not_eligible"]:
            when = item.get("eligible_in_months")
            suffix = f" (possible dans {when} mois si rien ne change)" if when else ""
            lines.append(f"   • {item['title']} : {first_reason(item)}{suffix}")
        lines.append("")
    if result.get("questions"):
        asked = ", ".join(QUESTION_LABELS.get(q, q) for q in result["questions"][:5])
        lines.append(f"Pour affiner : {asked}.")
    return "\n".join(lines).rstrip() + "\n"


def render_explain(result: dict[str, Any], dispositif_id: str) -> str:
    """Why one dispositif is (or is not) for this person, condition by condition."""
    for key, heading in (("recommended", "Vous y avez droit et c'est adapté à votre objectif."),
                         ("to_check", "À vérifier : il manque une information."),
                         ("other_options", "Possible, mais cela ne correspond pas à votre objectif actuel."),
                         ("not_eligible", "Pas pour vous aujourd'hui.")):
        for item in result.get(key, []):
            if item["id"] != dispositif_id:
                continue
            lines = [item["title"], heading]
            lines += [f"  - {c['text']}" for c in item.get("conditions", [])] or [f"  - {w}" for w in item["why"]]
            if item.get("eligible_in_months"):
                lines.append(f"Possible dans {item['eligible_in_months']} mois si rien ne change.")
            if item.get("missing"):
                lines.append("Il me manque : " + ", ".join(QUESTION_LABELS.get(m, m) for m in item["missing"]) + ".")
            lines.append(f"Première étape : {item['next_step']}")
            for s in item.get("sources", []):
                lines.append(f"Source : {s['title']} — {s['url']}")
            return "\n".join(lines) + "\n"
    return f"Je ne connais pas le dispositif « {dispositif_id} ».\n"
