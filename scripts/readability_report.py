"""Readability of every text the assistant can send, in both reading modes (issue 13).

Writes test-artifacts/readability.json and prints the worst messages of each mode.
Usage: .venv/bin/python scripts/readability_report.py [--worst 15]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Thresholds of issue 13: every FALC message ≥ 70 with ≤ 12 words a sentence; every normal one ≥ 50.
FALC_MIN_SCORE = 70.0
FALC_MAX_SENTENCE = 12.0
NORMAL_MIN_SCORE = 50.0


def measure_mode(falc: bool) -> list[dict[str, Any]]:
    """Every text of one mode with its figures, worst first."""
    from bot.conversation.readability import measure
    from bot.conversation.texts import all_texts
    from bot.reading import easy_read

    with easy_read(falc):
        texts = all_texts()
    rows = []
    for where, text in texts:
        m = measure(text)
        if not m.words:
            continue
        ok = (m.score >= FALC_MIN_SCORE and m.mean_sentence <= FALC_MAX_SENTENCE) if falc \
            else m.score >= NORMAL_MIN_SCORE
        rows.append({"where": where, "score": round(m.score, 1), "mean_sentence": round(m.mean_sentence, 1),
                     "words": m.words, "sentences": m.sentences, "ok": ok, "text": text})
    return sorted(rows, key=lambda r: (r["ok"], r["score"]))


def report(worst: int = 15) -> dict[str, Any]:
    """Both modes measured, summarised and written to test-artifacts/readability.json."""
    out: dict[str, Any] = {}
    for mode, falc in (("normal", False), ("falc", True)):
        rows = measure_mode(falc)
        scores = [r["score"] for r in rows]
        out[mode] = {"count": len(rows), "failing": sum(not r["ok"] for r in rows),
                     "min_score": min(scores), "mean_score": round(sum(scores) / len(scores), 1),
                     "max_mean_sentence": max(r["mean_sentence"] for r in rows),
                     "worst": rows[:worst], "all": rows}
    path = ROOT / "test-artifacts" / "readability.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def write_debt(out: dict[str, Any]) -> None:
    """The rule texts (and messages built from them) below the thresholds today: not rewritten yet."""
    import yaml

    strict = ("messages:", "domain:", "glossary:", "channel:", "widget:", "built:need")
    debt = {mode: sorted({r["where"] for r in out[mode]["all"] if not r["ok"] and not r["where"].startswith(strict)})
            for mode in ("normal", "falc")}
    path = ROOT / "tests" / "bot" / "conversation" / "readability_debt.yml"
    head = ("# Rule texts, and messages composed from them, below the readability thresholds (issue 13).\n"
            "# Empty: every text passes. tests/bot/conversation/test_readability.py fails if this list differs\n"
            "# from what fails, so a rewording that falls below a threshold fails the tests: rewrite it rather than\n"
            "# list it here. Regenerate with scripts/readability_report.py --write-debt.\n")
    path.write_text(head + yaml.safe_dump(debt, allow_unicode=True, width=120), encoding="utf-8")


def table(out: dict[str, Any], worst: int = 15) -> str:
    """The worst messages of each mode as a plain table."""
    lines = []
    for mode in ("normal", "falc"):
        m = out[mode]
        lines.append(f"== {mode}: {m['count']} textes, {m['failing']} sous le seuil ; score min {m['min_score']}, "
                     f"moyen {m['mean_score']} ; phrase moyenne max {m['max_mean_sentence']} mots")
        lines.append(f"{'score':>6} {'mots/ph':>7}  {'où':<55} texte")
        for r in m["worst"][:worst]:
            text = " ".join(r["text"].split())
            lines.append(f"{r['score']:>6} {r['mean_sentence']:>7}  {r['where'][:55]:<55} {text[:90]}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worst", type=int, default=15)
    parser.add_argument("--write-debt", action="store_true",
                        help="rewrite tests/bot/conversation/readability_debt.yml with the rule texts failing today")
    args = parser.parse_args()
    out = report(args.worst)
    if args.write_debt:
        write_debt(out)
    print(table(out, args.worst))  # noqa: T201 - a command-line report
    return 0 if not out["normal"]["failing"] and not out["falc"]["failing"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
