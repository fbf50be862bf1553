"""`python -m bot sync --only data-inclusion`: the directory of services, through the shared sync runner.

The "download" pages through the publisher's list endpoints (`/api/v1/structures`, `/api/v1/services`,
one Hauts-de-France département at a time) into a temporary JSON-lines file; the rows are then
validated one by one (rejects counted by reason, never fatal), staged and swapped in by
`bot.trainings.sync._run_sync`, so an interrupted sync keeps the previous directory.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker

from bot.clients import data_inclusion as di
from bot.clients.http import DownloadResult, SourceAuthError
from bot.clients.of_list import ParseStats, RowError
from bot.config import Settings
from bot.directory.models import LIVE_STAGE, DirectoryService, DirectoryServiceStage, DirectoryStructureStage
from bot.trainings.places import CommuneIndex
from bot.trainings.sync import Progress, SyncAborted, SyncReport, _now, _run_sync

#: Top-level thématiques of the data·inclusion referential (v1, and the v0 ones still served).
THEME_CATEGORIES = frozenset({
    "choisir-un-metier", "creer-une-entreprise", "difficultes-administratives-ou-juridiques",
    "difficultes-financieres", "equipement-et-alimentation", "famille", "lecture-ecriture-calcul",
    "logement-hebergement", "mobilite", "numerique", "preparer-sa-candidature", "remobilisation", "sante",
    "se-former", "souvrir-a-linternational", "trouver-un-emploi",
    # v0 categories
    "acces-aux-droits-et-citoyennete", "accompagnement-social-et-professionnel-personnalise",
    "apprendre-francais", "gestion-financiere", "handicap", "illettrisme",
})
_POSTCODE = re.compile(r"^\d{5}$")
_INSEE = re.compile(r"^\d[\dAB]\d{3}$")
MISSING_TOKEN_FR = ("La mise à jour de l'annuaire data·inclusion demande une clé d'accès (variable "
                    "DATA_INCLUSION_TOKEN), absente ici : rien n'a été modifié.")


def require_token(settings: Settings) -> None:
    """Raise (French message, exit 2 in the CLI) when no data·inclusion token is configured."""
    if not settings.data_inclusion_token:
        raise SourceAuthError(di.SOURCE, "no token configured (DATA_INCLUSION_TOKEN)", message_fr=MISSING_TOKEN_FR)


# -- download: paged lists -> JSON lines ----------------------------------------------------------
def download_lists(client: di.DataInclusionClient, dest: Path, on_progress: Callable[[int, int | None], None], *,
                   departements: Iterable[str] = di.HDF_DEPARTEMENTS, size: int = 1000) -> DownloadResult:
    """Every structure, then every service, of the départements into `dest` (atomically)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    written = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for kind, path in (("structure", di.STRUCTURES_PATH), ("service", di.SERVICES_PATH)):
                for dep in departements:
                    for item in di.iter_list(client, path, {"code_departement": dep}, size=size):
                        line = json.dumps({"kind": kind, "item": item}, ensure_ascii=False) + "\n"
                        out.write(line)
                        written += len(line)
                    on_progress(written, None)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return DownloadResult("downloaded", dest, None, None, written)


# -- validation ----------------------------------------------------------------------------------
def _text(raw: dict[str, Any], key: str, limit: int = 500) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise RowError("malformed")
    text = str(value).strip()
    return text[:limit] or None


def _list(raw: dict[str, Any], key: str) -> list[str]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RowError("malformed")
    return [v.strip() for v in value if v.strip()]


def _coord(raw: dict[str, Any], key: str, low: float, high: float) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RowError("malformed")
    try:
        number = float(value)
    except ValueError as exc:
        raise RowError("malformed") from exc
    if not low <= number <= high:
        raise RowError("bad_coordinates")
    return number


def _date(raw: dict[str, Any]) -> date | None:
    value = raw.get("date_maj")
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise RowError("malformed") from exc


def _place(raw: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(postcode, code_insee, département); a postcode or INSEE code that is not one is a reject."""
    postcode, code_insee = _text(raw, "code_postal", 10), _text(raw, "code_insee", 10)
    if postcode is not None and not _POSTCODE.match(postcode):
        raise RowError("bad_postcode")
    if code_insee is not None and not _INSEE.match(code_insee):
        raise RowError("bad_code_insee")
    dep = code_insee[:2] if code_insee else (postcode[:2] if postcode else None)
    return postcode, code_insee, dep


def _address(raw: dict[str, Any]) -> str | None:
    parts = [_text(raw, "adresse", 250), _text(raw, "complement_adresse", 120)]
    return ", ".join(p for p in parts if p) or None


def structure_row(raw: Any, *, now: datetime) -> dict[str, Any]:
    """A `directory_structure` row from a listed structure; raises RowError."""
    if not isinstance(raw, dict):
        raise RowError("malformed")
    sid, name = _text(raw, "id", 200), _text(raw, "nom", 250)
    if not sid or not name:
        raise RowError("no_id_or_name")
    postcode, code_insee, dep = _place(raw)
    siret = _text(raw, "siret", 20)
    return {
        "id": sid, "source": di.SOURCE, "producer": _text(raw, "source", 80), "name": name,
        "siret": siret if siret and siret.isdigit() and len(siret) == 14 else None,
        "address": _address(raw), "postcode": postcode, "commune": _text(raw, "commune", 120),
        "code_insee": code_insee, "departement": dep,
        "lat": _coord(raw, "latitude", -90, 90), "lon": _coord(raw, "longitude", -180, 180),
        "phone": _text(raw, "telephone", 40), "email": _text(raw, "courriel", 200),
        "website": _text(raw, "site_web", 500), "opening_hours": _text(raw, "horaires_accueil", 500),
        "networks": _list(raw, "reseaux_porteurs"), "updated_on": _date(raw), "fetched_at": now,
    }


def service_row(raw: Any, structures: dict[str, dict[str, Any]], index: CommuneIndex | None, *,
                now: datetime) -> dict[str, Any]:
    """A `directory_service` row from a listed service; raises RowError (reason = a short code)."""
    if not isinstance(raw, dict):
        raise RowError("malformed")
    sid, name = _text(raw, "id", 200), _text(raw, "nom", 250)
    if not sid or not name:
        raise RowError("no_id_or_name")
    structure = structures.get(_text(raw, "structure_id", 200) or "")
    if structure is None:
        raise RowError("unknown_structure")
    themes = _list(raw, "thematiques")
    if themes and not any(t.split("--")[0] in THEME_CATEGORIES for t in themes):
        raise RowError("unknown_thematique")
    themes = [t for t in themes if t.split("--")[0] in THEME_CATEGORIES]
    modes = _list(raw, "modes_accueil")
    zone = raw.get("zone_eligibilite", raw.get("zone_diffusion"))
    if zone is not None and not (isinstance(zone, list) and all(isinstance(z, str) for z in zone)):
        raise RowError("malformed")
    frais = raw.get("frais")
    fees = ", ".join(f for f in frais if isinstance(f, str)) if isinstance(frais, list) else _text(raw, "frais", 80)
    postcode, code_insee, dep = _place(raw)
    lat, lon = _coord(raw, "latitude", -90, 90), _coord(raw, "longitude", -180, 180)
    coord_source = "service" if lat is not None and lon is not None else None
    if coord_source is None and structure["lat"] is not None and structure["lon"] is not None:
        lat, lon, coord_source = structure["lat"], structure["lon"], "structure"
    if coord_source is None and index is not None:
        commune = index.get(code_insee or structure["code_insee"] or "")
        if commune is not None and commune.lat is not None:
            lat, lon, coord_source = commune.lat, commune.lon, "commune"
    remote_only = bool(modes) and "en-presentiel" not in modes
    if coord_source is None and not remote_only:
        raise RowError("no_coordinates")
    return {
        "id": sid, "source": di.SOURCE, "producer": _text(raw, "source", 80), "structure_id": structure["id"],
        "name": name, "description": _text(raw, "description", 2000), "thematiques": themes,
        "publics": _list(raw, "publics"), "modes_accueil": modes, "zone": zone,
        "address": _address(raw), "postcode": postcode, "commune": _text(raw, "commune", 120),
        "code_insee": code_insee, "departement": dep or structure["departement"], "lat": lat, "lon": lon,
        "coord_source": coord_source, "phone": _text(raw, "telephone", 40), "email": _text(raw, "courriel", 200),
        "opening_hours": _text(raw, "horaires_accueil", 500), "fees": fees, "fees_details": _text(raw, "frais_precisions"),
        "apply_modes": _list(raw, "modes_mobilisation"), "apply_url": _text(raw, "lien_mobilisation", 500),
        "apply_details": _text(raw, "mobilisation_precisions", 2000), "conditions": _text(raw, "conditions_acces", 2000),
        "url": _text(raw, "lien_source", 500), "updated_on": _date(raw), "fetched_at": now,
    }


def iter_rows(path: Path, stats: ParseStats, structures: dict[str, dict[str, Any]],
              index: CommuneIndex | None, *, now: datetime, region: Iterable[str] = di.HDF_DEPARTEMENTS) -> Iterator[dict]:
    """Service rows of the JSON-lines file; structures are collected into `structures` on the way."""
    region = set(region)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            stats.read += 1
            try:
                if record["kind"] == "structure":
                    row = structure_row(record["item"], now=now)
                    structures[row["id"]] = row
                    stats.kept += 1
                    continue
                row = service_row(record["item"], structures, index, now=now)
            except RowError as exc:
                stats.rejected[exc.reason] += 1
                continue
            if row["departement"] not in region:
                stats.skipped += 1
                continue
            stats.kept += 1
            yield row


def sync_data_inclusion(Session: sessionmaker, settings: Settings, *, index: CommuneIndex | None,
                        progress: Progress | None = None, client: di.DataInclusionClient | None = None,
                        batch_size: int = 500, force: bool = False, page_size: int = 1000) -> SyncReport:
    """Refresh the directory of services of Hauts-de-France from data·inclusion (token required)."""
    require_token(settings)
    client = client or di.DataInclusionClient(settings.data_inclusion_url, settings.data_inclusion_token,
                                              timeout_s=max(settings.http_timeout_s, 30.0))
    now = _now()
    structures: dict[str, dict[str, Any]] = {}

    def rows(dest: Path, stats: ParseStats) -> Iterable[dict]:
        kept = 0
        for row in iter_rows(dest, stats, structures, index, now=now):
            kept += 1
            yield row
        if not kept:  # an empty answer never replaces a directory
            raise SyncAborted("data-inclusion: no service of the region in the answer")

    def structure_of(row: dict[str, Any]) -> list[dict[str, Any]]:
        return [structures[row["structure_id"]]]

    return _run_sync(
        Session, di.SOURCE, DirectoryService,
        settings.var_dir / "downloads" / "data_inclusion.jsonl",
        lambda dest, _etag, _modified, on_progress: download_lists(client, dest, on_progress, size=page_size),
        rows, (DirectoryServiceStage, structure_of, DirectoryStructureStage),
        source=(di.TITLE, settings.data_inclusion_url, di.LICENCE), progress=progress or Progress(),
        batch_size=batch_size, force=force, now=now, live_stage=LIVE_STAGE)
