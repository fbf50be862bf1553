"""The field→codes table and the embedded catalogue (real records only, each with its source)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.trainings.fields import default_fields, normalise, resolve_field
from bot.trainings.loader import CATALOGUE_FILE, load_embedded, read_catalogue
from bot.trainings.models import BodyCode, CatalogueSource, Training, TrainingBody, TrainingCode


@pytest.mark.parametrize("text, field_id", [
    ("quelles formations en data près de Lens ?", "data"), ("IA", "ia"), ("l'intelligence artificielle", "ia"),
    ("développeur web", "web"), ("Développeuse Web", "web"), ("aide-soignante", "aide_soignant"),
    ("plombier", "plomberie"), ("PLOMBIÈRE", "plomberie"), ("je veux devenir développeur", "informatique"),
    ("cariste", "logistique"), ("conseillère en insertion professionnelle", "insertion"),
])
def test_fields_resolve(text, field_id):
    assert resolve_field(text).id == field_id


@pytest.mark.parametrize("text", ["et les formations ?", "j'ai un code postal", "aide", "", "as-tu une idée"])
def test_no_false_positive(text):
    assert resolve_field(text) is None


def test_field_codes():
    data = default_fields().by_id("data")
    assert "rome:M1419" in data.codes(broad=False) and data.codes(broad=True) == ("nsf:326",)
    assert normalise("Œuvres d'Art") == "oeuvre d art"


def test_embedded_catalogue_is_sourced():
    doc = read_catalogue()
    assert 10 <= len(doc["bodies"]) <= 200
    for record in [*doc["bodies"], *doc["trainings"]]:
        assert record["source"]["url"].startswith("http") and record["source"]["title"]
        assert record["checked_on"]
        # No guessed contact details or prices in the shipped catalogue.
        for key in ("phone", "email", "street", "price_min", "price_max"):
            assert record.get(key) is None, (record["id"], key)
    records_text = CATALOGUE_FILE.read_text(encoding="utf-8").split("\nbodies:", 1)[1]
    assert "(TEST)" not in records_text and "exemple.invalid" not in records_text  # no test data shipped


def test_embedded_codes_match_real_communes():
    """With the real bot.geo (once it is there), every code_insee names the commune written next to it."""
    geo = pytest.importorskip("bot.geo")
    try:
        idx = geo.communes()
    except Exception as exc:  # noqa: BLE001 - data file not built yet
        pytest.skip(f"communes index unavailable: {exc}")
    doc = read_catalogue()
    for record in [*doc["bodies"], *doc["trainings"]]:
        if record.get("code_insee"):
            commune = idx.get(record["code_insee"])
            assert commune is not None, record["id"]
            assert normalise(commune.nom) in normalise(record["commune"]), (record["id"], commune.nom)
        for code in record.get("zone_communes") or ():
            assert idx.get(code) is not None and idx.get(code).departement == record["departement"]


def test_load_embedded_is_idempotent(db, index):
    with db.begin() as session:
        n = load_embedded(session, index=index)
    with db.begin() as session:
        assert load_embedded(session, index=index) == n
    with db() as session:
        bodies = session.execute(select(func.count()).select_from(TrainingBody)).scalar()
        trainings = session.execute(select(func.count()).select_from(Training)).scalar()
        assert bodies + trainings == n
        assert session.execute(select(func.count()).select_from(TrainingCode)).scalar() >= trainings
        assert session.execute(select(func.count()).select_from(BodyCode)).scalar() > 0
        lens_less = session.execute(select(TrainingBody).where(TrainingBody.code_insee.is_not(None),
                                                              TrainingBody.lat.is_(None))).scalars().all()
        assert lens_less == []  # every commune of the catalogue is in the fake index
        greta = session.get(TrainingBody, "embedded:greta-grand-hainaut@59606")
        assert greta.commune == "secteur de Valenciennes" and greta.coord_source == "zone" and greta.lat
        assert session.get(CatalogueSource, "embedded").status == "ok"


def test_load_embedded_without_geo_still_loads(db):
    class NoCoordinates:
        def get(self, code):
            return None

        def by_postcode(self, cp):
            return []

    with db.begin() as session:
        assert load_embedded(session, index=NoCoordinates()) > 0
