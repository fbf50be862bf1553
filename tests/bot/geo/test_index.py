"""The commune index, lazy loading and distances."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.geo import Commune, communes, haversine_km
from bot.geo.index import osa_distance
from bot.geo.normalize import fold, name_key


def test_import_reads_nothing():
    code = ("import bot.geo, bot.geo.cli, bot.geo.loader, bot.geo.index as i, bot.geo.text as t;"
            "assert i._index is None and t._stopwords is None")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_index_is_cached_and_complete():
    idx = communes()
    assert communes() is idx
    assert len(idx) == len(idx.all()) > 34_000
    lille = idx.get("59350")
    assert isinstance(lille, Commune)
    assert lille.nom == "Lille" and lille.departement == "59" and lille.region == "32"
    assert lille.codes_postaux == ("59000", "59160", "59260", "59777", "59800")
    assert lille.coord_source in {"dila_mairie", "ign_contour"}
    assert idx.get("59355") == lille  # Lomme's former INSEE code
    assert idx.get("00000") is None


def test_by_postcode_most_populous_first():
    names = [c.nom for c in communes().by_postcode("02100")]
    assert len(names) == 11 and names[0] == "Saint-Quentin"
    assert communes().by_postcode("99999") == []


def test_in_epci():
    members = communes().in_epci("200093201")  # Métropole Européenne de Lille
    assert members[0].nom == "Lille"
    assert {"Roubaix", "Tourcoing", "Villeneuve-d'Ascq"} <= {c.nom for c in members}
    assert all(c.epci == "200093201" for c in members)
    assert communes().in_epci("000000000") == []


def test_commune_is_frozen_and_serialisable():
    c = communes().get("62498")
    with pytest.raises(AttributeError):
        c.nom = "x"  # type: ignore[misc]
    d = c.to_dict()
    assert d["code_insee"] == "62498" and d["codes_postaux"] == ["62300"]


@pytest.mark.parametrize(("a", "b", "km"), [
    ((50.6311, 3.0471), (50.2910, 2.7775), 42.5),  # Lille – Arras
    ((50.6311, 3.0471), (48.8566, 2.3522), 204.0),  # Lille – Paris
    ((49.8941, 2.2958), (49.8941, 2.2958), 0.0),
])
def test_haversine_km(a, b, km):
    assert haversine_km(*a, *b) == pytest.approx(km, abs=1.0)


def test_haversine_between_communes():
    idx = communes()
    lille, roubaix = idx.get("59350"), idx.get("59512")
    assert 8 < haversine_km(lille.lat, lille.lon, roubaix.lat, roubaix.lon) < 14


def test_normalisation():
    assert fold("Marcq-en-Barœul") == "marcq-en-baroeul"
    assert name_key("Villeneuve-d’Ascq") == name_key("villeneuve dascq") == "villeneuvedascq"
    assert name_key("St-Omer") == name_key("Saint Omer")
    assert name_key("Saint-André-lez-Lille") == name_key("saint andre les lille")


@pytest.mark.parametrize(("a", "b", "d"), [
    ("amien", "amiens", 1), ("valencienne", "valenciennes", 1), ("roubiax", "roubaix", 1),
    ("dunkerke", "dunkerque", 2), ("lille", "lille", 0), ("lille", "paris", 3),
])
def test_osa_distance(a, b, d):
    assert osa_distance(a, b, 2) == d


def test_common_words_file_is_valid_yaml():
    import yaml

    from bot.geo.text import STOPWORDS_FILE, stopwords

    words = yaml.safe_load(STOPWORDS_FILE.read_text(encoding="utf-8"))
    assert all(isinstance(w, str) and w == fold(w) for w in words)
    assert set(words) == stopwords()
    assert {"croix", "avion", "sains", "plus", "bourg", "y", "eu"} <= stopwords()
    assert not {"lille", "arras", "lens", "calais", "douai", "valenciennes"} & stopwords()
