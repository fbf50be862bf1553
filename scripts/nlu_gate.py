#!/usr/bin/env python3
"""Fails when the held-out NLU scores fall below the gates (intent macro-F1 0.95, entity F1 0.90)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

INTENT_MACRO_F1 = 0.95
ENTITY_F1 = 0.90


def main(out_dir: str) -> int:
    out = Path(out_dir)
    intents = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    intent_f1 = intents["macro avg"]["f1-score"]
    entity_reports = sorted(out.glob("*Extractor_report.json"))
    if not entity_reports:
        print("Aucun rapport d'entités trouvé.", file=sys.stderr)
        return 1
    entities = json.loads(entity_reports[0].read_text(encoding="utf-8"))
    entity_f1 = entities["micro avg"]["f1-score"]
    worst = sorted((v["f1-score"], k) for k, v in intents.items() if isinstance(v, dict) and "support" in v
                   and k not in ("micro avg", "macro avg", "weighted avg"))[:3]
    per_entity = {k: round(v["f1-score"], 3) for k, v in entities.items()
                  if isinstance(v, dict) and k not in ("micro avg", "macro avg", "weighted avg")}
    print(f"Intentions : F1 macro = {intent_f1:.3f} (seuil {INTENT_MACRO_F1}) ; les plus faibles : "
          + ", ".join(f"{k} {f:.2f}" for f, k in worst))
    print(f"Entités    : F1 = {entity_f1:.3f} (seuil {ENTITY_F1}) ; par type : {per_entity}")
    ok = intent_f1 >= INTENT_MACRO_F1 and entity_f1 >= ENTITY_F1
    if not ok:
        print("Seuils NLU non atteints.", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", nargs="?", default="results/nlu",
                        help="the --out folder of `rasa test nlu` (default: results/nlu)")
    sys.exit(main(parser.parse_args().out_dir))
