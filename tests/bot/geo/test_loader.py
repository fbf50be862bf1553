"""`load_communes` on SQLite (temporary file) and PostgreSQL (throwaway database on 127.0.0.1)."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import func, select, text

from bot.catalogue.db import Base, make_engine, make_sessionmaker
from bot.catalogue.models import Commune as CommuneRow
from bot.catalogue.models import CommunePostcode
from bot.geo import communes
from bot.geo.loader import load_communes

PG_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def _check_loaded(engine) -> None:  # type: ignore[no-untyped-def]
    idx = communes()
    Session = make_sessionmaker(engine)
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(CommuneRow)) == len(idx)
        n_links = sum(len(set(c.codes_postaux)) for c in idx.all())
        assert s.scalar(select(func.count()).select_from(CommunePostcode)) == n_links
        lille = s.get(CommuneRow, "59350")
        assert lille.nom == "Lille" and lille.nom_normalise == "lille" and lille.region == "32"
        assert lille.codes_postaux == ["59000", "59160", "59260", "59777", "59800"]
        assert lille.epci == "200093201" and lille.lat and lille.lon and lille.coord_source
        marcq = s.get(CommuneRow, "59378")
        assert marcq.nom_normalise == "marcq en baroeul"
        codes = s.scalars(select(CommunePostcode.code_insee).where(CommunePostcode.code_postal == "02100")).all()
        assert len(codes) == 11 and "02691" in codes
        hdf = s.scalar(select(func.count()).select_from(CommuneRow).where(CommuneRow.region == "32"))
        assert hdf == 3782


def _load_twice(engine) -> float:  # type: ignore[no-untyped-def]
    Base.metadata.create_all(engine)
    Session = make_sessionmaker(engine)
    communes()  # the file is parsed once per process; time the database part only
    start = time.perf_counter()
    with Session.begin() as s:
        assert load_communes(s) == len(communes())
    elapsed = time.perf_counter() - start
    with Session.begin() as s:  # idempotent: reloading replaces the rows
        load_communes(s)
    _check_loaded(engine)
    return elapsed


def test_load_on_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'geo.db'}")
    try:
        assert _load_twice(engine) < 10
    finally:
        engine.dispose()


def test_load_a_subset(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'subset.db'}")
    Base.metadata.create_all(engine)
    subset = [c for c in communes().all() if c.departement == "80"]
    with make_sessionmaker(engine).begin() as s:
        assert load_communes(s, subset) == 771
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(CommuneRow)) == 771
    engine.dispose()


@pytest.mark.postgres
def test_load_on_postgresql():
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3).close()
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {exc}")
    name = f"geo_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}")
    try:
        assert _load_twice(engine) < 20
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
