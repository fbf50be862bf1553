"""`find_communes_in_text`: place mentions in free sentences (precision first)."""

from __future__ import annotations

import time

import pytest

from bot.geo import communes, find_communes_in_text
from bot.geo.normalize import name_key

POSITIVES = [
    # (sentence, mentioned text, INSEE code of the commune)
    ("je suis en CDI depuis 3 ans dans une boîte de logistique à Lille", "Lille", "59350"),
    ("Intérimaire dans le BTP vers Béthune depuis 2 ans", "Béthune", "62119"),
    ("je voudrais passer les caces cariste a valenciennes", "valenciennes", "59606"),
    ("j'habite Marcq en baroeul", "Marcq en baroeul", "59378"),
    ("j'habite Marcq-en-Barœul depuis 10 ans", "Marcq-en-Barœul", "59378"),
    ("je suis sur lille", "lille", "59350"),
    ("je viens de roubaix", "roubaix", "59512"),
    ("dans le coin de Lens", "Lens", "62498"),
    ("je suis de Tourcoing", "Tourcoing", "59599"),
    ("Je vis au Quesnoy avec mes enfants", "Quesnoy", "59481"),
    ("j'habite à Lomme", "Lomme", "59350"),
    ("j'habite à Villeneuve d'Ascq", "Villeneuve d'Ascq", "59009"),
    ("je bosse à villeneuve dascq", "villeneuve dascq", "59009"),
    ("je travaille à St-Omer", "St-Omer", "62765"),
    ("à Saint Omer", "Saint Omer", "62765"),
    ("je cherche une formation près de Douai", "Douai", "59178"),
    ("Je suis en formation à Amiens, rue de la Paix", "Amiens", "80021"),
    ("il habite Mons en baroeul", "Mons en baroeul", "59410"),
    ("j'ai travaillé au Touquet cet été", "Touquet", "62826"),
    ("je bosse à Saint-Amand", "Saint-Amand", "59526"),
    ("je suis à Ham depuis peu", "Ham", "80410"),
    ("je bosse à l'hôpital de Lens", "Lens", "62498"),
    ("J'habite à Croix", "Croix", "59163"),
    ("Lille 59000", "Lille 59000", "59350"),
    ("59000 Lille", "59000 Lille", "59350"),
    ("J'habite 12 rue Nationale 59000 Lille", "59000 Lille", "59350"),
    ("j'habite Saint-Quentin 02100", "Saint-Quentin 02100", "02691"),
    ("mon code postal c'est le 80000", "80000", "80021"),
    ("Dunkerque", "Dunkerque", "59183"),
    ("Compiègne", "Compiègne", "60159"),
    ("st omer", "st omer", "62765"),
    ("Boulogne", "Boulogne", "62160"),
    ("J'habite à Albert", "Albert", "80016"),
    ("je bosse à Boulogne", "Boulogne", "62160"),
]

NEGATIVES = [
    "Y a pas de souci",
    "j'ai eu mon bac en 2010",
    "Il y a plus de travail dans le numérique",
    "Plus tard je voudrais être infirmière",
    "Je cherche une formation à distance",
    "J'aimerais travailler dans le bois",
    "Je suis sur le point de démissionner",
    "Je suis à fond dans mon projet",
    "Je voudrais plus de sens dans mon travail",
    "J'ai besoin de changer d'air",
    "Je vis à la campagne, sans voiture",
    "Je travaille au service client d'Orange",
    "Je travaille à la Poste comme facteur",
    "On est plus de 200 salariés dans la boîte",
    "Je gagne 25000 euros par an",
    "Il me reste 25000 euros de prime",
    "Mon numéro de dossier est 59123.",
    "J'ai fait 1700 heures sur les 18 derniers mois",
    "C'est une boîte de transport à Saint.",
    "Je voudrais travailler avec des animaux, à la campagne.",
    "J'aimerais faire un métier en rapport avec la mer.",
    "Tours de garde, astreintes, j'en peux plus.",
    "Ma conseillère France Travail m'a parlé de la POEI.",
    "Le Pro-A existe toujours ?",
    "Transitions Pro peut financer ma formation ?",
    "Est-ce que Cap emploi peut m'aider avec ma RQTH ?",
    "Je suis au RSA depuis 2 ans",
    "Je suis au chômage depuis 8 mois",
    "Je suis à la maison avec mes enfants",
    "Je travaille de nuit à l'entrepôt, c'est dur.",
    "je suis en mission d'intérim à l'usine",
    "j'habite a croix",  # an ordinary word in lower case: not enough evidence
    "Je m'appelle Marie",
    "Mons",
    "eu",
    "sains et saufs",
    "un bourg tranquille",
    "je veux devenir maçon en apprentissage",
    "une voiture bordeaux",
    "c'est nice",
    "mon collègue Albert m'a dit",
    "la saint martin",
    "on se promène au bois de boulogne",
    "est-ce possible à mon âge n/a",  # "âge n" glued would read "Agen"
    "the lock lasts 60 s and can be changed",
    "voir https://github.com/RasaHQ/rasa/issues/10230",
    "écrivez à contact@lille.fr ou sur www.sotteville-les-rouen.fr",
    "",
]


@pytest.mark.parametrize(("sentence", "text", "code"), POSITIVES)
def test_positive(sentence, text, code):
    matches = find_communes_in_text(sentence)
    assert len(matches) == 1, (sentence, matches)
    m = matches[0]
    assert m.text == text and sentence[m.start:m.end] == text
    assert m.commune is not None and m.commune.code_insee == code, (sentence, m.commune)


@pytest.mark.parametrize("sentence", NEGATIVES)
def test_negative(sentence):
    assert find_communes_in_text(sentence) == [], sentence


def test_personas_each_mention_exactly_their_commune(personas):
    failures = []
    for p in personas:
        matches = find_communes_in_text(p["message"])
        expected = name_key(p["profile"]["commune"])
        got = [(m.text, m.commune.nom if m.commune else None) for m in matches]
        if len(matches) != 1 or matches[0].commune is None or name_key(matches[0].commune.nom) != expected:
            failures.append((p["id"], got))
    assert not failures


def test_shared_postcode_gives_candidates():
    [m] = find_communes_in_text("62300")
    assert m.commune is None
    assert [c.nom for c in m.candidates] == ["Lens", "Éleu-dit-Leauwette"]
    assert m.source == "postcode"


def test_several_mentions_in_order():
    matches = find_communes_in_text("J'ai travaillé à Sains-en-Gohelle puis à Croix, entre Lille et Roubaix")
    assert [m.text for m in matches] == ["Sains-en-Gohelle", "Croix", "Lille", "Roubaix"]


def test_homonyms_prefer_hauts_de_france():
    [m] = find_communes_in_text("je travaille à Saint-Quentin")
    assert m.commune.code_insee == "02691"
    [m] = find_communes_in_text("je travaille à Saint-Quentin", prefer_region=None)
    assert m.commune.code_insee == "02691"


def test_match_to_dict():
    [m] = find_communes_in_text("à Lille")
    d = m.to_dict()
    assert d["commune"]["code_insee"] == "59350" and d["start"] == 2 and d["end"] == 7


def test_speed(personas):
    communes()
    sentences = [p["message"] for p in personas] + [s for s, _, _ in POSITIVES] + NEGATIVES
    find_communes_in_text(sentences[0])  # warm-up
    rounds = 5
    start = time.perf_counter()
    for _ in range(rounds):
        for s in sentences:
            find_communes_in_text(s)
    per_sentence_ms = (time.perf_counter() - start) * 1000 / (rounds * len(sentences))
    assert per_sentence_ms < 2.0, per_sentence_ms
