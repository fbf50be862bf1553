"""Every sentence a rule can say, rendered in every outcome with realistic values: no `{…}` left, no bad
French contraction; every scheme with an exception branch asks the question that settles it; the new contract
fields are used where the reference says.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from bot.eligibility.conditions import (
    AnyNode,
    CheckLeaf,
    ConstLeaf,
    Context,
    DateLeaf,
    EligibleLeaf,
    EpciLeaf,
    InLeaf,
    IsLeaf,
    Leaf,
    MaxLeaf,
    MinLeaf,
    Node,
    Outcome,
    RangeLeaf,
    RegionLeaf,
    SwitchNode,
    Tri,
)
from bot.eligibility.engine import evaluate
from bot.eligibility.fields import FIELDS
from bot.eligibility.profile import profile_schema
from bot.eligibility.rules import load_rules
from tests.bot.eligibility.test_rule_files import walk
from tests.conftest import shared_path

AS_OF = date(2026, 3, 15)
#: a leftover placeholder, or an article not contracted ("auprès de le CFA"); "avant de le recruter" is right
BAD = re.compile(r"[{}]|(?<![a-zà-ÿ])(?:de|à) les? (?![a-zà-ÿ]+(?:er|ir|re)\b)", re.IGNORECASE)


def _trees(rule) -> list[Node]:
    trees = [rule.eligibility] + ([rule.relevance] if rule.relevance else [])
    for when, unless, _ in rule.notes:
        trees += [t for t in (when, unless) if t is not None]
    return trees


def _thresholds(leaf: Leaf) -> list[Any]:
    if isinstance(leaf, MinLeaf):
        return [leaf.minimum - 1, leaf.minimum, leaf.minimum + 12]
    if isinstance(leaf, MaxLeaf):
        return [leaf.maximum - 0.5, leaf.maximum, leaf.maximum + 1]
    if isinstance(leaf, RangeLeaf):
        return [v for v in (leaf.minimum, leaf.maximum) if v is not None] + \
            [v + d for v in (leaf.minimum, leaf.maximum) if v is not None for d in (-1, 1)]
    if isinstance(leaf, InLeaf):
        return list(leaf.values)
    if isinstance(leaf, IsLeaf):
        return [leaf.expected]
    return []


def _values(field: str, leaf: Leaf) -> list[Any]:
    """Realistic values for `field`: its enum / booleans, the leaf's thresholds and a few everyday figures."""
    spec = profile_schema()["properties"].get(field, {})
    if "enum" in spec:
        return list(spec["enum"])
    if spec.get("type") == "boolean":
        return [True, False]
    if spec.get("type") in ("integer", "number"):
        out = {0, 1, 6, 12, 24, 36, 60, 120, *(_thresholds(leaf))}
        lo, hi = spec.get("minimum", 0), spec.get("maximum", 10_000)
        return sorted(v for v in out if lo <= v <= hi and (spec["type"] == "number" or float(v).is_integer()))
    return ["aide-soignante", "data / IA", "plomberie", "Lille"]


def _ctx(rule, profile: dict, *, bounds=None, upper=None, place=None, eligible: Outcome | None = None,
         as_of: date = AS_OF) -> Context:
    return Context(profile=profile, bounds=bounds or {}, upper=upper or {}, as_of=as_of, params=rule.params_at(as_of),
                   place=place, place_status="found" if place else "missing",
                   eligible=lambda _rid: eligible or Outcome(Tri.UNKNOWN))


PLACES = [None, {"region": "32", "epci": "245900410", "nom": "Lille"}, {"region": "11", "epci": "200054781",
                                                                        "nom": "Paris"}]
OUTCOMES = [Outcome(Tri.TRUE), Outcome(Tri.FALSE), Outcome(Tri.UNKNOWN)]


def _renders(rule, node: Node) -> list[str]:
    """Every sentence `node` can say (leaves in every outcome; switches on a value outside their cases)."""
    texts: list[str] = []

    def run(ctx: Context) -> None:
        texts.extend(line.text for line in node.evaluate(ctx).lines)

    if isinstance(node, SwitchNode):
        run(_ctx(rule, {}))
        for value in profile_schema()["properties"][node.field_name].get("enum", []):
            run(_ctx(rule, {node.field_name: value}))
        return texts
    if isinstance(node, (RegionLeaf, EpciLeaf)):
        for place in PLACES:
            run(_ctx(rule, {}, place=place))
        return texts
    if isinstance(node, DateLeaf):
        for as_of in (date(2019, 1, 1), date(2035, 1, 1)):
            run(_ctx(rule, {}, as_of=as_of))
        return texts
    if isinstance(node, EligibleLeaf):
        for outcome in OUTCOMES:
            run(_ctx(rule, {}, eligible=outcome))
        return texts
    if isinstance(node, (ConstLeaf, CheckLeaf)) or not isinstance(node, Leaf) or not node.field_name:
        run(_ctx(rule, {}))
        return texts
    run(_ctx(rule, {}))
    for value in _values(node.field_name, node):
        run(_ctx(rule, {node.field_name: value}))
        if isinstance(node, MinLeaf) and node.minus:
            run(_ctx(rule, {node.field_name: value, node.minus: 3}))
    if isinstance(node, MinLeaf):
        run(_ctx(rule, {}, bounds={node.field_name: node.minimum}))
        run(_ctx(rule, {}, upper={node.field_name: node.minimum - 1}))
    return texts


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".*".join(re.escape(p) for p in parts), re.DOTALL)


CASES = [(rule.id, i, node) for rule in load_rules().values() for t in _trees(rule)
         for i, node in enumerate(walk(t)) if isinstance(node, (Leaf, SwitchNode))]


@pytest.mark.parametrize(("rule_id", "index", "node"), CASES, ids=[f"{r}-{i}" for r, i, _ in CASES])
def test_every_text_renders_without_placeholder_or_bad_contraction(rule_id, index, node):
    rule = load_rules()[rule_id]
    rendered = _renders(rule, node)
    assert rendered, (rule_id, index)
    for text in rendered:
        assert not BAD.search(text), (rule_id, node.ref, text)
    for key, template in getattr(node, "texts", {}).items():
        if key == "text_assumed" and getattr(node, "when_missing", None) is None and not isinstance(node, RegionLeaf):
            continue  # never said: the field is not assumed
        assert any(_pattern(template).fullmatch(t) for t in rendered), (rule_id, node.ref, key, template)


def test_every_note_first_step_and_verification_is_clean():
    for rule in load_rules().values():
        texts = [rule.summary, rule.provides, rule.first_step["text"]] + [n[2] for n in rule.notes]
        if rule.verification:
            texts.append(rule.verification["reason"])
        for text in texts:
            rendered = text.format_map(rule.params_at(AS_OF)) if "{" in text else text
            assert not BAD.search(rendered), (rule.id, rendered)


PROFILES = [
    {},
    {"status": "salarie_prive", "contract": "cdi", "seniority_months_company": 36, "commune": "Lille"},
    {"status": "agent_public", "contract": "fonctionnaire", "seniority_months_company": 3, "age": 40},
    {"status": "independant", "diploma_level": 0, "rqth": True, "goal": "create_business", "commune": "Dunkerque"},
    {"status": "demandeur_emploi", "registered_france_travail": True, "age": 45, "goal": "create_business",
     "commune": "Grande-Synthe"},
    {"status": "jeune_neet", "age": 15, "goal": "get_qualification", "commune": "Lens"},
    {"status": "salarie_prive", "contract": "cdd", "seniority_months_company": 2, "part_time_hours_week": 20.5,
     "registered_france_travail": True, "goal": "validate_experience", "commune": "Arras"},
    {"status": "interimaire", "interim_hours_same_agency_18m": 700, "age": 32, "goal": "change_job",
     "commune": "Lyon"},
]


@pytest.mark.parametrize("profile", PROFILES)
def test_whole_results_are_clean(profile):
    result = evaluate(profile, AS_OF)
    for key in ("recommended", "to_check", "not_eligible", "other_options"):
        for item in result[key]:
            for text in item["why"] + [c["text"] for c in item["conditions"]] + [item["next_step"]]:
                assert not BAD.search(text), (item["id"], text)


# -- exceptions: unknown exception + failing main condition → to_check with the settling question ----------------

KNOWN = {"commune": "Lille", "rqth": False, "rqth_pending": False, "rsa": False, "sick_leave_months_last_24": 0,
         "laid_off_economic_or_unfit": False, "registered_france_travail": False, "diploma_level": 4,
         "business_in_qpv_or_zfrr": False, "part_time_hours_week": 35}
CDI_SHORT = {**KNOWN, "status": "salarie_prive", "contract": "cdi", "seniority_months_company": 6,
             "seniority_months_total": 6, "age": 40, "goal": "change_job"}


def _without(profile: dict, *fields: str) -> dict:
    return {k: v for k, v in profile.items() if k not in fields}


#: (rule, fields of the exception branch) → (profile where the main condition fails and the exception is unknown,
#: the field that settles it)
EXCEPTION_CASES: dict[tuple[str, tuple[str, ...]], tuple[dict, str]] = {
    ("ptp", ("rqth",)): (_without(CDI_SHORT, "rqth"), "rqth"),
    ("ptp", ("laid_off_economic_or_unfit",)): (_without(CDI_SHORT, "laid_off_economic_or_unfit"),
                                               "laid_off_economic_or_unfit"),
    ("ptp", ("sick_leave_cause", "sick_leave_months_last_24")): (_without(CDI_SHORT, "sick_leave_months_last_24"),
                                                                 "sick_leave_months_last_24"),
    ("apprentissage", ("rqth",)): (_without(CDI_SHORT, "rqth"), "rqth"),
    ("apprentissage", ("goal",)): (_without({**CDI_SHORT, "age": 40}, "goal"), "goal"),
    ("apprentissage", ("age", "seniority_months_company", "status")): (
        _without({**CDI_SHORT, "age": 32}, "seniority_months_company"), "seniority_months_company"),
    ("cej", ("age", "rqth")): (_without({**KNOWN, "status": "jeune_neet", "age": 27, "goal": "find_job"}, "rqth"),
                               "rqth"),
    ("contrat_pro", ("rsa",)): (_without({**CDI_SHORT, "age": 31, "goal": "find_job"}, "rsa"), "rsa"),
    ("acre", ("rsa",)): (_without({**CDI_SHORT, "age": 35, "goal": "create_business"}, "rsa"), "rsa"),
    ("acre", ("age", "rqth")): (_without({**CDI_SHORT, "age": 28, "goal": "create_business"}, "rqth"), "rqth"),
    ("cheque_pass_formation_hdf", ("part_time_hours_week",)): (
        _without({**CDI_SHORT, "goal": "get_qualification"}, "part_time_hours_week"), "part_time_hours_week"),
    ("cheque_pass_vae_hdf", ("part_time_hours_week",)): (
        _without({**CDI_SHORT, "registered_france_travail": True, "goal": "validate_experience"},
                 "part_time_hours_week"), "part_time_hours_week"),
    ("cap_emploi", ("rqth_pending",)): (_without(CDI_SHORT, "rqth_pending"), "rqth_pending"),
    ("agefiph", ("rqth_pending",)): (_without(CDI_SHORT, "rqth_pending"), "rqth_pending"),
}


def _exception_branches() -> set[tuple[str, tuple[str, ...]]]:
    out = set()
    for rule in load_rules().values():
        for node in walk(rule.eligibility):
            if isinstance(node, AnyNode):
                out |= {(rule.id, tuple(sorted(c.fields()))) for c in node.children if c.exception}
    return out


def test_every_exception_branch_has_a_case():
    assert _exception_branches() == set(EXCEPTION_CASES)


@pytest.mark.parametrize("key", sorted(EXCEPTION_CASES), ids=lambda k: f"{k[0]}-{'+'.join(k[1])}")
def test_unknown_exception_with_failing_main_condition_is_to_check_with_its_question(key):
    rule_id, _ = key
    profile, field = EXCEPTION_CASES[key]
    result = evaluate(profile, AS_OF)
    item = next(i for k in ("to_check", "not_eligible", "recommended", "other_options") for i in result[k]
                 if i["id"] == rule_id)
    assert item in result["to_check"], (rule_id, item["why"])
    assert field in item["missing"], (rule_id, item["missing"])
    assert field in result["questions"] or field == "goal" and "goal" in result["questions"]
    assert any(c["ok"] is False for c in item["conditions"]), rule_id  # the failing main condition is said


# -- the new contract fields, each used where the reference says ---------------------------------------------------

#: field → (rule using it, rule reference id, words of the reference line it implements)
NEW_FIELDS = {
    "months_worked_last_60": ("demission_reconversion", "DR-R2", "1 300 jours travaillés dans les 60 mois"),
    "public_service_months": ("cfp_fonction_publique", "CFP-R1", "3 ans à temps plein"),  # and CFP-R2: 36 mois
    "laid_off_economic_or_unfit": ("ptp", "PTP-R4", "licenciés pour motif économique ou pour inaptitude"),
    "rqth_pending": ("cap_emploi", "CEP-R4", "démarche de reconnaissance en cours"),
    "unemployment_benefit": ("acre", "ACRE-R1", "inscrits 6 mois au cours des 18 derniers mois"),
    "registered_months_last_18": ("acre", "ACRE-R1", "inscrits 6 mois au cours des 18 derniers mois"),
}


@pytest.mark.parametrize("field", sorted(NEW_FIELDS))
def test_new_field_implements_its_reference_line(field):
    rule_id, ref, words = NEW_FIELDS[field]
    reference = shared_path("reference", "dispositifs.md").read_text(encoding="utf-8")
    section = reference[reference.index("`cap_emploi`"):] if ref == "CEP-R4" else reference
    line = next(ln for ln in section.splitlines() if (f"`{ref}`" in ln or ref == "CEP-R4") and words in ln)
    assert "[V" in line  # a verified fact: it may decide a verdict
    assert field in FIELDS and field in profile_schema()["properties"]
    refs = {n.ref for n in walk(load_rules()[rule_id].eligibility) if isinstance(n, Leaf) and n.field_name == field}
    assert refs == ({"CFP-R1", "CFP-R2"} if field == "public_service_months" else {ref}), (field, refs)
