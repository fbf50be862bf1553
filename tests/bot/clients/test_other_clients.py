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


# -- issue 14: the publishers' real formats ----------------------------------------------------------------------

def test_data_inclusion_keeps_what_people_need_to_go_there(server):
    [svc] = DataInclusionClient(server.url, TOKEN, retry=FAST).search_services("62498").items
    assert svc.opening_hours == "Mo-Fr 08:30-12:30; PH off"
    assert svc.apply_modes == ("se-presenter", "telephoner")
    assert svc.apply_url == "https://exemple.invalid/services/0001/orienter"
    assert svc.apply_details == "Sans rendez-vous le matin (TEST)"
    assert svc.conditions == "Avoir entre 16 et 25 ans (TEST)" and svc.fees_details == "Aucun frais (TEST)"
    assert (svc.phone, svc.email) == ("+33300000001", "accueil@exemple.invalid")
    assert svc.address == "1 place du Test, 2e étage" and svc.postcode == "62300"


def test_data_inclusion_missing_postcode_v0_fees_and_short_siret(server):
    from tests.fakes.opendata_server import di_item_without_postcode

    server.di_items = [di_item_without_postcode()]
    [svc] = DataInclusionClient(server.url, TOKEN, retry=FAST).search_services("62498").items
    assert svc.postcode is None and svc.address is None and svc.distance_km is None
    assert svc.fees == "gratuit, adhesion"
    assert svc.structure.siret is None  # "605000190" is not a SIRET: unknown, never padded


def test_data_inclusion_default_address_is_the_publishers():
    from bot.clients.data_inclusion import DEFAULT_URL
    from bot.config import Settings

    assert DEFAULT_URL == "https://api.data.inclusion.gouv.fr"
    assert Settings.__dataclass_fields__["data_inclusion_url"].default == DEFAULT_URL


def test_data_inclusion_trusted_host_400_is_a_configuration_error_not_retried(server):
    server.di_allowed_hosts = ["api.data.inclusion.gouv.fr"]
    client = DataInclusionClient(server.url, TOKEN, retry=RetryPolicy(attempts=3, backoff_s=0.0))
    with pytest.raises(SourceError) as err:
        client.search_services("62498")
    assert err.value.status == 400 and "DATA_INCLUSION_API_URL" in err.value.message_fr
    assert server.count("/api/v1/search") == 1


def test_lba_worldwide_fallback_is_left_out(server):
    from tests.fakes.opendata_server import lba_worldwide_fallback

    server.lba_results = lba_worldwide_fallback()
    lba = LbaClient(server.url + "/api", caller="t", retry=FAST)
    found = lba.search(["M1805"], 50.43, 2.83, radius_km=30)
    assert found.items == [] and found.beyond_radius == 5
    assert [f.city for f in lba.formations(["M1805"], 50.43, 2.83, radius_km=80)] == ["AMIENS"]
    near_and_far = [*server.lba_results, *LbaClientFixture.near()]
    server.lba_results = near_and_far
    kept = lba.formations(["M1805"], 50.43, 2.83, radius_km=30)
    assert [f.city for f in kept] == ["LENS"]


class LbaClientFixture:
    @staticmethod
    def near() -> list[dict]:
        from tests.fakes.opendata_server import _lba_item

        return [_lba_item()]


def test_lba_keeps_sessions_and_phone_and_computes_missing_distance(server):
    from tests.fakes.opendata_server import _lba_item, lba_item_without_postcode

    server.lba_results = [_lba_item(), lba_item_without_postcode()]
    first, second = LbaClient(server.url + "/api", caller="t", retry=FAST).formations(["M1805"], 50.43, 2.83)
    assert first.phone == "0300000000" and first.sessions == (("2026-09-01", "2028-06-30"),)
    assert second.postcode is None and second.code_insee is None and second.phone is None
    assert second.distance_km is not None and second.distance_km < 5  # computed from its coordinates
    assert second.siret is None  # "0600018" is not padded into a SIRET
