"""Liste publique des organismes de formation (DGEFP, data.gouv.fr): download and parse the CSV.

The file is `;`-separated, may start with a BOM, has a trailing separator on each line (an empty
extra column), and tools upstream sometimes turn postcodes/SIRENs into numbers (lost leading
zeros). Rows are validated one by one: a bad row is counted as rejected, never fatal.
"""

from __future__ import annotations

import csv
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bot.clients.http import DEFAULT_RETRY, DownloadResult, HttpClient, RetryPolicy

log = logging.getLogger(__name__)

SOURCE = "liste-publique-of"
LICENCE = "Licence Ouverte / Open Licence 2.0"
TITLE = "Liste publique des organismes de formation (L.6351-7-1 du Code du travail), DGEFP"
HDF_REGION = "32"
HDF_DEPARTEMENTS = ("02", "59", "60", "62", "80")

COL_NDA = "numeroDeclarationActivite"
COL_NAME = "denomination"
COL_SIREN = "siren"
COL_SIRET = "siretEtablissementDeclarant"
COL_STREET = "adressePhysiqueOrganismeFormation.voie"
COL_POSTCODE = "adressePhysiqueOrganismeFormation.codePostal"
COL_CITY = "adressePhysiqueOrganismeFormation.ville"
COL_REGION = "adressePhysiqueOrganismeFormation.codeRegion"
COL_Q_TRAINING = "certifications.actionsDeFormation"
COL_Q_ASSESSMENT = "certifications.bilansDeCompetences"
COL_Q_VAE = "certifications.VAE"
COL_Q_APPRENTICESHIP = "certifications.actionsDeFormationParApprentissage"
COL_LAST_DECLARATION = "informationsDeclarees.dateDerniereDeclaration"
COL_TRAINEES = "informationsDeclarees.nbStagiaires"
COL_TRAINERS = "informationsDeclarees.effectifFormateurs"
_SPECIALITY = "informationsDeclarees.specialitesDeFormation.{kind}Specialite{n}"

REQUIRED_COLUMNS = (COL_NDA, COL_NAME, COL_SIRET, COL_POSTCODE, COL_CITY)

_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class OfRecord:
    """One declared training body, as published (HdF or not)."""

    nda: str
    name: str
    siren: str | None
    siret: str | None
    street: str | None
    postcode: str | None
    city: str | None
    region_code: str | None
    qualiopi_training: bool | None
    qualiopi_assessment: bool | None
    qualiopi_vae: bool | None
    qualiopi_apprenticeship: bool | None
    specialities: tuple[tuple[str, str], ...]
    last_declaration: date | None
    trainees: int | None
    trainers: int | None

    @property
    def qualiopi(self) -> bool:
        """Certified Qualiopi for at least one category."""
        return any((self.qualiopi_training, self.qualiopi_assessment, self.qualiopi_vae,
                    self.qualiopi_apprenticeship))

    @property
    def departement(self) -> str | None:
        """Département from the postcode (metropolitan + overseas, 2 or 3 characters)."""
        if not self.postcode:
            return None
        if self.postcode.startswith("97"):
            return self.postcode[:3]
        if self.postcode.startswith("20"):
            return "2A" if self.postcode < "20200" else "2B"
        return self.postcode[:2]

    def in_hauts_de_france(self) -> bool:
        """Physical address in Hauts-de-France (region code, or postcode when the code is missing)."""
        if self.region_code:
            return self.region_code == HDF_REGION
        return self.departement in HDF_DEPARTEMENTS


@dataclass
class ParseStats:
    """Counts of a parse run; rejects by reason (never the row content)."""

    read: int = 0
    kept: int = 0
    skipped: int = 0
    rejected: Counter = field(default_factory=Counter)
    encoding_fallbacks: int = 0

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


class RowError(ValueError):
    """A row failed validation; `reason` is a short stable code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().strip('"').strip()
    return value or None


def _bool(value: str | None, reason: str) -> bool | None:
    value = _clean(value)
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "1", "oui", "vrai"):
        return True
    if lowered in ("false", "0", "non", "faux"):
        return False
    raise RowError(reason)


def _digits(value: str | None, width: int, reason: str) -> str | None:
    """Digits padded back to `width` (numbers lose leading zeros upstream); None when empty."""
    value = _clean(value)
    if value is None:
        return None
    value = value.replace(" ", "")
    if value.endswith(".0"):  # a spreadsheet turned it into a float
        value = value[:-2]
    if not _DIGITS.match(value) or len(value) > width:
        raise RowError(reason)
    return value.zfill(width)


def _siret(value: str | None, siren: str | None) -> str | None:
    """A 14-digit SIRET; a shorter one is kept only when its padding gives back the row's SIREN.

    Padding a short SIRET blindly can fabricate an establishment number that belongs to nobody: without
    a matching SIREN it is unknown (None), never guessed.
    """
    raw = _clean(value)
    padded = _digits(value, 14, "siret_invalid")
    if padded is None or raw is None:
        return padded
    if len(raw.replace(" ", "").removesuffix(".0")) == 14:
        return padded
    return padded if siren is not None and padded.startswith(siren) else None


def _int(value: str | None, reason: str) -> int | None:
    value = _clean(value)
    if value is None:
        return None
    try:
        number = int(value.replace(" ", ""))
    except ValueError as exc:
        raise RowError(reason) from exc
    if number < 0:
        raise RowError(reason)
    return number


def _date(value: str | None, reason: str) -> date | None:
    value = _clean(value)
    if value is None:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise RowError(reason)


def parse_row(row: dict[str, str | None]) -> OfRecord:
    """Validate and convert one CSV row (a `csv.DictReader` dict); raises `RowError`."""
    nda = _clean(row.get(COL_NDA))
    if nda is None:
        raise RowError("nda_missing")
    nda = nda.replace(" ", "")
    if not _DIGITS.match(nda) or len(nda) > 11:
        raise RowError("nda_invalid")
    nda = nda.zfill(11)
    name = _clean(row.get(COL_NAME))
    if name is None or len(name) < 2:
        raise RowError("name_missing")
    if len(name) > 250:
        raise RowError("name_too_long")
    postcode = _digits(row.get(COL_POSTCODE), 5, "postcode_invalid")
    specialities: list[tuple[str, str]] = []
    for n in (1, 2, 3):
        code = _clean(row.get(_SPECIALITY.format(kind="code", n=n)))
        if code is None:
            continue
        code = code.zfill(3) if code.isdigit() else code
        if not re.match(r"^\d{3}[a-z]?$", code):
            raise RowError("speciality_invalid")
        label = _clean(row.get(_SPECIALITY.format(kind="libelle", n=n))) or ""
        specialities.append((code, label))
    region = _clean(row.get(COL_REGION))
    if region is not None:
        region = region.zfill(2) if region.isdigit() else region
    siren = _digits(row.get(COL_SIREN), 9, "siren_invalid")
    return OfRecord(
        nda=nda,
        name=" ".join(name.split()),
        siren=siren,
        siret=_siret(row.get(COL_SIRET), siren),
        street=_clean(row.get(COL_STREET)),
        postcode=postcode,
        city=_clean(row.get(COL_CITY)),
        region_code=region,
        qualiopi_training=_bool(row.get(COL_Q_TRAINING), "qualiopi_invalid"),
        qualiopi_assessment=_bool(row.get(COL_Q_ASSESSMENT), "qualiopi_invalid"),
        qualiopi_vae=_bool(row.get(COL_Q_VAE), "qualiopi_invalid"),
        qualiopi_apprenticeship=_bool(row.get(COL_Q_APPRENTICESHIP), "qualiopi_invalid"),
        specialities=tuple(specialities),
        last_declaration=_date(row.get(COL_LAST_DECLARATION), "date_invalid"),
        trainees=_int(row.get(COL_TRAINEES), "count_invalid"),
        trainers=_int(row.get(COL_TRAINERS), "count_invalid"),
    )


def decode_lines(raw_lines: Iterable[bytes], stats: ParseStats) -> Iterator[str]:
    """Decode bytes lines as UTF-8 (BOM dropped), falling back to Windows-1252 line by line."""
    first = True
    for raw in raw_lines:
        if first:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
            first = False
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            stats.encoding_fallbacks += 1
            yield raw.decode("cp1252", errors="replace")


def _split(line: str) -> list[str]:
    """One physical line into fields; a broken quote only spoils its own line."""
    return next(csv.reader([line], delimiter=";", quotechar='"', strict=True))


def iter_records(raw_lines: Iterable[bytes], stats: ParseStats, *,
                 keep: Callable[[OfRecord], bool] | None = None) -> Iterator[OfRecord]:
    """Parse the CSV (bytes lines) into records; rejects are counted in `stats`, never raised.

    Each physical line is parsed on its own (the published file has one record per line), so an
    unbalanced quote costs one row, not the rest of the file. Raises `RowError("header_invalid")`
    only when the header itself is unusable (not the expected file), since every row would be wrong.
    """
    lines = decode_lines(raw_lines, stats)
    header: list[str] | None = None
    for line in lines:
        line = line.rstrip("\r\n")
        if header is None:
            try:
                header = [h.strip() for h in _split(line)] if line.strip() else None
            except csv.Error as exc:
                raise RowError("header_invalid") from exc
            if not header or any(col not in header for col in REQUIRED_COLUMNS):
                raise RowError("header_invalid")
            width = len(header)
            continue
        if not line.strip():
            continue
        stats.read += 1
        try:
            values = _split(line)
        except csv.Error:
            stats.rejected["csv_malformed"] += 1
            continue
        # A trailing `;` adds an empty last column, present in the header too: extra empties are fine.
        if len(values) > width and any(v.strip() for v in values[width:]):
            stats.rejected["too_many_fields"] += 1
            continue
        if len(values) < width - 1:
            stats.rejected["too_few_fields"] += 1
            continue
        row = dict(zip(header, values, strict=False))
        try:
            record = parse_row(row)
        except RowError as exc:
            stats.rejected[exc.reason] += 1
            continue
        if keep is not None and not keep(record):
            stats.skipped += 1
            continue
        stats.kept += 1
        yield record
    if header is None:
        raise RowError("header_invalid")


def iter_file(path: Path, stats: ParseStats, *, keep: Callable[[OfRecord], bool] | None = None) -> Iterator[OfRecord]:
    """Stream records from a downloaded CSV file."""
    with path.open("rb") as handle:
        yield from iter_records(handle, stats, keep=keep)


class OfListClient:
    """Downloads the OF list CSV (data.gouv.fr stable "latest resource" URL)."""

    def __init__(self, url: str, *, timeout_s: float = 30.0, retry: RetryPolicy = DEFAULT_RETRY,
                 http: HttpClient | None = None) -> None:
        self.http = http or HttpClient(url, source=SOURCE, timeout_s=timeout_s, retry=retry)
        self.url = url

    def download(self, dest: Path, *, etag: str | None = None, last_modified: str | None = None,
                 progress: Callable[[int, int | None], None] | None = None) -> DownloadResult:
        """Conditional, atomic, streaming download of the whole file to `dest`."""
        return self.http.download(self.url, dest, etag=etag, last_modified=last_modified, progress=progress)
