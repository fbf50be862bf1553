"""Catalogue search: bounding box + exact distance, ranking, filters, duplicates.

TEST DATA: rows inserted here are invented (source "test").
"""

from __future__ import annotations

from datetime import date

from bot.trainings import store
from bot.trainings.loader import load_embedded
from bot.trainings.models import BodyCode, Training, TrainingBody, TrainingCode
from bot.trainings.places import BBox, haversine_km
from bot.trainings.search import Filters, search_bodies, search_trainings
from tests.bot.trainings.conftest import COMMUNES

LENS = COMMUNES["62498"]


def training(tid: str, commune: str, *, romes=("M1419",), nsf=("326",), cpf=True, remote=False, price=1000.0,
             siret=None, coord_source="organisme") -> dict:
    c = COMMUNES[commune]
    return {"id": f"test:{tid}", "source": "test", "title": f"Formation {tid} (TEST)", "certification": None,
            "level": None, "code_rncp": None, "code_rs": None, "body_id": None, "body_name": "Organisme (TEST)",
            "body_siret": siret, "commune": c.nom, "code_insee": c.code_insee, "departement": c.departement,
            "lat": c.lat, "lon": c.lon, "coord_source": coord_source, "cpf_eligible": cpf, "remote": remote,
            "apprenticeship": None, "price_min": price, "price_max": price, "hours_min": None, "hours_max": None,
            "romes": list(romes), "nsf": list(nsf), "formacodes": [], "url": None, "note": None,
            "source_title": "TEST", "source_url": "https://exemple.invalid", "licence": None,
            "checked_on": date(2026, 1, 1), "fetched_at": None}


def body(bid: str, commune: str, *, nsf=("326",), siret=None, qualiopi=True, name=None, multi=False) -> dict:
    c = COMMUNES[commune]
    name = name or f"Organisme {bid} (TEST)"
    return {"id": f"test:{bid}", "source": "test", "nda": None, "siret": siret, "siren": None, "name": name,
            "name_normalised": name.lower(), "kind": None, "street": None, "postcode": None, "commune": c.nom,
            "code_insee": c.code_insee, "departement": c.departement, "lat": c.lat, "lon": c.lon,
            "coord_source": "commune", "qualiopi": qualiopi, "qualiopi_training": None, "qualiopi_assessment": None,
            "qualiopi_vae": None, "qualiopi_apprenticeship": None, "nsf": [{"code": n, "label": ""} for n in nsf],
            "multidisciplinary": multi, "website": None, "note": None, "source_title": "TEST",
            "source_url": "https://exemple.invalid", "licence": None, "checked_on": date(2026, 1, 1),
            "fetched_at": None}


def add(db, trainings=(), bodies=()):
    with db.begin() as s:
        store.upsert(s, Training.__table__, list(trainings))
        store.upsert(s, TrainingCode.__table__, [c for t in trainings for c in store.training_codes(t)])
        store.upsert(s, TrainingBody.__table__, list(bodies))
        store.upsert(s, BodyCode.__table__, [c for b in bodies for c in store.body_codes(b)])


def find(db, **kw):
    kw.setdefault("specific", ["rome:M1419"])
    kw.setdefault("broad", ["nsf:326"])
    with db() as s:
        return search_trainings(s, lat=LENS.lat, lon=LENS.lon, radius_km=kw.pop("radius_km", 30), **kw)


def test_bbox_contains_the_circle():
    box = BBox.around(50.43, 2.83, 30)
    for bearing_lat, bearing_lon in ((box.lat_max, 2.83), (box.lat_min, 2.83), (50.43, box.lon_max)):
        assert haversine_km(50.43, 2.83, bearing_lat, bearing_lon) >= 29.9


def test_ranked_by_distance_within_radius(db):
    add(db, [training("lille", "59350"), training("lens", "62498"), training("arras", "62041"),
             training("amiens", "80021")])
    hits = find(db)
    assert [h.id for h in hits] == ["test:lens", "test:arras", "test:lille"]
    assert hits[0].distance_km < 1 and 15 < hits[1].distance_km < 20
    assert all(h.match == "specific" for h in hits)
    assert [h.id for h in find(db, radius_km=10)] == ["test:lens"]


def test_broad_codes_complete_specific_ones(db):
    add(db, [training("dev", "62041", romes=("M1805",)), training("data", "59350")])
    hits = find(db)
    assert [(h.id, h.match) for h in hits] == [("test:data", "specific"), ("test:dev", "broad")]
    assert [h.id for h in find(db, limit=1)] == ["test:data"]


def test_filters(db):
    add(db, [training("cpf", "62041"), training("nocpf", "62498", cpf=False),
             training("remote", "59350", remote=True, price=5000.0),
             training("q", "62427", siret="90000000000001")],
        [body("qbody", "62427", siret="90000000000001")])
    assert {h.id for h in find(db, filters=Filters(cpf_only=True))} == {"test:cpf", "test:remote", "test:q"}
    assert [h.id for h in find(db, filters=Filters(remote_only=True))] == ["test:remote"]
    assert "test:remote" not in {h.id for h in find(db, filters=Filters(max_price=2000))}
    assert [h.id for h in find(db, filters=Filters(qualiopi_only=True))] == ["test:q"]


def test_bodies_dedupe_and_multidisciplinary(db, index):
    with db.begin() as s:
        load_embedded(s, index=index)
    add(db, bodies=[body("b1", "62498", siret="90000000000002"),
                    body("b1-copy", "62498", siret="90000000000002", name="Autre nom (TEST)"),
                    body("b2", "62041", name="Organisme b1 (TEST)"),
                    body("far", "80021")])
    with db() as s:
        hits = search_bodies(s, codes=["nsf:326"], lat=LENS.lat, lon=LENS.lon, radius_km=30, departements=["62"])
    names = [h.name for h in hits]
    assert names[0] == "Organisme b1 (TEST)" and names.count("Organisme b1 (TEST)") == 2  # b2 is elsewhere
    assert "Autre nom (TEST)" not in names  # same SIRET
    assert any(h.match == "multidisciplinary" and "Afpa" in h.name for h in hits)  # Arras
    assert all(h.distance_km is None or h.distance_km <= 30 for h in hits)


def test_area_bodies_are_offered_around_their_towns_only(db, index):
    with db.begin() as s:
        load_embedded(s, index=index)

    def names_near(code):
        c = COMMUNES[code]
        with db() as s:
            return [(h.id, h.commune) for h in search_bodies(s, codes=["nsf:326"], lat=c.lat, lon=c.lon,
                                                             radius_km=20, departements=[c.departement])]

    near_valenciennes = names_near("59606")
    greta = [h for h in near_valenciennes if h[0].startswith("embedded:greta-grand-hainaut")]
    assert greta == [("embedded:greta-grand-hainaut@59606", "secteur de Valenciennes")]  # once, nearest town
    assert not any(i.startswith("embedded:greta") for i, _ in names_near("59512"))  # not in Roubaix
