"""`evaluate(profile, as_of)`: every dispositif judged against a profile, explained in French.

Pure and deterministic: the same profile and date always give the same document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from bot.eligibility.conditions import Context, Line, Outcome, Tri
from bot.eligibility.falc import plain
from bot.eligibility.fields import ASK_ORDER, GOAL_LABELS, WHO_KNOWS
from bot.eligibility.profile import Normalised, normalise
from bot.eligibility.rules import Rule, contract_ids, load_rules

_MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
              "octobre", "novembre", "décembre"]


def fr_date(d: date) -> str:
    """1er janvier 2026."""
    return f"{'1er' if d.day == 1 else d.day} {_MONTHS_FR[d.month - 1]} {d.year}"


def aupres_de(who: str) -> str:
    """ "auprès du CFA", "auprès des Missions locales", "auprès de la Région" (French contractions)."""
    if who.startswith("le "):
        return "auprès du " + who[3:]
    if who.startswith("les "):
        return "auprès des " + who[4:]
    return "auprès de " + who


def _dedupe(lines: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for line in lines:
        if line and line not in seen:
            seen.add(line)
            out.append(line)
    return out


class _Evaluation:
    """One evaluation: memoises eligibility outcomes so `eligible:` conditions are cheap."""

    def __init__(self, norm: Normalised, as_of: date, rules: dict[str, Rule]) -> None:
        self.norm = norm
        self.as_of = as_of
        self.rules = rules
        self._memo: dict[str, Outcome] = {}
        self._stack: set[str] = set()
        self._contexts: dict[str, Context] = {}

    def context(self, rule: Rule) -> Context:
        ctx = self._contexts.get(rule.id)
        if ctx is None:
            ctx = self._contexts[rule.id] = Context(
                profile=self.norm.facts, bounds=self.norm.bounds, as_of=self.as_of, params=rule.params_at(self.as_of),
                place=self.norm.place, place_status=self.norm.place_status, eligible=self.eligibility,
                upper=self.norm.upper)
        return ctx

    def eligibility(self, rule_id: str) -> Outcome:
        if rule_id in self._memo:
            return self._memo[rule_id]
        if rule_id in self._stack:
            raise RuntimeError(f"cycle in 'eligible' conditions at {rule_id}")
        rule = self.rules[rule_id]
        self._stack.add(rule_id)
        try:
            if not rule.in_force(self.as_of):
                out = Outcome(Tri.FALSE, [Line(None, False, _not_in_force_sentence(rule, self.as_of, self.rules))])
            else:
                out = rule.eligibility.evaluate(self.context(rule))
        finally:
            self._stack.discard(rule_id)
        self._memo[rule_id] = out
        return out

    def relevance(self, rule: Rule) -> Outcome:
        if rule.relevance is None:
            return Outcome(Tri.TRUE)
        return rule.relevance.evaluate(self.context(rule))

    def notes(self, rule: Rule) -> list[str]:
        ctx = self.context(rule)
        out = []
        for when, unless, text in rule.notes:
            if when is not None and when.evaluate(ctx).value is not Tri.TRUE:
                continue
            if unless is not None and unless.evaluate(ctx).value is Tri.TRUE:
                continue
            out.append(plain(text).format_map(_SafeParams(ctx.params)))
        return out


class _SafeParams(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _not_in_force_sentence(rule: Rule, as_of: date, rules: dict[str, Rule]) -> str:
    name = rule.short_title or rule.title
    if rule.valid_until and as_of >= rule.valid_until:
        name = re.sub(r"\s*\([^)]*\)", "", name)  # "Pro-A (reconversion ou …)": the plain name is enough here
        text = f"{name} : ce dispositif a été supprimé le {fr_date(rule.valid_until)}."
        if rule.replaced_by and rule.replaced_by in rules:
            repl = rules[rule.replaced_by]
            text += f" À la place, il y a : {repl.short_title or repl.title}."
        return text
    assert rule.valid_from
    return f"{name} : ce dispositif n'existe qu'à partir du {fr_date(rule.valid_from)}."


def _next_step(rule: Rule) -> str:
    text = plain(rule.first_step["text"].strip())
    url = rule.first_step.get("url")
    if url and url not in text:
        text = f"{text} {url}"
    return text


def _sources(rule: Rule) -> list[dict[str, str]]:
    out = []
    for s in rule.sources:
        item = {"title": s["title"], "url": s["url"]}
        if s.get("article"):
            item["article"] = s["article"]
        out.append(item)
    return out


def _conditions(lines: list[Line]) -> list[dict[str, Any]]:
    return [{"ref": ln.ref, "ok": ln.ok, "text": ln.text} for ln in lines]


def evaluate(profile: dict[str, Any], as_of: date | None = None, *, skip_fields: Iterable[str] = (),
             rules: dict[str, Rule] | None = None) -> dict[str, Any]:
    """Judge every dispositif for `profile` on `as_of` (default: today).

    Returns the contract's recommendation document plus `other_options` (eligible or undecided but
    outside the person's goal), `warnings` (contradictions) and, per item, `group`, `conditions`.
    `skip_fields` are fields the person said they don't know: never proposed as questions again.
    """
    as_of = as_of or date.today()
    skip_fields = set(skip_fields)
    rules = rules or load_rules()
    norm = normalise(profile, as_of)
    ev = _Evaluation(norm, as_of, rules)
    goal = norm.facts.get("goal")
    order = {d["id"]: i for i, d in enumerate(contract_ids())}

    recommended: list[tuple[Rule, dict[str, Any]]] = []
    to_check: list[tuple[Rule, dict[str, Any]]] = []
    not_eligible: list[tuple[Rule, dict[str, Any]]] = []
    other: list[tuple[Rule, dict[str, Any]]] = []
    scores: dict[str, float] = {}

    def add_score(fields: Iterable[str], weight: float) -> None:
        for f in fields:
            f = "commune" if f == "code_insee" else f
            scores[f] = scores.get(f, 0) + weight

    for rule in sorted(rules.values(), key=lambda r: order.get(r.id, 999)):
        base = {"id": rule.id, "title": plain(rule.title), "group": rule.group, "kind": rule.kind,
                "sources": _sources(rule), "next_step": _next_step(rule), "bring": list(rule.first_step.get("bring", []))}
        if not rule.in_force(as_of):
            sentence = _not_in_force_sentence(rule, as_of, rules)
            not_eligible.append((rule, {**base, "why": [sentence], "eligible_in_months": None, "ended": True,
                                        "conditions": [{"ref": None, "ok": False, "text": sentence}]}))
            continue
        elig = ev.eligibility(rule.id)
        rel = ev.relevance(rule)
        unverified = [plain(f"À vérifier {aupres_de(u['check_with'])} : {u['fact']}") for u in rule.unverified]
        notes = ev.notes(rule)
        elig_lines = [ln.text for ln in elig.lines]
        rel_lines = [ln.text for ln in rel.lines]
        conditions = _conditions(elig.lines + rel.lines)

        # how much settling this item is worth when choosing the next question
        worth = rule.weight(goal) / 100 * (0.3 if rule.verification else 1.0)
        if elig.value is Tri.FALSE:
            not_eligible.append((rule, {**base, "why": _dedupe(elig_lines), "eligible_in_months": elig.months,
                                        "could_change": sorted(elig.could_change), "conditions": conditions}))
            if rel.value is not Tri.FALSE:
                add_score(elig.could_change, 0.5 * worth)
            continue
        if rel.value is Tri.FALSE:
            other.append((rule, {**base, "eligible": True if elig.value is Tri.TRUE else None,
                                 "why": _dedupe(rel_lines + elig_lines), "missing": sorted(elig.missing),
                                 "conditions": conditions}))
            continue
        missing = set(elig.missing) | (set(rel.missing) if rel.value is Tri.UNKNOWN else set())
        if elig.value is Tri.TRUE and rel.value is Tri.TRUE:
            if rule.verification:
                reason = plain(f"{rule.verification['reason']} À vérifier {aupres_de(rule.verification['check_with'])}.")
                to_check.append((rule, {**base, "why": _dedupe([reason, *elig_lines, *rel_lines, *notes]),
                                        "missing": [], "conditions": conditions}))
            else:
                recommended.append((rule, {**base, "why": _dedupe(elig_lines + rel_lines + notes + unverified),
                                           "conditions": conditions}))
            continue
        # undecided: unknown lines first
        lines = [ln for ln in elig.lines + rel.lines if ln.ok is None] + \
                [ln for ln in elig.lines + rel.lines if ln.ok is not None]
        why = [ln.text for ln in lines]
        for name in sorted(missing & set(skip_fields)):  # the person said they don't know
            if name in WHO_KNOWS:
                why.append(plain(WHO_KNOWS[name]))
        if rule.verification:
            why.insert(0, plain(f"{rule.verification['reason']} À vérifier {aupres_de(rule.verification['check_with'])}."))
        to_check.append((rule, {**base, "why": _dedupe(why + notes + unverified), "missing": sorted(missing),
                                "conditions": conditions}))
        # a field that only an exception would settle (RQTH, RSA, lay-off…) is rarer: it weighs half
        waivers = set(elig.waivers) | (set(rel.waivers) if rel.value is Tri.UNKNOWN else set())
        add_score(missing - waivers, worth)
        add_score(missing & waivers, 0.5 * worth)
        add_score(set(elig.could_change) - missing, 0.5 * worth)

    def ranked(items: list[tuple[Rule, dict[str, Any]]]) -> list[dict[str, Any]]:
        return [item for _, item in sorted(items, key=lambda ri: (-ri[0].weight(goal), order.get(ri[0].id, 999)))]

    skip = set(skip_fields)
    known = set(norm.facts)
    if norm.place_status == "unresolved":
        known.discard("commune")  # it was given but could not be resolved: ask again
    ranked_fields = [(f, round(score, 3)) for f, score in sorted(scores.items(), key=lambda kv: (-kv[1], _ask_rank(kv[0])))
                     if f not in skip and f not in known and f != "code_insee"]
    questions = [f for f, _ in ranked_fields]

    return {
        "as_of": as_of.isoformat(),
        "profile": dict(norm.facts),
        "recommended": ranked(recommended),
        "to_check": ranked(to_check),
        "not_eligible": [item for _, item in not_eligible],
        "other_options": ranked(other),
        "questions": questions,
        "question_scores": dict(ranked_fields),
        "warnings": list(norm.warnings),
        "implied": dict(norm.implied),
        "goal_label": GOAL_LABELS.get(goal) if goal else None,
    }


def _ask_rank(name: str) -> int:
    return ASK_ORDER.index(name) if name in ASK_ORDER else len(ASK_ORDER)
