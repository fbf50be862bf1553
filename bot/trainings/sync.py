"""`python -m bot sync`: refresh the catalogue from the open-data sources.

For each source: conditional streaming download (ETag / If-Modified-Since) to a temporary file,
row-by-row validation (rejects counted, never fatal), batched upserts into staging tables, then one
short transaction that swaps the staged rows in for that source. Until that swap the previous
catalogue stays complete and usable; an interrupted sync leaves only staging rows, cleared by the
next run. Running it twice is harmless (idempotent).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.catalogue.db import Base
from bot.clients import mcf as mcf_api
from bot.clients import of_list as of_api
from bot.clients.http import DEFAULT_RETRY, SourceError
from bot.clients.of_list import OfRecord, ParseStats, RowError
from bot.config import Settings
from bot.errors import BotError, DataError
from bot.trainings import store
from bot.trainings.fields import normalise
from bot.trainings.loader import create_tables
from bot.trainings.models import CatalogueSource, Training, TrainingBody, TrainingBodyStage, TrainingStage
from bot.trainings.places import DEPARTEMENT_SEATS, CommuneIndex, locate_postcode_city

log = logging.getLogger(__name__)

SOURCES = ("of", "mcf", "data-inclusion")
SOURCE_NAMES = {"of": of_api.SOURCE, "mcf": mcf_api.SOURCE}
MAX_REJECT_RATIO = 0.5  # above this, the file is suspect: keep the previous catalogue
MCF_PUBLIC_URL = "https://www.moncompteformation.gouv.fr"


class SyncAborted(BotError):
    """A sync stopped before swapping; the previous catalogue is unchanged."""

    message_fr = "La mise à jour n'a pas abouti ; le catalogue précédent reste utilisé."


@dataclass
class SyncReport:
    """What one source's sync did."""

    source: str
    status: str  # "ok" | "unchanged" | "failed"
    read: int = 0
    kept: int = 0
    rejected: Counter = field(default_factory=Counter)
    skipped: int = 0
    bytes: int = 0
    seconds: float = 0.0
    detail: str | None = None

    @property
    def rows_per_s(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


class Progress:
    """Receives progress events; the CLI prints them, tests ignore them."""

    def download(self, source: str, done: int, total: int | None) -> None:  # noqa: D102
        pass

    def rows(self, source: str, read: int, kept: int, rejected: int) -> None:  # noqa: D102
        pass

    def finish(self, report: SyncReport) -> None:  # noqa: D102
        pass


@contextmanager
def sync_lock(var_dir: Path) -> Iterator[None]:
    """One sync at a time on this machine (a second one fails fast)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    with (var_dir / "sync.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SyncAborted("another sync is running",
                              message_fr="Une autre mise à jour est déjà en cours.") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _state(session: Session, name: str) -> CatalogueSource | None:
    return session.get(CatalogueSource, name)


def _validators(Session: sessionmaker, name: str, live_model: Any) -> tuple[str | None, str | None]:
    """ETag / Last-Modified of the last good load, only if its rows are still there."""
    with Session() as session:
        state = _state(session, name)
        if state is None or state.status not in ("ok", "unchanged"):
            return None, None
        count = session.execute(select(func.count()).select_from(live_model).where(live_model.source == name)).scalar()
        if not count:
            return None, None
        return state.etag, state.last_modified


def _save_state(Session: sessionmaker, name: str, **values: Any) -> None:
    with Session.begin() as session:
        state = _state(session, name)
        if state is None:
            state = CatalogueSource(name=name, rows=0, rejected=0, status="never")
            session.add(state)
        for key, value in values.items():
            setattr(state, key, value)


def _reject_guard(stats: ParseStats, source: str) -> None:
    if stats.read and stats.kept == 0 and stats.skipped == 0:
        raise SyncAborted(f"{source}: no valid row in {stats.read}")
    if stats.read and stats.rejected_total / stats.read > MAX_REJECT_RATIO:
        raise SyncAborted(f"{source}: {stats.rejected_total} of {stats.read} rows rejected (over "
                          f"{MAX_REJECT_RATIO:.0%}): file looks wrong")


# -- OF list ------------------------------------------------------------------------------------
def body_row_from_of(rec: OfRecord, index: CommuneIndex | None, *, url: str, today: date,
                     now: datetime) -> dict[str, Any]:
    """A `training_body` row from an OF-list record (positioned at its commune's centre)."""
    commune = locate_postcode_city(index, rec.postcode, rec.city) if index is not None else None
    return {
        "id": f"of:{rec.nda}", "source": of_api.SOURCE, "nda": rec.nda, "siret": rec.siret, "siren": rec.siren,
        "name": rec.name, "name_normalised": normalise(rec.name), "kind": None, "street": rec.street,
        "postcode": rec.postcode, "commune": commune.nom if commune else (rec.city.title() if rec.city else None),
        "code_insee": commune.code_insee if commune else None,
        "departement": (commune.departement if commune else rec.departement),
        "lat": commune.lat if commune else None, "lon": commune.lon if commune else None,
        "coord_source": "commune" if commune else None,
        "qualiopi": rec.qualiopi, "qualiopi_training": rec.qualiopi_training,
        "qualiopi_assessment": rec.qualiopi_assessment, "qualiopi_vae": rec.qualiopi_vae,
        "qualiopi_apprenticeship": rec.qualiopi_apprenticeship,
        "nsf": [{"code": c, "label": label} for c, label in rec.specialities],
        "multidisciplinary": False, "website": None, "note": None,
        "source_title": of_api.TITLE, "source_url": url, "licence": of_api.LICENCE,
        "checked_on": today, "fetched_at": now,
    }


def _flush(Session: sessionmaker, stage: Any, rows: list[dict], codes: Callable[[dict], list[dict]],
           code_stage: Any) -> None:
    with Session.begin() as session:
        store.upsert(session, stage, rows)
        store.upsert(session, code_stage, [c for r in rows for c in codes(r)])


def sync_of_list(Session: sessionmaker, settings: Settings, *, index: CommuneIndex | None,
                 progress: Progress | None = None, client: of_api.OfListClient | None = None,
                 batch_size: int = 1000, force: bool = False) -> SyncReport:
    """Refresh Hauts-de-France training bodies from the OF list."""
    from bot.trainings.models import BodyCodeStage

    client = client or of_api.OfListClient(settings.of_list_url, timeout_s=max(settings.http_timeout_s, 30.0))
    now, today = _now(), date.today()

    def rows(dest: Path, stats: ParseStats) -> Iterable[dict]:
        return (body_row_from_of(rec, index, url=settings.of_list_url, today=today, now=now)
                for rec in of_api.iter_file(dest, stats, keep=OfRecord.in_hauts_de_france))

    return _run_sync(
        Session, of_api.SOURCE, TrainingBody, settings.var_dir / "downloads" / "of_list.csv",
        lambda dest, etag, modified, on_progress: client.download(dest, etag=etag, last_modified=modified,
                                                                  progress=on_progress),
        rows, (TrainingBodyStage, store.body_codes, BodyCodeStage),
        source=(of_api.TITLE, settings.of_list_url, of_api.LICENCE), progress=progress or Progress(),
        batch_size=batch_size, force=force, now=now)


# -- Mon Compte Formation ----------------------------------------------------------------------
def _department_points(index: CommuneIndex | None) -> dict[str, tuple[float, float]]:
    points = {}
    if index is None:
        return points
    for dep, code in DEPARTEMENT_SEATS.items():
        commune = index.get(code)
        if commune is not None and commune.lat is not None:
            points[dep] = (commune.lat, commune.lon)
    return points


def _bodies_by_siret(Session: sessionmaker) -> dict[str, tuple]:
    with Session() as session:
        rows = session.execute(select(TrainingBody.siret, TrainingBody.id, TrainingBody.commune,
                                      TrainingBody.code_insee, TrainingBody.departement, TrainingBody.lat,
                                      TrainingBody.lon).where(TrainingBody.siret.is_not(None))).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def training_row_from_mcf(rec: mcf_api.McfTraining, bodies: dict[str, tuple],
                          dep_points: dict[str, tuple[float, float]], *, today: date,
                          now: datetime) -> dict[str, Any]:
    """A `training` row from a CPF-catalogue record, positioned at its body's commune when that body
    is in the same département, else at the département's prefecture (coord_source "departement")."""
    body = bodies.get(rec.siret or "")
    lat = lon = None
    commune = code_insee = None
    coord_source = None
    body_id = None
    if body is not None:
        body_id, b_commune, b_insee, b_dep, b_lat, b_lon = body
        if b_dep == rec.departement and b_lat is not None:
            lat, lon, commune, code_insee, coord_source = b_lat, b_lon, b_commune, b_insee, "organisme"
    if lat is None and rec.departement in dep_points:
        (lat, lon), coord_source = dep_points[rec.departement], "departement"
    return {
        "id": "mcf:" + hashlib.sha1(rec.key.encode("utf-8")).hexdigest()[:32], "source": mcf_api.SOURCE,
        "title": rec.title[:300], "certification": (rec.certification or "")[:300] or None,
        "level": (rec.level or "")[:120] or None, "code_rncp": rec.code_rncp, "code_rs": rec.code_rs,
        "body_id": body_id, "body_name": rec.body_name[:250], "body_siret": rec.siret,
        "commune": commune, "code_insee": code_insee, "departement": rec.departement,
        "lat": lat, "lon": lon, "coord_source": coord_source, "cpf_eligible": True,
        "remote": (rec.remote_sessions or 0) > 0 if rec.remote_sessions is not None else None,
        "apprenticeship": None, "price_min": rec.price_min, "price_max": rec.price_max,
        "hours_min": rec.hours_min, "hours_max": rec.hours_max, "romes": list(rec.romes), "nsf": list(rec.nsf),
        "formacodes": list(rec.formacodes), "url": MCF_PUBLIC_URL, "note": None,
        "source_title": mcf_api.TITLE, "source_url": MCF_PUBLIC_URL, "licence": mcf_api.LICENCE,
        "checked_on": rec.loaded_on or today, "fetched_at": now,
    }


def sync_mcf(Session: sessionmaker, settings: Settings, *, index: CommuneIndex | None,
             progress: Progress | None = None, client: mcf_api.McfClient | None = None,
             batch_size: int = 1000, force: bool = False) -> SyncReport:
    """Refresh the Hauts-de-France CPF trainings from the Mon Compte Formation export."""
    from bot.trainings.models import TrainingCodeStage

    client = client or mcf_api.McfClient(settings.mcf_api_url, timeout_s=max(settings.http_timeout_s, 30.0),
                                         retry=DEFAULT_RETRY)
    now, today = _now(), date.today()

    def rows(dest: Path, stats: ParseStats) -> Iterable[dict]:
        bodies = _bodies_by_siret(Session)
        dep_points = _department_points(index)
        return (training_row_from_mcf(rec, bodies, dep_points, today=today, now=now)
                for rec in mcf_api.iter_export_file(dest, stats))

    return _run_sync(
        Session, mcf_api.SOURCE, Training, settings.var_dir / "downloads" / "mcf_export.csv",
        lambda dest, etag, modified, on_progress: client.export_csv(
            dest, where=mcf_api.build_where(region="32"), etag=etag, last_modified=modified, progress=on_progress),
        rows, (TrainingStage, store.training_codes, TrainingCodeStage),
        source=(mcf_api.TITLE, settings.mcf_api_url, mcf_api.LICENCE), progress=progress or Progress(),
        batch_size=batch_size, force=force, now=now)


# -- helpers -------------------------------------------------------------------------------------
def _run_sync(Session: sessionmaker, name: str, live_model: Any, dest: Path,
              download: Callable[[Path, str | None, str | None, Callable[[int, int | None], None]], Any],
              rows: Callable[[Path, ParseStats], Iterable[dict]], tables: tuple[Any, Any, Any], *,
              source: tuple[str, str, str | None], progress: Progress, batch_size: int, force: bool,
              now: Any, live_stage: Any = store.LIVE_STAGE) -> SyncReport:
    """One source: conditional download, staged load, swap; the previous catalogue stays on any failure."""
    etag, last_modified = (None, None) if force else _validators(Session, name, live_model)
    started = time.monotonic()
    report = SyncReport(name, "failed")
    try:
        result = download(dest, etag, last_modified, lambda done, total: progress.download(name, done, total))
        if result.status == "not_modified":
            _save_state(Session, name, checked_at=now, status="ok", detail="unchanged (304)")
            report.status, report.seconds = "unchanged", time.monotonic() - started
            return report
        report.bytes = result.bytes
        with Session.begin() as session:
            store.clear_stage(session, name, tables=live_stage)
        stats = ParseStats()
        _stage_and_swap(Session, name, rows(dest, stats), stats, tables, batch_size, progress, source=source,
                        result=result, now=now, live_stage=live_stage)
        report.status = "ok"
        _fill(report, stats)
    except (SourceError, RowError, DataError, SyncAborted) as exc:
        _abort(Session, name, report, exc, live_stage)
    except BaseException:
        _abort(Session, name, report, None, live_stage)
        raise
    finally:
        dest.unlink(missing_ok=True)
        report.seconds = time.monotonic() - started
        progress.finish(report)
    return report


def _stage_and_swap(Session: Any, name: str, rows: Any, stats: ParseStats, tables: tuple[Any, Any, Any],
                    batch_size: int, progress: Any, *, source: tuple[str, str, str | None], result: Any,
                    now: Any, live_stage: Any = store.LIVE_STAGE) -> None:
    """Write `rows` to the staging tables in batches, then swap them in with the source's state.

    `rows` is consumed lazily (the parser updates `stats` as it reads); nothing replaces the live
    catalogue until every row is staged and the reject guard passed.
    """
    stage, codes, code_stage = tables
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            _flush(Session, stage, batch, codes, code_stage)
            batch.clear()
            progress.rows(name, stats.read, stats.kept, stats.rejected_total)
    _flush(Session, stage, batch, codes, code_stage)
    progress.rows(name, stats.read, stats.kept, stats.rejected_total)
    _reject_guard(stats, name)
    title, url, licence = source
    with Session.begin() as session:
        store.swap_in(session, name, tables=live_stage)
        _upsert_state(session, name, title=title, url=url, licence=licence, etag=result.etag,
                      last_modified=result.last_modified, fetched_at=now, checked_at=now, rows=stats.kept,
                      rejected=stats.rejected_total, status="ok", detail=_reject_detail(stats))


def _upsert_state(session: Session, name: str, **values: Any) -> None:
    state = _state(session, name) or CatalogueSource(name=name)
    for key, value in values.items():
        setattr(state, key, value)
    session.add(state)


def _reject_detail(stats: ParseStats) -> str | None:
    parts = [f"{reason}={n}" for reason, n in sorted(stats.rejected.items())]
    if stats.encoding_fallbacks:
        parts.append(f"cp1252_lines={stats.encoding_fallbacks}")
    return ", ".join(parts) or None


def _fill(report: SyncReport, stats: ParseStats) -> None:
    report.read, report.kept, report.skipped = stats.read, stats.kept, stats.skipped
    report.rejected = Counter(stats.rejected)


def _abort(Session: sessionmaker, name: str, report: SyncReport, exc: BaseException | None,
           live_stage: Any = store.LIVE_STAGE) -> None:
    """Drop staged rows and record the failure; live rows are untouched."""
    report.status = "failed"
    report.detail = str(exc) if exc is not None else "interrupted"
    log.warning("sync %s failed: %s (previous catalogue kept)", name, report.detail)
    try:
        with Session.begin() as session:
            store.clear_stage(session, name, tables=live_stage)
        _save_state(Session, name, checked_at=_now(), status="failed", detail=report.detail[:2000])
    except Exception:  # noqa: BLE001 - best effort: the next run clears staging anyway
        log.exception("sync %s: could not clean staging", name)


def run_sync(Session: sessionmaker, settings: Settings, *, only: str | None = None,
             index: CommuneIndex | None = None, progress: Progress | None = None,
             force: bool = False) -> list[SyncReport]:
    """Sync every source (or `only` one), bodies before trainings (trainings are placed via bodies)."""
    if only == "data-inclusion":
        from bot.directory.sync import require_token

        require_token(settings)  # before touching anything
    if only is not None and only not in SOURCES:
        raise DataError(f"unknown source {only!r}", message_fr=f"Source inconnue « {only} » (choix : {', '.join(SOURCES)}).")
    with Session.begin() as session:
        create_tables(session)
        from bot.directory.models import TABLES as DIRECTORY_TABLES

        Base.metadata.create_all(session.connection(), tables=list(DIRECTORY_TABLES), checkfirst=True)
    reports = []
    with sync_lock(settings.var_dir):
        if only in (None, "of"):
            reports.append(sync_of_list(Session, settings, index=index, progress=progress, force=force))
        if only in (None, "mcf"):
            reports.append(sync_mcf(Session, settings, index=index, progress=progress, force=force))
        if only == "data-inclusion" or (only is None and settings.data_inclusion_token):
            from bot.directory.sync import sync_data_inclusion

            reports.append(sync_data_inclusion(Session, settings, index=index, progress=progress, force=force))
    return reports
