"""What the assistant says, built from the engine's results. Pure functions, no Rasa.

The Rasa actions (actions/) call these and send the replies; tests call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.eligibility.fields import GOAL_LABELS, fmt_value
from bot.eligibility.render import GROUP_ORDER, QUESTION_LABELS, profile_lines

MESSAGES_FILE = Path(__file__).resolve().parent / "messages.yml"

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
                 "sick_leave_months_last_24", "unpaid_or_sabbatical_leave_last_60m",
                 "months_worked_last_60", "public_service_months", "registered_months_last_18")
#: A "no" to the first question answers the second too (the RQTH question also asks about a pending request).
NO_ALSO_ANSWERS = {"rqth": "rqth_pending"}

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


@lru_cache(maxsize=1)
def messages() -> dict[str, Any]:
    """The French message catalogue."""
    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


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
    """The profile held in conversation slots (only contract fields, only set values)."""
    return {k: slots[k] for k in PROFILE_FIELDS if slots.get(k) is not None}


# ---------------------------------------------------------------------------------------------
# Results


def _short_why(item: dict[str, Any]) -> str:
    """The most telling reason: a condition with the person's figures, else an amount, else the first."""
    met = [str(c["text"]) for c in item.get("conditions", []) if c.get("ok") is True and c.get("ref") != "objectif"]
    with_figures = [t for t in met if any(ch.isdigit() for ch in t)]
    if with_figures:
        return with_figures[0]
    condition_texts = {str(c["text"]) for c in item.get("conditions", [])}
    notes = [w for w in item.get("why", []) if w not in condition_texts and "€" in w]
    if notes:
        return notes[0]
    return met[0] if met else (item["why"][0] if item.get("why") else "")


def present_results(result: dict[str, Any], *, short_titles: dict[str, str] | None = None
                    ) -> tuple[list[Reply], list[str]]:
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
            if not items:
                continue
            lines = [f"{m['group_titles'][group]} :"]
            for item in items:
                lines.append(m["item"].format(title=item["title"], why=_short_why(item), next_step=item["next_step"]))
                shown.append(item["id"])
            replies.append(Reply("\n".join(lines)))
    to_check = [i for i in result.get("to_check", []) if not i.get("missing")][:3]
    if to_check:
        lines = [m["to_check_intro"]] + [m["to_check_item"].format(title=i["title"], why=i["why"][0])
                                         for i in to_check]
        replies.append(Reply("\n".join(lines)))
    buttons = [Button(**m["buttons"]["nearby"]), Button(**m["buttons"]["trainings"])]
    why_not = _best_why_not(result)
    if why_not:
        short = (short_titles or {}).get(why_not["id"], why_not["title"])
        buttons.append(Button(m["buttons"]["why_not"]["title"].format(short=short),
                              m["buttons"]["why_not"]["payload"].format(id=why_not["id"])))
    buttons += [Button(**m["buttons"]["summary"]), Button(**m["buttons"]["restart"])]
    replies.append(Reply(m["follow_up"], tuple(buttons)))
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
    title = rule.short_title or rule.title
    if rule.valid_until and as_of >= rule.valid_until:
        repl = rules.get(rule.replaced_by) if rule.replaced_by else None
        return Reply(m["ended"].format(title=title, summary=rule.summary, date=fr_date(rule.valid_until),
                                       replacement=(repl.short_title or repl.title) if repl else "rien", url=url))
    return Reply(m["active"].format(title=title, summary=rule.summary, provides=rule.provides, url=url))


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
        failing = [c["text"] for c in item.get("conditions", []) if c.get("ok") is False] or item["why"][:2]
        text = m["not_eligible"].format(title=item["title"], reasons="\n".join(f"• {r}" for r in failing[:3]))
        if item.get("eligible_in_months"):
            text += "\n" + m["when"].format(months=item["eligible_in_months"])
        return Reply(text)
    if where == "to_check":
        reasons = "\n".join(f"• {r}" for r in item["why"][:2])
        if not item.get("missing"):
            return Reply(m["verification"].format(title=item["title"], reasons=reasons))
        missing = ", ".join(QUESTION_LABELS.get(f, f) for f in item["missing"])
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
        text += "\n" + m["unknown"].format(fields=", ".join(QUESTION_LABELS.get(f, f) for f in unknown))
    return Reply(text + "\n" + m["outro"])
