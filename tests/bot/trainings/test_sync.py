"""`sync` against the local fake server: nothing crashes, nothing half-written is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.clients.http import RetryPolicy
from bot.clients.mcf import McfClient
from bot.clients.of_list import OfListClient
from bot.trainings import sync as sync_mod
from bot.trainings.loader import create_tables, load_embedded
from bot.trainings.models import (
    BodyCode,
    BodyCodeStage,
    CatalogueSource,
    Training,
    TrainingBody,
    TrainingBodyStage,
)
from bot.trainings.sync import run_sync, sync_mcf, sync_of_list
from tests.fakes.opendata_server import MCF_BASE, OF_PATH, OF_ROWS, Fault, of_csv

FAST = RetryPolicy(attempts=2, backoff_s=0.0)


def of_client(settings):
    return OfListClient(settings.of_list_url, timeout_s=1.0, retry=FAST)


def sync_of(db, settings, index, **kw):
    return sync_of_list(db, settings, index=index, client=of_client(settings), **kw)


def count(db, model, **where):
    with db() as s:
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return s.execute(stmt).scalar()


def snapshot(db):
    with db() as s:
        return sorted((b.id, b.name, b.lat) for b in s.execute(select(TrainingBody)).scalars())


@pytest.fixture
def loaded(db, settings, index):
    """A catalogue with the embedded extract and one good OF sync."""
    with db.begin() as s:
        load_embedded(s, index=index)
    report = sync_of(db, settings, index)
    assert report.status == "ok", report.detail
    return report


def test_of_sync_loads_validates_and_positions(db, settings, index, loaded):
    assert (loaded.read, loaded.kept, loaded.skipped) == (len(OF_ROWS), 4, 1)
    assert dict(loaded.rejected) == {"nda_invalid": 1, "date_invalid": 1, "qualiopi_invalid": 1}
    assert loaded.rows_per_s > 0 and loaded.bytes == len(of_csv())
    with db() as s:
        aisne = s.get(TrainingBody, "of:32020000003")
        assert (aisne.code_insee, aisne.postcode, aisne.departement) == ("02691", "02100", "02")  # not Villetest
        lens = s.get(TrainingBody, "of:32620000004")
        assert (lens.lat, lens.lon) == (50.4323, 2.8319) and lens.coord_source == "commune"
        for b in s.execute(select(TrainingBody).where(TrainingBody.source == "liste-publique-of")).scalars():
            assert b.source_url == settings.of_list_url and b.licence and b.fetched_at and b.checked_on
        state = s.get(CatalogueSource, "liste-publique-of")
        assert state.status == "ok" and state.rows == 4 and state.rejected == 3 and state.etag
        assert "nda_invalid=1" in state.detail
    assert count(db, BodyCode, source="liste-publique-of") == 5
    assert count(db, TrainingBody, source="embedded") > 10  # the embedded extract is untouched
    assert not (settings.var_dir / "downloads" / "of_list.csv").exists()


def test_second_sync_is_conditional_and_idempotent(db, settings, index, loaded, server):
    before = snapshot(db)
    report = sync_of(db, settings, index)
    assert report.status == "unchanged"
    assert server.requests[-1].headers.get("If-None-Match")
    assert snapshot(db) == before
    forced = sync_of(db, settings, index, force=True)
    assert forced.status == "ok" and snapshot(db) == before


@pytest.mark.parametrize("faults", [
    [Fault(status=500), Fault(status=500)],
    [Fault(status=429, retry_after="3600")],
    [Fault(truncate_to=300), Fault(truncate_to=300)],
    [Fault(delay_s=1.5), Fault(delay_s=1.5)],
    [Fault(body=b"<html><body>Service indisponible</body></html>")],
    [Fault(body=b"")],
    [Fault(body=b"\x00\x01\x02" * 100)],
], ids=["500", "429-long", "truncated", "timeout", "html", "empty", "binary"])
def test_failed_sync_keeps_the_previous_catalogue(db, settings, index, loaded, server, faults):
    before = snapshot(db)
    with db() as s:
        etag_before = s.get(CatalogueSource, "liste-publique-of").etag
    server.of_csv = of_csv([OF_ROWS[0].replace("FORMA NORD", "CHANGED")])  # new content upstream
    server.fail(OF_PATH, *faults)
    report = sync_of(db, settings, index)
    assert report.status == "failed" and report.detail
    assert snapshot(db) == before
    assert count(db, TrainingBodyStage) == 0 and count(db, BodyCodeStage) == 0
    with db() as s:
        state = s.get(CatalogueSource, "liste-publique-of")
        assert state.status == "failed" and state.etag == etag_before  # validators of the good load kept
    # The next run, with the source back, loads the new content.
    assert sync_of(db, settings, index).status == "ok"
    assert any("CHANGED" in name for _, name, _ in snapshot(db))


def test_mostly_broken_file_is_not_swapped_in(db, settings, index, loaded, server):
    before = snapshot(db)
    server.of_csv = of_csv([OF_ROWS[0]] + [OF_ROWS[5]] * 5)
    report = sync_of(db, settings, index)
    assert report.status == "failed" and "rejected" in report.detail
    assert snapshot(db) == before


def test_interrupted_sync_leaves_the_catalogue_usable(db, settings, index, loaded, server, monkeypatch):
    before = snapshot(db)
    server.of_csv = of_csv([r.replace("(TEST)", "(TEST v2)") for r in OF_ROWS])
    real = sync_mod.body_row_from_of
    calls = {"n": 0}

    def interrupt_after_two(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(sync_mod, "body_row_from_of", interrupt_after_two)
    with pytest.raises(KeyboardInterrupt):
        sync_of(db, settings, index, batch_size=1)
    assert snapshot(db) == before  # live rows untouched while/after the interruption
    assert count(db, TrainingBodyStage) == 0
    monkeypatch.setattr(sync_mod, "body_row_from_of", real)
    assert sync_of(db, settings, index).status == "ok"
    assert all("v2" in name for bid, name, _ in snapshot(db) if bid.startswith("of:"))


def test_leftover_staging_is_cleared(db, settings, index, loaded, server):
    with db.begin() as s:
        s.execute(TrainingBodyStage.insert().values(
            id="of:stale", source="liste-publique-of", name="Stale (TEST)", name_normalised="stale",
            nsf=[], multidisciplinary=False, source_title="x", source_url="x"))
    server.of_csv = of_csv(OF_ROWS[:2])
    assert sync_of(db, settings, index).status == "ok"
    with db() as s:
        assert s.get(TrainingBody, "of:stale") is None


def test_windows_1252_file(db, settings, index, server):
    with db.begin() as s:
        create_tables(s)
    server.of_csv = of_csv([OF_ROWS[0].replace("FORMA NORD", "ÉCOLE DU NORD")], bom=False, encoding="cp1252")
    report = sync_of(db, settings, index)
    assert report.status == "ok"
    with db() as s:
        assert s.get(TrainingBody, "of:32590000001").name.startswith("ÉCOLE DU NORD")


def test_mcf_sync_places_trainings_through_their_body(db, settings, index, loaded, server):
    client = McfClient(settings.mcf_api_url, timeout_s=1.0, retry=FAST)
    report = sync_mcf(db, settings, index=index, client=client)
    assert report.status == "ok" and report.kept == 3 and dict(report.rejected) == {"title_missing": 1}
    assert server.requests[-1].path == MCF_BASE + "/exports/csv"
    with db() as s:
        rows = {t.title: t for t in s.execute(select(Training).where(Training.source == "mon-compte-formation"))
                .scalars()}
        data = rows["Data analyst (TEST)"]
        assert data.coord_source == "organisme" and data.commune == "Lens" and data.cpf_eligible is True
        assert data.remote is True and data.price_min == 3500 and data.romes == ["M1419"]
        old = rows["Accompagnement vers l'emploi (TEST)"]  # old column names
        assert old.body_siret == "90000000100017" and old.code_rs == "RS5555" and old.commune == "Lille"
    assert sync_mcf(db, settings, index=index, client=client).status == "unchanged"


def test_mcf_sync_failure_keeps_trainings(db, settings, index, loaded, server):
    client = McfClient(settings.mcf_api_url, timeout_s=1.0, retry=FAST)
    assert sync_mcf(db, settings, index=index, client=client).status == "ok"
    before = count(db, Training, source="mon-compte-formation")
    server.mcf_records = server.mcf_records[:1]
    server.fail(MCF_BASE + "/exports", Fault(status=503), Fault(status=503))
    assert sync_mcf(db, settings, index=index, client=client).status == "failed"
    assert count(db, Training, source="mon-compte-formation") == before


def test_run_sync_only_and_unknown(db, settings, index):
    with pytest.raises(Exception, match="unknown source"):
        run_sync(db, settings, only="nope", index=index)
    reports = run_sync(db, settings, only="of", index=index)
    assert [r.source for r in reports] == ["liste-publique-of"]
