"""Short answers read with the field the assistant just asked (`asked`)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.understanding import extract

TODAY = date(2026, 3, 15)

ANSWERS = [
    # (asked, text, field, value)
    ("seniority_months_company", "3 ans", "seniority_months_company", 36),
    ("seniority_months_company", "trois ans", "seniority_months_company", 36),
    ("seniority_months_company", "36 mois", "seniority_months_company", 36),
    ("seniority_months_company", "ça fait 2 ans et demi", "seniority_months_company", 30),
    ("seniority_months_company", "un an et demi", "seniority_months_company", 18),
    ("seniority_months_total", "depuis 2019", "seniority_months_total", 80),
    ("seniority_months_total", "15 ans", "seniority_months_total", 180),
    ("cdd_months_last_12", "8 mois", "cdd_months_last_12", 8),
    ("cdd_months_last_12", "2 ans", "cdd_months_last_12", 12),
    ("sick_leave_months_last_24", "8 mois", "sick_leave_months_last_24", 8),
    ("age", "42", "age", 42),
    ("age", "42 ans", "age", 42),
    ("age", "quarante-deux", "age", 42),
    ("age", "j'ai 42 ans", "age", 42),
    ("age", "bientôt 30 ans", "age", 30),
    ("commune", "Arras", "commune", "Arras"),
    ("commune", "arras", "commune", "arras"),
    ("commune", "62000", "commune", "62000"),
    ("commune", "j'habite à st omer", "commune", "st omer"),
    ("rqth", "oui", "rqth", True),
    ("rqth", "non", "rqth", False),
    ("rqth", "oui j'ai la RQTH", "rqth", True),
    ("registered_france_travail", "oui", "registered_france_travail", True),
    ("registered_france_travail", "ouais", "registered_france_travail", True),
    ("registered_france_travail", "oui je suis inscrite", "registered_france_travail", True),
    ("registered_france_travail", "je suis inscrit depuis 3 mois", "registered_france_travail", True),
    ("registered_france_travail", "non", "registered_france_travail", False),
    ("registered_france_travail", "nan pas du tout", "registered_france_travail", False),
    ("registered_france_travail", "non je suis pas inscrit", "registered_france_travail", False),
    ("rsa", "non", "rsa", False),
    ("is_cadre", "oui", "is_cadre", True),
    ("is_cadre", "non", "is_cadre", False),
    ("business_in_qpv_or_zfrr", "oui", "business_in_qpv_or_zfrr", True),
    ("employer_self_insured_unemployment", "non", "employer_self_insured_unemployment", False),
    ("diploma_level", "bac+2", "diploma_level", 5),
    ("diploma_level", "cap", "diploma_level", 3),
    ("diploma_level", "un BTS", "diploma_level", 5),
    ("diploma_level", "licence", "diploma_level", 6),
    ("diploma_level", "master", "diploma_level", 7),
    ("diploma_level", "aucun", "diploma_level", 0),
    ("diploma_level", "pas de diplôme", "diploma_level", 0),
    ("diploma_level", "brevet", "diploma_level", 0),
    ("diploma_level", "niveau 4", "diploma_level", 4),
    ("interim_hours_branch_18m", "1700", "interim_hours_branch_18m", 1700),
    ("interim_hours_branch_18m", "environ 1700 heures", "interim_hours_branch_18m", 1700),
    ("interim_hours_same_agency_18m", "700h", "interim_hours_same_agency_18m", 700),
    ("part_time_hours_week", "20", "part_time_hours_week", 20),
    ("part_time_hours_week", "24h", "part_time_hours_week", 24),
    ("part_time_hours_week", "mi-temps", "part_time_hours_week", 17.5),
    ("target_field", "plombier", "target_field", "plombier"),
    ("target_field", "aide soignante", "target_field", "aide soignante"),
    ("target_field", "dans la logistique", "target_field", "logistique"),
    ("target_field", "je voudrais devenir infirmière", "target_field", "infirmière"),
    ("goal", "me reconvertir", "goal", "change_job"),
    ("goal", "trouver du boulot", "goal", "find_job"),
    ("goal", "je sais pas", "goal", "explore"),
    ("goal", "créer ma boîte", "goal", "create_business"),
    ("contract", "cdi", "contract", "cdi"),
    ("contract", "aucun", "contract", "aucun"),
    ("status", "je suis au chômage", "status", "demandeur_emploi"),
    ("status", "intérimaire", "status", "interimaire"),
    ("sick_leave_cause", "accident du travail", "sick_leave_cause", "accident_du_travail"),
    ("sick_leave_cause", "maladie", "sick_leave_cause", "maladie"),
]


@pytest.mark.parametrize(("asked", "text", "field", "value"), ANSWERS)
def test_short_answer(asked: str, text: str, field: str, value: object) -> None:
    facts = extract(text, asked=asked, today=TODAY).facts
    assert facts.get(field) == value, facts


@pytest.mark.parametrize(("asked", "text", "field"), [
    ("registered_france_travail", "je sais pas", "registered_france_travail"),
    ("rqth", "aucune idée", "rqth"),
    ("target_field", "je sais pas encore", "target_field"),
    ("age", "c'est personnel", "age"),
    ("commune", "je préfère pas dire", "commune"),
])
def test_dont_know_sets_nothing(asked: str, text: str, field: str) -> None:
    assert field not in extract(text, asked=asked).facts


@pytest.mark.parametrize("text", ["42", "3", "1700", "20"])
def test_bare_numbers_mean_nothing_without_asked(text: str) -> None:
    result = extract(text)
    assert result.facts == {}
    assert result.entities == []


def test_ambiguous_postcode_gives_candidates() -> None:
    result = extract("62000", asked="commune")
    assert result.facts["commune"] == "62000"
    assert "code_insee" not in result.facts
    assert "62041" in result.commune_candidates  # Arras


def test_unique_place_gives_code_insee() -> None:
    result = extract("Arras", asked="commune")
    assert result.facts["code_insee"] == "62041"
    assert result.commune_candidates == []


def test_seniority_answer_uses_role_of_the_question() -> None:
    result = extract("3 ans", asked="seniority_months_company")
    assert [(e.entity, e.role) for e in result.entities] == [("duration", "company")]


def test_answer_does_not_override_explicit_role() -> None:
    facts = extract("4 ans de CDI et 10 ans en tout", asked="seniority_months_total").facts
    assert facts["seniority_months_total"] == 120
    assert facts["seniority_months_company"] == 48
