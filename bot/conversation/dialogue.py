"""What the assistant says, built from the engine's results. Pure functions, no Rasa.

The Rasa actions (actions/) call these and send the replies; tests call them directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.eligibility.falc import plain
from bot.eligibility.fields import GOAL_LABELS, fmt_value
from bot.eligibility.render import GROUP_ORDER, QUESTION_LABELS, profile_lines
from bot.reading import easy

MESSAGES_FILE = Path(__file__).resolve().parent / "messages.yml"
#: The easy-to-read (FALC) wording: the same keys as messages.yml, written by hand.
FALC_FILE = Path(__file__).resolve().parent / "messages_falc.yml"
#: Acronyms and legal terms with their plain definition (the same in both reading modes).
GLOSSARY_FILE = Path(__file__).resolve().parent / "glossary.yml"

#: Stop asking when the most decisive remaining question settles less than this (see engine scores).
MIN_QUESTION_SCORE = 0.5
#: Never ask more than this many questions in one go: people are tired, results matter more.
MAX_QUESTIONS = 10

PROFILE_FIELDS = (
    "status", "contract", "seniority_months_company", "seniority_months_total", "cdd_months_last_12",
    "interim_hours_branch_18m", "interim_hours_same_agency_18m", "age", "rqth", "diploma_level", "goal",
    "target_field", "commune", "code_insee", "registered_france_travail", "is_cadre", "rsa",
    "part_time_hours_week", "sick_leave_months_last_24", "sick_leave_cause", "unpaid_or_sabbatical_leave_last_60m",
    "employer_self_insured_unemployment", "business_in_qpv_or_zfrr",
    "months_worked_last_60", "public_service_months", "laid_off_economic_or_unfit", "rqth_pending",
    "unemployment_benefit", "registered_months_last_18",
)
BOOLEAN_FIELDS = ("rqth", "registered_france_travail", "is_cadre", "rsa", "employer_self_insured_unemployment",
                  "business_in_qpv_or_zfrr", "laid_off_economic_or_unfit", "rqth_pending", "unemployment_benefit")
NUMBER_FIELDS = ("seniority_months_company", "seniority_months_total", "cdd_months_last_12",
                 "interim_hours_branch_18m", "interim_hours_same_agency_18m", "age", "part_time_hours_week",
                 "sick_leave_months_last_24", "unpaid_or_sabbatical_leave_last_60m", "months_worked_last_60",
                 "public_service_months", "registered_months_last_18", "diploma_level")
#: Channels where buttons become numbered text: the replies also say which word to type.
TEXT_CHANNELS = ("telegram", "twilio", "facebook", "messenger", "sms", "whatsapp")
#: The first message of the results: at most this many characters (issue: a plan a phone shows whole).
PLAN_MAX_CHARS = 700

_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"]


@dataclass(frozen=True)
class Button:
    """A quick reply: what the person sees, what is sent back."""

    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message of the assistant."""

    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The shape of rasa-sdk's dispatcher.utter_message(text=…, buttons=…)."""
        out: dict[str, Any] = {"text": self.text}
        if self.buttons:
            out["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        return out


def messages() -> dict[str, Any]:
    """The French message catalogue of the current reading mode (normal or FALC, see bot.reading)."""
    return _catalogue(easy())


def _merge(base: Any, over: Any) -> Any:
    """`over` laid on `base` key by key (a list or a string in `over` replaces the whole value)."""
    if isinstance(base, dict) and isinstance(over, dict):
        return {k: _merge(base[k], over[k]) if k in base and k in over else over.get(k, base.get(k))
                for k in {**base, **over}}
    return over


@lru_cache(maxsize=2)
def _catalogue(falc: bool) -> dict[str, Any]:
    normal = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    if not falc:
        return normal
    return _merge(normal, yaml.safe_load(FALC_FILE.read_text(encoding="utf-8")))


def label(name: str) -> str:
    """What a missing fact is called ("votre commune"), in the current reading mode (FALC in falc.yml)."""
    return plain(QUESTION_LABELS.get(name, name))


def fr_date(d: date) -> str:
    """28 novembre 2026."""
    return f"{'1er' if d.day == 1 else d.day} {_MONTHS[d.month - 1]} {d.year}"


def _buttons(spec: Any) -> tuple[Button, ...]:
    if spec is None:
        return ()
    if isinstance(spec, str):  # a reference to a shared button set
        spec = messages()[spec]
    return tuple(Button(b["title"], b["payload"]) for b in spec)


# ---------------------------------------------------------------------------------------------
# Questions


def question(field_name: str, profile: dict[str, Any] | None = None) -> Reply:
    """How to ask for `field_name` (with buttons for closed choices)."""
    spec = messages()["questions"][field_name]
    text = spec["text"]
    if profile and profile.get("contract") == "cdd" and "text_cdd" in spec:
        text = spec["text_cdd"]
    return Reply(text, _buttons(spec.get("buttons")))


def next_question(result: dict[str, Any], *, asked: list[str] | tuple[str, ...] = (),
                  skip: list[str] | tuple[str, ...] = ()) -> str | None:
    """The most decisive field still worth asking, or None when the answer would not change much."""
    if len(asked) >= MAX_QUESTIONS:
        return None
    scores = result.get("question_scores", {})
    for name in result.get("questions", []):
        if name in skip or name not in messages()["questions"]:
            continue
        if scores.get(name, 0) < MIN_QUESTION_SCORE:
            return None
        return name
    return None


def profile_of(slots: dict[str, Any]) -> dict[str, Any]:
    """The profile held in conversation slots (only contract fields, only set values).

    Float slots hold whole numbers for integer fields (Rasa keeps what the mapping gave, but a
    value may come back as 36.0 from a tracker store): they are given back as integers.
    """
    out: dict[str, Any] = {}
    for k in PROFILE_FIELDS:
        value = slots.get(k)
        if value is None:
            continue
        if k in NUMBER_FIELDS and isinstance(value, float) and value.is_integer() and k != "part_time_hours_week":
            value = int(value)
        out[k] = value
    return out


# ---------------------------------------------------------------------------------------------
# Results


_TEMPLATE = re.compile(r"\{[^{}]*\}")


def _readable(texts: Any) -> list[str]:
    """Sentences that can be shown: a rule text whose placeholder was left unfilled is skipped."""
    return [str(t) for t in texts if t and not _TEMPLATE.search(str(t))]


def _short_why(item: dict[str, Any]) -> str:
    """The most telling reason: a condition with the person's figures, else an amount, else the first."""
    met = _readable(c["text"] for c in item.get("conditions", []) if c.get("ok") is True and c.get("ref") != "objectif")
    with_figures = [t for t in met if any(ch.isdigit() for ch in t)]
    if with_figures:
        return with_figures[0]
    condition_texts = {str(c["text"]) for c in item.get("conditions", [])}
    notes = [w for w in _readable(item.get("why", [])) if w not in condition_texts and "€" in w]
    if notes:
        return notes[0]
    why = _readable(item.get("why", []))
    return met[0] if met else (why[0] if why else "")


def present_results(result: dict[str, Any], *, short_titles: dict[str, str] | None = None,
                    extra_who: list[str] | tuple[str, ...] = ()) -> tuple[list[Reply], list[str]]:
    """The results as messages grouped for people, and the ids shown (contract slot `recommendations`)."""
    m = messages()["results"]
    as_of = date.fromisoformat(result["as_of"])
    recommended = result.get("recommended", [])
    shown: list[str] = []
    replies: list[Reply] = []
    if not recommended:
        replies.append(Reply(m["none"]))
    else:
        replies.append(Reply(m["intro"].format(date=fr_date(as_of))))
        for group in GROUP_ORDER:
            items = [i for i in recommended if i.get("group") == group]
            extra = list(extra_who) if group == "who_to_see" else []
            if not items and not extra:
                continue
            lines = [f"{m['group_titles'][group]} :"]
            for item in items:
                lines.append(m["item"].format(title=item["title"], why=_short_why(item), next_step=item["next_step"]))
                if item.get("bring"):
                    lines.append(messages()["prepare"]["item"].format(items=", ".join(item["bring"])))
                shown.append(item["id"])
            replies.append(Reply("\n".join(lines + extra)))
    to_check = [i for i in result.get("to_check", []) if not i.get("missing")][:3]
    if to_check:
        lines = [m["to_check_intro"]] + [m["to_check_item"].format(title=i["title"], why=i["why"][0])
                                         for i in to_check]
        replies.append(Reply("\n".join(lines)))
    replies.append(Reply(m["follow_up"], tuple(_follow_up_buttons(result, short_titles, all_button=False))))
    return replies, shown


def _best_why_not(result: dict[str, Any]) -> dict[str, Any] | None:
    """The refused scheme a person most likely wonders about: one time will unlock, else the first relevant."""
    candidates = [i for i in result.get("not_eligible", []) if i.get("eligible_in_months")]
    return candidates[0] if candidates else None


# ---------------------------------------------------------------------------------------------
# Digressions and follow-ups


def explain_dispositif(rule: Any, as_of: date, rules: dict[str, Any]) -> Reply:
    """A short, accurate answer to "c'est quoi X ?" with its link (says when it was abolished)."""
    m = messages()["explain"]
    url = rule.first_step.get("url") or rule.sources[0]["url"]
    title = plain(rule.short_title or rule.title)
    if rule.valid_until and as_of >= rule.valid_until:
        repl = rules.get(rule.replaced_by) if rule.replaced_by else None
        return Reply(m["ended"].format(title=title, summary=plain(rule.summary), date=fr_date(rule.valid_until),
                                       replacement=plain(repl.short_title or repl.title) if repl else "rien", url=url))
    return Reply(m["active"].format(title=title, summary=plain(rule.summary), provides=plain(rule.provides), url=url))


def _find(result: dict[str, Any], dispositif_id: str) -> tuple[str, dict[str, Any]] | None:
    for key in ("recommended", "to_check", "other_options", "not_eligible"):
        for item in result.get(key, []):
            if item["id"] == dispositif_id:
                return key, item
    return None


def why_not(result: dict[str, Any], dispositif_id: str) -> Reply:
    """Why a scheme is (not) proposed: failing conditions and when it becomes possible."""
    m = messages()["why_not"]
    found = _find(result, dispositif_id)
    if found is None:
        return Reply(m["unknown"])
    where, item = found
    if where == "recommended":
        return Reply(m["recommended"].format(title=item["title"], why=_short_why(item)))
    if where == "not_eligible":
        failing = _readable(c["text"] for c in item.get("conditions", []) if c.get("ok") is False) \
            or _readable(item["why"][:2])
        template = m["ended"] if item.get("ended") else m["not_eligible"]
        text = template.format(title=item["title"], reasons="\n".join(f"• {r}" for r in failing[:3]))
        if item.get("eligible_in_months"):
            text += "\n" + m["when"].format(months=item["eligible_in_months"])
        return Reply(text)
    if where == "to_check":
        reasons = "\n".join(f"• {r}" for r in item["why"][:2])
        if not item.get("missing"):
            return Reply(m["verification"].format(title=item["title"], reasons=reasons))
        missing = ", ".join(label(f) for f in item["missing"])
        return Reply(m["to_check"].format(title=item["title"], missing=missing, reasons=reasons))
    goal = GOAL_LABELS.get(result.get("profile", {}).get("goal", ""), "votre objectif")
    reasons = "\n".join(f"• {r}" for r in item["why"][1:3])
    return Reply(m["other"].format(title=item["title"], goal=goal, reasons=reasons).rstrip())


def what_if(before: dict[str, Any], after: dict[str, Any], change: str) -> Reply:
    """What would change in the recommendations if a fact changed (a simulation, nothing saved)."""
    m = messages()["what_if"]
    old = {i["id"]: i["title"] for i in before.get("recommended", [])}
    new = {i["id"]: i["title"] for i in after.get("recommended", [])}
    gained = [new[i] for i in new if i not in old]
    lost = [old[i] for i in old if i not in new]
    parts = [m["intro"].format(change=change)]
    if gained:
        parts.append(m["gained"].format(items=", ".join(gained)))
    if lost:
        parts.append(m["lost"].format(items=", ".join(lost)))
    if not gained and not lost:
        parts.append(m["same"])
    return Reply(" ".join(parts) + "\n" + m["note"])


def describe_change(changes: dict[str, Any]) -> str:
    """"vous étiez inscrit(e) à France Travail", in plain words."""
    words = []
    for name, value in changes.items():
        if name == "registered_france_travail":
            words.append("vous étiez inscrit(e) à France Travail" if value else "vous n'étiez pas inscrit(e) à France Travail")
        elif name == "rqth":
            words.append("vous aviez une RQTH" if value else "vous n'aviez pas de RQTH")
        elif name in ("code_insee",):
            continue
        else:
            label = QUESTION_LABELS.get(name, name)
            words.append(f"{label} était : {fmt_value(name, value)}")
    return " et ".join(words) if words else "cela changeait"


def summary(profile: dict[str, Any], unknown: list[str] | tuple[str, ...] = ()) -> Reply:
    """What the assistant knows, to check and correct."""
    m = messages()["summary"]
    lines = profile_lines({k: v for k, v in profile.items() if k != "code_insee"})
    if not lines:
        return Reply(m["empty"])
    text = m["intro"] + "\n" + "\n".join(f"• {line}" for line in lines)
    if unknown:
        text += "\n" + m["unknown"].format(fields=", ".join(label(f) for f in unknown))
    return Reply(text + "\n" + m["outro"])


# ---------------------------------------------------------------------------------------------
# What was understood, the question asked, the plan, what changed, plain words


def _months(months: int) -> str:
    """36 → "3 ans", 18 → "18 mois", 30 → "2 ans et demi"."""
    years, rest = divmod(int(months), 12)
    if years and rest == 6:
        return f"{years} an{'s' if years > 1 else ''} et demi"
    if years and not rest:
        return f"{years} an{'s' if years > 1 else ''}"
    return f"{int(months)} mois"


def fact_words(facts: dict[str, Any], commune_name: str | None = None) -> list[str]:
    """Each fact in a few plain words, in the order a person tells them ("CDI depuis 6 ans", "41 ans")."""
    m = messages()["noted"]
    words: list[str] = []
    done: set[str] = {"code_insee"}
    implied = {"interimaire": "mission_interim", "independant": "micro_entreprise"}
    if "status" in facts and not ("contract" in facts and facts["status"] in ("salarie_prive", "agent_public")):
        status = fmt_value("status", facts["status"])
        if facts.get("contract") == implied.get(facts["status"]) and facts.get("seniority_months_company") is not None:
            status = m["contract_since"].format(contract=status, duration=_months(facts["seniority_months_company"]))
            done.add("seniority_months_company")
        words.append(status)
    if facts.get("contract") not in (None, "aucun", implied.get(facts.get("status", ""))):
        contract = fmt_value("contract", facts["contract"])
        if facts.get("seniority_months_company") is not None:
            contract = m["contract_since"].format(contract=contract, duration=_months(facts["seniority_months_company"]))
            done.add("seniority_months_company")
        words.append(contract)
    done |= {"status", "contract"}
    if facts.get("seniority_months_company") is not None and "seniority_months_company" not in done:
        words.append(m["seniority_company"].format(duration=_months(facts["seniority_months_company"])))
        done.add("seniority_months_company")
    if facts.get("seniority_months_total") is not None:
        words.append(m["seniority_total"].format(duration=_months(facts["seniority_months_total"])))
        done.add("seniority_months_total")
    if facts.get("commune") or facts.get("code_insee"):  # the place's official name when it is resolved
        words.append(commune_name or str(facts.get("commune") or facts["code_insee"]))
    done.add("commune")
    if facts.get("age") is not None:
        words.append(m["age"].format(age=fmt_value("age", facts["age"])))
    done.add("age")
    if facts.get("target_field"):
        words.append(m["target"].format(target=facts["target_field"]))
        done |= {"target_field", "goal"}
    elif facts.get("goal"):
        words.append(m["goal"].format(goal=GOAL_LABELS.get(facts["goal"], facts["goal"])))
        done.add("goal")
    for name, value in facts.items():
        if name in done or value is None:
            continue
        special = m.get("bool", {}).get(name)
        if isinstance(value, bool) and special:
            words.append(special[0] if value else special[1])
        elif name in m.get("fields", {}):
            shown = _months(int(value)) if name in NUMBER_FIELDS and "hours" not in name and name != "diploma_level" \
                else fmt_value(name, value)
            words.append(m["fields"][name].format(value=shown))
        elif name in NUMBER_FIELDS and name.endswith(("months_total", "_12", "_24", "_60m", "_60", "_18")) \
                and isinstance(value, (int, float)):
            label = re.sub(r"^(?:vos|votre|la|le|les|l')\s*", "", QUESTION_LABELS.get(name, name))
            words.append(f"{label} : {_months(int(value))}")
        else:
            label = re.sub(r"^(?:vos|votre|la|le|les|l')\s*", "", QUESTION_LABELS.get(name, name))
            words.append(f"{label} : {fmt_value(name, value)}")
    return words


def noted(facts: dict[str, Any], *, commune_name: str | None = None, text_channel: bool = False) -> Reply | None:
    """"Je note : CDI depuis 6 ans, Arras, 41 ans, projet : devenir infirmière." with a way to correct."""
    words = fact_words(facts, commune_name)
    if not words:
        return None
    m = messages()["noted"]
    joiner = m.get("joiner", ", ")  # easy-to-read mode: one fact a line
    text = m["text"].format(facts=joiner.join(words))
    if text_channel:
        text += ("\n" if "\n" in joiner else " ") + m["text_channel"]
    return Reply(text, (Button(**m["button"]),))


def conflict_question(field: str, old: Any, new: Any) -> Reply:
    """Two values of one fact that change the answer: both stated, the person chooses (buttons answer it)."""
    m = messages()["conflict"]
    old_words, new_words = fmt_value(field, old), fmt_value(field, new)
    return Reply(m["text"].format(old=old_words, new=new_words),
                 (Button(m["keep"], answer_text(field, old)), Button(m["take"], answer_text(field, new))))


def answer_text(field: str, value: Any) -> str:
    """A value written as a person would answer the question of `field` (a button sends it as text)."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return fmt_value(field, value).replace("\u00a0", " ")


def _age_refs(rule: Any) -> set[str]:
    """Refs of the conditions of a rule that test the age."""
    refs: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("field") == "age" and node.get("ref"):
                refs.add(str(node["ref"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(rule.raw.get("eligibility"))
    return refs


def answer_question(result: dict[str, Any], rule: Any, topics: list[str] | tuple[str, ...] = ()) -> Reply:
    """The question asked about one scheme, answered in 1–3 sentences from the rules and what is known."""
    m = messages()["answer"]
    found = _find(result, rule.id)
    full_title = plain(rule.short_title or rule.title)
    sentences: list[str] = []
    named: list[bool] = []

    def name() -> str:
        """The scheme's name the first time, then "ce dispositif" ("cette aide" in easy-to-read mode)."""
        again = bool(named)
        named.append(True)
        return m["again"] if again else full_title

    if "age_limit" in topics:
        refs = _age_refs(rule)
        texts = _readable(c["text"] for c in (found[1].get("conditions", []) if found else []) if c.get("ref") in refs)
        sentences.append(texts[0] if texts else m["no_age_limit"].format(title=name()))
    if "pay" in topics:
        sentences.append(m["pay"].format(title=name(), provides=plain(rule.provides)))
    if found is None:
        sentences.append(m["unknown"].format(title=name(), summary=plain(rule.summary)))
    else:
        where, item = found
        specific = bool(sentences)
        if where == "recommended":
            why = _short_why(item)
            sentences.append(m["eligible"].format(title=name(), why="" if why in sentences else why).strip())
        elif where == "other_options":
            sentences.append(m["other"].format(title=name()))
        elif where == "not_eligible":
            failing = _readable(c["text"] for c in item.get("conditions", []) if c.get("ok") is False) \
                or _readable(item["why"][:1])
            text = m["not_eligible"].format(title=name(), why=failing[0] if failing else "")
            if item.get("eligible_in_months"):
                text += " " + messages()["why_not"]["when"].format(months=item["eligible_in_months"])
            sentences.append(text)
        elif item.get("missing") and specific and set(item["missing"]) <= {"goal"}:
            pass  # the question asked is answered; the goal comes with the next question
        elif item.get("missing"):
            unknown = _readable(c["text"] for c in item.get("conditions", []) if c.get("ok") is None)
            missing = ", ".join(label(f) for f in item["missing"][:2])
            sentences.append(m["depends"].format(title=name(), missing=missing,
                                                 why=unknown[0] if unknown else next(iter(_readable(item["why"])), "")))
        else:
            sentences.append(m["verify"].format(title=name(), why=next(iter(_readable(item.get("why", []))), "")))
    unique: list[str] = []
    for sentence in sentences:
        sentence = sentence[:1].upper() + sentence[1:]
        if sentence and sentence not in unique:
            unique.append(sentence)
    return Reply(" ".join(unique[:3]))


def need_sentence(needs: list[str] | tuple[str, ...]) -> Reply:
    """One plain sentence on RQTH for a disability or sensory cue."""
    m = messages()["need"]
    return Reply(m["rqth"] + (" " + m["deaf"] if "deaf" in needs else ""))


def _first_sentence(text: str, limit: int) -> str:
    """The first sentence of a step, cut to `limit` characters at a word, then its link (never cut)."""
    url = next((w for w in text.split() if w.startswith("http")), "")
    head = text.replace(url, "").split(". ")[0].strip().rstrip(".")
    room = max(20, limit - (len(url) + 1 if url else 0))
    if len(head) > room:
        head = head[:room].rsplit(" ", 1)[0].rstrip(" ,;:(") + "…"
    else:
        head += "."
    return f"{head} {url}" if url else head


def plan_steps(result: dict[str, Any], limit: int = 3) -> list[dict[str, Any]]:
    """The first steps in order: who to see first, what to ask for, then the next most useful."""
    recommended = result.get("recommended", [])
    steps: list[dict[str, Any]] = []
    for group in ("who_to_see", "how_to_fund", "contracts", "aids"):
        item = next((i for i in recommended if i.get("group") == group), None)
        if item is not None:
            steps.append(item)
    for item in recommended:
        if len(steps) >= limit:
            break
        if item not in steps:
            steps.append(item)
    return steps[:limit]


def all_ids(result: dict[str, Any]) -> list[str]:
    """The recommended ids in the order the details show them (slot `recommendations`)."""
    return [i["id"] for g in GROUP_ORDER for i in result.get("recommended", []) if i.get("group") == g]


def _follow_up_buttons(result: dict[str, Any], short_titles: dict[str, str] | None, *, all_button: bool
                       ) -> list[Button]:
    m = messages()["results"]
    buttons: list[Button] = []
    if all_button:
        buttons.append(Button(m["buttons"]["all"]["title"].format(n=len(result.get("recommended", []))),
                              m["buttons"]["all"]["payload"]))
    buttons += [Button(**m["buttons"]["nearby"]), Button(**m["buttons"]["trainings"])]
    why_not = _best_why_not(result)
    if why_not:
        short = (short_titles or {}).get(why_not["id"], why_not["title"])
        buttons.append(Button(m["buttons"]["why_not"]["title"].format(short=short),
                              m["buttons"]["why_not"]["payload"].format(id=why_not["id"])))
    buttons += [Button(**m["buttons"][key]) for key in ("summary", "share", "callback", "restart")]
    return buttons


#: The least room a step of the plan keeps when "Ce qu'il faut préparer" takes a line.
PLAN_STEP_MIN_ROOM = 130


def prepare_line(steps: list[dict[str, Any]], short_titles: dict[str, str] | None = None) -> str | None:
    """"Ce qu'il faut préparer" for the first step that says what to bring (one line), or None."""
    item = next((i for i in steps if i.get("bring")), None)
    if item is None:
        return None
    title = (short_titles or {}).get(item["id"], item["title"])
    return messages()["prepare"]["plan"].format(title=title, items=", ".join(item["bring"]))


def present_plan(result: dict[str, Any], *, short_titles: dict[str, str] | None = None,
                 text_channel: bool = False, said: set[str] | None = None, extra_step: str | None = None) -> Reply:
    """The results as a plan: the first two or three steps in order (≤ 700 characters), then "Voir tout"."""
    m = messages()["results"]
    recommended = result.get("recommended", [])
    if not recommended:
        return Reply(m["none"], tuple(_follow_up_buttons(result, short_titles, all_button=False)))
    as_of = date.fromisoformat(result["as_of"])
    intro = m["plan_intro"].format(date=fr_date(as_of))
    outro = m["plan_outro_text"] if text_channel else m["plan_outro"]
    outro = outro.format(n=len(recommended))
    steps = plan_steps(result)
    said = said if said is not None else set()
    budget = PLAN_MAX_CHARS - len(intro) - len(outro) - 2
    bring = prepare_line(steps, short_titles)
    longest = len(plain_words(bring, set(said))) if bring else 0  # with every acronym explained
    if bring and (budget - longest - 1) // len(steps) < PLAN_STEP_MIN_ROOM:
        bring = None  # no room on a phone screen: "Voir tout" says what to bring
    if bring:
        budget -= longest + 1
    lines: list[str] = []
    for n, item in enumerate(steps, start=1):
        title = plain_words((short_titles or {}).get(item["id"], item["title"]), said)
        room = budget // len(steps) - len(title) - 8
        step = m["plan_step"].format(n=n, title=title, step=_first_sentence(item["next_step"], room))
        grown = len(plain_words(step, set(said))) - len(step)  # an acronym explained in the step takes room too
        if grown > 0:
            step = m["plan_step"].format(n=n, title=title, step=_first_sentence(item["next_step"], room - grown))
        lines.append(plain_words(step, said))  # explained here, so the 700 characters hold once sent
    if extra_step:
        lines.append(m["plan_step"].format(n=len(lines) + 1, title=extra_step, step=m["plan_need_step"]))
    if bring:
        bring = plain_words(bring, said)  # after the steps: an acronym is explained at its first mention
        if len("\n".join([intro, *lines, bring, outro])) <= PLAN_MAX_CHARS:
            lines.append(bring)  # what to bring to the first appointment, when it fits the phone screen
    text = "\n".join([intro, *lines, outro])
    while len(text) > PLAN_MAX_CHARS and len(lines) > 1:  # never longer than a phone screen
        lines.pop()
        text = "\n".join([intro, *lines, outro])
    return Reply(text, tuple(_follow_up_buttons(result, short_titles, all_button=True)))


def what_changed(before_ids: list[str], result: dict[str, Any], *, text_channel: bool = False) -> Reply:
    """After the results, a new fact: what is new, what is gone, how many stay — in one line."""
    m = messages()["changed"]
    titles = {i["id"]: i["title"] for i in result.get("recommended", [])}
    after = all_ids(result)
    new = [titles[i] for i in after if i not in before_ids]
    gone = [i for i in before_ids if i not in after]
    kept = [i for i in after if i in before_ids]
    parts: list[str] = []
    if new:
        parts.append(m["new"].format(items=", ".join(new)))
    if gone:
        from bot.eligibility.rules import load_rules

        rules = load_rules()
        parts.append(m["gone"].format(items=", ".join(rules[i].title if i in rules else i for i in gone)))
    parts.append(m["same"].format(n=len(kept)) if (new or gone) else m["nothing"])
    text = m["intro"] + " " + " ; ".join(parts) + "."
    if text_channel:
        text += " " + messages()["results"]["all_text"]
    all_button = Button(messages()["results"]["buttons"]["all"]["title"].format(n=len(after)),
                        messages()["results"]["buttons"]["all"]["payload"])
    return Reply(text, (all_button,))


@lru_cache(maxsize=1)
def glossary() -> dict[str, dict[str, Any]]:
    """Every acronym and legal term the assistant uses, with its plain definition (glossary.yml)."""
    data = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))
    return {str(term): {"aliases": [], "inline": "always", **entry} for term, entry in data.items()}


def _term_pattern(term: str) -> re.Pattern[str]:
    """An acronym matches as written ("ARE", never "are"); a word or a name in any case."""
    flags = 0 if term.isupper() or any(ch.isdigit() for ch in term) else re.IGNORECASE
    return re.compile(r"(?<![\w/.@-])" + re.escape(term) + r"(?![\w-])", flags)


@lru_cache(maxsize=1)
def _term_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((term, _term_pattern(term)) for term in glossary())


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    """Folded spelling (term, alias) → glossary term."""
    from bot.text import fold

    out: dict[str, str] = {}
    for term, entry in glossary().items():
        for name in (term, *entry["aliases"]):
            out[" ".join(re.sub(r"[^a-z0-9]+", " ", fold(str(name))).split())] = term
    return out


def terms_in(text: str) -> list[str]:
    """The glossary terms a message names ("c'est quoi Qualiopi ?" → ["Qualiopi"]), longest spelling first."""
    from bot.text import fold

    folded = " " + " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text or "")).split()) + " "
    found: list[str] = []
    for name in sorted(_lookup(), key=len, reverse=True):
        if f" {name} " in folded and _lookup()[name] not in found:
            found.append(_lookup()[name])
            folded = folded.replace(f" {name} ", " ")
    return found


def define(term: str) -> Reply:
    """The answer to "c'est quoi X ?" for a glossary term (the same plain sentence in both modes)."""
    return Reply(messages()["glossary"]["answer"].format(definition=glossary()[term]["definition"]))


def plain_words(text: str, said: set[str]) -> str:
    """The first mention of a glossary term in a conversation says what it is ("CPF (compte personnel de formation)").

    `said` holds the keys already explained ("acronym:CPF"); it is updated in place. In the easy-to-read
    mode every acronym is explained (`inline: easy` too); names known to everyone are not (`inline: never`).
    """
    wanted = ("always", "easy") if easy() else ("always",)
    for term, pattern in _term_patterns():
        entry = glossary()[term]
        key = f"acronym:{term}"
        if key in said or entry["inline"] not in wanted:
            continue
        match = pattern.search(text)
        if match is None:
            continue
        said.add(key)
        if text[match.end():match.end() + 1] == ")" or text[match.end():match.end() + 2] == " (":
            continue  # "(RQTH)" or "AIF (aide…)": the words around already say it
        meaning = str(entry["short"])
        around = text[max(0, match.start() - 80):match.end() + 80].lower()
        if meaning.split(",")[0].lower() in around:
            continue  # already explained in the sentence ("… handicapé (RQTH)")
        text = text[:match.end()] + f" ({meaning})" + text[match.end():]
    return text
