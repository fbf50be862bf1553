"""Load the embedded, curated catalogue (bot/trainings/data/catalogue.yml) into the database.

`load_embedded(session)` is what `db build` calls: it replaces the rows of source "embedded" in
the caller's transaction and returns how many bodies + trainings it wrote.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.catalogue.build import Part
from bot.catalogue.db import Base
from bot.errors import DataError
from bot.trainings import store
from bot.trainings.fields import normalise
from bot.trainings.models import TABLES, BodyCode, CatalogueSource, Training, TrainingBody, TrainingCode
from bot.trainings.places import CommuneIndex, default_index

log = logging.getLogger(__name__)

SOURCE = "embedded"
CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "catalogue.yml"
_REQUIRED_BODY = ("id", "name", "departement", "source", "checked_on")
_REQUIRED_TRAINING = ("id", "body", "title", "source", "checked_on")


#: What a source is (docs/data.md): the body itself or a public authority, an official directory,
#: another organisation, or a press article (shown as « article de presse »).
SOURCE_KINDS = ("official", "directory", "third_party", "press")
PRESS_PREFIX = "Article de presse — "


def _check_source(record: dict[str, Any], where: str) -> None:
    src = record.get("source")
    if not isinstance(src, dict) or not src.get("title") or not str(src.get("url", "")).startswith("http"):
        raise DataError(f"{where}: source {{title, url}} is required")
    if src.get("kind") not in SOURCE_KINDS:
        raise DataError(f"{where}: source kind must be one of {', '.join(SOURCE_KINDS)}")
    if not isinstance(record.get("checked_on"), date):
        raise DataError(f"{where}: checked_on must be a date")


def _source_title(record: dict[str, Any]) -> str:
    """The stored source title; a press article says so (the answer shows « article de presse »)."""
    title = record["source"]["title"]
    return PRESS_PREFIX + title if record["source"]["kind"] == "press" else title


def read_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Any]:
    """Parse and validate the embedded catalogue file (raises `DataError`)."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read {path.name}: {exc}") from exc
    bodies = doc.get("bodies") or []
    trainings = doc.get("trainings") or []
    ids: set[str] = set()
    for body in bodies:
        where = f"{path.name}: body {body.get('id')!r}"
        missing = [k for k in _REQUIRED_BODY if not body.get(k)]
        if missing:
            raise DataError(f"{where}: missing {missing}")
        if body["id"] in ids:
            raise DataError(f"{where}: duplicate id")
        ids.add(body["id"])
        _check_source(body, where)
        if body.get("code_insee") and not str(body["code_insee"]).isalnum():
            raise DataError(f"{where}: invalid code_insee")
    training_ids: set[str] = set()
    for training in trainings:
        where = f"{path.name}: training {training.get('id')!r}"
        missing = [k for k in _REQUIRED_TRAINING if not training.get(k)]
        if missing:
            raise DataError(f"{where}: missing {missing}")
        if training["body"] not in ids:
            raise DataError(f"{where}: unknown body {training['body']!r}")
        if training["id"] in training_ids:
            raise DataError(f"{where}: duplicate id")
        training_ids.add(training["id"])
        _check_source(training, where)
    return doc


def _position(index: CommuneIndex | None, code_insee: str | None) -> tuple[float | None, float | None, str | None]:
    if not code_insee or index is None:
        return None, None, None
    commune = index.get(code_insee)
    if commune is None or getattr(commune, "lat", None) is None:
        log.warning("embedded catalogue: commune %s not found in the communes index", code_insee)
        return None, None, None
    return commune.lat, commune.lon, "commune"


def build_rows(doc: dict[str, Any], index: CommuneIndex | None) -> tuple[list[dict], list[dict]]:
    """Body rows and training rows for the database, positioned at their commune's centre."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    body_rows: list[dict] = []
    by_id: dict[str, dict] = {}
    for body in doc.get("bodies") or []:
        lat, lon, coord_source = _position(index, body.get("code_insee"))
        row = {
            "id": f"{SOURCE}:{body['id']}", "source": SOURCE, "nda": body.get("nda"), "siret": body.get("siret"),
            "siren": body.get("siren"), "name": body["name"], "name_normalised": normalise(body["name"]),
            "kind": body.get("kind"), "street": body.get("street"), "postcode": body.get("postcode"),
            "commune": body.get("commune"), "code_insee": body.get("code_insee"),
            "departement": str(body["departement"]), "lat": lat, "lon": lon, "coord_source": coord_source,
            "qualiopi": body.get("qualiopi"), "qualiopi_training": None, "qualiopi_assessment": None,
            "qualiopi_vae": None, "qualiopi_apprenticeship": None,
            "nsf": [{"code": str(c), "label": ""} for c in body.get("nsf") or ()],
            "multidisciplinary": bool(body.get("multidisciplinary")), "website": body.get("website"),
            "note": body.get("note"), "source_title": _source_title(body), "source_url": body["source"]["url"],
            "licence": body.get("licence"), "checked_on": body["checked_on"], "fetched_at": now,
        }
        by_id[body["id"]] = row
        zone = [c for c in (index.get(code) if index is not None else None for code in body.get("zone_communes") or ())
                if c is not None and getattr(c, "lat", None) is not None]
        if zone and not body.get("code_insee"):
            # One positioned row per town of its area (same body: search shows it once, nearest first).
            for commune in zone:
                body_rows.append({**row, "id": f"{row['id']}@{commune.code_insee}",
                                  "commune": f"secteur de {commune.nom}", "code_insee": commune.code_insee,
                                  "departement": commune.departement, "lat": commune.lat, "lon": commune.lon,
                                  "coord_source": "zone"})
        else:
            body_rows.append(row)
    training_rows: list[dict] = []
    for item in doc.get("trainings") or []:
        body = by_id[item["body"]]
        code_insee = item.get("code_insee") or body["code_insee"]
        lat, lon, coord_source = _position(index, code_insee)
        training_rows.append({
            "id": f"{SOURCE}:{item['id']}", "source": SOURCE, "title": item["title"],
            "certification": item.get("certification"), "level": item.get("level"),
            "code_rncp": item.get("code_rncp"), "code_rs": item.get("code_rs"),
            "body_id": body["id"], "body_name": body["name"], "body_siret": body.get("siret"),
            "commune": item.get("commune") or body["commune"], "code_insee": code_insee,
            "departement": str(item.get("departement") or body["departement"]),
            "lat": lat, "lon": lon, "coord_source": coord_source,
            "cpf_eligible": item.get("cpf_eligible"), "remote": item.get("remote"),
            "apprenticeship": item.get("apprenticeship"),
            "price_min": item.get("price_min"), "price_max": item.get("price_max"),
            "hours_min": item.get("hours_min"), "hours_max": item.get("hours_max"),
            "romes": [str(c) for c in item.get("rome") or ()], "nsf": [str(c) for c in item.get("nsf") or ()],
            "formacodes": [str(c) for c in item.get("formacode") or ()],
            "url": item.get("url"), "note": item.get("note"),
            "source_title": _source_title(item), "source_url": item["source"]["url"],
            "licence": item.get("licence"), "checked_on": item["checked_on"], "fetched_at": now,
        })
    return body_rows, training_rows


def create_tables(session: Session) -> None:
    """Create this package's tables if they do not exist yet (idempotent)."""
    Base.metadata.create_all(session.connection(), tables=list(TABLES), checkfirst=True)


def content_hash(path: Path = CATALOGUE_FILE) -> str:
    """SHA-256 of the catalogue file (for the build's idempotence bookkeeping)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_embedded(session: Session, *, index: CommuneIndex | None = None, path: Path = CATALOGUE_FILE) -> int:
    """Replace the embedded catalogue rows; return the number of bodies + trainings written.

    Runs in the caller's transaction (the caller commits). Coordinates come from `index`
    (default: `bot.geo.communes()`); without it, rows are stored unpositioned and a warning is logged.
    """
    doc = read_catalogue(path)
    if index is None:
        index = default_index()
        if index is None:
            log.warning("bot.geo is not available: embedded bodies are loaded without coordinates")
    body_rows, training_rows = build_rows(doc, index)
    create_tables(session)
    for model in (TrainingCode, Training, BodyCode, TrainingBody):
        session.execute(delete(model).where(model.source == SOURCE))
    store.upsert(session, TrainingBody.__table__, body_rows)
    store.upsert(session, BodyCode.__table__, [c for r in body_rows for c in store.body_codes(r)])
    store.upsert(session, Training.__table__, training_rows)
    store.upsert(session, TrainingCode.__table__, [c for r in training_rows for c in store.training_codes(r)])
    checked = doc.get("checked_on")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    store.upsert(session, CatalogueSource.__table__, [{
        "name": SOURCE, "title": "Catalogue intégré (extrait Hauts-de-France, sources publiques)",
        "url": None, "licence": None, "etag": content_hash(path), "last_modified": str(checked),
        "fetched_at": now, "checked_at": now, "rows": len(body_rows) + len(training_rows), "rejected": 0,
        "status": "ok", "detail": None,
    }])
    log.info("embedded catalogue: %d body rows, %d trainings", len(body_rows), len(training_rows))
    return len(body_rows) + len(training_rows)


def _catalogue_files() -> list[Path]:
    from bot.geo.index import DATA_FILE as COMMUNES_FILE  # the coordinates come from the communes

    return [CATALOGUE_FILE, COMMUNES_FILE]


#: This area's part of the knowledge base (registered in `bot.knowledge.PARTS`).
EMBEDDED_TRAININGS = Part("trainings_embedded", _catalogue_files, load_embedded)
