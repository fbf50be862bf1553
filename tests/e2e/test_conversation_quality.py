"""The conversation a person has, measured on the real servers (issue 8's done-when).

Over the public personas and a set of first messages written for this test (not the held-out NLU
set), each conversation runs to the results and is checked for: no placeholder left; no statement
repeated; no question about a fact already given; the first reply restates the facts given; a
question about a scheme answered in the first reply; a plan of at most 700 characters; a results
turn of at most 2,000 characters. The figures are printed and written to
test-artifacts/conversation_quality.json.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_personas_conversation import MAX_TURNS, answer

pytestmark = [pytest.mark.servers, pytest.mark.rasa]

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[^{}\s\"']*\}")
PLAN_MAX, RESULTS_MAX = 700, 2000

#: First messages written for this test: the facts they give, and the scheme they ask about.
FIRST_MESSAGES: list[dict[str, Any]] = [
    {"message": "Bonjour, je travaille en CDI comme cariste depuis 8 ans à Douai, j'ai 38 ans. Est-ce que je peux "
                "faire une démission-reconversion ?", "facts": ["contract", "seniority_months_company", "commune",
                                                                "age"], "asks": "demission_reconversion"},
     {"message": "j'ai 27 ans je suis au chomage a Amiens, l'apprentissage c'est jusqu'à quel âge ?",
     "facts": ["age", "status", "commune"], "asks": "apprentissage"},
    {"message": "Salariée en CDI à Valenciennes depuis 10 ans, 47 ans. Le CPF c'est pour moi ?",
     "facts": ["contract", "commune", "age", "seniority_months_company"], "asks": "cpf"},
    {"message": "je suis aide à domicile en CDD depuis 6 mois à Saint-Quentin, je voudrais devenir aide-soignante",
     "facts": ["contract", "commune", "target_field"]},
    {"message": "Bonsoir. 52 ans, agent d'entretien en CDI depuis 15 ans à Roubaix, j'ai des problèmes de dos et "
                "je veux changer de métier. Le PTP je serai payé pendant la formation ?",
     "facts": ["age", "contract", "seniority_months_company", "commune"], "asks": "ptp"},
    {"message": "Je suis sourde, j'habite à Lille, j'ai 30 ans et je cherche du travail. Il y a une association "
                "pour les sourds ?", "facts": ["commune", "age"], "need": True},
    {"message": "Je suis malvoyant, demandeur d'emploi à Lens depuis un an, 41 ans, je voudrais me former à "
                "l'accueil", "facts": ["status", "commune", "age"], "need": True},
    {"message": "jai 22 ans pas de diplome je suis a calais je fais rien en ce moment, le CEJ c'est pour moi ?",
     "facts": ["age", "commune"], "asks": "cej"},
    {"message": "Infirmière en CDI à l'hôpital privé de Compiègne depuis 7 ans, 35 ans, je veux devenir "
                "sophrologue à mon compte", "facts": ["contract", "seniority_months_company", "commune", "age"]},
    {"message": "Je suis intérimaire à Dunkerque depuis 3 ans, j'ai 29 ans et un CAP. Je voudrais passer le "
                "permis poids lourd", "facts": ["status", "commune", "age", "diploma_level"]},
    {"message": "Bonjour, 44 ans, commercial en CDI à Beauvais depuis 12 ans, je voudrais faire valider mon "
                "expérience par un diplôme. La VAE ça marche comment ?",
     "facts": ["age", "contract", "commune", "seniority_months_company"], "asks": "vae"},
    {"message": "au RSA depuis 2 ans à Maubeuge, 36 ans, je voudrais créer mon entreprise de nettoyage",
     "facts": ["rsa", "commune", "age"]},
    {"message": "Je suis auto-entrepreneur à Arras depuis 4 ans, 33 ans, je veux me reconvertir dans le "
                "développement web", "facts": ["status", "commune", "age"]},
    {"message": "Je suis en CDI à Laon depuis 5 ans, 31 ans, bac+2. Je voudrais me former à la data, ça coûte "
                "combien ?", "facts": ["contract", "commune", "age", "diploma_level"]},
    {"message": "je suis étudiante à Lille, 21 ans, je veux arrêter ma licence et faire un BTS en alternance. "
                "L'alternance c'est possible pour moi ?", "facts": ["status", "commune", "age"],
     "asks": "apprentissage"},
    {"message": "Je suis inscrit à France Travail depuis 8 mois à Soissons, 50 ans, je voudrais une formation "
                "de soudeur, l'AIF c'est quoi ?", "facts": ["registered_france_travail", "commune", "age"],
     "asks": "aif"},
]


def _say(assistant: Any, sender: str, text: str) -> list[dict[str, Any]]:
    return assistant.say(sender, text)


def converse(assistant: Any, message: str, profile: dict[str, Any]) -> dict[str, Any]:
    """One conversation to the results: turns of (message, replies, slots after)."""
    sender = str(uuid.uuid4())
    turns: list[dict[str, Any]] = []
    text = message
    before: dict[str, Any] = {}
    for _ in range(MAX_TURNS):
        replies = _say(assistant, sender, text)
        slots = assistant.tracker(sender)["slots"]
        turns.append({"say": text, "replies": replies, "before": before, "slots": slots})
        if slots.get("recommendations") is not None and slots.get("requested_slot") is None:
            break
        before = slots
        field = slots.get("requested_slot")
        text = answer(field, profile) if field else "/ask_results"
    return {"sender": sender, "turns": turns}


def _texts(replies: list[dict[str, Any]]) -> list[str]:
    return [r.get("text") or "" for r in replies]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!])\s+|\n", text) if len(s.strip()) >= 30 and not s.strip().endswith("?")]


def check(conversation: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    """The measures of one conversation (True = fine; None = does not apply)."""
    from bot.eligibility.rules import load_rules

    turns = conversation["turns"]
    all_texts = [t for turn in turns for t in _texts(turn["replies"])]
    seen: dict[str, int] = {}
    for text in all_texts:
        for sentence in set(_sentences(text)):
            seen[sentence] = seen.get(sentence, 0) + 1
    repeated = [s for s, n in seen.items() if n > 1]
    reasked = []
    for turn in turns:
        asked = turn["slots"].get("requested_slot")
        if asked and asked != "commune" and turn["before"].get(asked) is not None and turn["slots"].get(asked) is not None:
            reasked.append(asked)
    first = turns[0]
    first_asked = first["slots"].get("requested_slot")
    missed = first_asked if first_asked in case.get("facts", []) else None
    first_text = "\n".join(_texts(first["replies"]))
    facts_given = len(case.get("facts", [])) >= 2 if "facts" in case else \
        sum(1 for k in ("status", "contract", "age", "commune", "goal", "target_field", "rqth", "rsa",
                        "registered_france_travail", "seniority_months_company", "diploma_level")
            if first["slots"].get(k) is not None) >= 2
    restates = ("Je note :" in first_text) if facts_given else None
    answered = None
    if case.get("asks"):
        rule = load_rules()[case["asks"]]
        names = {rule.title, rule.short_title or rule.title, *(rule.title.split(" (")[:1]), *rule.aliases}
        answered = any(n and n.lower() in first_text.lower() for n in names)
    if case.get("need"):
        answered = "RQTH" in first_text or "MDPH" in first_text
    results = next((t for t in turns if t["slots"].get("recommendations") is not None), None)
    plan_len = len(_texts(results["replies"])[0]) if results and results["replies"] else None
    results_len = sum(len(t) for t in _texts(results["replies"])) if results else None
    return {
        "placeholder": not any(PLACEHOLDER.search(t) for t in all_texts),
        "no_repeat": not repeated, "repeated": repeated[:3],
        "no_reask": not reasked and missed is None, "reasked": reasked + ([f"first:{missed}"] if missed else []),
        "restates": restates, "answered": answered,
        "plan_ok": plan_len is not None and plan_len <= PLAN_MAX, "plan_len": plan_len,
        "results_ok": results_len is not None and results_len <= RESULTS_MAX, "results_len": results_len,
    }


MEASURES = ("placeholder", "no_repeat", "no_reask", "restates", "answered", "plan_ok", "results_ok")


def test_conversation_quality(assistant, personas):
    cases = [{"id": p["id"], "message": p["message"], "profile": p["profile"]} for p in personas]
    cases += [{"id": f"M{i + 1:02d}", **c, "profile": {}} for i, c in enumerate(FIRST_MESSAGES)]
    rows = []
    for case in cases:
        conversation = converse(assistant, case["message"], case["profile"])
        rows.append({"id": case["id"], **check(conversation, case),
                     "first_reply": _texts(conversation["turns"][0]["replies"])})
    figures = {}
    for measure in MEASURES:
        applicable = [r[measure] for r in rows if r[measure] is not None]
        figures[measure] = f"{sum(applicable)}/{len(applicable)}"
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "conversation_quality.json").write_text(json.dumps({"figures": figures, "cases": rows}, ensure_ascii=False,
                                                              indent=1), encoding="utf-8")
    print("\nQualité des conversations :", figures)
    failures = {m: [(r["id"], r.get("repeated") or r.get("reasked") or r.get("plan_len") or r.get("results_len"))
                    for r in rows if r[m] is False] for m in MEASURES}
    assert not any(failures.values()), failures
