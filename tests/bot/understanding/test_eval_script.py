"""scripts/eval_extractor.py on a small inline sample (token-level scores like `rasa test nlu`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

SAMPLE = """version: "3.1"
nlu:
- intent: inform
  examples: |
    - je suis en [CDI]{"entity": "contract", "value": "cdi"} depuis [3 ans]{"entity": "duration", "value": 36} à [Lille](commune)
    - j'ai [31 ans]{"entity": "age", "value": 31} et je veux devenir [plombier](target_field)
    - [pas de diplôme]{"entity": "diploma", "value": 0}, inscrit à [France Travail]{"entity": "france_travail", "value": "true"}
- intent: greet
  examples: |
    - bonjour
"""


def _module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("eval_extractor", REPO / "scripts" / "eval_extractor.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_score_counts_tokens() -> None:
    mod = _module()
    report = mod.score([(["contract", "no_entity", "duration", "duration"],
                         ["contract", "duration", "duration", "no_entity"])])
    assert report["contract"]["f1"] == 1.0
    assert report["duration"]["precision"] == 0.5
    assert report["duration"]["recall"] == 0.5
    assert report["micro avg"]["support"] == 3


def test_eval_on_inline_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rasa")
    path = tmp_path / "sample.yml"
    path.write_text(SAMPLE, encoding="utf-8")
    mod = _module()
    errors = tmp_path / "errors.txt"
    assert mod.main([str(path), "--errors", str(errors)]) == 0
    out = capsys.readouterr().out
    assert "4 examples" in out
    report = mod.evaluate(mod.load_examples([path]))
    assert report["micro avg"]["f1"] == 1.0
    assert errors.read_text(encoding="utf-8") == ""
