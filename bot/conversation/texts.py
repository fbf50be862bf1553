"""Every text the assistant can send, rendered with realistic values, in the current reading mode.

What the readability measure (bot.conversation.readability) and its test run over:
- each message of messages.yml (or messages_falc.yml), its placeholders filled;
- each response of domain.yml (its FALC variant in the easy-to-read mode);
- each rule text (summary, what it provides, first step, condition sentences and what to check with
  someone, notes, facts to check);
- the glossary's definitions;
- the messages the builders compose (plan, details, why not, answers, what changed) over real profiles,
  and the referral replies over structures near the person (bot/referrals/structures.py);
- the channels' fixed sentences and the web widget's sentences (one wording for both modes, easy to read).
Pieces of a composed message ("noted.fields.*", "results.item"…) are measured inside the composed
messages, not alone. Call inside `bot.reading.easy_read(...)` for the FALC texts.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.reading import easy

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 3, 15)

#: A realistic value for every placeholder of messages.yml (in the wording of the mode when it differs).
VALUES: dict[str, Any] = {
    "question": "Quel âge avez-vous ?", "message": "Plusieurs communes portent ce nom. Laquelle est la vôtre ?",
    "facts": "CDI depuis 6 ans, Arras, 41 ans", "warning": "Vous êtes en CDI et vous cherchez un emploi.",
    "date": "15 mars 2026", "title": "Le CPF", "why": "Vous avez 48 mois de travail.",
    "next_step": "Ouvrez votre compte sur moncompteformation.gouv.fr.", "missing": "votre âge", "short": "PTP",
    "id": "ptp", "summary": "Un congé pour vous former.", "provides": "Votre salaire est gardé.",
    "url": "https://www.moncompteformation.gouv.fr", "replacement": "la période de reconversion",
    "reasons": "• Il faut 24 mois de travail.", "months": 12, "goal": "changer de métier", "commune": "Lille",
    "de_commune": "de Lille", "name": "Mon CEP", "where": "Lille", "distance": " (3 km)",
    "contact": " — https://hdf.avenir-actifs.org", "fallback": "Mon CEP", "links": "https://www.francetravail.fr",
    "change": "vous étiez inscrit(e) à France Travail", "items": "AIF, POEI", "fields": "le RSA", "n": 7,
    "contract": "CDI", "duration": "6 ans", "age": "41 ans", "target": "infirmière", "step": "Prenez rendez-vous.",
    "value": "6 mois", "definition": "Le CPF est votre compte de formation.", "code": "K7P-3QX", "days": 7,
    "channel": "par téléphone", "masked": "06 •• •• •• 78", "made": "3 décembre 2026", "day": "4 décembre 2026",
    "reason": "Nous n'intervenons pas dans votre commune.", "number": "03 21 00 00 00",
    "hours": "du lundi au vendredi de 9 h à 17 h", "field": "aide-soignant", "km": 30,
    "sources": "Mon Compte Formation", "cpf": "", "intro": "Voici des organismes proches qui forment dans ce domaine :",
    "names": "Lens, Éleu-dit-Leauwette", "postcode": "62300", "shown": "Lile",
    "ask": "Laquelle est la vôtre ?",
}

#: Keys of messages.yml that are pieces of a composed message, measured inside it.
PIECES = ("noted.contract_since", "noted.seniority_company", "noted.seniority_total", "noted.age", "noted.target",
          "noted.goal", "noted.fields", "noted.bool", "noted.button", "changed.new", "changed.gone", "changed.same",
          "changed.nothing", "what_if.gained", "what_if.lost", "what_if.same", "what_if.intro", "results.plan_step",
          "results.plan_need", "results.plan_need_step", "results.group_titles", "results.item",
          "results.to_check_item", "results.to_check_intro", "results.buttons", "nearby.item", "nearby.verify",
          "nearby.intro", "nearby.data_inclusion", "nearby.national", "human.generic", "human.intro", "reask.commune",
          "commune_ambiguous", "glossary.answer", "need.cap_emploi", "answer.help_intro", "answer.again", "summary.intro",
          "results.to_check_intro", "results.intro", "answer.unknown", "yes_no_dont_know", "questions.",
          "referral.item", "referral.hours", "referral.no_thanks", "referral.callback_button", "referral.open",
          "referral.hours_unknown", "referral.offer", "referral.no_channel", "referral.phone", "referral.when",
          "referral.talk", "referral.closed", "trainings.header", "trainings.cpf_only", "communes.which",
          "communes.which_name")

#: Samples for the {value} of rule sentences, by profile field.
_SAMPLES = {"status": "salarié(e) du privé", "contract": "CDI", "age": "41 ans", "rqth": "oui",
            "diploma_level": "CAP ou BEP (niveau 3)", "goal": "changer de métier", "commune": "Arras",
            "interim_hours_branch_18m": "900 heures", "interim_hours_same_agency_18m": "400 heures",
            "part_time_hours_week": "20 heures", "registered_france_travail": "oui", "target_field": "aide-soignante"}

PROFILES = [
    {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 72, "seniority_months_total": 120,
     "age": 41, "commune": "Arras", "code_insee": "62041", "goal": "change_job", "target_field": "infirmière"},
    {"status": "demandeur_emploi", "age": 23, "commune": "Lens", "code_insee": "62498", "diploma_level": 0},
    {"status": "salarie_prive", "contract": "cdd", "cdd_months_last_12": 4, "age": 52, "rqth": True},
    {"status": "independant", "goal": "create_business", "age": 35, "rsa": True},
    {"status": "agent_public", "contract": "fonctionnaire", "age": 45, "public_service_months": 120,
     "goal": "change_job"},
    {"status": "interimaire", "contract": "mission_interim", "interim_hours_branch_18m": 900, "age": 30},
]


def _strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def _is_piece(path: str) -> bool:
    return any(path == p or path.startswith(p + ".") or path.startswith(p + "[") or
               (p.endswith(".") and path.startswith(p) and ".buttons" in path) for p in PIECES)


def fill(template: str, values: dict[str, Any]) -> str:
    """`template` with each placeholder replaced (an unknown one by a neutral word)."""
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    return template.format(**{n: values.get(n, "6 mois") for n in names})


def message_texts() -> list[tuple[str, str]]:
    """messages.yml (or its FALC version), each whole message filled with realistic values."""
    from bot.conversation.dialogue import messages

    out = []
    for path, template in _strings(messages()):
        if path.endswith(".payload") or ".buttons" in path or path.startswith("greet.buttons") or _is_piece(path):
            continue
        out.append((f"messages:{path}", fill(template, VALUES)))
    return out


def domain_texts() -> list[tuple[str, str]]:
    """Each response of domain.yml: the variant without condition, or the easy_read one in FALC mode."""
    data = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    out = []
    for name, variants in data["responses"].items():
        plain_variants = [v for v in variants if not v.get("condition")]
        falc = [v for v in variants if any(c.get("name") == "easy_read" and c.get("value") is True
                                           for c in v.get("condition") or [])]
        chosen = (falc or plain_variants) if easy() else plain_variants
        out += [(f"domain:{name}", v["text"]) for v in chosen]
    return out


def rule_templates() -> list[tuple[str, str, str | None]]:
    """Every person-facing text of the rule files: (where, normal template, profile field of its {value})."""
    from bot.eligibility.engine import aupres_de
    from bot.eligibility.rules import load_rules

    out: list[tuple[str, str, str | None]] = []
    for rule in load_rules().values():
        raw = rule.raw
        out.append((f"{rule.id}:summary", " ".join(str(raw["summary"]).split()), None))
        out.append((f"{rule.id}:provides", " ".join(str(raw["provides"]).split()), None))
        out.append((f"{rule.id}:first_step", " ".join(str(raw["first_step"]["text"]).split()), None))
        for i, note in enumerate(raw.get("notes") or []):
            out.append((f"{rule.id}:notes[{i}]", " ".join(str(note["text"]).split()), None))
        for i, fact in enumerate(raw.get("unverified") or []):
            out.append((f"{rule.id}:unverified[{i}]", f"À vérifier {aupres_de(fact['check_with'])} : {fact['fact']}", None))
        if raw.get("verification"):
            v = raw["verification"]
            out.append((f"{rule.id}:verification", f"{v['reason']} À vérifier {aupres_de(v['check_with'])}.", None))

        def walk(node: Any, where: str, field: str | None) -> None:
            if isinstance(node, dict):
                field = node.get("field") or node.get("switch") or field
                for key, value in node.items():
                    if (key.startswith("text_") or key == "check") and isinstance(value, str):
                        out.append((f"{where}.{node.get('ref') or ''}.{key}", " ".join(value.split()), field))
                    else:
                        walk(value, where, field)
            elif isinstance(node, list):
                for value in node:
                    walk(value, where, field)

        walk(raw.get("eligibility"), f"{rule.id}:eligibility", None)
        walk(raw.get("relevance"), f"{rule.id}:relevance", None)
    return out


def rule_texts() -> list[tuple[str, str]]:
    """The rule texts of the current mode (FALC version when it exists), filled with realistic values."""
    from bot.eligibility.falc import plain
    from bot.eligibility.rules import load_rules

    rules = load_rules()
    out = []
    for where, template, field in rule_templates():
        rule = rules[where.split(":")[0]]
        values = {"value": _SAMPLES.get(field or "", "18 mois"), "months": 6, "commune": "Arras",
                  "label": "votre activité salariée", "Label": "Votre activité salariée",
                  **{k: v for k, v in rule.params_at(AS_OF).items()}}
        try:
            out.append((f"rule:{where}", plain(template).format_map(_Keep(values))))
        except (ValueError, IndexError):
            out.append((f"rule:{where}", plain(template)))
    return out


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "6 mois"


def glossary_texts() -> list[tuple[str, str]]:
    """The glossary's definitions (the same in both modes)."""
    from bot.conversation.dialogue import glossary

    return [(f"glossary:{term}", entry["definition"]) for term, entry in glossary().items()]


def built_texts() -> list[tuple[str, str]]:
    """The messages the builders compose over real profiles (plan, details, why not, answers…)."""
    from bot.conversation import dialogue
    from bot.eligibility.engine import evaluate
    from bot.eligibility.rules import load_rules

    rules = load_rules()
    out: list[tuple[str, str]] = []
    for n, profile in enumerate(PROFILES):
        result = evaluate(profile, AS_OF)
        said: set[str] = set()
        out.append((f"built:{n}:plan", dialogue.plain_words(dialogue.present_plan(result, said=said).text, said)))
        replies, _ = dialogue.present_results(result)
        out += [(f"built:{n}:details[{i}]", r.text) for i, r in enumerate(replies)]
        out.append((f"built:{n}:summary", dialogue.summary(profile).text))
        noted = dialogue.noted(profile)
        if noted:
            out.append((f"built:{n}:noted", noted.text))
        for item in result.get("not_eligible", [])[:4] + result.get("to_check", [])[:3]:
            out.append((f"built:{n}:why_not:{item['id']}", dialogue.why_not(result, item["id"]).text))
        for rule_id in ("cpf", "ptp", "vae", "demission_reconversion", "apprentissage"):
            out.append((f"built:{n}:answer:{rule_id}",
                        dialogue.answer_question(result, rules[rule_id], ["age_limit", "pay"]).text))
    for rule_id in ("cpf", "ptp", "pro_a"):
        out.append((f"built:explain:{rule_id}", dialogue.explain_dispositif(rules[rule_id], AS_OF, rules).text))
    out.append(("built:need", dialogue.need_sentence(["deaf"]).text))
    return out + referral_texts()


def referral_texts() -> list[tuple[str, str]]:
    """The referral replies composed over structures near the person (with and without a channel, open,
    closed, hours unknown)."""
    from datetime import datetime

    from bot.referrals.channels import Channel
    from bot.referrals.structures import Offer, choose_reply, handoff_reply, no_channel_reply

    hours = "Mo-Fr 09:00-17:00"
    able = Offer("cep", "Mon CEP Arras", phone="03 21 00 00 00", hours=hours, channel=Channel("cep", "a@cep.fr", None))
    unable = Offer("ml", "Mission locale de Lens", phone="03 21 11 11 11", website="https://ml-lens.fr", hours=hours)
    unknown = Offer("cep2", "Mon CEP Lens", phone="03 21 22 22 22", channel=Channel("cep2", "b@cep.fr", None))
    thursday_10h, thursday_20h = datetime(2026, 12, 3, 10), datetime(2026, 12, 3, 20)
    return [("built:referral:choose", choose_reply([able, unknown, unable]).text),
            ("built:referral:no_channel", no_channel_reply([unable], "France Travail : 3949").text),
            ("built:referral:open", handoff_reply(able, thursday_10h).text),
            ("built:referral:hours_unknown", handoff_reply(unknown, thursday_10h).text),
            ("built:referral:closed", handoff_reply(able, thursday_20h).text),
            ("built:referral:talk", handoff_reply(unable, thursday_10h).text)]


def channel_texts() -> list[tuple[str, str]]:
    """The channels' fixed sentences (one wording, easy to read, for both modes)."""
    import importlib

    out = []
    for module, names in (("channels.text_channel", ("ERASED_FR", "ERASE_FAILED_FR", "CHOICE_HINT_FR", "CHOICE_PROMPT_FR",
                                                     "TEXT_ONLY_FR", "EDIT_NOT_APPLIED_FR", "MORE_HINT_FR",
                                                     "NOTHING_MORE_FR")),
                          ("channels.hardening", ("TOO_LONG_FR", "ACTIONS_DOWN_FR"))):
        try:
            mod = importlib.import_module(module)
        except ImportError:  # the channels need Rasa: measured where it is installed
            continue
        out += [(f"channel:{name}", getattr(mod, name)) for name in names]
    return out


#: The sentences of the web widget (web/src/strings.js): its notes, statuses and erase question. One wording
#: for both modes, written easy to read. The other strings name a control or a region ("Fermer", "Envoyer",
#: "Effacer ma conversation"…): one to four common words, where a reading-ease formula means nothing.
WIDGET_PROSE = ("easyReadOn", "easyReadOff", "eraseQuestion", "erasing", "erased", "eraseFailed", "notice",
                "inputHint", "typing", "connecting", "connectionLost", "connectionBack", "pending", "restoring",
                "emptyMessage")


def widget_texts() -> list[tuple[str, str]]:
    """The widget's sentences (one wording, easy to read, for both modes), read from its French table."""
    import re

    source = (ROOT / "web" / "src" / "strings.js").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\s+(\w+): '((?:[^'\\]|\\.)*)',$", source, re.M))
    return [(f"widget:{key}", table[key]) for key in WIDGET_PROSE]


def all_texts() -> list[tuple[str, str]]:
    """Every text of the current reading mode, with where it comes from."""
    return (message_texts() + domain_texts() + rule_texts() + glossary_texts() + built_texts() + channel_texts()
            + widget_texts())
