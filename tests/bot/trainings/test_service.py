"""`answer_trainings`: live within budget, otherwise the catalogue with its freshness — always an answer."""

from __future__ import annotations

import time
from datetime import date

import pytest

from bot.clients.http import NO_RETRY
from bot.clients.lba import LbaClient
from bot.clients.mcf import McfClient
from bot.trainings.loader import load_embedded
from bot.trainings.service import LbaLiveSource, McfLiveSource, TrainingsDeps, answer_trainings
from tests.bot.trainings.conftest import fake_resolve
from tests.fakes.opendata_server import MCF_BASE, Fault


@pytest.fixture
def catalogue(db, index):
    with db.begin() as s:
        load_embedded(s, index=index)
    return db


def deps(db, index, server=None, budget=1.0) -> TrainingsDeps:
    live = []
    if server is not None:
        live = [McfLiveSource(McfClient(server.url, timeout_s=budget, retry=NO_RETRY), db, index),
                LbaLiveSource(LbaClient(server.url + "/api", caller="tests", timeout_s=budget, retry=NO_RETRY))]
    return TrainingsDeps(db, index, fake_resolve, live, budget, today=lambda: date(2026, 11, 28))


def test_catalogue_answer_with_trainings(catalogue, index):
    answer = answer_trainings("aide-soignante", "Lens", deps=deps(catalogue, index))
    assert answer.status == "ok" and answer.source == "catalogue"
    assert answer.items[0].name.startswith("Diplôme d'État d'aide-soignant")
    assert all(i.distance_km <= 30 for i in answer.items)
    assert answer.fresh_as_of == date(2026, 11, 28)
    assert "catalogue intégré" in answer.text_fr and "vérifié le 28/11/2026" in answer.text_fr
    assert "éligibilité CPF à vérifier" in answer.text_fr  # never claims CPF when the source is silent
    assert answer.text_fr.count("\n") <= 7  # short


def test_catalogue_answer_with_only_bodies(catalogue, index):
    answer = answer_trainings("quelles formations en data près de Lens ?", "Lens", deps=deps(catalogue, index))
    assert answer.status == "only_bodies" and answer.items
    assert all(i.kind == "organisme" for i in answer.items)
    assert "Je ne connais pas de session de formation en données (data)" in answer.text_fr
    assert any("Afpa" in i.name for i in answer.items)


def test_live_answer_within_budget(catalogue, index, server):
    answer = answer_trainings("data", "insee:62498", deps=deps(catalogue, index, server))
    assert answer.source == "live" and answer.status == "ok"
    assert set(answer.live_sources) == {"mon-compte-formation", "la-bonne-alternance"}
    names = [i.name for i in answer.items]
    assert "Data analyst (TEST)" in names and any("apprentissage" in n for n in names)
    mcf_item = next(i for i in answer.items if i.name == "Data analyst (TEST)")
    assert mcf_item.cpf_eligible is True and mcf_item.approximate_place  # body unknown locally
    assert "données en direct" in answer.text_fr and "Pas-de-Calais" in answer.text_fr


@pytest.mark.parametrize("faults", [
    {MCF_BASE: Fault(delay_s=3), "/api/v1/formations": Fault(delay_s=3)},
    {MCF_BASE: Fault(status=500), "/api/v1/formations": Fault(status=503)},
    {MCF_BASE: Fault(status=429, retry_after="30"), "/api/v1/formations": Fault(body=b"{oops")},
    {MCF_BASE: Fault(truncate_to=20), "/api/v1/formations": Fault(body=b'{"results": "nope"}')},
], ids=["timeouts", "5xx", "429-and-malformed", "truncated-and-wrong-shape"])
def test_live_failure_falls_back_to_the_catalogue(catalogue, index, server, faults):
    for path, fault in faults.items():
        server.fail(path, fault)
    started = time.monotonic()
    answer = answer_trainings("aide-soignant", "Lens", deps=deps(catalogue, index, server, budget=0.5))
    assert time.monotonic() - started < 1.5
    assert answer.source == "catalogue" and answer.status == "ok"
    assert "vérifié le 28/11/2026" in answer.text_fr


def test_live_false_skips_the_network(catalogue, index, server):
    answer = answer_trainings("data", "Lens", live=False, deps=deps(catalogue, index, server))
    assert answer.source == "catalogue" and server.requests == []


def test_cpf_only_is_honest(catalogue, index):
    answer = answer_trainings("aide-soignant", "Lens", cpf_only=True, deps=deps(catalogue, index))
    assert answer.status == "empty" and "éligible au CPF" in answer.text_fr and "conseiller" in answer.text_fr


def test_unknown_field_and_places(catalogue, index):
    unknown = answer_trainings("astronaute", "Lens", deps=deps(catalogue, index))
    assert unknown.status == "unknown_field" and "plombier" in unknown.text_fr
    nowhere = answer_trainings("data", "Atlantide", deps=deps(catalogue, index))
    assert nowhere.status == "place_not_found" and nowhere.text_fr
    ambiguous = answer_trainings("data", "02100", deps=deps(catalogue, index))
    assert ambiguous.status == "place_ambiguous" and "Saint-Quentin" in ambiguous.text_fr
    assert answer_trainings("data", "insee:99999", deps=deps(catalogue, index)).status == "place_not_found"
    by_postcode = answer_trainings("aide-soignant", "62300", deps=deps(catalogue, index))
    assert by_postcode.commune_name == "Lens"  # plain digits are a postcode for the resolver


def test_empty_catalogue_still_answers(db, index):
    answer = answer_trainings("plombier", "Lens", deps=deps(db, index))
    assert answer.status == "empty" and answer.items == () and "élargir" in answer.text_fr


def test_missing_catalogue_still_answers(tmp_path, index):
    from bot.catalogue.db import make_engine, make_sessionmaker

    engine = make_engine(f"sqlite:///{tmp_path / 'not-built.db'}")  # no tables at all
    answer = answer_trainings("data", "Lens", deps=deps(make_sessionmaker(engine), index))
    assert answer.status == "unavailable" and "conseiller" in answer.text_fr


def test_live_answer_never_lists_the_worldwide_fallback_as_near(catalogue, index, server):
    # issue 14: with nothing within the radius, La bonne alternance returns the 5 closest, anywhere in France
    from tests.fakes.opendata_server import lba_worldwide_fallback

    server.lba_results = lba_worldwide_fallback()
    answer = answer_trainings("data", "insee:62498", deps=deps(catalogue, index, server))
    assert not any("apprentissage" in i.name for i in answer.items)
    for far in ("Marseille", "Lyon", "Rennes", "Toulouse", "Amiens"):
        assert far not in answer.text_fr


def test_live_apprenticeship_line_gives_session_dates_and_phone(catalogue, index, server):
    answer = answer_trainings("data", "insee:62498", deps=deps(catalogue, index, server))
    line = next(ln for ln in answer.text_fr.splitlines() if "apprentissage" in ln)
    assert "session du 1er septembre 2026 au 30 juin 2028" in line and "tél. 0300000000" in line


def test_the_answer_follows_the_reading_mode(catalogue, index):
    # issue 13: in the easy-to-read mode the trainings answer is the FALC wording (messages_falc.yml)
    from bot.reading import easy_read

    with easy_read():
        empty = answer_trainings("aide-soignant", "Lens", cpf_only=True, deps=deps(catalogue, index))
        unknown = answer_trainings("astronaute", "Lens", deps=deps(catalogue, index))
        found = answer_trainings("aide-soignant", "Lens", deps=deps(catalogue, index))
    assert empty.status == "empty" and "payée par le CPF" in empty.text_fr and "chercher plus loin" in empty.text_fr
    assert "éligible au CPF" not in empty.text_fr and "élargir" not in empty.text_fr
    assert unknown.status == "unknown_field" and "Je n'ai pas compris" in unknown.text_fr
    assert found.status == "ok" and "Vérifiez les dates et les conditions avec l'organisme" in found.text_fr
    assert "Confirmez" not in found.text_fr
    normal = answer_trainings("aide-soignant", "Lens", deps=deps(catalogue, index))
    assert [i.name for i in normal.items] == [i.name for i in found.items]  # the same trainings, other words
