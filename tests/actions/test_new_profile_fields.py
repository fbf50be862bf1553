"""Issue 14: the six new contract fields can be asked when the engine ranks them decisive, and understood."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.profile_form import ValidateProfileForm, ask_field
from bot.conversation import dialogue
from bot.eligibility.engine import evaluate
from tests.actions.conftest import DOMAIN as RASA_DOMAIN
from tests.actions.conftest import make_tracker, rasa_turn
from tests.support.aio import run_async

NEW = ("months_worked_last_60", "public_service_months", "laid_off_economic_or_unfit", "rqth_pending",
       "unemployment_benefit", "registered_months_last_18")
BOOLEANS = ("laid_off_economic_or_unfit", "rqth_pending", "unemployment_benefit")
DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))
AS_OF = date(2026, 3, 15)


@pytest.mark.parametrize("field", NEW)
def test_every_new_field_has_a_question_a_slot_and_is_asked_by_the_form(field):
    question = dialogue.question(field)
    assert "?" in question.text and "{" not in question.text
    if field in BOOLEANS:
        assert [b.title for b in question.buttons] == ["Oui", "Non", "Je ne sais pas"]
    assert field in dialogue.PROFILE_FIELDS and field in DOMAIN["slots"]
    dispatcher = CollectingDispatcher()
    events = ask_field(field, dispatcher, make_tracker())
    # the sentence of the question (a term's first use carries its meaning in brackets)
    def sentence(text: str) -> str:
        return re.sub(r" \([^)]*\)", "", text)

    assert sentence(dispatcher.messages[-1]["text"]) == sentence(question.text)
    assert {"event": "slot", "timestamp": None, "name": "asked_fields", "value": [field]} in events


KNOWN = {"rqth": False, "rqth_pending": False, "rsa": False, "diploma_level": 4, "commune": "Lille", "age": 40,
         "sick_leave_months_last_24": 0, "laid_off_economic_or_unfit": False, "part_time_hours_week": 35}


@pytest.mark.parametrize(("profile", "field"), [
    ({**KNOWN, "status": "salarie_prive", "contract": "cdi", "seniority_months_company": 12,
      "seniority_months_total": 80, "goal": "change_job", "employer_self_insured_unemployment": False,
      "registered_france_travail": False}, "months_worked_last_60"),
    ({**KNOWN, "status": "agent_public", "contract": "fonctionnaire", "seniority_months_company": 6,
      "goal": "change_job", "registered_france_travail": False}, "public_service_months"),
    ({**KNOWN, "status": "demandeur_emploi", "registered_france_travail": True, "goal": "create_business",
      "business_in_qpv_or_zfrr": False}, "unemployment_benefit"),
])
def test_the_engine_asks_a_new_field_first_when_it_is_decisive(profile, field):
    assert dialogue.next_question(evaluate(profile, AS_OF)) == field


def test_new_fields_are_not_asked_when_they_decide_nothing():
    p01 = {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 36, "seniority_months_total": 48,
           "age": 31, "rqth": False, "rqth_pending": False, "diploma_level": 4, "goal": "change_job",
           "commune": "Lille", "registered_france_travail": False}
    result = evaluate(p01, AS_OF)
    assert not set(NEW) & set(result["questions"])  # 48 months total: démission-reconversion is already refused


def _slots_after(text, intent, asked, dispatcher, slots=None):
    """The slots the form confirms after one turn, read by the real NLU components and slot mappings."""
    tracker = rasa_turn(text, intent=intent, slots={"status": "salarie_prive", **(slots or {}), "requested_slot": asked},
                        active_loop="profile_form")
    events = run_async(ValidateProfileForm().run(dispatcher, tracker, RASA_DOMAIN))
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_no_to_the_rqth_question_also_says_no_pending_request(services, dispatcher):
    slots = _slots_after("/deny", "deny", "rqth", dispatcher)
    assert slots["rqth"] is False and slots["rqth_pending"] is False


def test_pending_request_button(services, dispatcher):
    payload = next(b.payload for b in dialogue.question("rqth").buttons if b.title == "Demande en cours")
    slots = _slots_after(payload, "inform", "rqth", dispatcher)
    assert slots["rqth"] is False and slots["rqth_pending"] is True


def test_typed_answers_to_new_questions(services, dispatcher):
    assert _slots_after("je touche l'ARE", "inform", "unemployment_benefit", dispatcher,
                        {"status": "demandeur_emploi"})["unemployment_benefit"] is True
    assert _slots_after("52 mois", "inform", "months_worked_last_60", dispatcher)["months_worked_last_60"] == 52
    assert _slots_after("oui", "affirm", "laid_off_economic_or_unfit", dispatcher)["laid_off_economic_or_unfit"] is True
