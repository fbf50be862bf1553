"""Measured readability (issue 13): Kandel–Moles' French reading ease and the mean sentence length of
every text the assistant can send, in both reading modes, with realistic values.

Thresholds: FALC ≥ 70 and ≤ 12 words a sentence; normal ≥ 50. The messages, responses, glossary and
channel sentences must all pass. Rule texts and the messages composed from them are held to the same
thresholds, except the ones listed in readability_debt.yml (not yet rewritten): that list must be
exactly what fails, so it can only shrink (a new failing text, or a fixed one left listed, fails).
The report (test-artifacts/readability.json, worst first) is written by scripts/readability_report.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from bot.conversation.readability import measure, syllables

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
DEBT_FILE = Path(__file__).with_name("readability_debt.yml")


@pytest.mark.parametrize(("word", "count"), [("école", 2), ("idée", 2), ("créer", 2), ("avez", 2), ("travailleur", 3),
                                             ("formation", 3), ("aujourd'hui", 3), ("CPF", 3), ("RQTH", 4),
                                             ("OPCO", 2), ("2026", 4), ("qu'il", 1), ("France", 1), ("quel", 1)])
def test_syllables_are_counted_the_french_way(word, count):
    assert syllables(word) == count


def test_the_formula_matches_a_hand_computed_example():
    # 6 words (Le, chat, dort, Quel, âge, avez-vous), 2 sentences, 8 syllables (1+1+1+1+1+3):
    # 207 − 1.015 × 3 − 73.6 × 8/6 = 105.82
    m = measure("Le chat dort. Quel âge avez-vous ?")
    assert (m.words, m.sentences, m.syllables) == (6, 2, 8)
    assert m.score == pytest.approx(105.82, abs=0.01)
    # a longer, denser sentence reads harder
    assert measure("La reconnaissance de la qualité de travailleur handicapé conditionne l'accompagnement "
                   "spécialisé.").score < 20


def test_links_bullets_and_inclusive_endings_are_not_read():
    assert measure("• Êtes-vous inscrit(e) ? https://www.francetravail.fr/une/longue/adresse").words == 2  # Êtes-vous, inscrit(e)


@pytest.fixture(scope="module")
def report():
    from readability_report import report as build

    return build()


STRICT = ("messages:", "domain:", "glossary:", "channel:", "widget:", "built:need")


@pytest.mark.parametrize("mode", ["normal", "falc"])
def test_every_message_response_and_definition_passes(report, mode):
    failing = [(r["where"], r["score"], r["mean_sentence"]) for r in report[mode]["all"]
               if not r["ok"] and r["where"].startswith(STRICT)]
    assert not failing, failing


@pytest.mark.parametrize("mode", ["normal", "falc"])
def test_rule_texts_fail_only_where_the_debt_list_says(report, mode):
    debt = set((yaml.safe_load(DEBT_FILE.read_text("utf-8")) or {}).get(mode) or [])
    failing = {r["where"] for r in report[mode]["all"] if not r["ok"] and not r["where"].startswith(STRICT)}
    assert not failing - debt, f"newly failing ({mode}): {sorted(failing - debt)}"
    assert not debt - failing, f"now passing, remove from readability_debt.yml ({mode}): {sorted(debt - failing)}"


def test_falc_is_easier_than_normal_on_average(report):
    assert report["falc"]["mean_score"] > report["normal"]["mean_score"] + 10
