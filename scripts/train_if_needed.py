#!/usr/bin/env python3
"""Trains the Rasa model only when its inputs changed; prints the model path.

The model is cached by content: models/<sha256 of config, domain, data and the Rasa version>.tar.gz.
Training is deterministic (random_seed in config.yml, TF_DETERMINISTIC_OPS=1, PYTHONHASHSEED=0).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO / "models"
INPUTS = ["config.yml", "domain.yml", "data"]
KEEP = 3


def model_hash() -> str:
    """Hash of everything the trained model depends on."""
    from importlib.metadata import version

    h = hashlib.sha256(f"rasa=={version('rasa')}\n".encode())
    files: list[Path] = []
    for item in INPUTS:
        path = REPO / item
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for path in files:
        if path.suffix not in (".yml", ".yaml", ".json", ".txt", ".md"):
            continue
        h.update(str(path.relative_to(REPO)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def main() -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    digest = model_hash()
    target = MODELS / f"cap-{digest}.tar.gz"
    if target.exists():
        print(target)
        return 0
    MODELS.mkdir(exist_ok=True)
    print(f"» Entraînement du modèle (données modifiées) → {target.name}", file=sys.stderr)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_DETERMINISTIC_OPS": "1", "PYTHONHASHSEED": "0",
           "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "TQDM_MININTERVAL": os.environ.get("TQDM_MININTERVAL", "20")}
    rasa = str(Path(sys.executable).with_name("rasa"))
    cmd = [rasa, "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data", "--out", str(MODELS),
           "--fixed-model-name", f"cap-{digest}"]
    done = subprocess.run(cmd, cwd=REPO, env=env, stdout=sys.stderr)
    if done.returncode != 0 or not target.exists():
        print("L'entraînement du modèle a échoué (voir ci-dessus).", file=sys.stderr)
        return done.returncode or 1
    old = sorted(MODELS.glob("cap-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP:]
    for path in old:
        path.unlink()
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
