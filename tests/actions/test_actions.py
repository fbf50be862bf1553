"""Actions run as the action server runs them: real Tracker, real CollectingDispatcher, real engine."""

from __future__ import annotations

import pytest

from actions.help import ActionNearbyHelp, ActionSearchTrainings
from actions.misc import ActionEraseInfo, ActionRephrase, ActionRestart
from actions.profile_form import ASK_ACTIONS, ValidateProfileForm
from actions.results import (
    ActionExplainDispositif,
    ActionShowResults,
    ActionSummary,
    ActionWhatIf,
    ActionWhyNot,
)
from tests.actions.conftest import DOMAIN, make_tracker
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


def test_a_story_fills_every_fact_then_asks_the_most_decisive_question(services, dispatcher):
    events = slot_events(run_form(make_tracker(P01_STORY), dispatcher))
    assert events["status"] == "salarie_prive" and events["contract"] == "cdi"
    assert events["seniority_months_company"] == 36
    assert events["commune"].lower() == "lille" and events["goal"] == "change_job"
    assert events["requested_slot"] in ("registered_france_travail", "age", "rqth", "seniority_months_total")


def test_dont_know_is_an_answer_and_is_not_asked_again(services, dispatcher):
    slots = {k: v for k, v in P01.items() if k != "rqth"}
    tracker = make_tracker("je sais pas", intent="dont_know", slots={**slots, "requested_slot": "rqth"},
                           active_loop="profile_form")
    events = slot_events(run_form(tracker, dispatcher))
    assert events["unknown_fields"] == ["rqth"]
    assert events["requested_slot"] != "rqth"
    assert "pas grave" in texts(dispatcher)


def test_yes_no_answers_fill_the_asked_boolean(services, dispatcher):
    tracker = make_tracker("oui", intent="affirm", slots={"status": "demandeur_emploi",
                                                          "requested_slot": "registered_france_travail"})
    assert slot_events(run_form(tracker, dispatcher))["registered_france_travail"] is True
    tracker = make_tracker("/deny", intent="deny", slots={"status": "salarie_prive", "requested_slot": "rqth"})
    assert slot_events(run_form(tracker, dispatcher))["rqth"] is False


def test_button_payloads_fill_slots(services, dispatcher):
    tracker = make_tracker('/inform{"status": "interimaire"}', slots={"requested_slot": "status"})
    events = slot_events(run_form(tracker, dispatcher))
    assert events["status"] == "interimaire"
    tracker = make_tracker('/inform{"diploma": 5}', slots={"requested_slot": "diploma_level"})
    assert slot_events(run_form(tracker, dispatcher))["diploma_level"] == 5


def test_a_correction_overrides_the_previous_fact(services, dispatcher):
    tracker = make_tracker("non en fait c'est un CDD", slots=dict(P01))
    assert slot_events(run_form(tracker, dispatcher))["contract"] == "cdd"


def test_results_set_the_recommendations_slot_in_the_order_shown(services, dispatcher):
    events = ActionShowResults().run(dispatcher, make_tracker("/ask_results", "ask_results", dict(P01)), {})
    shown = slot_events(events)["recommendations"]
    assert {"ptp", "mon_cep_hdf", "cpf"} <= set(shown)
    assert "demission_reconversion" not in shown
    text = texts(dispatcher)
    positions = [text.index(title) for title in ("Projet de transition professionnelle", "Compte personnel de formation")]
    assert positions == sorted(positions) or shown.index("ptp") < shown.index("cpf")
    buttons = [b["payload"] for m in dispatcher.messages for b in m.get("buttons", [])]
    assert "/ask_nearby" in buttons


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
    tracker = make_tracker("et si je m'inscris à France Travail ?", "what_if", dict(P01))
    events = ActionWhatIf().run(dispatcher, tracker, {})
    assert events == []  # nothing saved
    assert "AIF" in texts(dispatcher) and "simulation" in texts(dispatcher)


def test_a_story_mistaken_for_a_question_starts_the_questions(services, dispatcher):
    story = ("4 ans de CDI dans la grande distrib à Calais, je veux démissionner pour faire la formation de "
             "conducteur routier. Je touche le chômage si je démissionne ?")
    events = ActionWhatIf().run(dispatcher, make_tracker(story, "what_if"), {})
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "profile_form"
    assert slot_events(events)["contract"] == "cdi"


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


def test_ask_actions_exist_for_every_field_and_offer_candidates_for_an_ambiguous_place(services, dispatcher):
    names = {cls().name() for cls in ASK_ACTIONS}
    assert "action_ask_status" in names and "action_ask_commune" in names and "action_ask_code_insee" not in names
    ask_commune = next(cls for cls in ASK_ACTIONS if cls().name() == "action_ask_commune")()
    tracker = make_tracker("62300", slots={"commune": "62300", "commune_candidates": ["62498", "62298"]})
    events = ask_commune.run(dispatcher, tracker, {})
    assert slot_events(events)["asked_fields"] == ["commune"]
    buttons = dispatcher.messages[-1]["buttons"]
    assert [b["title"] for b in buttons][0].startswith("Lens")


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
    assert '/inform{"status": "salarie_prive"}' in [b["payload"] for b in message["buttons"]]


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
