"""Mon Compte Formation catalogue (Caisse des Dépôts, OpenDataSoft Explore API v2.1).

Records: `limit` ≤ 100 and `offset + limit` ≤ 10,000 per query (checked before calling).
Bulk: `/exports/csv` (`;`) streamed to a file. Column names changed over time
(`date_extract`→`date_chargement`, `siret`→`siret_of`, `code_inventaire`→`code_rs`): both accepted.
Every training in this catalogue is CPF-eligible (that is what the catalogue lists).
"""

from __future__ import annotations

import csv
import html
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.clients.http import DEFAULT_RETRY, DownloadResult, HttpClient, RetryPolicy, SourceError
from bot.clients.of_list import ParseStats, RowError, decode_lines

log = logging.getLogger(__name__)

SOURCE = "mon-compte-formation"
DATASET = "moncompteformation_catalogueformation"
TITLE = "Catalogue des formations éligibles au CPF (Mon Compte Formation), Caisse des Dépôts"
LICENCE = "Licence Ouverte / Open Licence 2.0 (à confirmer sur le portail)"
MAX_LIMIT = 100
MAX_WINDOW = 10_000

RECORDS_PATH = f"/api/explore/v2.1/catalog/datasets/{DATASET}/records"
EXPORT_CSV_PATH = f"/api/explore/v2.1/catalog/datasets/{DATASET}/exports/csv"
PUBLIC_PAGE = "https://www.moncompteformation.gouv.fr/espace-prive/html/#/formation/recherche"

#: old name -> current name
ALIASES = {"date_extract": "date_chargement", "siret": "siret_of", "code_inventaire": "code_rs"}

_CODE_RE = re.compile(r"^[A-Z0-9]{1,12}$")
_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class McfTraining:
    """One training of the CPF catalogue (one body × training × département)."""

    key: str
    body_name: str
    siret: str | None
    title: str
    certification: str | None
    referential: str | None
    code_rncp: str | None
    code_rs: str | None
    level: str | None
    formacodes: tuple[str, ...]
    romes: tuple[str, ...]
    nsf: tuple[str, ...]
    departement: str | None
    region: str | None
    remote_sessions: int | None
    active_sessions: int | None
    hours_min: float | None
    hours_max: float | None
    price_min: float | None
    price_max: float | None
    loaded_on: date | None
    objective: str | None

    cpf_eligible: bool = True


@dataclass(frozen=True)
class McfPage:
    """One page of the records endpoint."""

    total_count: int
    results: tuple[McfTraining, ...]
    rejected: int = 0


def strip_html(value: str | None) -> str | None:
    """Plain text from the catalogue's HTML fields."""
    if not value:
        return None
    text = html.unescape(_TAG_RE.sub(" ", html.unescape(value)))
    text = " ".join(text.split())
    return text or None


def _s(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _num(value: Any, reason: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RowError(reason)
    try:
        number = float(str(value).replace(",", ".").replace(" ", ""))
    except ValueError as exc:
        raise RowError(reason) from exc
    if number < 0 or number != number:  # negative or NaN
        raise RowError(reason)
    return number


def _code(value: Any, reason: str) -> str | None:
    text = _s(value)
    if text is None:
        return None
    text = text.upper()
    if not _CODE_RE.match(text):
        raise RowError(reason)
    return text


def _loaded(value: Any) -> date | None:
    text = _s(value)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text[:10]).date()
    except ValueError:
        return None


def normalise_keys(record: Mapping[str, Any]) -> dict[str, Any]:
    """Map old column names to the current ones (the current one wins when both exist)."""
    out = dict(record)
    for old, new in ALIASES.items():
        if old in out and out.get(new) in (None, ""):
            out[new] = out[old]
    return out


def parse_record(raw: Mapping[str, Any]) -> McfTraining:
    """Validate one record (JSON result or CSV row); raises `RowError`."""
    record = normalise_keys(raw)
    title = _s(record.get("intitule_formation"))
    if not title:
        raise RowError("title_missing")
    body = _s(record.get("nom_of"))
    if not body:
        raise RowError("body_missing")
    siret = _s(record.get("siret_of"))
    if siret is not None:
        siret = siret.replace(" ", "")
        if not siret.isdigit() or len(siret) > 14:
            raise RowError("siret_invalid")
        if len(siret) < 14:
            siret = None  # padding it could fabricate another establishment's number: unknown
    departement = _s(record.get("code_departement"))
    if departement is not None:
        departement = departement.zfill(2) if departement.isdigit() else departement.upper()
        if len(departement) > 3:
            raise RowError("departement_invalid")
    region = _s(record.get("code_region"))
    if region is not None and region.isdigit():
        region = region.zfill(2)
    romes = tuple(c for c in (_code(record.get(f"code_rome_{i}"), "rome_invalid") for i in range(1, 6)) if c)
    formacodes = tuple(c for c in (_code(record.get(f"code_formacode_{i}"), "formacode_invalid")
                                   for i in range(1, 6)) if c)
    nsf = tuple(c.lower() for c in (_code(record.get(f"code_nsf_{i}"), "nsf_invalid") for i in range(1, 4)) if c)
    numero = _s(record.get("numero_formation")) or title
    key = f"{siret or body}|{numero}|{departement or ''}"
    remote = _num(record.get("nb_session_a_distance"), "count_invalid")
    active = _num(record.get("nb_session_active"), "count_invalid")
    return McfTraining(
        key=key,
        body_name=" ".join(body.split()),
        siret=siret,
        title=" ".join(title.split()),
        certification=_s(record.get("intitule_certification")),
        referential=_s(record.get("type_referentiel")),
        code_rncp=_s(record.get("code_rncp")),
        code_rs=_s(record.get("code_rs")),
        level=_s(record.get("libelle_niveau_sortie_formation")),
        formacodes=formacodes,
        romes=romes,
        nsf=nsf,
        departement=departement,
        region=region,
        remote_sessions=int(remote) if remote is not None else None,
        active_sessions=int(active) if active is not None else None,
        hours_min=_num(record.get("nombre_heures_total_min"), "hours_invalid"),
        hours_max=_num(record.get("nombre_heures_total_max"), "hours_invalid"),
        price_min=_num(record.get("frais_ttc_tot_min"), "price_invalid"),
        price_max=_num(record.get("frais_ttc_tot_max"), "price_invalid"),
        loaded_on=_loaded(record.get("date_chargement")),
        objective=strip_html(_s(record.get("objectif_formation"))),
    )


def odsql_any(fields: Sequence[str], values: Iterable[str]) -> str | None:
    """`(f1="v" OR f2="v" …)` for validated codes (no quoting issues: codes are [A-Z0-9])."""
    clauses = []
    for value in values:
        if not _CODE_RE.match(value.upper()):
            raise ValueError(f"not a code: {value!r}")
        clauses.extend(f'{name}="{value.upper() if not value.isdigit() else value}"' for name in fields)
    return "(" + " OR ".join(clauses) + ")" if clauses else None


def build_where(*, romes: Sequence[str] = (), formacodes: Sequence[str] = (), nsf: Sequence[str] = (),
                departements: Sequence[str] = (), region: str | None = None) -> str:
    """An ODSQL `where` for codes near the person (départements) in a region."""
    parts = []
    code_clauses = [c for c in (
        odsql_any([f"code_rome_{i}" for i in range(1, 6)], romes),
        odsql_any([f"code_formacode_{i}" for i in range(1, 6)], formacodes),
        odsql_any([f"code_nsf_{i}" for i in range(1, 4)], nsf),
    ) if c]
    if code_clauses:
        parts.append("(" + " OR ".join(code_clauses) + ")")
    if departements:
        parts.append(odsql_any(["code_departement"], departements) or "")
    if region:
        parts.append(odsql_any(["code_region"], [region]) or "")
    return " AND ".join(p for p in parts if p)


class McfClient:
    """Client of the Caisse des Dépôts OpenDataSoft portal for the CPF catalogue."""

    def __init__(self, base_url: str, *, timeout_s: float = 5.0, retry: RetryPolicy = DEFAULT_RETRY,
                 http: HttpClient | None = None) -> None:
        self.http = http or HttpClient(base_url, source=SOURCE, timeout_s=timeout_s, retry=retry)

    def records(self, *, where: str | None = None, limit: int = MAX_LIMIT, offset: int = 0,
                order_by: str | None = None, deadline: float | None = None) -> McfPage:
        """One page of records; invalid rows are skipped and counted in `McfPage.rejected`."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be within 1..{MAX_LIMIT}")
        if offset < 0 or offset + limit > MAX_WINDOW:
            raise ValueError(f"offset + limit must not exceed {MAX_WINDOW}")
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if where:
            params["where"] = where
        if order_by:
            params["order_by"] = order_by
        payload = self.http.get_json(RECORDS_PATH, params, deadline=deadline)
        if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
            raise SourceError(SOURCE, "unexpected records payload (no 'results' list)")
        results: list[McfTraining] = []
        rejected = 0
        for item in payload["results"]:
            if not isinstance(item, dict):
                rejected += 1
                continue
            try:
                results.append(parse_record(item))
            except RowError:
                rejected += 1
        total = payload.get("total_count")
        return McfPage(int(total) if isinstance(total, int) else len(results), tuple(results), rejected)

    def iter_records(self, *, where: str | None = None, page_size: int = MAX_LIMIT,
                     order_by: str | None = None) -> Iterator[McfTraining]:
        """All records of a query, page by page, within the API's 10,000-row window."""
        offset = 0
        while offset < MAX_WINDOW:
            limit = min(page_size, MAX_WINDOW - offset)
            page = self.records(where=where, limit=limit, offset=offset, order_by=order_by)
            yield from page.results
            offset += limit
            if offset >= page.total_count or not page.results and not page.rejected:
                return
        log.warning("%s: query has more than %d rows; use the export for a full sync", SOURCE, MAX_WINDOW)

    def export_csv(self, dest: Path, *, where: str | None = None, etag: str | None = None,
                   last_modified: str | None = None,
                   progress: Callable[[int, int | None], None] | None = None) -> DownloadResult:
        """Stream the whole filtered set as `;` CSV into `dest` (conditional, atomic)."""
        params: dict[str, Any] = {"delimiter": ";", "limit": -1}
        if where:
            params["where"] = where
        return self.http.download(EXPORT_CSV_PATH, dest, params=params, etag=etag,
                                  last_modified=last_modified, progress=progress)


def iter_export_file(path: Path, stats: ParseStats) -> Iterator[McfTraining]:
    """Parse an export CSV; rejects are counted in `stats`."""
    with path.open("rb") as handle:
        reader = csv.DictReader(decode_lines(handle, stats), delimiter=";")
        if not reader.fieldnames or "intitule_formation" not in reader.fieldnames:
            raise RowError("header_invalid")
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error:
                stats.read += 1
                stats.rejected["csv_malformed"] += 1
                continue
            stats.read += 1
            if None in row:
                stats.rejected["too_many_fields"] += 1
                continue
            try:
                record = parse_record(row)
            except RowError as exc:
                stats.rejected[exc.reason] += 1
                continue
            stats.kept += 1
            yield record
