"""Recognition of the contract fields added for issue 14 (lay-off, pending RQTH, benefit, months registered…)."""

from __future__ import annotations

import pytest

from bot.understanding import extract


@pytest.mark.parametrize(("text", "expected"), [
    ("Je viens d'être licencié économique", {"laid_off_economic_or_unfit": True}),
    ("licenciée pour inaptitude l'an dernier", {"laid_off_economic_or_unfit": True}),
    ("je suis en procédure d'inaptitude", {"laid_off_economic_or_unfit": True}),
    ("pas licencié économique", {"laid_off_economic_or_unfit": False}),
    ("RQTH en cours", {"rqth_pending": True}),
    ("j'ai fait ma demande de RQTH, elle est en cours", {"rqth_pending": True}),
    ("demande RQTH déposée à la MDPH", {"rqth_pending": True}),
    ("je touche le chômage", {"unemployment_benefit": True}),
    ("je suis indemnisée par france travail", {"unemployment_benefit": True}),
    ("je touche l'ARE", {"unemployment_benefit": True}),
    ("je ne touche pas le chômage", {"unemployment_benefit": False}),
    ("je suis inscrit depuis 8 mois", {"registered_months_last_18": 8, "registered_france_travail": True}),
    ("inscrite à pôle emploi depuis 2 ans", {"registered_months_last_18": 18}),
])
def test_free_text(text, expected):
    facts = extract(text).facts
    for name, value in expected.items():
        assert facts.get(name) == value, (text, facts)


def test_pending_rqth_is_not_a_granted_rqth():
    facts = extract("ma RQTH est en cours, pas encore de réponse").facts
    assert facts.get("rqth_pending") is True and "rqth" not in facts


def test_registered_since_is_not_a_job_seniority():
    assert "seniority_months_company" not in extract("je suis inscrit à France Travail depuis 8 mois").facts


@pytest.mark.parametrize(("asked", "text", "expected"), [
    ("months_worked_last_60", "5 ans", 60), ("months_worked_last_60", "52 mois", 52),
    ("public_service_months", "12 ans", 144), ("registered_months_last_18", "8 mois", 8),
    ("unemployment_benefit", "oui", True), ("laid_off_economic_or_unfit", "non", False),
    ("rqth_pending", "oui", True),
])
def test_answers_to_the_new_questions(asked, text, expected):
    assert extract(text, asked=asked).facts.get(asked) == expected


@pytest.mark.parametrize("text", ["demande en cours", "oui, en cours", "non mais j'ai fait la demande",
                                  "en attente de la MDPH"])
def test_pending_answer_to_the_rqth_question(text):
    facts = extract(text, asked="rqth").facts
    assert facts.get("rqth") is False and facts.get("rqth_pending") is True, facts


@pytest.mark.parametrize("asked", ["sick_leave_months_last_24", "unpaid_or_sabbatical_leave_last_60m",
                                   "registered_months_last_18"])
@pytest.mark.parametrize("text", ["aucun", "non", "0", "jamais"])
def test_none_means_zero_months(asked, text):
    # "(0 si aucun)": with no unpaid leave known, 60+ months in the current job settle DR-R2
    assert extract(text, asked=asked).facts.get(asked) == 0
