"""`db build` (idempotent, SQLite and PostgreSQL) and `structures --near` ranked by distance."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import func, select

from bot.catalogue.build import build_database, is_built
from bot.catalogue.db import make_engine, make_sessionmaker
from bot.catalogue.models import Commune, Dispositif, DispositifSource, Structure
from bot.catalogue.structures import structures_near
from tests.conftest import REPO


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'kb.db'}")
    build_database(engine=engine)
    return engine


def test_build_loads_every_part_and_is_idempotent(sqlite_engine):
    assert is_built(sqlite_engine)
    with make_sessionmaker(sqlite_engine)() as s:
        assert s.scalar(select(func.count()).select_from(Dispositif)) == 38
        assert s.scalar(select(func.count()).select_from(DispositifSource)) >= 38
        assert s.scalar(select(func.count()).select_from(Commune).where(Commune.region == "32")) == 3782
        assert s.scalar(select(func.count()).select_from(Structure)) >= 30
        pro_a = s.get(Dispositif, "pro_a")
        assert pro_a.state == "supprime" and str(pro_a.valid_until) == "2026-01-01"
    again = build_database(engine=sqlite_engine)
    assert all(status.startswith("à jour") for status in again.values())


def _place(code: str) -> dict:
    from bot.geo import communes

    c = communes().get(code)
    return {"code_insee": c.code_insee, "nom": c.nom, "departement": c.departement, "region": c.region,
            "lat": c.lat, "lon": c.lon}


def test_structures_near_are_ranked_by_distance_then_area_wide(sqlite_engine):
    with make_sessionmaker(sqlite_engine)() as s:
        found = structures_near(s, _place("59183"), radius_km=30, limit=20)  # Dunkerque
    distances = [n.distance_km for n in found if n.distance_km is not None and not n.serves_area]
    assert distances == sorted(distances)
    names = [n.structure.name for n in found]
    assert any("Turbine" in n for n in names)
    # Mon CEP has no street address: it comes as serving the whole region
    with make_sessionmaker(sqlite_engine)() as s:
        cep = structures_near(s, _place("59350"), for_id="mon_cep_hdf")
    assert cep and all("mon_cep_hdf" in n.structure.dispositifs for n in cep)
    assert cep[0].serves_area


def test_structures_cli_json_and_errors():
    out = subprocess.run([sys.executable, "-m", "bot", "structures", "--near", "Villeneuve d'Ascq", "--for",
                          "transitions_pro_hdf", "--json"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["near"]["code_insee"] == "59009"
    assert doc["structures"] and all("transitions_pro_hdf" in s["dispositifs"] for s in doc["structures"])
    bad = subprocess.run([sys.executable, "-m", "bot", "structures", "--near", "Zzyzx-sur-Mer"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Je ne trouve pas" in bad.stderr


@pytest.mark.postgres
def test_build_on_postgresql():
    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3).close()
    except Exception as exc:  # pragma: no cover
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    name = f"cap_kb_{uuid.uuid4().hex[:8]}"
    admin = make_engine("postgresql+psycopg2://postgres@127.0.0.1/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        engine = make_engine(f"postgresql+psycopg2://postgres@127.0.0.1/{name}")
        report = build_database(engine=engine)
        assert all(status.startswith("chargé") for status in report.values())
        assert all(status.startswith("à jour") for status in build_database(engine=engine).values())
        with make_sessionmaker(engine)() as s:
            assert s.scalar(select(func.count()).select_from(Commune)) > 34000
            assert structures_near(s, _place("59350"), radius_km=15)
        engine.dispose()
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
