"""`resolve`: names, typos, postcodes, INSEE codes, homonyms, and the French messages."""

from __future__ import annotations

import time

import pytest

from bot.geo import Resolution, communes, resolve

FOUND = [
    # (what a person types, expected INSEE code)
    ("lille", "59350"),
    ("LILLE", "59350"),
    ("  Lille  ", "59350"),
    ("Villeneuve d'Ascq", "59009"),
    ("villeneuve dascq", "59009"),
    ("Villeneuve-d’Ascq", "59009"),
    ("St-Omer", "62765"),
    ("st omer", "62765"),
    ("Saint Omer", "62765"),
    ("Marcq en Baroeul", "59378"),
    ("Marcq-en-Barœul", "59378"),
    ("marcq-en-barœul", "59378"),
    ("59000", "59350"),
    ("Lille 59000", "59350"),
    ("59000 Lille", "59350"),
    ("Lille Cedex 59044", "59350"),
    ("LILLE CEDEX", "59350"),
    ("à Lens", "62498"),
    ("Lens 62300", "62498"),
    ("Saint-Quentin 02100", "02691"),
    ("02100 saint quentin", "02691"),
    ("Harly 02100", "02371"),
    ("dunkerque", "59183"),
    ("bethune", "62119"),
    ("arras", "62041"),
    ("j'habite à Lille", "59350"),
    ("près de Douai", "59178"),
    ("vers Béthune", "62119"),
    ("au Quesnoy", "59481"),
    ("Le Quesnoy", "59481"),
    ("Lomme", "59350"),  # commune associée of Lille
    ("Hellemmes", "59350"),
    ("Boulogne", "62160"),  # short form used in Hauts-de-France
    ("Le Touquet", "62826"),
    ("Saint-Amand", "59526"),
    ("Saint-Quentin", "02691"),  # homonyms elsewhere, but one in Hauts-de-France
    ("Saint-Quentin (02)", "02691"),
    ("Valence", "26362"),  # no homonym in region 32, clearly the most populous
    ("code insee 59350", "59350"),
    ("INSEE 59009", "59009"),
    ("59009", "59009"),  # not a postcode: read as an INSEE code
    ("2A004", "2A004"),
    ("Paris 15e", "75056"),
    ("Compiegne", "60159"),
    ("maubeuge", "59392"),
    ("denain", "59172"),
]

FUZZY = [
    ("valencienne", "59606"),
    ("amien", "80021"),
    ("armentiere", "59017"),
    ("roubais", "59512"),
    ("hazebrouk", "59295"),
    ("dunkerke", "59183"),
    ("calai", "62193"),
]


@pytest.mark.parametrize(("text", "code"), FOUND)
def test_found(text, code):
    r = resolve(text)
    assert r.status == "found", (text, r.message_fr)
    assert r.commune is not None and r.commune.code_insee == code, (text, r.commune)
    assert r.candidates == [r.commune]
    assert r.commune.nom in r.message_fr


@pytest.mark.parametrize(("text", "code"), FUZZY)
def test_spelling_mistakes(text, code):
    r = resolve(text)
    assert r.status == "found" and r.commune.code_insee == code, (text, r.commune)
    assert r.fuzzy
    assert "Est-ce bien cela ?" in r.message_fr


def test_shared_postcode_is_ambiguous_with_the_most_populous_first():
    r = resolve("02100")
    assert r.status == "ambiguous" and r.commune is None
    assert r.candidates[0].nom == "Saint-Quentin"
    assert len(r.candidates) == 8  # capped; 11 communes share 02100
    pops = [c.population or 0 for c in r.candidates]
    assert pops == sorted(pops, reverse=True)
    assert r.message_fr.startswith("Plusieurs communes ont le code postal 02100 : Saint-Quentin, Harly")
    assert "et 3 autres" in r.message_fr


def test_lens_postcode_is_shared():
    r = resolve("62300")
    assert r.status == "ambiguous"
    assert [c.nom for c in r.candidates] == ["Lens", "Éleu-dit-Leauwette"]
    assert "Laquelle est la vôtre ?" in r.message_fr


def test_code_both_postcode_and_insee_code_offers_both():
    r = resolve("59350")  # Saint-André-lez-Lille's postcode, Lille's INSEE code
    assert r.status == "ambiguous"
    assert [c.code_insee for c in r.candidates] == ["59350", "59527"]


def test_homonyms_outside_the_region_are_ambiguous():
    r = resolve("Saint-Denis")
    assert r.status == "ambiguous"
    assert {"93", "974"} <= {c.departement for c in r.candidates}
    assert "Plusieurs communes portent ce nom" in r.message_fr
    assert len(resolve("Villeneuve").candidates) <= 8


def test_prefer_region_can_change():
    assert resolve("Saint-Quentin", prefer_region="28").status in {"found", "ambiguous"}
    r = resolve("Saint-Quentin", prefer_region=None)
    assert r.commune is not None and r.commune.code_insee == "02691"  # by far the most populous


def test_prefix_of_several_communes():
    r = resolve("bruay")
    assert r.status == "ambiguous"
    assert {c.code_insee for c in r.candidates} == {"62178", "59112"}


@pytest.mark.parametrize("text", ["xyzzy", "Qwertyville", "blablabla lalala"])
def test_not_found(text):
    r = resolve(text)
    assert r.status == "not_found" and r.commune is None and r.candidates == []
    assert r.message_fr == (f"Je ne trouve pas la commune « {text} ». "
                            "Pouvez-vous vérifier l'orthographe ou me donner le code postal ?")


@pytest.mark.parametrize("text", ["", "   ", "à", "?!"])
def test_empty(text):
    r = resolve(text)
    assert r.status == "not_found"
    assert "nom ou son code postal" in r.message_fr


def test_unknown_postcode():
    r = resolve("99999")
    assert r.status == "not_found"
    assert "code postal 99999" in r.message_fr


def test_to_dict_is_json_ready():
    import json

    d = resolve("02100").to_dict()
    assert json.loads(json.dumps(d))["status"] == "ambiguous"
    assert isinstance(resolve("lille"), Resolution)


def test_messages_use_vous():
    for text in ("02100", "Saint-Denis", "xyzzy", "amien", ""):
        msg = resolve(text).message_fr
        assert " tu " not in f" {msg} " and " ton " not in f" {msg} ", msg


def test_speed():
    communes()
    resolve("valencienne")  # builds the spelling index once
    start = time.perf_counter()
    for text in ("lille", "Saint-Quentin 02100", "02100", "villeneuve dascq", "valencienne", "amien"):
        resolve(text)
    assert time.perf_counter() - start < 0.5


def test_persona_communes_resolve(personas):
    for p in personas:
        typed = p["profile"].get("commune")
        if typed:
            r = resolve(typed)
            assert r.status == "found" and not r.fuzzy and r.commune.region == "32", (p["id"], typed)


def test_messages_follow_the_reading_mode():
    # issue 13: in the easy-to-read mode the resolver speaks FALC (communes of messages_falc.yml)
    from bot.reading import easy_read

    normal = resolve("62300")
    with easy_read():
        easy = resolve("62300")
        missing = resolve("Xyzzyville")
    assert easy.status == normal.status == "ambiguous" and easy.candidates == normal.candidates
    assert "Plusieurs communes" in normal.message_fr and "Laquelle" in normal.message_fr
    assert easy.message_fr.startswith("Le code postal 62300 est celui de plusieurs villes.")
    assert "Quelle est la vôtre ?" in easy.message_fr and "Lens" in easy.message_fr
    assert missing.status == "not_found" and "Vérifiez comment elle s'écrit" in missing.message_fr
