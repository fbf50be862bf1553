"""Denials: a negation whose scope reaches a countable or yes/no thing gives zero, or no.

The scope rule (bot.understanding.doc.Doc.denied): a negation reaches forward over auxiliaries and past
participles to the first noun phrase; a count is denied only with a quantifier ("aucun", "ni", "pas de",
"jamais"), since "pas en CDD" or "plus en arrêt" tells the present, not a zero.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.understanding import extract

TODAY = date(2026, 3, 15)

CASES = [
    # (message, expected facts subset, fields that must be absent)
    ("aucun arrêt maladie ces deux dernières années", {"sick_leave_months_last_24": 0}, set()),
    ("Non, pas d'arrêt.", {"sick_leave_months_last_24": 0}, set()),
    ("je n'ai jamais été en arrêt de travail", {"sick_leave_months_last_24": 0}, set()),
    ("pas eu d'accident du travail", {"sick_leave_months_last_24": 0}, set()),
    ("jamais été licencié", {"laid_off_economic_or_unfit": False}, {"status"}),
    ("je n'ai pas été licenciée, c'est moi qui veux partir", {"laid_off_economic_or_unfit": False}, {"status"}),
    ("je n'ai jamais eu de CDD", {"cdd_months_last_12": 0}, {"contract"}),
    ("aucun CDD depuis l'an dernier", {"cdd_months_last_12": 0}, {"contract"}),
    ("pas de congé sabbatique ni de congé sans solde", {"unpaid_or_sabbatical_leave_last_60m": 0}, set()),
    ("je n'ai jamais fait d'intérim", {"interim_hours_branch_18m": 0}, {"status", "contract"}),
    ("je ne touche pas le RSA", {"rsa": False}, set()),
    # a count given elsewhere wins over the denial of something else
    ("CDI depuis 4 ans, 3 mois d'arrêt maladie l'an dernier, pas de RQTH",
     {"sick_leave_months_last_24": 3, "rqth": False, "contract": "cdi"}, set()),
    # the scope stops at the first noun: only the CDI is denied
    ("je n'ai jamais eu de CDI, que des CDD", {}, {"cdd_months_last_12"}),
    # the present, not a zero: these deny nothing countable
    ("je ne suis plus en arrêt depuis janvier", {}, {"sick_leave_months_last_24"}),
    ("je ne suis pas en CDD, je suis en CDI", {"contract": "cdi"}, {"cdd_months_last_12"}),
    ("je travaille sans arrêt depuis des années", {}, {"sick_leave_months_last_24"}),
    # not the person's, not a statement
    ("mon mari n'a jamais eu d'arrêt maladie", {}, {"sick_leave_months_last_24"}),
    ("et si je n'avais aucun arrêt maladie ?", {}, {"sick_leave_months_last_24"}),
    ("faut-il n'avoir eu aucun arrêt ?", {}, {"sick_leave_months_last_24"}),
]


@pytest.mark.parametrize(("text", "expected", "absent"), CASES)
def test_a_denial_gives_zero_or_no(text: str, expected: dict, absent: set) -> None:
    facts = extract(text, today=TODAY).facts
    for name, value in expected.items():
        assert facts.get(name) == value, (text, facts)
    for name in absent:
        assert name not in facts, (text, facts)


def test_a_denial_carries_its_words_as_evidence() -> None:
    x = extract("aucun arrêt maladie, jamais été licenciée", today=TODAY)
    assert [e.text.lower() for e in x.evidence["sick_leave_months_last_24"]] == ["arrêt maladie"]
    assert [e.text.lower() for e in x.evidence["laid_off_economic_or_unfit"]] == ["licenciée"]
