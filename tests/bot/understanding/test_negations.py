"""Negations, hypotheses, past situations and corrections: the rejected value never becomes a fact."""

from __future__ import annotations

from datetime import date

import pytest

from bot.understanding import extract

TODAY = date(2026, 3, 15)

CASES = [
    # (message, expected facts subset, fields that must be absent)
    ("pas de RQTH", {"rqth": False}, set()),
    ("je n'ai pas la rqth", {"rqth": False}, set()),
    ("je ne suis pas inscrit à France Travail", {"registered_france_travail": False}, set()),
    ("jamais été inscrite à pôle emploi", {"registered_france_travail": False}, set()),
    ("pas encore inscrit", {"registered_france_travail": False}, set()),
    ("pas de diplôme", {"diploma_level": 0}, set()),
    ("je n'ai aucun diplôme", {"diploma_level": 0}, set()),
    ("je suis pas au RSA", {"rsa": False}, set()),
    ("non je suis pas en CDI", {}, {"contract", "status"}),
    ("non en fait c'est un CDD", {"contract": "cdd", "status": "salarie_prive"}, set()),
    ("je suis pas en CDI mais en CDD", {"contract": "cdd"}, set()),
    ("oups CDD pas CDI", {"contract": "cdd"}, set()),
    ("pardon j'ai 29 ans pas 39", {"age": 29}, set()),
    ("j'ai 39 ans, pardon 29 ans", {"age": 29}, set()),
    ("petite erreur, j'ai 51 ans pas 41", {"age": 51}, set()),
    ("non c'est 34 ans, j'ai tapé trop vite", {"age": 34}, set()),
    ("je me suis trompé, c'est Lens pas Liévin", {"commune": "Lens"}, set()),
    ("je cherche un CDI", {}, {"contract", "status"}),
    ("mon employeur me propose un CDI", {}, {"contract"}),
    ("j'étais en CDD maintenant je suis en CDI", {"contract": "cdi"}, set()),
    ("avant j'étais en intérim, là je suis en CDD", {"contract": "cdd", "status": "salarie_prive"}, set()),
    ("je vais être licencié", {}, {"status"}),
    ("je veux devenir auto-entrepreneur", {"goal": "create_business"}, {"status"}),
    ("et si j'avais la RQTH ?", {}, {"rqth"}),
    ("et si je m'inscris à France Travail ?", {}, {"registered_france_travail"}),
    ("si je démissionne, est-ce que je touche le chômage ?", {}, {"registered_france_travail", "status"}),
    ("Je touche le chômage si je démissionne ?", {}, {"registered_france_travail", "status"}),
    ("et si j'avais 25 ans ?", {}, {"age"}),
    ("je vais avoir 50 ans en mai", {}, {"age"}),
    ("je sais pas si je suis inscrit à pôle emploi", {}, {"registered_france_travail"}),
    ("j'ai fait une demande de RQTH", {}, {"rqth"}),
    ("je suis titulaire d'un BTS", {"diploma_level": 5}, {"contract"}),
    ("j'ai raté le bac", {}, {"diploma_level"}),
    ("je ne veux pas me reconvertir", {}, {"goal"}),
    ("c'est quoi la période de reconversion ?", {}, {"goal"}),
]


@pytest.mark.parametrize(("text", "expected", "absent"), CASES)
def test_negation_or_correction(text: str, expected: dict, absent: set) -> None:
    facts = extract(text, today=TODAY).facts
    for name, value in expected.items():
        assert facts.get(name) == value, (text, facts)
    for name in absent:
        assert name not in facts, (text, facts)


def test_rejected_commune_is_no_entity() -> None:
    entities = extract("ah pardon, Boulogne-sur-Mer pas Boulogne-Billancourt").entities
    assert [e.text for e in entities if e.entity == "commune"] == ["Boulogne-sur-Mer"]


def test_negated_rqth_entity_keeps_false_value() -> None:
    entities = extract("non, pas de RQTH").entities
    assert [(e.entity, e.text, e.value) for e in entities] == [("rqth", "RQTH", False)]
