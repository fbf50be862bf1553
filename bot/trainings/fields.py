"""Map a field typed in words ("data", "IA", "aide-soignante") to official codes (ROME / NSF / Formacode)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.errors import DataError
from bot.text import fold

FIELDS_FILE = Path(__file__).resolve().parent / "data" / "fields.yml"

_CODE_PATTERNS = {"rome": re.compile(r"^[A-N]\d{4}$"), "nsf": re.compile(r"^\d{3}[a-z]?$"),
                  "formacode": re.compile(r"^\d{5}$")}


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by single spaces, final plural "s"/"x" dropped."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in words)


@dataclass(frozen=True)
class Field:
    """A target field and its codes."""

    id: str
    label: str
    synonyms: tuple[str, ...]
    rome: tuple[str, ...]
    nsf: tuple[str, ...]
    formacode: tuple[str, ...]

    def codes(self, *, broad: bool) -> tuple[str, ...]:
        """Search keys: specific (ROME, Formacode) or broad (NSF) ones."""
        if broad:
            return tuple(f"nsf:{c}" for c in self.nsf)
        return tuple(f"rome:{c}" for c in self.rome) + tuple(f"formacode:{c}" for c in self.formacode)


@dataclass(frozen=True)
class FieldTable:
    """All fields, with a synonym index."""

    fields: tuple[Field, ...]
    checked_on: str

    def by_id(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)


def load_fields(path: Path = FIELDS_FILE) -> FieldTable:
    """Read and validate the synonyms table."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read {path.name}: {exc}") from exc
    out = []
    seen: set[str] = set()
    for raw in doc.get("fields") or ():
        fid = raw.get("id")
        if not fid or fid in seen:
            raise DataError(f"{path.name}: missing or duplicate field id {fid!r}")
        seen.add(fid)
        codes = {}
        for kind, pattern in _CODE_PATTERNS.items():
            values = tuple(str(v) for v in raw.get(kind) or ())
            bad = [v for v in values if not pattern.match(v)]
            if bad:
                raise DataError(f"{path.name}: field {fid}: invalid {kind} codes {bad}")
            codes[kind] = values
        synonyms = tuple(normalise(s) for s in raw.get("synonyms") or ())
        if not synonyms or not raw.get("label"):
            raise DataError(f"{path.name}: field {fid}: label and synonyms are required")
        out.append(Field(fid, str(raw["label"]), synonyms, codes["rome"], codes["nsf"], codes["formacode"]))
    return FieldTable(tuple(out), str(doc.get("checked_on")))


@lru_cache(maxsize=1)
def default_fields() -> FieldTable:
    """The shipped table (read once, on first use)."""
    return load_fields()


def resolve_field(text: str, table: FieldTable | None = None) -> Field | None:
    """The field named in `text` (longest synonym found as whole words), or None."""
    table = table or default_fields()
    haystack = f" {normalise(text)} "
    best: tuple[int, Field] | None = None
    for fld in table.fields:
        for syn in fld.synonyms:
            if f" {syn} " in haystack and (best is None or len(syn) > best[0]):
                best = (len(syn), fld)
    return best[1] if best else None
