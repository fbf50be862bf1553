"""Every record of the embedded catalogues says what its source is, and press is shown as press."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.trainings.loader import PRESS_PREFIX, SOURCE_KINDS, _source_title
from bot.trainings.service import TrainingItem, _line, _source_kind_label

REPO = Path(__file__).resolve().parents[3]
STRUCTURES = REPO / "bot" / "catalogue" / "data" / "structures.yml"
TRAININGS = REPO / "bot" / "trainings" / "data" / "catalogue.yml"


def _records() -> list[tuple[str, dict]]:
    structures = yaml.safe_load(STRUCTURES.read_text(encoding="utf-8"))["structures"]
    trainings = yaml.safe_load(TRAININGS.read_text(encoding="utf-8"))
    return ([("structures", r) for r in structures] + [("bodies", r) for r in trainings["bodies"]]
            + [("trainings", r) for r in trainings["trainings"]])


def test_every_record_carries_the_kind_of_its_source() -> None:
    records = _records()
    assert len(records) > 80
    for where, record in records:
        assert record["source"].get("kind") in SOURCE_KINDS, (where, record["id"])


def test_no_source_contradicts_its_record() -> None:
    # an article about Afpa centres closing is no source for an Afpa centre being open
    for _, record in _records():
        title = record["source"]["title"].lower()
        assert "fermer" not in title and "fermeture" not in title, record["id"]


def test_press_only_records_say_so_and_are_shown_as_press() -> None:
    press = [r for _, r in _records() if r["source"]["kind"] == "press"]
    assert press, "the catalogue still has press-only records: they must be marked"
    for record in press:
        assert _source_title(record).startswith(PRESS_PREFIX)
    label = _source_kind_label(PRESS_PREFIX + "La Gazette — un article")
    item = TrainingItem("organisme", "GRETA Grand Hainaut", None, "Valenciennes", "59", 3.0, False, None,
                        "https://va-infos.fr/x", "embedded", True, label)
    assert _line(1, item).endswith("(article de presse : https://va-infos.fr/x)")
    official = TrainingItem("organisme", "Afpa", None, "Arras", "62", 1.0, False, None,
                            "https://www.afpa.fr", "embedded", True, _source_kind_label("Afpa — site officiel"))
    assert _line(1, official).endswith("(source : https://www.afpa.fr)")
    assert _line(1, official).startswith("- ")  # a bullet, not a number that reads as a choice
