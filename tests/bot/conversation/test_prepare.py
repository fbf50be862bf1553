"""« Ce qu'il faut préparer »: what to bring to the first appointment, next to each scheme's first step."""

from __future__ import annotations

from datetime import date

from bot.conversation.dialogue import PLAN_MAX_CHARS, present_plan, present_results
from bot.eligibility.engine import evaluate
from bot.eligibility.rules import load_rules

AS_OF = date(2026, 3, 15)
EMPLOYEE = {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 72, "age": 41,
            "commune": "Arras", "code_insee": "62041", "goal": "change_job"}
RQTH = {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 30, "age": 35, "rqth": True,
        "goal": "change_job"}


def _short_titles() -> dict[str, str]:
    return {k: r.short_title or r.title for k, r in load_rules().items()}


def test_the_plan_says_what_to_bring_for_its_first_step_within_a_phone_screen() -> None:
    text = present_plan(evaluate(EMPLOYEE, AS_OF), short_titles=_short_titles()).text
    assert len(text) <= PLAN_MAX_CHARS
    assert "Ce qu'il faut préparer pour Mon CEP" in text and "votre CV" in text
    rqth = present_plan(evaluate(RQTH, AS_OF), short_titles=_short_titles()).text
    assert len(rqth) <= PLAN_MAX_CHARS
    assert "Ce qu'il faut préparer pour Cap emploi" in rqth and "notification RQTH" in rqth


def test_every_scheme_that_says_what_to_bring_shows_it_in_the_details() -> None:
    result = evaluate(EMPLOYEE, AS_OF)
    replies, _ = present_results(result, short_titles=_short_titles())
    details = "\n".join(r.text for r in replies)
    for item in result["recommended"]:
        for thing in item.get("bring", []):
            assert thing in details, (item["id"], thing)
    assert "bulletins de salaire" in details  # the PTP asks for proof of seniority


def test_what_to_bring_is_data_next_to_the_first_step() -> None:
    rules = load_rules()
    for rule_id in ("ptp", "cpf", "cap_emploi", "france_travail", "mon_cep_hdf"):
        bring = rules[rule_id].first_step.get("bring")
        assert bring and all(isinstance(b, str) and b for b in bring), rule_id
