"""Schema and coverage checks of the committed communes file (bot/geo/data/communes.csv.gz)."""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter

import pytest

from bot.geo.index import DATA_FILE

INSEE_RE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
POSTCODE_RE = re.compile(r"^[0-9]{5}$")
SIREN_RE = re.compile(r"^[0-9]{9}$")
COLUMNS = ["code_insee", "nom", "departement", "region", "epci", "codes_postaux", "population",
           "lat", "lon", "coord_source", "autres_noms", "anciens_codes"]
COORD_SOURCES = {"dila_mairie", "ign_contour", "geonames", "postcode_neighbour", "departement"}
# Current communes of Hauts-de-France per département (etalab decoupage-administratif 6.0.0, COG 2026;
# same numbers as shared/reference/data-sources.md).
HDF_COUNTS = {"02": 797, "59": 647, "60": 680, "62": 887, "80": 771}
# (lat min, lat max, lon min, lon max) per territory.
BOXES = {
    "metro": (41.3, 51.1, -5.2, 9.6),
    "971": (15.8, 16.6, -61.9, -60.9),  # Guadeloupe
    "972": (14.3, 14.9, -61.3, -60.7),  # Martinique
    "973": (2.0, 6.0, -54.7, -51.5),  # Guyane
    "974": (-21.5, -20.8, 55.1, 56.0),  # La Réunion
    "976": (-13.1, -12.5, 44.9, 45.4),  # Mayotte
}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with gzip.open(DATA_FILE, "rb") as fh:
        return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", newline="")))


def test_file_is_small_and_has_the_expected_columns(rows):
    assert DATA_FILE.stat().st_size < 3_000_000
    assert list(rows[0]) == COLUMNS


def test_every_current_commune_of_france(rows):
    codes = [r["code_insee"] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate INSEE codes"
    assert 34_000 < len(rows) < 36_000
    assert codes == sorted(codes)


def test_row_schema(rows):
    for r in rows:
        code = r["code_insee"]
        assert INSEE_RE.match(code), code
        assert r["nom"].strip() == r["nom"] and r["nom"], code
        assert code.startswith(r["departement"][:2]) or r["departement"] in {"2A", "2B"}, code
        assert re.match(r"^([0-9]{2}|2A|2B|97[1-6])$", r["departement"]), code
        assert re.match(r"^[0-9]{2}$", r["region"]), code
        assert not r["epci"] or SIREN_RE.match(r["epci"]), code
        cps = r["codes_postaux"].split("|")
        assert cps and all(POSTCODE_RE.match(cp) for cp in cps), code
        assert r["population"] == "" or int(r["population"]) >= 0, code
        assert r["coord_source"] in COORD_SOURCES, code
        for old in filter(None, r["anciens_codes"].split("|")):
            assert INSEE_RE.match(old), code


def test_coordinates_inside_france(rows):
    for r in rows:
        lat, lon = float(r["lat"]), float(r["lon"])
        box = BOXES.get(r["departement"], BOXES["metro"])
        assert box[0] <= lat <= box[1] and box[2] <= lon <= box[3], (r["code_insee"], lat, lon)


def test_all_hauts_de_france_communes_present(rows):
    hdf = [r for r in rows if r["region"] == "32"]
    assert len(hdf) == 3782
    assert Counter(r["departement"] for r in hdf) == HDF_COUNTS
    assert all(r["departement"] in HDF_COUNTS for r in hdf)
    # Every HdF commune belongs to an EPCI and has a position from the official sources.
    assert all(r["epci"] for r in hdf)
    assert {r["coord_source"] for r in hdf} <= {"dila_mairie", "ign_contour"}


def test_known_communes(rows):
    by_code = {r["code_insee"]: r for r in rows}
    lille = by_code["59350"]
    assert lille["nom"] == "Lille"
    assert lille["codes_postaux"].split("|") == ["59000", "59160", "59260", "59777", "59800"]
    assert lille["epci"] == "200093201"  # Métropole Européenne de Lille
    assert "Lomme" in lille["autres_noms"].split("|")
    assert abs(float(lille["lat"]) - 50.631) < 0.02 and abs(float(lille["lon"]) - 3.057) < 0.03
    assert by_code["02691"]["nom"] == "Saint-Quentin"
    assert by_code["62498"]["nom"] == "Lens"
    assert by_code["2A004"]["nom"] == "Ajaccio"
    assert sum("02100" in r["codes_postaux"].split("|") for r in rows) == 11
