"""Directory of services: `sync --only data-inclusion` against the local fake server, and "qui voir"."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from bot.catalogue.db import Base, make_engine, make_sessionmaker
from bot.clients.data_inclusion import DataInclusionClient
from bot.clients.http import RetryPolicy
from bot.config import Settings
from bot.directory.models import TABLES, DirectoryService, DirectoryServiceStage, DirectoryStructure
from bot.directory.rank import DISABILITY, needs_from_profile, who_to_see
from bot.directory.sync import sync_data_inclusion
from bot.geo import communes, haversine_km, resolve
from bot.trainings.models import TABLES as TRAINING_TABLES
from bot.trainings.models import CatalogueSource
from bot.trainings.sync import Progress, run_sync
from tests.fakes.opendata_server import DI_BAD_REASONS, TOKEN, FakeOpenDataServer, Fault, di_directory_fixture

FAST = RetryPolicy(attempts=2, backoff_s=0.0)


@pytest.fixture(scope="module")
def fixture_data():
    return di_directory_fixture()


@pytest.fixture
def server(fixture_data):
    with FakeOpenDataServer() as srv:
        srv.di_directory = fixture_data
        yield srv


@pytest.fixture
def settings(tmp_path, server) -> Settings:
    base = Settings(var_dir=tmp_path / "var", database_url=f"sqlite:///{tmp_path / 'catalogue.db'}")
    return dataclasses.replace(base, http_timeout_s=2.0, data_inclusion_url=server.url, data_inclusion_token=TOKEN)


@pytest.fixture
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'catalogue.db'}")
    from bot.catalogue.models import Structure

    Base.metadata.create_all(engine, tables=[*TABLES, *TRAINING_TABLES, Structure.__table__])
    yield make_sessionmaker(engine)
    engine.dispose()


def sync(db, settings, **kw):
    client = DataInclusionClient(settings.data_inclusion_url, settings.data_inclusion_token, timeout_s=2.0, retry=FAST)
    return sync_data_inclusion(db, settings, index=communes(), client=client, page_size=25, **kw)


def count(db, model):
    with db() as s:
        return s.execute(select(func.count()).select_from(model)).scalar()


@pytest.fixture
def synced(db, settings):
    report = sync(db, settings)
    assert report.status == "ok", report.detail
    return report


def test_sync_loads_hundreds_of_services_of_the_five_departements_and_counts_bad_records(db, synced, fixture_data):
    good = len(fixture_data["services"]) - sum(DI_BAD_REASONS.values())
    assert good >= 300
    assert dict(synced.rejected) == DI_BAD_REASONS
    assert count(db, DirectoryService) == good
    with db() as s:
        deps = set(s.execute(select(DirectoryService.departement)).scalars())
        svc = s.execute(select(DirectoryService).where(DirectoryService.id == "dora--svc-handicap-59350")).scalar_one()
        state = s.get(CatalogueSource, "data-inclusion")
        structures = s.execute(select(func.count()).select_from(DirectoryStructure)).scalar()
    assert deps == {"02", "59", "60", "62", "80"}
    assert structures >= good  # one structure per service in the fixture
    # every schema field a person needs is kept, with source and date
    assert svc.publics == [DISABILITY] and svc.thematiques[0].startswith("trouver-un-emploi")
    assert svc.modes_accueil == ["en-presentiel"] and svc.zone == ["59"]
    assert svc.phone and svc.email and svc.address and svc.postcode == "59000"
    assert svc.opening_hours == "Mo-Fr 08:30-12:30; PH off" and svc.fees == "gratuit"
    assert svc.apply_modes == ["telephoner", "envoyer-un-courriel"]
    assert svc.source == "data-inclusion" and svc.producer == "dora" and svc.fetched_at is not None
    assert state.status == "ok" and state.rows == synced.kept and state.rejected == sum(DI_BAD_REASONS.values())


def test_sync_pages_through_each_departement(db, settings, server):
    report = sync(db, settings)
    assert report.status == "ok"
    seen = [r for r in server.requests if r.path == "/api/v1/services"]
    assert {r.query["code_departement"][0] for r in seen} == {"02", "59", "60", "62", "80"}
    assert any(r.query["page"] == ["2"] for r in seen)  # 60+ services a département, 25 a page
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in seen)


def test_interrupted_sync_keeps_the_previous_directory(db, settings, server, synced):
    before = count(db, DirectoryService)
    server.fail("/api/v1/services", Fault(), Fault(status=503), Fault(status=503))  # 2nd page fails twice
    report = sync(db, settings)
    assert report.status == "failed"
    assert count(db, DirectoryService) == before
    with db() as s:
        assert s.execute(select(func.count()).select_from(DirectoryServiceStage)).scalar() == 0
        assert s.get(CatalogueSource, "data-inclusion").status == "failed"
    # a KeyboardInterrupt while rows are staged: same
    class Boom(Progress):
        def rows(self, source, read, kept, rejected):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync(db, settings, progress=Boom(), batch_size=10)
    assert count(db, DirectoryService) == before


def test_without_token_the_sync_says_so_in_french_and_exits_2_touching_nothing(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.delenv("DATA_INCLUSION_TOKEN", raising=False)
    monkeypatch.setenv("CAP_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'untouched.db'}")
    from bot import config

    if hasattr(config.get_settings, "cache_clear"):
        config.get_settings.cache_clear()
    try:
        code = main(["sync", "--only", "data-inclusion", "--quiet"])
    finally:
        if hasattr(config.get_settings, "cache_clear"):
            config.get_settings.cache_clear()
    assert code == 2
    assert "clé d'accès" in capsys.readouterr().err
    assert not (tmp_path / "untouched.db").exists()


def test_run_sync_only_data_inclusion_uses_the_shared_runner(db, settings, server, monkeypatch):
    import bot.directory.sync as dsync

    monkeypatch.setattr(dsync.di, "DataInclusionClient",
                        lambda url, token, timeout_s: DataInclusionClient(url, token, timeout_s=2.0, retry=FAST))
    reports = run_sync(db, settings, only="data-inclusion", index=communes())
    assert [r.status for r in reports] == ["ok"] and reports[0].kept > 300


# -- qui voir près de chez moi -----------------------------------------------------------------
def place_of(name: str) -> dict:
    res = resolve(name)
    assert res.status == "found", name
    c = res.commune
    return {"code_insee": c.code_insee, "nom": c.nom, "departement": c.departement, "region": c.region,
            "lat": c.lat, "lon": c.lon, "epci": c.epci}


def public_personas(personas):
    return [p for p in personas if (p.get("profile") or {}).get("commune")]


def test_qui_voir_lists_a_reachable_structure_within_30_km_for_every_public_persona(db, synced, personas):
    checked = 0
    for persona in public_personas(personas):
        profile = persona["profile"]
        place = place_of(profile["commune"])
        with db() as s:
            ranked = who_to_see(s, place, profile, radius_km=30)
        assert ranked, persona["id"]
        first = ranked[0].to_support_item()
        assert first.address or first.phone, persona["id"]
        assert first.distance_km is not None and first.distance_km <= 30, persona["id"]
        assert "horaires" in first.contact_fr() and "pour y accéder" in first.contact_fr()
        # ranked by need: the best-scored line first, need never increasing down the list
        needs = [r.need for r in ranked]
        assert needs[0] == max(needs), persona["id"]
        # the food bank is not a career-change service
        assert all("alimentation" not in " ".join(r.service.thematiques) for r in ranked)
        checked += 1
    assert checked >= 8


def test_rqth_gets_the_disability_service_before_a_generic_one_at_similar_distance(db, synced, personas):
    rqth = next(p for p in public_personas(personas) if p["profile"].get("rqth") is True)
    place = place_of(rqth["profile"]["commune"])
    with db() as s:
        with_rqth = who_to_see(s, place, rqth["profile"], limit=50)
        without = who_to_see(s, place, {**rqth["profile"], "rqth": False}, limit=50)
    assert DISABILITY in with_rqth[0].service.publics
    generic = next(r for r in with_rqth if not r.service.publics)
    assert abs(generic.distance_km - with_rqth[0].distance_km) < 5  # similar distance, need decides
    assert all(DISABILITY not in r.service.publics for r in without)  # not aimed at them: left out


def test_young_person_gets_the_youth_service_first_and_an_adult_never_does(db, synced):
    place = place_of("Maubeuge")
    with db() as s:
        young = who_to_see(s, place, {"status": "jeune_neet", "age": 19, "goal": "get_qualification"})
        adult = who_to_see(s, place, {"status": "salarie_prive", "age": 45, "goal": "change_job"})
    assert young[0].service.publics == ["jeunes"]
    assert all("jeunes" not in r.service.publics for r in adult)
    assert "vous pouvez vous présenter sur place" in young[0].access_fr()
    assert adult[0].access_fr().startswith("sur rendez-vous")


def test_zone_served_excludes_a_service_of_another_departement_even_when_close(db, synced):
    place = place_of("Lille")
    with db.begin() as s:
        svc = s.execute(select(DirectoryService).where(DirectoryService.id == "dora--svc-cep-59350")).scalar_one()
        svc.zone = ["62"]
    with db() as s:
        ids = [r.service.id for r in who_to_see(s, place, {"status": "salarie_prive", "age": 40}, limit=50)]
    assert "dora--svc-cep-59350" not in ids and ids


def test_support_near_puts_the_ranked_directory_before_generic_lists(db, synced):
    place = place_of("Villeneuve-d'Ascq")
    with db() as s:
        from bot.trainings.support import support_near

        items, source = support_near(s, SimpleNamespace(**place), profile={"status": "demandeur_emploi", "rqth": True,
                                                                         "age": 34, "goal": "change_job"},
                                     radius_km=30)
    assert source == "structures+directory"
    first = next(i for i in items if i.origin == "data-inclusion")
    assert "handicap" in (first.detail or "").lower()
    assert haversine_km(place["lat"], place["lon"], place["lat"], place["lon"]) == 0


def test_needs_from_profile():
    needs = needs_from_profile({"status": "demandeur_emploi", "age": 52, "rqth": True, "goal": "create_business"})
    assert needs.publics[DISABILITY] > needs.publics["seniors"] and "demandeurs-emploi" in needs.publics
    assert needs.themes == ("creer-une-entreprise",)


def test_without_a_synced_directory_nothing_is_invented(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with make_sessionmaker(engine)() as s:
        assert who_to_see(s, place_of("Lille"), {"status": "salarie_prive"}) == []
    engine.dispose()


def test_nearby_answer_shows_the_stored_directory_ranked_for_the_person_without_a_token(tmp_path, settings):
    """The action's seam (actions.services) with no token: the synced directory answers, need first."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.help import ActionNearbyHelp
    from actions.services import Services, _data_inclusion, set_services
    from bot.catalogue.build import build_database
    from tests.actions.conftest import make_tracker

    engine = make_engine(f"sqlite:///{tmp_path / 'kb.db'}")
    build_database(engine=engine)
    kb = make_sessionmaker(engine)
    assert sync(kb, settings).status == "ok"
    no_token = dataclasses.replace(settings, data_inclusion_token=None)
    set_services(Services(today=lambda: None, session_factory=kb, trainings=None,
                          support_services=_data_inclusion(no_token)))
    try:
        dispatcher = CollectingDispatcher()
        slots = {"status": "demandeur_emploi", "age": 34, "rqth": True, "goal": "change_job",
                 "commune": "Villeneuve-d'Ascq", "code_insee": "59009"}
        ActionNearbyHelp().run(dispatcher, make_tracker("qui peut m'aider près de chez moi ?", "ask_nearby", slots), {})
    finally:
        set_services(None)
        engine.dispose()
    text = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert "data·inclusion" in text
    directory_part = text.split("data·inclusion", 1)[1]
    assert "Service emploi et handicap" in directory_part.splitlines()[1]  # the first directory line
    assert "+33300" in directory_part and "horaires : du lundi au vendredi" in directory_part
    assert "pour y accéder : sur rendez-vous, par téléphone" in directory_part


@pytest.mark.postgres
def test_sync_and_ranking_on_postgresql(settings):
    import uuid

    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3).close()
    except Exception as exc:  # pragma: no cover
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    name = f"cap_dir_{uuid.uuid4().hex[:8]}"
    admin = make_engine("postgresql+psycopg2://postgres@127.0.0.1/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        engine = make_engine(f"postgresql+psycopg2://postgres@127.0.0.1/{name}")
        Base.metadata.create_all(engine, tables=[*TABLES, *TRAINING_TABLES])
        pg = make_sessionmaker(engine)
        first, second = sync(pg, settings), sync(pg, settings)  # twice: idempotent
        assert first.status == second.status == "ok" and first.kept == second.kept
        assert count(pg, DirectoryService) == len(di_directory_fixture()["services"]) - sum(DI_BAD_REASONS.values())
        with pg() as s:
            ranked = who_to_see(s, place_of("Lens"), {"status": "jeune_neet", "age": 20})
        assert ranked and ranked[0].service.publics == ["jeunes"]
        engine.dispose()
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def test_cli_sync_prints_counts_and_rejects_in_french(tmp_path, monkeypatch, capsys, server):
    from bot import config
    from bot.cli import main

    monkeypatch.setenv("DATA_INCLUSION_TOKEN", TOKEN)
    monkeypatch.setenv("DATA_INCLUSION_API_URL", server.url)
    monkeypatch.setenv("CAP_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    if hasattr(config.get_settings, "cache_clear"):
        config.get_settings.cache_clear()
    try:
        code = main(["sync", "--only", "data-inclusion", "--quiet"])
    finally:
        if hasattr(config.get_settings, "cache_clear"):
            config.get_settings.cache_clear()
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("data-inclusion : ") and "lignes chargées" in out and "rejets : 7" in out
    assert "bad_postcode 1" in out and "unknown_thematique 1" in out


def test_an_empty_answer_never_wipes_the_directory(db, settings, server, synced):
    before = count(db, DirectoryService)
    server.di_directory = {"structures": [], "services": []}
    report = sync(db, settings)
    assert report.status == "failed" and "no service" in report.detail
    assert count(db, DirectoryService) == before


def test_a_zone_naming_the_persons_intercommunality_is_served_even_when_the_place_omits_it(db, synced):
    place = place_of("Lille")
    epci = place.pop("epci")
    assert epci
    with db.begin() as s:
        svc = s.execute(select(DirectoryService).where(DirectoryService.id == "dora--svc-cep-59350")).scalar_one()
        svc.zone = [epci]
    with db() as s:
        ids = [r.service.id for r in who_to_see(s, place, {"status": "salarie_prive", "age": 40}, limit=50)]
    assert "dora--svc-cep-59350" in ids
