"""Actions run as the action server runs them: real Tracker, real CollectingDispatcher, real engine."""

from __future__ import annotations

import pytest
import yaml

from actions.help import ActionNearbyHelp, ActionSearchTrainings
from actions.misc import ActionEraseInfo, ActionRephrase, ActionRestart
from actions.profile_form import ValidateProfileForm, ask_field
from actions.results import (
    ActionCorrect,
    ActionExplainDispositif,
    ActionShowAll,
    ActionShowResults,
    ActionSummary,
    ActionWhatIf,
    ActionWhyNot,
)
from tests.actions.conftest import DOMAIN, make_tracker, rasa_turn
from tests.conftest import REPO
from tests.support.aio import run_async

P01_STORY = ("Bonjour, je suis en CDI depuis 3 ans dans une boîte de logistique à Lille et j'en peux plus. "
             "Je voudrais devenir plombier, comment je peux me former sans perdre mon salaire ?")
P01 = {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 36, "seniority_months_total": 48,
       "age": 31, "rqth": False, "diploma_level": 4, "goal": "change_job", "commune": "Lille",
       "code_insee": "59350", "registered_france_travail": False}


def run_form(tracker, dispatcher):
    return run_async(ValidateProfileForm().run(dispatcher, tracker, DOMAIN))


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(dispatcher):
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def test_a_story_fills_every_fact_says_what_was_understood_then_asks_the_most_decisive_question(services, dispatcher):
    events = slot_events(run_form(rasa_turn(P01_STORY, active_loop="profile_form"), dispatcher))
    assert events["status"] == "salarie_prive" and events["contract"] == "cdi"
    assert events["seniority_months_company"] == 36
    assert events["commune"].lower() == "lille" and events["goal"] == "change_job"
    assert events["requested_slot"] in ("registered_france_travail", "age", "rqth", "seniority_months_total")
    first = dispatcher.messages[0]
    assert first["text"].startswith("Je note : CDI depuis 3 ans, Lille")
    assert "projet : plombier" in first["text"]
    assert [b["payload"] for b in first["buttons"]] == ["/correct"]


def test_on_text_channels_the_correction_is_a_word_to_type(services, dispatcher):
    tracker = rasa_turn("je suis au chômage à Lens depuis 2 ans", active_loop="profile_form", channel="telegram")
    run_form(tracker, dispatcher)
    assert "répondez CORRIGER" in dispatcher.messages[0]["text"]


def test_dont_know_is_an_answer_said_once_and_not_asked_again(services, dispatcher):
    slots = {k: v for k, v in P01.items() if k != "rqth"}
    tracker = rasa_turn("je sais pas", intent="dont_know", slots={**slots, "requested_slot": "rqth"},
                        active_loop="profile_form")
    events = run_form(tracker, dispatcher)
    assert slot_events(events)["unknown_fields"] == ["rqth"]
    assert slot_events(events)["requested_slot"] != "rqth"
    assert "pas grave" in texts(dispatcher)
    again = type(dispatcher)()
    slots = {k: v for k, v in P01.items() if k != "diploma_level"}
    tracker = rasa_turn("je sais pas", intent="dont_know", slots={**slots, "requested_slot": "diploma_level"},
                        active_loop="profile_form", said=slot_events(events)["said"])
    run_form(tracker, again)
    assert "pas grave" not in texts(again)  # never the same sentence twice in a conversation


def test_yes_no_answers_fill_the_asked_boolean(services, dispatcher):
    tracker = rasa_turn("oui", intent="affirm", slots={"status": "demandeur_emploi",
                                                       "requested_slot": "registered_france_travail"},
                        active_loop="profile_form")
    assert slot_events(run_form(tracker, dispatcher))["registered_france_travail"] is True
    tracker = rasa_turn("/deny", intent="deny", slots={"status": "salarie_prive", "requested_slot": "rqth"},
                        active_loop="profile_form")
    assert slot_events(run_form(tracker, dispatcher))["rqth"] is False


def test_short_answers_are_read_for_the_question_asked_only(services, dispatcher):
    tracker = rasa_turn("3 ans", slots={"status": "salarie_prive", "contract": "cdi",
                                        "requested_slot": "seniority_months_company"}, active_loop="profile_form")
    assert slot_events(run_form(tracker, dispatcher))["seniority_months_company"] == 36
    assert not any(m["text"].startswith("Je note") for m in dispatcher.messages)  # the answer to the question
    tracker = rasa_turn("3 ans", slots={"status": "salarie_prive", "requested_slot": "age"},
                        active_loop="profile_form")
    assert tracker.get_slot("seniority_months_company") is None


def test_a_question_during_the_questions_is_no_answer(services, dispatcher):
    tracker = rasa_turn("c'est quoi la VAE ?", "ask_dispositif", slots={"status": "salarie_prive", "requested_slot": "goal"},
                        active_loop="profile_form")
    events = run_form(tracker, dispatcher)
    assert events[-1]["event"] == "action_execution_rejected"  # the digression rule answers, then the form
    assert slot_events(events) == {"goal": None} and not dispatcher.messages


def test_button_payloads_fill_slots(services, dispatcher):
    tracker = rasa_turn('/inform{"status": "interimaire"}', slots={"requested_slot": "status"},
                        active_loop="profile_form")
    assert slot_events(run_form(tracker, dispatcher))["status"] == "interimaire"
    tracker = rasa_turn('/inform{"diploma_level": 5}', slots={"requested_slot": "diploma_level"},
                        active_loop="profile_form")
    assert slot_events(run_form(tracker, dispatcher))["diploma_level"] == 5
    assert not any(m["text"].startswith("Je note") for m in dispatcher.messages)


def test_a_correction_overrides_the_previous_fact(services, dispatcher):
    tracker = rasa_turn("non en fait c'est un CDD", slots=dict(P01), active_loop="profile_form")
    assert slot_events(run_form(tracker, dispatcher))["contract"] == "cdd"


def test_the_question_asked_is_answered_first_from_the_rules(services, dispatcher):
    tracker = rasa_turn("J'ai 27 ans, je suis au chômage à Amiens. L'apprentissage c'est jusqu'à quel âge ?",
                        active_loop="profile_form")
    run_form(tracker, dispatcher)
    text = texts(dispatcher)
    assert text.startswith("Je note :")
    assert "16 à 29 ans" in text  # the rule's own sentence, with the person's age


def test_a_contradiction_is_raised_once(services, dispatcher):
    slots = {"status": "demandeur_emploi", "requested_slot": "age"}
    tracker = rasa_turn("je suis en CDI depuis 2 ans", slots=slots, active_loop="profile_form")
    events = run_form(tracker, dispatcher)
    warnings = [m for m in dispatcher.messages if m["text"].startswith("Petite incohérence")]
    if warnings:  # the engine reports this pair as a contradiction
        again = type(dispatcher)()
        tracker = rasa_turn("j'ai 40 ans", slots={**slots, **slot_events(events), "requested_slot": "age"},
                            active_loop="profile_form", said=slot_events(events)["said"])
        run_form(tracker, again)
        assert not any(m["text"].startswith("Petite incohérence") for m in again.messages)


def test_a_disability_cue_gets_one_sentence_on_rqth_and_the_rqth_question(services, dispatcher):
    tracker = rasa_turn("je suis sourde, au chômage à Lille, je voudrais me former", active_loop="profile_form")
    events = slot_events(run_form(tracker, dispatcher))
    text = texts(dispatcher)
    assert "MDPH" in text and "Signes de sens" in text
    assert events["requested_slot"] == "rqth"


def test_results_are_a_short_plan_then_everything_on_request(services, dispatcher):
    events = ActionShowResults().run(dispatcher, rasa_turn("/ask_results", "ask_results", dict(P01)), {})
    shown = slot_events(events)["recommendations"]
    assert {"ptp", "mon_cep_hdf", "cpf"} <= set(shown)
    assert "demission_reconversion" not in shown
    assert len(dispatcher.messages) == 1
    plan = dispatcher.messages[0]
    assert len(plan["text"]) <= 700 and "1. " in plan["text"] and "2. " in plan["text"]
    payloads = [b["payload"] for b in plan["buttons"]]
    assert payloads[0] == "/show_all" and plan["buttons"][0]["title"] == f"Voir tout ({len(shown)})"
    assert "/ask_nearby" in payloads
    assert "/share_with_counsellor" in payloads  # the person can bring the case to their counsellor
    details = type(dispatcher)()
    ActionShowAll().run(details, rasa_turn("/show_all", "show_all", dict(P01)), {})
    text = texts(details)
    assert "Qui voir :" in text and "Comment financer :" in text


def test_a_fact_after_the_results_says_what_changed(services, dispatcher):
    first = ActionShowResults().run(dispatcher, rasa_turn("/ask_results", "ask_results", dict(P01)), {})
    shown = slot_events(first)["recommendations"]
    later = type(dispatcher)()
    slots = {**P01, "registered_france_travail": True, "recommendations": shown}
    ActionShowResults().run(later, rasa_turn("je suis inscrit à France Travail", "inform", slots), {})
    assert len(later.messages) == 1
    assert later.messages[0]["text"].startswith("Avec cette information")
    assert "/show_all" in [b["payload"] for b in later.messages[0]["buttons"]]


def test_acronyms_say_what_they_are_the_first_time_only(services, dispatcher):
    events = ActionShowResults().run(dispatcher, rasa_turn("/ask_results", "ask_results", dict(P01)), {})
    said = slot_events(events)["said"]
    assert "acronym:CPF" in said or "acronym:PTP" in said
    again = type(dispatcher)()
    ActionShowAll().run(again, rasa_turn("/show_all", "show_all", {**P01, "said": said}), {})
    for acronym in ("CPF", "PTP"):
        if f"acronym:{acronym}" in said:
            assert f"{acronym} (" not in texts(again)


def test_correct_shows_what_was_noted(services, dispatcher):
    ActionCorrect().run(dispatcher, rasa_turn("/correct", "correct", dict(P01)), {})
    assert "CDI" in texts(dispatcher) and "non, je suis en CDD" in texts(dispatcher)


def test_why_not_explains_the_failing_condition_and_when(services, dispatcher):
    tracker = make_tracker("pourquoi pas la démission reconversion ?", "why_not", dict(P01),
                           entities=[{"entity": "dispositif", "value": "demission_reconversion"}])
    events = ActionWhyNot().run(dispatcher, tracker, {})
    assert slot_events(events)["last_dispositif"] == "demission_reconversion"
    assert "possible dans 12 mois" in texts(dispatcher)


def test_explain_an_old_name(services, dispatcher):
    tracker = make_tracker("le pro a ça existe encore ?", "ask_dispositif",
                           entities=[{"entity": "dispositif", "value": "pro_a"}])
    ActionExplainDispositif().run(dispatcher, tracker, {})
    assert "supprimé le 1er janvier 2026" in texts(dispatcher)
    assert "Période de reconversion" in texts(dispatcher)


def test_what_if_is_a_simulation(services, dispatcher):
    tracker = rasa_turn("et si je m'inscris à France Travail ?", "what_if", dict(P01))
    assert tracker.get_slot("registered_france_travail") is False  # nothing saved
    events = ActionWhatIf().run(dispatcher, tracker, {})
    assert not [e for e in events if e.get("name") in P01]
    assert "AIF" in texts(dispatcher) and "simulation" in texts(dispatcher)


def test_a_story_mistaken_for_a_question_starts_the_questions(services, dispatcher):
    story = ("4 ans de CDI dans la grande distrib à Calais, je veux démissionner pour faire la formation de "
             "conducteur routier. Je touche le chômage si je démissionne ?")
    tracker = rasa_turn(story, "what_if")
    assert tracker.get_slot("contract") == "cdi"  # the slot mappings recorded the story
    events = ActionWhatIf().run(dispatcher, tracker, {})
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "profile_form"


def test_nearby_help_lists_structures_for_the_person(services, dispatcher):
    ActionNearbyHelp().run(dispatcher, make_tracker("qui peut m'aider ?", "ask_nearby", dict(P01)), {})
    text = texts(dispatcher)
    assert text.startswith("Près de Lille")
    assert "Mon CEP" in text or "Transitions Pro" in text
    no_place = {k: v for k, v in P01.items() if k not in ("commune", "code_insee")}
    other = type(dispatcher)()
    ActionNearbyHelp().run(other, make_tracker("qui peut m'aider ?", "ask_nearby", no_place), {})
    assert "dans quelle commune" in texts(other)


def test_trainings_reuse_the_resolved_commune_and_target(services, dispatcher):
    slots = {**P01, "target_field": "plombier"}
    ActionSearchTrainings().run(dispatcher, make_tracker("et les formations ?", "ask_trainings", slots), {})
    assert services.trainings.calls == [("plombier", "insee:59350")]
    assert "Formations en plombier" in texts(dispatcher)


def test_summary_restart_erase_and_rephrase(services, dispatcher):
    ActionSummary().run(dispatcher, make_tracker("récap", "ask_summary", dict(P01)), {})
    assert "CDI" in texts(dispatcher) and "31 ans" in texts(dispatcher)
    events = ActionRestart().run(dispatcher, make_tracker("on recommence", "restart", dict(P01)), {})
    assert events == [{"event": "restart", "timestamp": None}]
    ActionEraseInfo().run(dispatcher, make_tracker("effacez mes données", "erase_data"), {})
    assert "EFFACER" in texts(dispatcher)
    ActionRephrase().run(dispatcher, make_tracker("azertyuiop", "nlu_fallback"), {})
    assert dispatcher.messages[-1]["buttons"]


def test_the_form_asks_its_next_question_in_the_validation_response_with_candidates_for_an_ambiguous_place(
        services, dispatcher):
    # one call to the action server a turn: Rasa's form finds no action_ask_<field> to call
    declared = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))["actions"]
    assert not [a for a in declared if isinstance(a, str) and a.startswith("action_ask_")
                and not a.startswith("action_ask_referral_")]
    tracker = make_tracker("62300", slots={"commune": "62300", "commune_candidates": ["62498", "62298"]})
    events = ask_field("commune", dispatcher, tracker)
    assert slot_events(events)["asked_fields"] == ["commune"]
    buttons = dispatcher.messages[-1]["buttons"]
    assert [b["title"] for b in buttons][0].startswith("Lens")
    # a first message: what was understood, then the next question, in the same response
    first = type(dispatcher)()
    events = run_form(rasa_turn("je suis en CDI depuis 3 ans à Lille et je voudrais devenir plombier"), first)
    asked = slot_events(events)["requested_slot"]
    assert asked and slot_events(events)["asked_fields"] == [asked]
    assert first.messages[0]["text"].startswith("Je note") and first.messages[-1]["text"].rstrip().endswith("?")


def test_an_association_for_deaf_people_is_answered(services, dispatcher):
    ActionNearbyHelp().run(dispatcher, rasa_turn("je suis sourde, il y a une association ?", "ask_nearby"), {})
    text = texts(dispatcher)
    assert "Signes de sens" in text and "Agefiph" in text


def test_a_disability_cue_brings_inclusive_help_into_the_plan_and_who_to_see(services, dispatcher):
    slots = {"status": "demandeur_emploi", "age": 30, "commune": "Lille", "code_insee": "59350",
             "registered_france_travail": True, "needs": ["deaf"]}
    ActionShowResults().run(dispatcher, rasa_turn("/ask_results", "ask_results", slots), {})
    assert "Cap emploi" in texts(dispatcher) and len(dispatcher.messages[0]["text"]) <= 700
    details = type(dispatcher)()
    ActionShowAll().run(details, rasa_turn("/show_all", "show_all", slots), {})
    who = next(m["text"] for m in details.messages if m["text"].startswith("Qui voir"))
    assert "Signes de sens" in who and "Agefiph" in who


def test_nearby_help_adds_live_data_inclusion_services_when_configured(services, dispatcher):
    from bot.trainings.support import SupportItem

    seen = []

    def support(session, place, profile=None):
        seen.append(place["code_insee"])
        return [SupportItem("Accompagnement emploi (TEST)", "Lille", None, 2.0, None, "https://exemple.invalid/svc",
                            "+33300000001", "data-inclusion", hours="du lundi au vendredi 9 h-12 h")]

    services.support_services = support
    ActionNearbyHelp().run(dispatcher, make_tracker("qui peut m'aider ?", "ask_nearby", dict(P01)), {})
    assert seen == ["59350"]
    text = texts(dispatcher)
    assert "data·inclusion" in text and "Accompagnement emploi (TEST)" in text
    assert "+33300000001" in text and "horaires : du lundi au vendredi 9 h-12 h" in text


def test_greeting_says_who_what_is_kept_and_how_to_erase(services, dispatcher):
    from actions.misc import ActionGreet

    ActionGreet().run(dispatcher, make_tracker("bonjour", "greet"), {})
    message = dispatcher.messages[-1]
    assert "Cap Reconversion" in message["text"] and "EFFACER" in message["text"]
    assert "Je suis salarié(e) du privé" in [b["payload"] for b in message["buttons"]]


@pytest.mark.parametrize("channel", ["telegram", "facebook", "twilio"])
def test_greeting_on_messaging_apps_names_only_what_exists_there(channel, services, dispatcher):
    from actions.misc import ActionGreet
    from channels.text_channel import is_gsm7, sms_text

    tracker = make_tracker("bonjour", "greet")
    tracker.events = [{"event": "user", "text": "bonjour", "input_channel": channel}]
    ActionGreet().run(dispatcher, tracker, {})
    text = dispatcher.messages[-1]["text"]
    assert "écrivez EFFACER" in text and "bouton" not in text and "Effacer ma conversation" not in text
    assert is_gsm7(sms_text(text))  # one encoding for the whole greeting on SMS: GSM-7


def test_nearby_help_elides_de_before_a_vowel(services, dispatcher):
    arras = {**P01, "commune": "Arras", "code_insee": "62041"}
    ActionNearbyHelp().run(dispatcher, make_tracker("qui peut m'aider ?", "ask_nearby", arras), {})
    assert texts(dispatcher).startswith("Près d'Arras")


def test_an_ambiguous_commune_is_one_question_not_an_incoherence(services, dispatcher):
    tracker = make_tracker("j'habite à Villeneuve", "inform", entities=[{"entity": "commune", "value": "Villeneuve"}])
    run_form(tracker, dispatcher)
    assert "incohérence" not in texts(dispatcher)


def test_a_story_with_a_trainings_request_says_what_was_understood_first(services, dispatcher):
    from actions.help import ActionSearchTrainings

    story = "Je suis cariste en CDI depuis 8 ans à Calais, 45 ans, je cherche une formation en logistique"
    ActionSearchTrainings().run(dispatcher, rasa_turn(story, "ask_trainings"), {})
    assert dispatcher.messages[0]["text"].startswith("Je note")
    assert "Calais" in dispatcher.messages[0]["text"]


# ---------------------------------------------------------------------------- contradictions (issue 8)

KNOWN = {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 72, "age": 41,
         "commune": "Arras", "code_insee": "62041", "goal": "change_job", "requested_slot": "diploma_level"}


def test_a_new_contract_that_changes_the_answer_is_asked_not_overwritten(services, dispatcher):
    from actions.profile_form import changes_eligibility

    tracker = rasa_turn("en fait je suis en CDD", slots=KNOWN, active_loop="profile_form")
    assert changes_eligibility(tracker, "contract", "cdi", "cdd")
    events = run_form(tracker, dispatcher)
    assert slot_events(events)["contract"] == "cdi"  # kept until the person chooses
    assert slot_events(events)["requested_slot"] == "contract"
    choice = dispatcher.messages[-1]
    assert "CDI" in choice["text"] and "CDD" in choice["text"] and "Lequel est juste" in choice["text"]
    assert [(b["title"], b["payload"]) for b in choice["buttons"]] == [("Garder l'ancien", "CDI"),
                                                                      ("Prendre le nouveau", "CDD")]
    assert not any(m["text"].startswith("Je note : CDD") for m in dispatcher.messages)
    # the action that asks the field does not ask it again on top of the choice
    again = type(dispatcher)()
    assert ask_field("contract", again, make_tracker(slots={**KNOWN, **slot_events(events)})) == []
    assert again.messages == []

    # the person takes the new value: it is set, and not asked again
    later = type(dispatcher)()
    slots = {**KNOWN, **slot_events(events)}
    events2 = run_form(rasa_turn("CDD", slots=slots, active_loop="profile_form", said=slots["said"]), later)
    assert slot_events(events2)["contract"] == "cdd"
    assert slot_events(events2)["requested_slot"] != "contract"
    assert not any("Lequel est juste" in (m.get("text") or "") for m in later.messages)


def test_keeping_the_old_value_keeps_it(services, dispatcher):
    events = run_form(rasa_turn("en fait je suis en CDD", slots=KNOWN, active_loop="profile_form"), dispatcher)
    slots = {**KNOWN, **slot_events(events)}
    kept = type(dispatcher)()
    events2 = run_form(rasa_turn("CDI", slots=slots, active_loop="profile_form", said=slots["said"]), kept)
    assert slot_events(events2)["contract"] == "cdi"
    assert slot_events(events2)["requested_slot"] != "contract"


def test_a_change_that_changes_nothing_is_simply_noted(services, dispatcher):
    from actions.profile_form import changes_eligibility

    tracker = rasa_turn("en fait j'ai 42 ans", slots=KNOWN, active_loop="profile_form")
    assert not changes_eligibility(tracker, "age", 41, 42)
    events = run_form(tracker, dispatcher)
    assert slot_events(events)["age"] == 42
    assert not any("Lequel est juste" in (m.get("text") or "") for m in dispatcher.messages)


def test_a_bare_number_answers_the_question_asked_not_the_age(services, dispatcher):
    slots = {**KNOWN, "requested_slot": "seniority_months_company"}
    slots.pop("seniority_months_company")
    events = run_form(rasa_turn("20 ans", slots=slots, active_loop="profile_form"), dispatcher)
    assert slot_events(events)["seniority_months_company"] == 240
    assert slot_events(events).get("age", 41) == 41
    assert not any("Lequel est juste" in (m.get("text") or "") for m in dispatcher.messages)


def test_a_correction_is_taken_without_asking(services, dispatcher):
    events = run_form(rasa_turn("je me suis trompé, je suis en CDD", intent="correct", slots=KNOWN,
                                active_loop="profile_form"), dispatcher)
    assert slot_events(events)["contract"] == "cdd"
    assert not any("Lequel est juste" in (m.get("text") or "") for m in dispatcher.messages)


def test_a_recent_evaluation_is_reused_as_a_fresh_copy_and_depends_on_the_reading_mode():
    from actions import common
    from actions.services import get_services
    from bot.reading import easy_read

    profile = {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 72, "age": 41,
               "goal": "change_job"}
    first = common.evaluate_profile(dict(profile))
    first["recommended"].clear()  # a caller changing its result does not change the next one
    second = common.evaluate_profile(dict(profile))
    assert second["recommended"], "the second evaluation lost what the first caller removed"
    assert second == common._evaluate(profile, get_services().today(), [])
    with easy_read(True):
        easy = common.evaluate_profile(dict(profile))
    assert [r["id"] for r in easy["recommended"]] == [r["id"] for r in second["recommended"]]
    assert easy["recommended"][0]["why"] != second["recommended"][0]["why"]  # FALC wording, not the cached one
    assert common.evaluate_profile({**profile, "seniority_months_company": 6}) != second
