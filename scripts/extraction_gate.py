"""Gate on the held-out FACT extraction set: per-field precision / recall and micro F1 of `extract()`.

    .venv/bin/python scripts/extraction_gate.py                       # tests/nlu/heldout_facts.yml
    .venv/bin/python scripts/extraction_gate.py FILE --errors var/extraction_errors.txt

Each case is a first message and the profile facts it states (tests/nlu/README.md). For every
field, a predicted fact is a true positive when the annotation has the same value, a false positive
otherwise (wrong value or not stated), and an annotated fact not predicted (or predicted wrong) is a
false negative. Values: exact, except the commune (same commune once resolved, or the same folded
text), target_field (a content word in common) and month counts (±1 month). `cues: [disability]`
is scored as the pseudo-field `disability_cue`. `code_insee` is derived from the commune and not
scored on its own. Exit status 1 when micro F1 < 0.95, micro precision < 0.97 or a field's recall
< 0.85.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_FILE = REPO / "tests" / "nlu" / "heldout_facts.yml"
MIN_MICRO_F1 = 0.95
MIN_PRECISION = 0.97
MIN_FIELD_RECALL = 0.85
#: Month counts compared with a tolerance of one month (dates are counted from the middle of a year).
MONTH_FIELDS = frozenset({
    "seniority_months_company", "seniority_months_total", "cdd_months_last_12", "sick_leave_months_last_24",
    "unpaid_or_sabbatical_leave_last_60m", "months_worked_last_60", "public_service_months",
    "registered_months_last_18",
})
_TARGET_STOP = frozenset({"de", "d", "du", "des", "la", "le", "les", "l", "en", "a", "au", "aux", "pour", "et",
                          "un", "une", "dans"})


def load_cases(path: Path) -> tuple[date, list[dict[str, Any]]]:
    """(reference date, cases) of a held-out fact file."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    today = date.fromisoformat(str(data["today"]))
    return today, list(data["cases"])


def _words(text: str) -> set[str]:
    import re

    from bot.geo.normalize import fold

    return {w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in _TARGET_STOP and len(w) > 1}


def same_value(name: str, gold: Any, pred: Any, pred_facts: dict[str, Any]) -> bool:
    """Does the predicted value match the annotation (see the module docstring)?"""
    if name == "commune":
        from bot.geo import resolve
        from bot.geo.normalize import fold

        if fold(str(gold)) == fold(str(pred)):
            return True
        res = resolve(str(gold))
        return res.status == "found" and pred_facts.get("code_insee") == res.commune.code_insee
    if name == "target_field":
        return bool(_words(str(gold)) & _words(str(pred)))
    if isinstance(gold, bool) or isinstance(pred, bool):
        return gold is pred
    if name in MONTH_FIELDS and isinstance(gold, (int, float)) and isinstance(pred, (int, float)):
        return abs(gold - pred) <= 1
    if isinstance(gold, (int, float)) and isinstance(pred, (int, float)):
        return abs(gold - pred) < 0.5
    return gold == pred


def predicted(text: str, today: date) -> dict[str, Any]:
    """The facts (and the disability cue as a pseudo-field) extract() finds in one message."""
    from bot.understanding import extract

    found = extract(text, today=today)
    facts = dict(found.facts)
    if found.cues.get("disability"):
        facts["disability_cue"] = True
    return facts


def evaluate(today: date, cases: list[dict[str, Any]], errors: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Per-field and micro precision / recall / F1 over the cases."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for case in cases:
        gold = dict(case.get("facts") or {})
        if "disability" in (case.get("cues") or []):
            gold["disability_cue"] = True
        found = predicted(case["text"], today)
        pred = {k: v for k, v in found.items() if k != "code_insee"}
        wrong: list[str] = []
        for name in sorted(set(gold) | set(pred)):
            if name in gold and name in pred and same_value(name, gold[name], pred[name], found):
                tp[name] += 1
                continue
            if name in pred:
                fp[name] += 1
            if name in gold:
                fn[name] += 1
            wrong.append(f"  {name}: gold={gold.get(name, '-')!r} pred={pred.get(name, '-')!r}")
        if errors is not None and wrong:
            errors.append(case["text"] + "\n" + "\n".join(wrong) + "\n")
    report: dict[str, dict[str, float]] = {}
    for name in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[name] / (tp[name] + fp[name]) if tp[name] + fp[name] else 0.0
        r = tp[name] / (tp[name] + fn[name]) if tp[name] + fn[name] else 0.0
        report[name] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                        "support": tp[name] + fn[name], "predicted": tp[name] + fp[name]}
    t, fpos, fneg = sum(tp.values()), sum(fp.values()), sum(fn.values())
    p = t / (t + fpos) if t + fpos else 0.0
    r = t / (t + fneg) if t + fneg else 0.0
    report["micro avg"] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                           "support": t + fneg, "predicted": t + fpos}
    return report


def failures(report: dict[str, dict[str, float]]) -> list[str]:
    """What fails the gate, in plain words (empty when it passes)."""
    out: list[str] = []
    micro = report["micro avg"]
    if micro["f1"] < MIN_MICRO_F1:
        out.append(f"micro F1 {micro['f1']:.3f} < {MIN_MICRO_F1}")
    if micro["precision"] < MIN_PRECISION:
        out.append(f"micro precision {micro['precision']:.3f} < {MIN_PRECISION}")
    for name, row in report.items():
        if name != "micro avg" and row["support"] and row["recall"] < MIN_FIELD_RECALL:
            out.append(f"{name} recall {row['recall']:.3f} < {MIN_FIELD_RECALL}")
    return out


def format_report(report: dict[str, dict[str, float]]) -> str:
    """A plain-text table, one line per field."""
    lines = [f"{'':>36} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>8} {'predicted':>9}"]
    for name, row in report.items():
        if name == "micro avg":
            lines.append("")
        lines.append(f"{name:>36} {row['precision']:9.3f} {row['recall']:9.3f} {row['f1']:9.3f} "
                     f"{int(row['support']):8d} {int(row['predicted']):9d}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--errors", type=Path, help="write the cases with a difference to this file")
    args = parser.parse_args(argv)
    today, cases = load_cases(args.path)
    errors: list[str] | None = [] if args.errors else None
    report = evaluate(today, cases, errors)
    print(f"{len(cases)} messages (reference date {today.isoformat()})")
    print(format_report(report))
    if args.errors and errors is not None:
        args.errors.parent.mkdir(parents=True, exist_ok=True)
        args.errors.write_text("\n".join(errors), encoding="utf-8")
        print(f"{len(errors)} messages with a difference written to {args.errors}")
    problems = failures(report)
    for p in problems:
        print(f"ÉCHEC : {p}")
    if not problems:
        print(f"OK : micro F1 ≥ {MIN_MICRO_F1}, précision ≥ {MIN_PRECISION}, rappel de chaque champ ≥ {MIN_FIELD_RECALL}")
    return 1 if problems else 0


if __name__ == "__main__":
    logging.disable(logging.WARNING)  # the command only: never for a process that imports main()
    raise SystemExit(main())
