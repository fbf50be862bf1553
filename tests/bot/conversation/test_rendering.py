"""No template reaches a person: every response of domain.yml and every message of messages.yml,
rendered with realistic values, leaves no `{…}` behind; the builders do the same over real profiles."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.conversation import dialogue, texts
from bot.eligibility.engine import evaluate
from bot.eligibility.rules import load_rules

ROOT = Path(__file__).resolve().parents[3]
AS_OF = date(2026, 3, 15)
BRACES = re.compile(r"\{[^{}]*\}")

#: A realistic value for every placeholder name used by messages.yml.
VALUES: dict[str, Any] = {
    "question": "Quel âge avez-vous ?", "message": "Plusieurs communes correspondent.", "facts": "CDI, Arras, 41 ans",
    "warning": "Vous êtes demandeur d'emploi mais en CDI.", "date": "15 mars 2026", "title": "Compte personnel de formation",
    "why": "Vous avez 48 mois d'activité.", "next_step": "Ouvrez votre compte sur moncompteformation.gouv.fr",
    "missing": "votre âge", "short": "PTP", "id": "ptp", "summary": "Un congé pour se former.",
    "provides": "Votre salaire est maintenu.", "url": "https://www.moncompteformation.gouv.fr",
    "replacement": "Période de reconversion", "reasons": "• Il faut 24 mois d'activité.", "months": 12,
    "goal": "changer de métier", "commune": "Lille", "de_commune": "de Lille", "name": "Mon CEP", "where": "Lille", "distance": " (3 km)",
    "contact": " — https://hdf.avenir-actifs.org", "fallback": "Mon CEP", "links": "https://www.francetravail.fr",
    "change": "vous étiez inscrit(e) à France Travail", "items": "AIF, POEI", "fields": "le RSA", "n": 7,
    "contract": "CDI", "duration": "6 ans", "age": "41 ans", "target": "infirmière", "step": "Prenez rendez-vous.",
    "value": "6 mois", "old": "CDI", "new": "CDD",
    "definition": "Le CPF est votre compte pour payer une formation.", "code": "K7P-3QX", "days": 7,
    "channel": "par e-mail", "masked": "m•••@exemple.fr", "made": "3 décembre 2026", "day": "4 décembre 2026",
    "reason": "Nous n'intervenons pas dans votre commune.", "number": "03 21 00 00 00",
    "hours": "du lundi au vendredi de 9 h à 17 h", "phone": " au 03 21 00 00 00", "when": " (le matin)",
    "field": "aide-soignant", "km": 30, "sources": "Mon Compte Formation", "cpf": "", "intro": "Voici :",
    "names": "Lens, Éleu-dit-Leauwette", "postcode": "62300", "shown": "Lile",
    "ask": "Laquelle est la vôtre ?",
}


def _strings(node: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _strings(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [s for i, v in enumerate(node) for s in _strings(v, f"{path}[{i}]")]
    return [(path, node)] if isinstance(node, str) else []


MESSAGES = [(f"{name}{p}", s) for name in ("messages", "messages_falc")
            for p, s in _strings(yaml.safe_load((ROOT / f"bot/conversation/{name}.yml").read_text("utf-8")))
            if not (p.endswith(".payload") and "{{" not in s)]  # a button payload is JSON, not a template


@pytest.mark.parametrize(("path", "template"), MESSAGES, ids=[p for p, _ in MESSAGES])
def test_every_message_renders_without_a_placeholder_left(path, template):
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    missing = names - set(VALUES)
    assert not missing, f"{path}: no realistic value for {missing}"
    rendered = template.format(**VALUES)
    assert not BRACES.search(rendered.replace('{"', "").replace("{'", "")) or rendered.startswith("/"), rendered


def test_every_domain_response_renders_without_a_placeholder_left():
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.support.aio import run_async

    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("render", [], slots=domain.slots)
    for name, value in {"status": "salarie_prive", "contract": "cdi", "age": 41, "commune": "Arras",
                        "target_field": "infirmière", "seniority_months_company": 72}.items():
        tracker.slots[name].value = value
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    assert domain.responses
    for name in domain.responses:
        out = run_async(nlg.generate(name, tracker, "rest"))
        assert out and not BRACES.search(out["text"]), (name, out)


PROFILES = [*texts.PROFILES, {}]  # the realistic profiles of the readability measure, and an empty one


@pytest.mark.parametrize("profile", PROFILES)
def test_built_replies_leave_no_placeholder(profile):
    rules = load_rules()
    result = evaluate(profile, AS_OF)
    replies = [dialogue.present_plan(result), dialogue.present_plan(result, text_channel=True),
               *dialogue.present_results(result)[0], dialogue.what_changed(["ptp"], result),
               dialogue.summary(profile), dialogue.need_sentence(["deaf"])]
    for rule_id in ("cpf", "apprentissage", "ptp", "demission_reconversion", "cej"):
        replies.append(dialogue.answer_question(result, rules[rule_id], ["age_limit", "pay", "for_me"]))
        replies.append(dialogue.why_not(result, rule_id))
    noted = dialogue.noted(profile)
    replies += [noted] if noted else []
    for reply in replies:
        assert not BRACES.search(reply.text), reply.text


def test_the_plan_is_short_and_in_order():
    result = evaluate(PROFILES[0], AS_OF)
    said: set[str] = set()
    plan = dialogue.present_plan(result, said=said)
    text = dialogue.plain_words(plan.text, said)
    assert len(text) <= dialogue.PLAN_MAX_CHARS
    assert text.index("1. ") < text.index("2. ")
    assert plan.buttons[0].payload == "/show_all"
    assert "TOUT" in dialogue.present_plan(result, text_channel=True).text


def test_noted_restates_the_facts_in_plain_words():
    facts = {k: v for k, v in PROFILES[0].items() if k != "seniority_months_total"}
    reply = dialogue.noted(facts, commune_name="Arras")
    assert reply.text == "Je note : CDI depuis 6 ans, Arras, 41 ans, projet : infirmière."
    assert reply.buttons[0].payload == "/correct"
    # the place is said when this message gave it, not again with every later fact
    assert dialogue.noted({"diploma_level": 4}, commune_name="Béthune").text == "Je note : diplôme : bac (niveau 4)."


def test_an_acronym_is_explained_once():
    said: set[str] = set()
    first = dialogue.plain_words("Le CPF finance la formation.", said)
    assert first == "Le CPF (compte personnel de formation) finance la formation."
    assert dialogue.plain_words("Le CPF encore.", said) == "Le CPF encore."
    assert dialogue.plain_words("une reconnaissance de travailleur handicapé (RQTH)", said).endswith("(RQTH)")


def test_the_age_limit_question_is_answered_from_the_rule():
    rules = load_rules()
    result = evaluate({"age": 27, "status": "demandeur_emploi"}, AS_OF)
    reply = dialogue.answer_question(result, rules["apprentissage"], ["age_limit"])
    assert "16 à 29 ans" in reply.text and "27" in reply.text
    assert len([s for s in re.split(r"(?<=[.!?])\s", reply.text) if s]) <= 4
