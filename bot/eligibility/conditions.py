"""The condition types of the rule files, each implemented once, with three-valued logic.

A rule's conditions form a tree of combinators (`all`, `any`, `switch`) over leaves (`in`, `is`,
`min`, `max`, `range`, `region`, `epci`, `matches`, `eligible`, `as_of_before`, `as_of_from`,
`ok`, `fail`, `check`). Evaluating a tree gives an `Outcome`: TRUE / FALSE / UNKNOWN, one French sentence
per condition checked, the fields whose value would settle an UNKNOWN (`missing`), the fields that
could still flip a FALSE through an exception (`could_change`), and, when time alone will fix a
FALSE, in how many months (`months`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from bot.eligibility.falc import plain
from bot.eligibility.fields import FIELDS, fmt_number, fmt_value, fmt_values
from bot.errors import RuleFileError
from bot.text import fold


class Tri(enum.Enum):
    """Three-valued truth."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


class Line(NamedTuple):
    """One explained condition."""

    ref: str | None
    ok: bool | None  # None = unknown
    text: str


@dataclass
class Outcome:
    """The result of evaluating a condition tree."""

    value: Tri
    lines: list[Line] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    could_change: set[str] = field(default_factory=set)
    months: int | None = None
    waivers: set[str] = field(default_factory=set)  # the part of `missing` that only an exception would settle


@dataclass
class Context:
    """What a condition can look at."""

    profile: Mapping[str, Any]
    bounds: Mapping[str, int]  # known lower bounds of unknown numeric fields
    as_of: date
    params: Mapping[str, Any]
    place: Mapping[str, Any] | None  # {"region": "32", "epci": "…", "nom": "Lille"} once resolved
    place_status: str  # "found" | "unresolved" | "missing"
    eligible: Callable[[str], Outcome]  # verdict of another rule (memoised by the engine)
    upper: Mapping[str, int] = field(default_factory=dict)  # known upper bounds of unknown numeric fields
    _base: dict[str, Any] | None = None

    def base_vars(self) -> dict[str, Any]:
        """Template values shared by every sentence of one rule (computed once)."""
        if self._base is None:
            self._base = {**self.params, "as_of": _fmt_date(self.as_of)}
        return self._base


class _Fmt(dict):
    """str.format_map helper that leaves unknown placeholders visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class _Vars(dict):
    """Per-sentence template values over the rule's shared ones (no copy of the shared dict)."""

    __slots__ = ("base",)

    def __init__(self, base: Mapping[str, Any]) -> None:
        super().__init__()
        self.base = base

    def __missing__(self, key: str) -> Any:
        value = self.base.get(key)
        return "{" + key + "}" if value is None else value


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _months_word(n: int) -> str:
    return "1 mois" if n == 1 else f"{fmt_number(n)} mois"


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9+]+", " ", fold(text)).strip()


def _fmt_date(d: date) -> str:
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {months[d.month - 1]} {d.year}"


class Node:
    """A compiled condition."""

    ref: str | None = None
    exception: bool = False

    def evaluate(self, ctx: Context) -> Outcome:  # pragma: no cover - abstract
        raise NotImplementedError

    def fields(self) -> set[str]:
        """Profile fields this condition reads (for checks and docs)."""
        return set()


# ---------------------------------------------------------------------------------------------
# Leaves


_LEAF_TEXT_KEYS = ("text_ok", "text_fail", "text_unknown", "text_assumed")


@dataclass
class Leaf(Node):
    """Common leaf behaviour: field lookup, templates, assumptions when the field is missing."""

    spec: dict[str, Any]
    field_name: str | None = None
    ref: str | None = None
    exception: bool = False
    label: str | None = None
    when_missing: bool | None = None
    texts: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        info = FIELDS.get(self.field_name or "")
        self._label_text = self.label or (info.label if info else (self.field_name or ""))
        self._label_cap = _cap(self._label_text)

    def fields(self) -> set[str]:
        return {self.field_name} if self.field_name else set()

    # -- helpers ------------------------------------------------------------------------------
    def _label(self) -> str:
        return self._label_text

    def _vars(self, ctx: Context, **extra: Any) -> dict[str, Any]:
        values = _Vars(ctx.base_vars())
        values["label"] = self._label_text
        values["Label"] = self._label_cap
        if self.field_name and "value" not in extra and self.field_name in ctx.profile:
            values["value"] = fmt_value(self.field_name, ctx.profile[self.field_name])
        values.update(extra)
        return values

    def _line(self, kind: str, default: str, ctx: Context, ok: bool | None, **extra: Any) -> Line:
        template = plain(self.texts.get(f"text_{kind}", default))
        return Line(self.ref, ok, template.format_map(self._vars(ctx, **extra)))

    def _missing_outcome(self, ctx: Context, need: str, **extra: Any) -> Outcome:
        """The field is unknown: assume when the rule says so, else UNKNOWN."""
        if self.when_missing is not None:
            ok = bool(self.when_missing)
            line = self._line("assumed", "{Label} : non précisé ; " + need + " (à vérifier).", ctx, ok, **extra)
            return Outcome(Tri.TRUE if ok else Tri.FALSE, [line])
        line = self._line("unknown", "{Label} : information manquante (" + need + ").", ctx, None, **extra)
        return Outcome(Tri.UNKNOWN, [line], missing={self.field_name} if self.field_name else set())

    def _result(self, ok: bool, ctx: Context, ok_text: str, fail_text: str, fix_months: int | None = None,
                **extra: Any) -> Outcome:
        if ok:
            return Outcome(Tri.TRUE, [self._line("ok", ok_text, ctx, True, **extra)])
        return Outcome(Tri.FALSE, [self._line("fail", fail_text, ctx, False, **extra)], months=fix_months)


@dataclass
class InLeaf(Leaf):
    """`field` value is one of `in` (or none of `not_in`)."""

    values: list[Any] = field(default_factory=list)
    negate: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        self._shown = fmt_values(self.field_name or "", self.values)
        self._requirement = ("ne pas être : " if self.negate else "requis : ") + self._shown

    def evaluate(self, ctx: Context) -> Outcome:
        assert self.field_name
        shown, requirement = self._shown, self._requirement
        if self.field_name not in ctx.profile:
            return self._missing_outcome(ctx, requirement, values=shown)
        hit = ctx.profile[self.field_name] in self.values
        ok = hit != self.negate
        return self._result(ok, ctx, "{Label} : {value} → condition remplie.",
                            "{Label} : {value} ; " + requirement + " → condition non remplie.", values=shown)


@dataclass
class IsLeaf(Leaf):
    """`field` equals `is` (booleans mostly)."""

    expected: Any = None

    def evaluate(self, ctx: Context) -> Outcome:
        assert self.field_name
        shown = fmt_value(self.field_name, self.expected)
        if self.field_name not in ctx.profile:
            return self._missing_outcome(ctx, f"requis : {shown}", expected=shown)
        ok = ctx.profile[self.field_name] == self.expected
        return self._result(ok, ctx, "{Label} : {value} → condition remplie.",
                            "{Label} : {value} (requis : {expected}) → condition non remplie.", expected=shown)


@dataclass
class MinLeaf(Leaf):
    """`field` (minus `minus` when given) is at least `min`; `grows` if time raises it month by month."""

    minimum: float = 0
    minus: str | None = None
    grows: bool = False

    def fields(self) -> set[str]:
        return {f for f in (self.field_name, self.minus) if f}

    def evaluate(self, ctx: Context) -> Outcome:
        assert self.field_name
        req = fmt_value(self.field_name, self.minimum)
        requirement = f"au moins {req} requis"
        value = ctx.profile.get(self.field_name)
        if value is None:
            deduct = (ctx.profile.get(self.minus) or 0) if self.minus else 0
            deduct_known = not self.minus or self.minus in ctx.profile
            bound = ctx.bounds.get(self.field_name)
            if bound is not None and deduct_known and bound - deduct >= self.minimum:
                shown = f"au moins {fmt_value(self.field_name, bound)} d'après ce que vous avez dit"
                return Outcome(Tri.TRUE, [self._line(
                    "ok", "{Label} : {value} ; {requirement} → condition remplie.",
                    ctx, True, value=shown, bound=fmt_value(self.field_name, bound), requirement=requirement,
                    min=req)])
            upper = ctx.upper.get(self.field_name)
            if upper is not None and upper - deduct < self.minimum:
                # what the person said caps the value below the threshold: a refusal, not a question
                months = int(-(-(self.minimum - (upper - deduct)) // 1)) if self.grows else None
                shown = f"au plus {fmt_value(self.field_name, upper - deduct)} d'après ce que vous avez dit"
                fail_default = "{Label} : {value} ; {requirement} → condition non remplie."
                if months is not None:
                    fail_default = "{Label} : {value} ; {requirement} → pas encore : possible dans {months} au plus tôt."
                return Outcome(Tri.FALSE, [self._line(
                    "fail", fail_default, ctx, False, value=shown, requirement=requirement, min=req,
                    effective=shown, missing_amount=fmt_value(self.field_name, self.minimum - (upper - deduct)),
                    months=_months_word(months) if months is not None else "")], months=months)
            return self._missing_outcome(ctx, requirement, min=req, requirement=requirement)
        deducted = 0
        if self.minus:
            if self.minus in ctx.profile:
                deducted = ctx.profile[self.minus] or 0
            # an unknown deduction is treated as 0 and said so in the sentence
        effective = value - deducted
        ok = effective >= self.minimum
        months = None
        if not ok and self.grows:
            months = int(-(-(self.minimum - effective) // 1))  # ceil
        extra = {
            "min": req,
            "requirement": requirement,
            "effective": fmt_value(self.field_name, effective),
            "missing_amount": fmt_value(self.field_name, self.minimum - effective),
            "months": _months_word(months) if months is not None else "",
        }
        fail_default = "{Label} : {value} ; {requirement} → condition non remplie."
        if months is not None:
            fail_default = "{Label} : {value} ; {requirement} → pas encore : possible dans {months}."
        if deducted:
            extra["value"] = f"{fmt_value(self.field_name, value)} dont {fmt_value(self.minus or '', deducted)} qui ne comptent pas"
        return self._result(ok, ctx, "{Label} : {value} ; {requirement} → condition remplie.", fail_default,
                            fix_months=months, **extra)


@dataclass
class MaxLeaf(Leaf):
    """`field` is at most `max`."""

    maximum: float = 0
    strict: bool = False  # `max: 24, strict: true` = less than 24 (decimal fields: 23.5 passes, 24 fails)

    def evaluate(self, ctx: Context) -> Outcome:
        assert self.field_name
        req = fmt_value(self.field_name, self.maximum)
        requirement = f"moins de {req}" if self.strict else f"au plus {req}"
        if self.field_name not in ctx.profile:
            return self._missing_outcome(ctx, requirement, max=req, requirement=requirement)
        value = ctx.profile[self.field_name]
        ok = value < self.maximum if self.strict else value <= self.maximum
        return self._result(ok, ctx, "{Label} : {value} ; {requirement} → condition remplie.",
                            "{Label} : {value} ; {requirement} → condition non remplie.", max=req,
                            requirement=requirement)


@dataclass
class RangeLeaf(Leaf):
    """`min` ≤ `field` ≤ `max` (ages: "29 ans révolus" = max 29)."""

    minimum: float | None = None
    maximum: float | None = None

    def evaluate(self, ctx: Context) -> Outcome:
        assert self.field_name
        lo = fmt_value(self.field_name, self.minimum) if self.minimum is not None else None
        hi = fmt_value(self.field_name, self.maximum) if self.maximum is not None else None
        if lo and hi:
            lo_num = fmt_number(self.minimum)  # type: ignore[arg-type]
            requirement = f"entre {lo_num} et {hi}"
        elif lo:
            requirement = f"au moins {lo}"
        else:
            requirement = f"au plus {hi}"
        if self.field_name not in ctx.profile:
            return self._missing_outcome(ctx, "requis : " + requirement, requirement=requirement, min=lo, max=hi)
        value = ctx.profile[self.field_name]
        too_low = self.minimum is not None and value < self.minimum
        too_high = self.maximum is not None and value > self.maximum
        months = None
        if too_low and self.field_name == "age" and not too_high:
            months = int((self.minimum - value) * 12)  # type: ignore[operator]
        extra = {"requirement": requirement, "min": lo, "max": hi,
                 "months": _months_word(months) if months is not None else ""}
        return self._result(not (too_low or too_high), ctx,
                            "{Label} : {value} ; requis : {requirement} → condition remplie.",
                            "{Label} : {value} ; requis : {requirement} → condition non remplie.", fix_months=months,
                            **extra)


@dataclass
class RegionLeaf(Leaf):
    """The person's commune is in region `region` (INSEE code, "32" = Hauts-de-France)."""

    region: str = "32"
    region_name: str = "Hauts-de-France"

    def fields(self) -> set[str]:
        return {"commune"}

    def evaluate(self, ctx: Context) -> Outcome:
        extra = {"region_name": self.region_name}
        if ctx.place is None:
            if self.when_missing is not None:
                ok = bool(self.when_missing)
                return Outcome(Tri.TRUE if ok else Tri.FALSE, [Line(self.ref, ok, self.texts.get(
                    "text_assumed", "Dispositif réservé aux habitants des {region_name} : commune non précisée (à vérifier)."
                ).format_map(_Fmt(extra)))])
            text = plain(self.texts.get("text_unknown", "Dispositif des {region_name} : votre commune reste à préciser."))
            return Outcome(Tri.UNKNOWN, [Line(self.ref, None, text.format_map(_Fmt(extra)))], missing={"commune"})
        ok = ctx.place.get("region") == self.region
        extra["commune"] = ctx.place.get("nom", "")
        return self._result(ok, ctx, "Vous habitez {commune}, dans les {region_name} → condition remplie.",
                            "Vous habitez {commune}, hors des {region_name} → ce dispositif régional ne s'applique pas.",
                            **extra)


@dataclass
class EpciLeaf(Leaf):
    """The person's commune belongs to one of the EPCI `epci` (SIREN codes)."""

    epcis: list[str] = field(default_factory=list)
    area_name: str = ""

    def fields(self) -> set[str]:
        return {"commune"}

    def evaluate(self, ctx: Context) -> Outcome:
        extra = {"area": self.area_name}
        if ctx.place is None:
            text = plain(self.texts.get("text_unknown", "Réservé au territoire suivant : {area} ; votre commune reste à préciser."))
            return Outcome(Tri.UNKNOWN, [Line(self.ref, None, text.format_map(_Fmt(extra)))], missing={"commune"})
        ok = ctx.place.get("epci") in self.epcis
        extra["commune"] = ctx.place.get("nom", "")
        return self._result(ok, ctx, "Vous habitez {commune}, sur le territoire : {area} → condition remplie.",
                            "Vous habitez {commune}, hors du territoire : {area} → ne s'applique pas.", **extra)


@dataclass
class MatchesLeaf(Leaf):
    """The free-text `field` mentions one of `keywords` (accents and case ignored)."""

    keywords: list[str] = field(default_factory=list)

    def evaluate(self, ctx: Context) -> Outcome:
        assert self.field_name
        shown = ", ".join(self.keywords[:6])
        if self.field_name not in ctx.profile:
            return self._missing_outcome(ctx, f"concerne : {shown}", keywords=shown)
        text = f" {_norm(str(ctx.profile[self.field_name]))} "
        ok = any(f" {_norm(k)}" in text for k in self.keywords)
        return self._result(ok, ctx, "{Label} : {value} → concerné.",
                            "{Label} : {value} ; concerne seulement : {keywords}.", keywords=shown)


@dataclass
class EligibleLeaf(Leaf):
    """Another rule's eligibility verdict."""

    rule_id: str = ""
    title: str = ""

    def evaluate(self, ctx: Context) -> Outcome:
        inner = ctx.eligible(self.rule_id)
        extra = {"title": self.title or self.rule_id}
        if inner.value is Tri.TRUE:
            return Outcome(Tri.TRUE, [self._line("ok", "Vous remplissez les conditions : {title}.", ctx, True, **extra)])
        if inner.value is Tri.FALSE:
            return Outcome(Tri.FALSE, [self._line("fail", "Vous ne remplissez pas les conditions : {title}.", ctx,
                                                  False, **extra)], months=inner.months,
                           could_change=set(inner.could_change))
        return Outcome(Tri.UNKNOWN, [self._line("unknown", "À vérifier : {title}.", ctx, None, **extra)],
                       missing=set(inner.missing), could_change=set(inner.could_change), waivers=set(inner.waivers))


@dataclass
class DateLeaf(Leaf):
    """The evaluation date is before (`as_of_before`) or on/after (`as_of_from`) a date."""

    when: date = date.min
    before: bool = True

    def evaluate(self, ctx: Context) -> Outcome:
        ok = ctx.as_of < self.when if self.before else ctx.as_of >= self.when
        extra = {"date": _fmt_date(self.when)}
        if self.before:
            return self._result(ok, ctx, "Règles en vigueur avant le {date}.", "Règle supprimée depuis le {date}.", **extra)
        return self._result(ok, ctx, "Règles en vigueur depuis le {date}.", "Règle applicable à partir du {date}.", **extra)


@dataclass
class CheckLeaf(Leaf):
    """A fact no profile field carries (`check: text`): always unknown, said as "à vérifier avec …".

    It never decides alone: inside `all` a failing sibling still refuses, inside `any` a holding sibling
    still grants. Nothing to ask: the text names who can tell.
    """

    def evaluate(self, ctx: Context) -> Outcome:
        text = plain(self.texts.get("text_unknown", ""))
        return Outcome(Tri.UNKNOWN, [Line(self.ref, None, text.format_map(self._vars(ctx)))])


@dataclass
class ConstLeaf(Leaf):
    """Always true (`ok: text`) or always false (`fail: text`)."""

    result: bool = True

    def evaluate(self, ctx: Context) -> Outcome:
        text = plain(self.texts.get("text_ok" if self.result else "text_fail", ""))
        line = Line(self.ref, self.result, text.format_map(self._vars(ctx)))
        return Outcome(Tri.TRUE if self.result else Tri.FALSE, [line])


# ---------------------------------------------------------------------------------------------
# Combinators


@dataclass
class _Combinator(Node):
    """A condition over child conditions."""

    children: list[Node]
    ref: str | None = None
    exception: bool = False

    def fields(self) -> set[str]:
        return set().union(*(c.fields() for c in self.children)) if self.children else set()


@dataclass
class AllNode(_Combinator):
    """Every child must hold."""

    def evaluate(self, ctx: Context) -> Outcome:
        outs = [c.evaluate(ctx) for c in self.children]
        lines = [ln for o in outs for ln in o.lines]
        false = [o for o in outs if o.value is Tri.FALSE]
        if false:
            # failing conditions first: that is what a person needs to read
            lines = [ln for o in false for ln in o.lines] + [ln for o in outs if o.value is not Tri.FALSE for ln in o.lines]
            months = max(o.months for o in false) if all(o.months is not None for o in false) else None
            could = set(false[0].could_change) if len(false) == 1 else set()
            return Outcome(Tri.FALSE, lines, months=months, could_change=could)
        unknown = [o for o in outs if o.value is Tri.UNKNOWN]
        if unknown:
            missing = set().union(*(o.missing for o in unknown))
            could = set().union(*(o.could_change for o in unknown)) - missing
            main = set().union(*(o.missing - o.waivers for o in unknown))
            return Outcome(Tri.UNKNOWN, lines, missing=missing, could_change=could, waivers=missing - main)
        return Outcome(Tri.TRUE, lines)


@dataclass
class AnyNode(_Combinator):
    """At least one child must hold.

    Children flagged `exception` waive the main branches (RQTH, long sick leave, lay-off…). While the main
    branches are undecided, an unknown exception only "could change" the verdict; once every main branch
    has failed, an unknown exception keeps the verdict UNKNOWN and names the field that settles it.
    """

    def evaluate(self, ctx: Context) -> Outcome:
        outs = [(c, c.evaluate(ctx)) for c in self.children]
        for _, o in outs:
            if o.value is Tri.TRUE:
                return Outcome(Tri.TRUE, list(o.lines))
        main_unknown = [o for c, o in outs if o.value is Tri.UNKNOWN and not c.exception]
        if main_unknown:
            # exceptions can still decide, but they are rarer: they only "could change" the verdict
            missing = set().union(*(o.missing for o in main_unknown))
            could = set().union(*(o.missing for c, o in outs if c.exception and o.value is Tri.UNKNOWN),
                                *(o.could_change for _, o in outs)) - missing
            lines = [ln for _, o in outs for ln in o.lines]
            main = set().union(*(o.missing - o.waivers for o in main_unknown))
            return Outcome(Tri.UNKNOWN, lines, missing=missing, could_change=could, waivers=missing - main)
        # every main branch failed
        lines = [ln for c, o in outs if not c.exception for ln in o.lines]
        open_exceptions = [o for c, o in outs if c.exception and o.value is Tri.UNKNOWN]
        fixable = [o.months for c, o in outs if not c.exception and o.months is not None]
        if open_exceptions:
            # an exception that would waive the failing conditions is still unknown: not a refusal, a question
            # (the exception's sentences first: they say what would settle it)
            lines = [ln for o in open_exceptions for ln in o.lines if ln.ok is not True] + lines
            missing = set().union(*(o.missing for o in open_exceptions))
            could = set().union(*(o.could_change for _, o in outs)) - missing
            return Outcome(Tri.UNKNOWN, lines, missing=missing, could_change=could,
                           months=min(fixable) if fixable else None, waivers=set(missing))
        lines += [ln for c, o in outs if c.exception for ln in o.lines if ln.ok is False]
        could = set().union(*(o.could_change for _, o in outs))
        return Outcome(Tri.FALSE, lines, could_change=could, months=min(fixable) if fixable else None)


@dataclass
class SwitchNode(Node):
    """Pick the branch matching the value of `field` (e.g. the contract type)."""

    field_name: str
    cases: dict[Any, Node]
    default: Node | None
    ref: str | None = None
    exception: bool = False
    texts: dict[str, str] = field(default_factory=dict)

    def fields(self) -> set[str]:
        out = {self.field_name}
        for node in [*self.cases.values(), *( [self.default] if self.default else [])]:
            out |= node.fields()
        return out

    def evaluate(self, ctx: Context) -> Outcome:
        if self.field_name in ctx.profile:
            value = ctx.profile[self.field_name]
            node = self.cases.get(value, self.default)
            if node is None:
                vals = _Fmt(ctx.params)
                vals["value"] = fmt_value(self.field_name, value)
                vals["Label"] = _cap(FIELDS[self.field_name].label) if self.field_name in FIELDS else self.field_name
                vals["values"] = fmt_values(self.field_name, list(self.cases))
                text = self.texts.get("text_fail", "{Label} : {value} ; concerne seulement : {values} → condition non remplie.")
                return Outcome(Tri.FALSE, [Line(self.ref, False, text.format_map(vals))])
            return node.evaluate(ctx)
        outs = [n.evaluate(ctx) for n in self.cases.values()]
        if outs and all(o.value is Tri.FALSE for o in outs) and self.default is None:
            return Outcome(Tri.FALSE, [ln for o in outs for ln in o.lines])
        label = _cap(FIELDS[self.field_name].label) if self.field_name in FIELDS else self.field_name
        text = self.texts.get("text_unknown", f"{label} : information manquante.")
        return Outcome(Tri.UNKNOWN, [Line(self.ref, None, text)], missing={self.field_name})


# ---------------------------------------------------------------------------------------------
# Compilation from the YAML structures


_LEAF_KEYS = {"in", "not_in", "is", "min", "max", "range", "region", "epci", "matches", "eligible",
              "as_of_before", "as_of_from", "ok", "fail", "check"}
_COMMON = {"ref", "exception", "label", "when_missing", "field", "grows", "minus", "title", "area",
           "region_name", "strict", *_LEAF_TEXT_KEYS}


def compile_condition(spec: Any, where: str = "", inherited_ref: str | None = None) -> Node:
    """Turn a YAML condition (dict) into a Node; raises RuleFileError with the location.

    A condition without `ref` takes the `ref` of the nearest enclosing condition that has one.
    """
    if not isinstance(spec, dict):
        raise RuleFileError(f"{where}: a condition must be a mapping, got {spec!r}")
    ref = spec.get("ref", inherited_ref)
    exception = bool(spec.get("exception", False))
    if "all" in spec or "any" in spec:
        key = "all" if "all" in spec else "any"
        children = spec[key]
        if not isinstance(children, list) or not children:
            raise RuleFileError(f"{where}: '{key}' needs a non-empty list")
        compiled = [compile_condition(c, f"{where}.{key}[{i}]", ref) for i, c in enumerate(children)]
        cls = AllNode if key == "all" else AnyNode
        return cls(children=compiled, ref=ref, exception=exception)
    if "switch" in spec:
        cases_spec = spec.get("cases") or {}
        if not isinstance(cases_spec, dict) or not cases_spec:
            raise RuleFileError(f"{where}: 'switch' needs 'cases'")
        cases = {k: compile_condition(v, f"{where}.cases.{k}", ref) for k, v in cases_spec.items()}
        default = compile_condition(spec["default"], f"{where}.default", ref) if "default" in spec else None
        texts = {k: spec[k] for k in _LEAF_TEXT_KEYS if k in spec}
        return SwitchNode(field_name=spec["switch"], cases=cases, default=default, ref=ref, exception=exception,
                          texts=texts)
    kinds = _LEAF_KEYS & set(spec)
    if len(kinds) != 1:
        raise RuleFileError(f"{where}: a leaf needs exactly one of {sorted(_LEAF_KEYS)}, got {sorted(spec)}")
    unknown_keys = set(spec) - _LEAF_KEYS - _COMMON
    if unknown_keys:
        raise RuleFileError(f"{where}: unknown keys {sorted(unknown_keys)}")
    kind = kinds.pop()
    field_name = spec.get("field")
    if field_name is not None and field_name not in FIELDS:
        raise RuleFileError(f"{where}: unknown profile field '{field_name}'")
    common = {
        "spec": spec, "field_name": field_name, "ref": ref, "exception": exception, "label": spec.get("label"),
        "when_missing": spec.get("when_missing"), "texts": {k: spec[k] for k in _LEAF_TEXT_KEYS if k in spec},
    }
    needs_field = kind in {"in", "not_in", "is", "min", "max", "range", "matches"}
    if needs_field and not field_name:
        raise RuleFileError(f"{where}: '{kind}' needs 'field'")
    if kind in ("in", "not_in"):
        return InLeaf(**common, values=list(spec[kind]), negate=kind == "not_in")
    if kind == "is":
        return IsLeaf(**common, expected=spec["is"])
    if kind == "min":
        return MinLeaf(**common, minimum=spec["min"], minus=spec.get("minus"), grows=bool(spec.get("grows", False)))
    if kind == "max":
        return MaxLeaf(**common, maximum=spec["max"], strict=bool(spec.get("strict", False)))
    if kind == "check":
        common["texts"] = {**common["texts"], "text_unknown": spec["check"]}
        return CheckLeaf(**common)
    if kind == "range":
        lo, hi = spec["range"]
        return RangeLeaf(**common, minimum=lo, maximum=hi)
    if kind == "region":
        return RegionLeaf(**common, region=str(spec["region"]), region_name=spec.get("region_name", "Hauts-de-France"))
    if kind == "epci":
        return EpciLeaf(**common, epcis=[str(e) for e in spec["epci"]], area_name=spec.get("area", ""))
    if kind == "matches":
        return MatchesLeaf(**common, keywords=list(spec["matches"]))
    if kind == "eligible":
        return EligibleLeaf(**common, rule_id=spec["eligible"], title=spec.get("title", ""))
    if kind in ("as_of_before", "as_of_from"):
        when = spec[kind]
        if not isinstance(when, date):
            when = date.fromisoformat(str(when))
        return DateLeaf(**common, when=when, before=kind == "as_of_before")
    # ok / fail
    common["texts"] = {**common["texts"], ("text_ok" if kind == "ok" else "text_fail"): spec[kind]}
    return ConstLeaf(**common, result=kind == "ok")
