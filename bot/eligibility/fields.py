"""What the engine knows about each profile field: French labels, units, value wording, ask order."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class FieldInfo:
    """How a profile field reads in French."""

    name: str
    label: str  # "votre situation", "votre âge"…
    unit: str | None = None  # "mois", "ans", "heures"
    values: dict[Any, str] = field(default_factory=dict)  # value → French wording


STATUS_LABELS = {
    "salarie_prive": "salarié(e) du privé",
    "interimaire": "intérimaire",
    "agent_public": "agent public",
    "independant": "indépendant(e)",
    "demandeur_emploi": "demandeur(se) d'emploi",
    "sans_emploi_non_inscrit": "sans emploi, non inscrit(e) à France Travail",
    "jeune_neet": "jeune sans emploi ni formation",
    "etudiant": "étudiant(e)",
    "csp": "en contrat de sécurisation professionnelle (CSP)",
    "inactif_proche_aidant": "proche aidant(e), sans activité professionnelle",
    "inactif": "sans activité professionnelle",
}

CONTRACT_LABELS = {
    "cdi": "CDI",
    "cdd": "CDD",
    "mission_interim": "missions d'intérim",
    "fonctionnaire": "fonctionnaire (titulaire)",
    "contractuel_public": "contractuel(le) de la fonction publique",
    "micro_entreprise": "micro-entreprise",
    "aucun": "pas de contrat en cours",
}

GOAL_LABELS = {
    "change_job": "changer de métier",
    "get_qualification": "obtenir une qualification ou un diplôme",
    "validate_experience": "faire reconnaître votre expérience par un diplôme",
    "create_business": "créer ou reprendre une entreprise",
    "train_ai_data": "vous former au numérique, à la data ou à l'IA",
    "find_job": "trouver un emploi",
    "explore": "réfléchir à votre orientation",
}

DIPLOMA_LABELS = {
    0: "aucun diplôme",
    3: "CAP/BEP (niveau 3)",
    4: "bac (niveau 4)",
    5: "bac+2 (niveau 5)",
    6: "bac+3/4 (niveau 6)",
    7: "bac+5 (niveau 7)",
    8: "doctorat (niveau 8)",
}

SICK_CAUSE_LABELS = {
    "maladie": "maladie",
    "accident_du_travail": "accident du travail",
    "maladie_professionnelle": "maladie professionnelle",
}

_BOOL = {True: "oui", False: "non"}

FIELDS: dict[str, FieldInfo] = {
    f.name: f
    for f in (
        FieldInfo("status", "votre situation", values=STATUS_LABELS),
        FieldInfo("contract", "votre contrat", values=CONTRACT_LABELS),
        FieldInfo("seniority_months_company", "votre ancienneté chez votre employeur actuel", "mois"),
        FieldInfo("seniority_months_total", "votre activité salariée (tous employeurs)", "mois"),
        FieldInfo("cdd_months_last_12", "vos mois en CDD sur les 12 derniers mois", "mois"),
        FieldInfo("interim_hours_branch_18m", "vos heures d'intérim sur 18 mois", "heures"),
        FieldInfo("interim_hours_same_agency_18m", "vos heures dans la même agence d'intérim sur 18 mois", "heures"),
        FieldInfo("age", "votre âge", "ans"),
        FieldInfo("rqth", "une reconnaissance de travailleur handicapé (RQTH)", values=_BOOL),
        FieldInfo("diploma_level", "votre diplôme le plus élevé", values=DIPLOMA_LABELS),
        FieldInfo("goal", "votre objectif", values=GOAL_LABELS),
        FieldInfo("target_field", "le métier ou domaine visé"),
        FieldInfo("commune", "votre commune"),
        FieldInfo("code_insee", "votre commune"),
        FieldInfo("registered_france_travail", "votre inscription à France Travail", values=_BOOL),
        FieldInfo("is_cadre", "votre statut de cadre", values=_BOOL),
        FieldInfo("rsa", "le RSA", values=_BOOL),
        FieldInfo("part_time_hours_week", "vos heures de travail par semaine", "heures"),
        FieldInfo("sick_leave_months_last_24", "vos arrêts maladie ou accident sur 24 mois", "mois"),
        FieldInfo("sick_leave_cause", "la cause de l'arrêt", values=SICK_CAUSE_LABELS),
        FieldInfo("unpaid_or_sabbatical_leave_last_60m", "vos congés sans solde ou sabbatiques sur 5 ans", "mois"),
        FieldInfo("employer_self_insured_unemployment", "un employeur en auto-assurance chômage", values=_BOOL),
        FieldInfo("business_in_qpv_or_zfrr", "une création en quartier prioritaire ou zone rurale (QPV/ZFRR)", values=_BOOL),
        FieldInfo("months_worked_last_60", "vos mois travaillés comme salarié(e) sur les 5 dernières années", "mois"),
        FieldInfo("public_service_months", "vos services effectifs dans la fonction publique", "mois"),
        FieldInfo("laid_off_economic_or_unfit", "un licenciement pour motif économique ou pour inaptitude", values=_BOOL),
        FieldInfo("rqth_pending", "une demande de RQTH en cours", values=_BOOL),
        FieldInfo("unemployment_benefit", "une allocation chômage versée par France Travail (ARE ou autre)", values=_BOOL),
        FieldInfo("registered_months_last_18", "vos mois d'inscription à France Travail sur les 18 derniers mois", "mois"),
    )
}

#: When two fields settle as many verdicts, ask in this order (natural conversation order).
ASK_ORDER: tuple[str, ...] = (
    "status",
    "goal",
    "contract",
    "commune",
    "age",
    "seniority_months_company",
    "seniority_months_total",
    "public_service_months",
    "cdd_months_last_12",
    "interim_hours_branch_18m",
    "interim_hours_same_agency_18m",
    "registered_france_travail",
    "unemployment_benefit",
    "registered_months_last_18",
    "diploma_level",
    "rqth",
    "rqth_pending",
    "rsa",
    "is_cadre",
    "target_field",
    "part_time_hours_week",
    "sick_leave_months_last_24",
    "sick_leave_cause",
    "laid_off_economic_or_unfit",
    "months_worked_last_60",
    "unpaid_or_sabbatical_leave_last_60m",
    "employer_self_insured_unemployment",
    "business_in_qpv_or_zfrr",
)


def fmt_number(value: float | int) -> str:
    """French number formatting: 1 600, 103,20."""
    if isinstance(value, float) and not value.is_integer():
        whole, _, frac = f"{value:.2f}".partition(".")
        return f"{int(whole):,}".replace(",", "\u00a0") + "," + frac
    return f"{int(value):,}".replace(",", "\u00a0")


def fmt_value(field_name: str, value: Any) -> str:
    """A profile value as a person reads it ("48 mois", "CDI", "bac+2 (niveau 5)")."""
    try:
        return _fmt_value_cached(field_name, value, type(value))
    except TypeError:  # unhashable value
        return _fmt_value(field_name, value)


@lru_cache(maxsize=4096)
def _fmt_value_cached(field_name: str, value: Any, _type: type) -> str:
    # the type is part of the key: True == 1 but "oui" != "1"
    return _fmt_value(field_name, value)


def _fmt_value(field_name: str, value: Any) -> str:
    info = FIELDS.get(field_name)
    if info is None:
        return str(value)
    if info.values and value in info.values:
        return info.values[value]
    if isinstance(value, bool):
        return _BOOL[value]
    if isinstance(value, (int, float)):
        text = fmt_number(value)
        if info.unit:
            unit = info.unit
            if unit in ("mois",):
                return f"{text} mois"
            if unit == "ans":
                return f"{text} an" if value in (0, 1) else f"{text} ans"
            if unit == "heures":
                return f"{text} heure" if value in (0, 1) else f"{text} heures"
            return f"{text} {unit}"
        return text
    return str(value)


def fmt_values(field_name: str, values: list[Any]) -> str:
    """A list of values joined the French way ("CDI, CDD ou intérim")."""
    words = [fmt_value(field_name, v) for v in values]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " ou " + words[-1]


#: Where a person can find a fact they do not know (said when they answer "je ne sais pas").
WHO_KNOWS: dict[str, str] = {
    "seniority_months_company": "Votre ancienneté figure sur vos bulletins de salaire ; votre employeur peut aussi vous la donner.",
    "seniority_months_total": "Votre durée d'activité salariée se retrouve sur vos bulletins de salaire ; un conseiller Mon CEP peut vous aider à la calculer.",
    "cdd_months_last_12": "Vos mois de CDD figurent sur vos contrats de travail.",
    "interim_hours_branch_18m": "Vos agences d'intérim peuvent vous donner vos relevés d'heures.",
    "interim_hours_same_agency_18m": "Votre agence d'intérim peut vous donner votre relevé d'heures.",
    "registered_france_travail": "Vous pouvez vérifier votre inscription dans votre espace personnel sur francetravail.fr.",
    "rqth": "Si vous avez fait une demande, la MDPH de votre département peut vous dire où elle en est.",
    "rsa": "La CAF (ou la MSA) peut vous confirmer si vous touchez le RSA.",
    "is_cadre": "Votre statut de cadre est indiqué sur votre contrat de travail et vos bulletins de salaire.",
    "diploma_level": "Un conseiller en évolution professionnelle peut vous aider à situer le niveau de vos diplômes.",
    "employer_self_insured_unemployment": "Votre service RH, ou le simulateur de France Travail, peut vous dire si votre employeur est en auto-assurance chômage.",
    "part_time_hours_week": "Votre durée de travail est indiquée sur votre contrat de travail.",
    "sick_leave_months_last_24": "Vos arrêts de travail figurent sur votre compte ameli (Assurance maladie).",
    "months_worked_last_60": "Vos périodes de travail figurent sur vos bulletins de salaire et dans votre espace France Travail ; le simulateur de France Travail ou un conseiller Mon CEP peut vous aider à compter les 1 300 jours.",
    "public_service_months": "Votre service RH peut vous donner votre état des services effectifs.",
    "laid_off_economic_or_unfit": "Le motif du licenciement est écrit dans la lettre de licenciement.",
    "rqth_pending": "La MDPH de votre département peut vous dire si votre demande est bien enregistrée.",
    "unemployment_benefit": "Votre espace personnel sur francetravail.fr indique si vous êtes indemnisé(e).",
    "registered_months_last_18": "Votre historique d'inscription figure dans votre espace personnel sur francetravail.fr.",
    "business_in_qpv_or_zfrr": "La CCI, la CMA ou votre réseau d'aide à la création peut vous dire si votre future adresse est en quartier prioritaire ou en zone France ruralités revitalisation.",
}
