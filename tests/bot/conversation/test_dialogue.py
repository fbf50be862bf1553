"""The assistant's wording built from the engine: questions, results, why-not, what-if, summary."""

from __future__ import annotations

from datetime import date

from bot.conversation import dialogue
from bot.eligibility.engine import evaluate
from bot.eligibility.rules import load_rules

AS_OF = date(2026, 3, 15)
P01 = {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 36, "seniority_months_total": 48,
       "age": 31, "rqth": False, "diploma_level": 4, "goal": "change_job", "commune": "Lille",
       "registered_france_travail": False}


#: Profile fields added to the contract whose question wording comes with the rules that use them.
NOT_ASKED_YET = {"code_insee", "months_worked_last_60", "public_service_months", "laid_off_economic_or_unfit",
                 "rqth_pending", "unemployment_benefit", "registered_months_last_18"}


def test_every_askable_field_has_a_french_question():
    for name in dialogue.PROFILE_FIELDS:
        if name in NOT_ASKED_YET and name not in dialogue.messages()["questions"]:
            continue
        reply = dialogue.question(name)
        assert "?" in reply.text and len(reply.text) < 200, name


def test_closed_questions_have_buttons_and_yes_no_questions_offer_dont_know():
    assert len(dialogue.question("status").buttons) >= 6
    titles = [b.title for b in dialogue.question("registered_france_travail").buttons]
    assert titles == ["Oui", "Non", "Je ne sais pas"]
    assert dialogue.question("rqth").buttons[-1].payload == "/dont_know"  # may decline to answer


def test_cdd_wording_for_total_seniority():
    assert "5 dernières années" in dialogue.question("seniority_months_total", {"contract": "cdd"}).text


def test_next_question_follows_the_engine_and_stops_when_nothing_decisive_remains():
    story = {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 36, "commune": "Lille",
             "goal": "change_job"}
    first = dialogue.next_question(evaluate(story, AS_OF))
    assert first in ("registered_france_travail", "age", "rqth", "seniority_months_total")
    # the RQTH question also covers a pending request: "Non" answers both (see questions.rqth in messages.yml)
    assert dialogue.next_question(evaluate({**P01, "rqth_pending": False}, AS_OF)) is None
    assert dialogue.next_question(evaluate(story, AS_OF), asked=["x"] * dialogue.MAX_QUESTIONS) is None
    assert dialogue.next_question(evaluate(story, AS_OF), skip=[first]) != first


def test_results_are_grouped_and_the_shown_ids_are_the_recommended_ones():
    result = evaluate(P01, AS_OF)
    replies, shown = dialogue.present_results(result)
    text = "\n".join(r.text for r in replies)
    assert "Qui voir :" in text and "Comment financer :" in text
    assert "Première étape" in text and "https://" in text
    assert shown == [i["id"] for g in ("who_to_see", "how_to_fund", "contracts", "aids")
                     for i in result["recommended"] if i["group"] == g][:len(shown)]
    assert set(shown) <= {i["id"] for i in result["recommended"]}
    follow_up = replies[-1]
    payloads = [b.payload for b in follow_up.buttons]
    assert "/ask_nearby" in payloads and "/ask_trainings" in payloads
    assert '/why_not{"dispositif": "demission_reconversion"}' in payloads  # possible in 12 months


def test_no_results_asks_for_more():
    replies, shown = dialogue.present_results(evaluate({}, AS_OF))
    assert shown == [] and "pas encore de piste" in replies[0].text


def test_why_not_says_what_fails_and_when():
    reply = dialogue.why_not(evaluate(P01, AS_OF), "demission_reconversion")
    assert "ne s'applique pas" in reply.text
    assert "48 mois" in reply.text and "possible dans 12 mois" in reply.text
    assert "fait bien partie" in dialogue.why_not(evaluate(P01, AS_OF), "ptp").text


def test_explain_an_abolished_scheme_names_its_replacement():
    rules = load_rules()
    reply = dialogue.explain_dispositif(rules["pro_a"], AS_OF, rules)
    assert "supprimé le 1er janvier 2026" in reply.text and "Période de reconversion" in reply.text
    active = dialogue.explain_dispositif(rules["vae"], AS_OF, rules)
    assert "https://vae.gouv.fr" in active.text


def test_what_if_shows_the_difference_without_saving():
    before = evaluate(P01, AS_OF)
    after = evaluate({**P01, "registered_france_travail": True}, AS_OF)
    reply = dialogue.what_if(before, after, dialogue.describe_change({"registered_france_travail": True}))
    assert "inscrit(e) à France Travail" in reply.text
    assert "AIF" in reply.text and "simulation" in reply.text


def test_summary_lists_known_facts_and_invites_corrections():
    reply = dialogue.summary(P01, ["rsa"])
    assert "CDI" in reply.text and "31 ans" in reply.text and "Lille" in reply.text
    assert "le RSA" in reply.text and "dites-le moi" in reply.text
    assert "Je ne sais encore rien" in dialogue.summary({}).text
