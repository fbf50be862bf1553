"""Every record of the embedded catalogues says what its source is, and press is shown as press."""

from __future__ import annotations

from pathlib import Path

import yaml

from actions.help import _contact
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


#: Words that tell a source is about a closure (title or address of the page).
CLOSURE_WORDS = ("fermeture", "ferme ses portes", "ferme-ses-portes", "fermera", "vont fermer", "vont-fermer",
                 "liquidation")


def _says_closed(record: dict) -> bool:
    text = " ".join(str(record.get(k) or "") for k in ("description", "note", "notes")).lower()
    return "fermé" in text or "ferme ses portes" in text


def test_no_source_speaks_of_a_closure_unless_the_record_says_it_is_closed() -> None:
    # an article about Afpa centres closing is no source for an Afpa centre being open
    for _, record in _records():
        if _says_closed(record):
            continue
        for source in [record["source"], *(record.get("more_sources") or [])]:
            text = f"{source['title']} {source['url']}".lower()
            assert not any(w in text for w in CLOSURE_WORDS), (record["id"], source["url"])


def test_the_closure_check_catches_the_article_that_once_sourced_an_afpa_centre() -> None:
    record = {"id": "afpa-x", "note": "Centre ouvert.", "source": {
        "title": "Radio 6 — Formation : les centres AFPA de Berck et Boulogne vont fermer",
        "url": "http://radio6.fr/article-37975-formation-les-centres-afpa-de-berck-et-boulogne-vont-fermer.html"}}
    text = f"{record['source']['title']} {record['source']['url']}".lower()
    assert not _says_closed(record) and any(w in text for w in CLOSURE_WORDS)


def test_press_only_records_say_so_and_are_shown_as_press() -> None:
    press = [r for _, r in _records() if r["source"]["kind"] == "press"]
    assert press, "the catalogue still has press-only records: they must be marked"
    for record in press:
        assert _source_title(record).startswith(PRESS_PREFIX)
    # a structure known only from its press is shown with its article, said to be one
    press_only = {"name": "Une association", "address": {"commune": "Lille"},
                  "contact": {"website": None, "phone": None, "email": None, "contact_url": None},
                  "source": {"title": "La Gazette — un article", "url": "https://example.org/a", "kind": "press"}}
    assert _contact(press_only) == " — article de presse : https://example.org/a"
    official = dict(press_only, source={"title": "Site", "url": "https://example.org/", "kind": "official"})
    assert _contact(official) == " — https://example.org/"
    label = _source_kind_label(PRESS_PREFIX + "La Gazette — un article")
    item = TrainingItem("organisme", "GRETA Grand Hainaut", None, "Valenciennes", "59", 3.0, False, None,
                        "https://va-infos.fr/x", "embedded", True, label)
    assert _line(1, item).endswith("(article de presse : https://va-infos.fr/x)")
    official = TrainingItem("organisme", "Afpa", None, "Arras", "62", 1.0, False, None,
                            "https://www.afpa.fr", "embedded", True, _source_kind_label("Afpa — site officiel"))
    assert _line(1, official).endswith("(source : https://www.afpa.fr)")
    assert _line(1, official).startswith("- ")  # a bullet, not a number that reads as a choice
