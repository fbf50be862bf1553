"""data·inclusion, geo.api.gouv.fr and La bonne alternance clients against the local server."""

from __future__ import annotations

import pytest

from bot.clients.data_inclusion import DataInclusionClient
from bot.clients.geo_api import GeoApiClient
from bot.clients.http import RetryPolicy, SourceAuthError, SourceError
from bot.clients.lba import LbaClient
from tests.fakes.opendata_server import TOKEN, Fault

FAST = RetryPolicy(attempts=2, backoff_s=0.0)


def test_data_inclusion_search(server):
    page = DataInclusionClient(server.url, TOKEN, timeout_s=2, retry=FAST).search_services(
        "62498", themes=["se-former"], audiences=["jeunes"])
    assert page.total == 1 and page.items[0].structure.siret == "90000060500019"
    assert page.items[0].distance_km == 2 and page.items[0].structure.lat == 50.43
    seen = server.requests[-1]
    assert seen.headers["Authorization"] == f"Bearer {TOKEN}" and seen.query["thematiques"] == ["se-former"]


def test_data_inclusion_needs_a_token(server):
    with pytest.raises(SourceAuthError):
        DataInclusionClient(server.url, None).search_services("62498")
    assert server.count("/api/v1/search") == 0
    with pytest.raises(SourceAuthError):
        DataInclusionClient(server.url, "wrong", retry=FAST).search_services("62498")


def test_data_inclusion_unknown_commune_and_bad_items(server):
    client = DataInclusionClient(server.url, TOKEN, retry=FAST)
    with pytest.raises(SourceError) as err:
        client.search_services("00000")
    assert err.value.status == 422
    server.di_items = [{"service": {"id": "x"}}, {"nope": 1}, *server.di_items]
    page = client.search_services("62498")
    assert len(page.items) == 1 and page.rejected == 2


def test_geo_api(server):
    geo = GeoApiClient(server.url, retry=FAST)
    found = geo.by_postcode("02100")
    assert [c.code for c in found] == ["02691", "02999"]  # most populous first
    assert (found[0].lat, found[0].lon) == (49.8465, 3.2876)  # GeoJSON [lon, lat] swapped correctly
    assert server.requests[-1].query["type"] == ["commune-actuelle"]
    assert geo.get("62498").nom == "Lens" and geo.get("99999") is None
    assert geo.search("lens")[0].score == 0.9


def test_geo_api_failure(server):
    server.fail("/communes", Fault(status=503), Fault(status=503))
    with pytest.raises(SourceError):
        GeoApiClient(server.url, retry=FAST).by_postcode("62300")


def test_lba(server):
    lba = LbaClient(server.url + "/api", caller="cap-reconversion-tests", retry=FAST)
    [item] = lba.formations(["M1805"], 50.43, 2.83, radius_km=30)
    assert item.distance_km == 4.2 and item.code_insee == "62498" and item.romes == ("M1805",)
    assert server.requests[-1].query["caller"] == ["cap-reconversion-tests"]
    with pytest.raises(ValueError):
        lba.formations([], 50.4, 2.8)


def test_lba_skips_broken_items(server):
    server.lba_results = [{"title": None}, 42, *server.lba_results]
    assert len(LbaClient(server.url + "/api", caller="t", retry=FAST).formations(["M1805"], 50.4, 2.8)) == 1
