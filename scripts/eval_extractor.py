"""Score bot.understanding.extract against annotated Rasa NLU data, token by token like `rasa test nlu`.

    .venv/bin/python scripts/eval_extractor.py                # data/nlu/*.yml
    .venv/bin/python scripts/eval_extractor.py FILE_OR_DIR … --errors var/extractor_errors.txt

Each example is read with Rasa's loader and tokenised with Rasa's WhitespaceTokenizer; every token
gets the entity type of the annotation (or prediction) covering it (Rasa's `determine_token_labels`),
and precision / recall / F1 are reported per entity type, then micro- and support-weighted averages
over the entity types (the "no entity" label is excluded, as in Rasa's report). Values are not scored.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

NO_ENTITY = "no_entity"


def load_examples(paths: Iterable[Path]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(text, gold entities) of every example of the NLU files (Rasa's loader)."""
    from rasa.shared.nlu.training_data.loading import load_data

    out: list[tuple[str, list[dict[str, Any]]]] = []
    for path in paths:
        files = sorted(path.glob("*.yml")) + sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        for f in files:
            data = load_data(str(f))
            for msg in data.nlu_examples:
                text = msg.get("text")
                if text:
                    out.append((text, list(msg.get("entities") or [])))
    return out


def token_labels(text: str, entities: list[dict[str, Any]], tokenizer: Any) -> list[str]:
    """The entity type of each WhitespaceTokenizer token ("no_entity" outside entities)."""
    from rasa.nlu.test import determine_token_labels
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
    labels = []
    for tok in tokens:
        label = determine_token_labels(tok, entities, None)
        labels.append(NO_ENTITY if label in (None, "O", "no_entity") else label)
    return labels


def score(pairs: list[tuple[list[str], list[str]]]) -> dict[str, dict[str, float]]:
    """Per-type precision / recall / F1 / support from (gold labels, predicted labels) per message."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold, pred in pairs:
        for g, p in zip(gold, pred, strict=True):
            if g == p:
                if g != NO_ENTITY:
                    tp[g] += 1
                continue
            if p != NO_ENTITY:
                fp[p] += 1
            if g != NO_ENTITY:
                fn[g] += 1
    report: dict[str, dict[str, float]] = {}
    for label in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        report[label] = {"precision": p, "recall": r, "f1": f, "support": tp[label] + fn[label]}
    t, fpos, fneg = sum(tp.values()), sum(fp.values()), sum(fn.values())
    p = t / (t + fpos) if t + fpos else 0.0
    r = t / (t + fneg) if t + fneg else 0.0
    report["micro avg"] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                           "support": t + fneg}
    support = sum(v["support"] for k, v in report.items() if k != "micro avg")
    if support:
        report["weighted avg"] = {
            key: sum(v[key] * v["support"] for k, v in report.items() if k not in ("micro avg",)) / support
            for key in ("precision", "recall", "f1")}
        report["weighted avg"]["support"] = support
    return report


def _show(text: str, entities: list[dict[str, Any]]) -> str:
    return " ".join(f"{e['entity']}[{text[e['start']:e['end']]}]"
                    for e in sorted(entities, key=lambda e: e["start"]))


def evaluate(examples: list[tuple[str, list[dict[str, Any]]]],
             errors: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Run extract() on every example and score it against the annotations."""
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

    from bot.understanding import extract

    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    pairs = []
    for text, gold in examples:
        found = extract(text)
        pred = [{"entity": e.entity, "start": e.start, "end": e.end, "value": e.value} for e in found.entities]
        g_labels = token_labels(text, gold, tokenizer)
        p_labels = token_labels(text, pred, tokenizer)
        pairs.append((g_labels, p_labels))
        if errors is not None and g_labels != p_labels:
            errors.append(f"{text}\n  gold: {_show(text, gold)}\n  pred: {_show(text, pred)}\n")
    return score(pairs)


def format_report(report: dict[str, dict[str, float]]) -> str:
    """A plain-text table like Rasa's."""
    lines = [f"{'':>16} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>8}"]
    for label, row in report.items():
        if label in ("micro avg", "weighted avg"):
            continue
        lines.append(f"{label:>16} {row['precision']:9.3f} {row['recall']:9.3f} {row['f1']:9.3f} "
                     f"{int(row['support']):8d}")
    lines.append("")
    for label in ("micro avg", "weighted avg"):
        if label in report:
            row = report[label]
            lines.append(f"{label:>16} {row['precision']:9.3f} {row['recall']:9.3f} {row['f1']:9.3f} "
                         f"{int(row['support']):8d}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[REPO / "data" / "nlu"])
    parser.add_argument("--errors", type=Path, help="write the mismatching examples to this file")
    args = parser.parse_args(argv)
    examples = load_examples(args.paths)
    errors: list[str] | None = [] if args.errors else None
    report = evaluate(examples, errors)
    print(f"{len(examples)} examples")
    print(format_report(report))
    if args.errors and errors is not None:
        args.errors.parent.mkdir(parents=True, exist_ok=True)
        args.errors.write_text("\n".join(errors), encoding="utf-8")
        print(f"{len(errors)} examples with a difference written to {args.errors}")
    return 0


if __name__ == "__main__":
    logging.disable(logging.WARNING)  # the command only: never for a process that imports main()
    raise SystemExit(main())
