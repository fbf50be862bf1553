"""Profile facts inferred from a message, with `known` facts as context."""

from __future__ import annotations

from datetime import date

import pytest

from bot.understanding import extract

TODAY = date(2026, 3, 15)

STATUS = [
    ("je suis en CDI", "salarie_prive", "cdi"),
    ("je suis en cdd dans un magasin", "salarie_prive", "cdd"),
    ("je suis intérimaire", "interimaire", "mission_interim"),
    ("je bosse en interim", "interimaire", "mission_interim"),
    ("titulaire à la mairie", "agent_public", "fonctionnaire"),
    ("je suis fonctionnaire", "agent_public", "fonctionnaire"),
    ("je suis contractuelle à la mairie en CDD", "agent_public", "contractuel_public"),
    ("je suis licencié", "demandeur_emploi", "aucun"),
    ("au chomage depuis 6 mois", "demandeur_emploi", "aucun"),
    ("je suis demandeuse d'emploi", "demandeur_emploi", "aucun"),
    ("je touche l'ARE", "demandeur_emploi", "aucun"),
    ("inscrite à France Travail", "demandeur_emploi", "aucun"),
    ("licencié économique, j'ai signé le CSP", "csp", "aucun"),
    ("je suis au RSA", "demandeur_emploi", "aucun"),
    ("je suis auto-entrepreneur", "independant", "micro_entreprise"),
    ("j'ai une micro-entreprise", "independant", "micro_entreprise"),
    ("je suis étudiante", "etudiant", None),
    ("je suis proche aidant de ma mère", "inactif_proche_aidant", "aucun"),
    ("je suis mère au foyer", "inactif", "aucun"),
    ("au chômage mais pas inscrit", "sans_emploi_non_inscrit", "aucun"),
    ("j'ai 20 ans, j'ai arrêté l'école, je fais rien", "jeune_neet", "aucun"),
    ("j'ai 22 ans, suivie à la mission locale", "jeune_neet", "aucun"),
    ("j'ai 24 ans, sans emploi", "jeune_neet", "aucun"),
]


@pytest.mark.parametrize(("text", "status", "contract"), STATUS)
def test_status_and_contract(text: str, status: str, contract: str | None) -> None:
    facts = extract(text, today=TODAY).facts
    assert facts.get("status") == status, facts
    assert facts.get("contract") == contract, facts


REGISTERED = [
    ("inscrit à France Travail", True),
    ("je touche le chômage", True),
    ("je touche l'ARE", True),
    ("j'ai signé le CSP", True),
    ("je suis au RSA", True),
    ("suivie à la mission locale", True),
    ("je suis pas inscrite", False),
    ("pas inscrit à pôle emploi", False),
]


@pytest.mark.parametrize(("text", "value"), REGISTERED)
def test_registration(text: str, value: bool) -> None:
    assert extract(text).facts.get("registered_france_travail") is value


SENIORITY = [
    ("en CDI depuis 3 ans", {"seniority_months_company": 36}),
    ("4 ans de CDI", {"seniority_months_company": 48}),
    ("titulaire à la mairie depuis 12 ans", {"seniority_months_company": 144}),
    ("ça fait 3 ans que je suis dans ma boite", {"seniority_months_company": 36}),
    ("intérimaire depuis 2 ans", {"seniority_months_total": 24}),
    ("j'ai travaillé 15 ans en tout", {"seniority_months_total": 180}),
    ("j'ai 15 ans d'expérience dans la vente", {"seniority_months_total": 180}),
    ("auto-entrepreneur depuis 2 ans", {"seniority_months_company": 24}),
    ("en CDD depuis 4 mois, avant j'ai fait 2 ans d'intérim",
     {"seniority_months_company": 4, "seniority_months_total": 28, "cdd_months_last_12": 4}),
    ("en CDI depuis 2019", {"seniority_months_company": 80}),          # from July 1st, 2019
    ("en CDI depuis mars 2021", {"seniority_months_company": 60}),
    ("en CDI depuis septembre", {"seniority_months_company": 6}),     # September 2025
    ("arrêt maladie depuis 8 mois", {"sick_leave_months_last_24": 8, "sick_leave_cause": "maladie"}),
    ("en arrêt depuis 3 ans suite à un accident du travail",
     {"sick_leave_months_last_24": 24, "sick_leave_cause": "accident_du_travail"}),
    ("maladie professionnelle reconnue", {"sick_leave_cause": "maladie_professionnelle"}),
    ("congé sans solde de 6 mois", {"unpaid_or_sabbatical_leave_last_60m": 6}),
]


@pytest.mark.parametrize(("text", "expected"), SENIORITY)
def test_durations(text: str, expected: dict) -> None:
    facts = extract(text, today=TODAY).facts
    for name, value in expected.items():
        assert facts.get(name) == value, facts


def test_interim_hours() -> None:
    facts = extract("intérimaire, 1700 heures sur les 18 derniers mois dont 700 avec la même agence").facts
    assert facts["interim_hours_branch_18m"] == 1700
    assert facts["interim_hours_same_agency_18m"] == 700


def test_interim_hours_need_an_interim_context() -> None:
    assert "interim_hours_branch_18m" not in extract("une formation de 400 heures").facts


@pytest.mark.parametrize(("text", "hours"), [
    ("je bosse 20h par semaine", 20),
    ("je travaille à mi-temps", 17.5),
    ("temps partiel à 80 %", 28.0),
])
def test_part_time(text: str, hours: float) -> None:
    assert extract(text).facts["part_time_hours_week"] == hours


@pytest.mark.parametrize(("text", "value"), [
    ("je suis cadre dans une banque", True),
    ("statut cadre", True),
    ("je suis non cadre", False),
])
def test_cadre(text: str, value: bool) -> None:
    assert extract(text).facts["is_cadre"] is value


def test_cadre_as_a_word_is_no_fact() -> None:
    assert "is_cadre" not in extract("dans le cadre de ma reconversion").facts


GOALS = [
    ("je voudrais me reconvertir", None, "change_job"),
    ("je veux changer de métier", None, "change_job"),
    ("je veux démissionner pour faire une formation", None, "change_job"),
    ("je voudrais devenir plombier", {"status": "salarie_prive"}, "change_job"),
    ("en CDI, je voudrais devenir plombier", None, "change_job"),
    ("au chômage, je voudrais devenir plombier", None, "get_qualification"),
    ("je voudrais devenir plombier", None, "get_qualification"),
    ("je voudrais faire la formation d'aide-soignante", {"status": "salarie_prive"}, "get_qualification"),
    ("je veux passer les caces cariste", None, "get_qualification"),
    ("je veux faire un CAP électricien", None, "get_qualification"),
    ("y a des trucs payés pour se former ?", None, "get_qualification"),
    ("je voudrais me former à la data", None, "train_ai_data"),
    ("devenir data analyst", {"status": "salarie_prive"}, "train_ai_data"),
    ("me reconvertir dans l'intelligence artificielle", None, "train_ai_data"),
    ("je veux créer mon entreprise", None, "create_business"),
    ("ouvrir un restaurant", None, "create_business"),
    ("reprendre une entreprise", None, "create_business"),
    ("je voudrais le diplôme sans refaire toute l'école", None, "validate_experience"),
    ("je voudrais faire reconnaître mon expérience", None, "validate_experience"),
    ("je veux faire une VAE", None, "validate_experience"),
    ("je fais déjà le boulot d'une aide-soignante, je voudrais le diplôme", None, "validate_experience"),
    ("je veux trouver un travail", None, "find_job"),
    ("je sais pas quoi faire", None, "explore"),
    ("je sais pas quoi faire, je voudrais me former", None, "get_qualification"),
    ("faire le point", None, "explore"),
]


@pytest.mark.parametrize(("text", "known", "goal"), GOALS)
def test_goal(text: str, known: dict | None, goal: str) -> None:
    assert extract(text, known=known).facts.get("goal") == goal


@pytest.mark.parametrize("text", ["c'est quoi la VAE ?", "bonjour", "merci beaucoup", "le CPF ça marche comment"])
def test_no_goal_when_unsure(text: str) -> None:
    assert "goal" not in extract(text).facts


def test_target_field_as_written() -> None:
    facts = extract("Je voudrais me former à la data / IA (titre RNCP de data analyst)").facts
    assert facts["target_field"] == "data / IA"
    assert facts["goal"] == "train_ai_data"


def test_commune_as_written_with_code() -> None:
    facts = extract("je travaille à valenciennes").facts
    assert facts["commune"] == "valenciennes"
    assert facts["code_insee"] == "59606"


def test_residence_wins_over_workplace() -> None:
    facts = extract("je travaille à Lille mais j'habite à Arras").facts
    assert facts["commune"] == "Arras"


def test_qpv_only_for_a_business() -> None:
    assert extract("je veux créer mon entreprise dans un quartier prioritaire").facts["business_in_qpv_or_zfrr"]
    assert "business_in_qpv_or_zfrr" not in extract("j'habite dans un quartier prioritaire").facts


def test_facts_are_valid_profile_values() -> None:
    import json
    from pathlib import Path

    schema = json.loads((Path(__file__).resolve().parents[3] / "bot" / "contract" / "profile.schema.json")
                        .read_text(encoding="utf-8"))["properties"]
    msg = ("j'ai 300 ans, en CDI depuis 900 ans à Lille, bac+2, RQTH, au RSA, inscrite à France Travail, "
           "je veux devenir plombier")
    facts = extract(msg).facts
    assert "age" not in facts and "seniority_months_company" not in facts
    for name, value in facts.items():
        assert name in schema
        if "enum" in schema[name]:
            assert value in schema[name]["enum"]
