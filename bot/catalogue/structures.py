"""Structures (the people to go to): loading the versioned YAML file and finding the nearest."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.catalogue.build import Part
from bot.catalogue.models import Structure, StructureDispositif
from bot.errors import DataError
from bot.trainings.loader import _source_title

log = logging.getLogger(__name__)

STRUCTURES_FILE = Path(__file__).resolve().parent / "data" / "structures.yml"
SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "structures.schema.json"


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def read_structures(path: Path = STRUCTURES_FILE) -> list[dict[str, Any]]:
    """Parse and schema-check the structures file (raises DataError naming the entry)."""
    import jsonschema

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read {path.name}: {exc}") from exc
    # YAML dates → ISO strings for the JSON schema, then back
    as_json = json.loads(json.dumps(doc, default=str))
    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(as_json), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        raise DataError(f"{path.name}: {'/'.join(str(p) for p in err.path)}: {err.message}")
    return list(doc["structures"])


def _centre(code_insee: str | None) -> tuple[float | None, float | None, str | None]:
    if not code_insee:
        return None, None, None
    try:
        from bot.geo import communes
    except ImportError:
        return None, None, None
    commune = communes().get(code_insee)
    if commune is None or commune.lat is None:
        return None, None, None
    return commune.lat, commune.lon, "commune_centre"


def load_structures(session: Session, path: Path = STRUCTURES_FILE) -> int:
    """Replace all structures with the file's content (in the caller's transaction)."""
    entries = read_structures(path)
    session.execute(delete(StructureDispositif))
    session.execute(delete(Structure))
    for e in entries:
        addr = e.get("address") or {}
        contact = e.get("contact") or {}
        lat, lon, coord_source = _centre(addr.get("code_insee"))
        checked = e["checked_on"]
        session.add(Structure(
            id=e["id"], name=e["name"], type=e["type"], description=e.get("description"),
            street=addr.get("street"), postcode=addr.get("postcode"), commune=addr.get("commune"),
            code_insee=addr.get("code_insee"), lat=lat, lon=lon, coord_source=coord_source,
            audiences=list(e.get("audiences") or []), dispositifs=list(e.get("dispositifs") or []),
            zone=e.get("zone"), phone=contact.get("phone"), email=contact.get("email"),
            website=contact.get("website"), contact_url=contact.get("contact_url"),
            source_title=_source_title(e), source_url=e["source"]["url"],
            more_sources=e.get("more_sources"), field_sources=e.get("field_sources"),
            to_verify=e.get("to_verify"), notes=e.get("notes"), licence=e.get("licence"),
            checked_on=checked if isinstance(checked, date) else date.fromisoformat(str(checked)),
        ))
        for dispositif_id in e.get("dispositifs") or []:
            session.add(StructureDispositif(structure_id=e["id"], dispositif_id=dispositif_id))
    session.flush()
    return len(entries)


def _structure_files() -> list[Path]:
    from bot.geo.index import DATA_FILE as COMMUNES_FILE  # the coordinates come from the communes

    return [STRUCTURES_FILE, COMMUNES_FILE]


#: This area's part of the knowledge base (registered in `bot.knowledge.PARTS`).
STRUCTURES = Part("structures", _structure_files, load_structures)


@dataclass(frozen=True)
class NearbyStructure:
    """A structure with its distance to the person (None when it serves the whole area from afar)."""

    structure: Structure
    distance_km: float | None
    serves_area: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly view."""
        s = self.structure
        return {
            "id": s.id, "name": s.name, "type": s.type, "description": s.description,
            "address": {"street": s.street, "postcode": s.postcode, "commune": s.commune, "code_insee": s.code_insee},
            "distance_km": round(self.distance_km, 1) if self.distance_km is not None else None,
            "serves_your_area": self.serves_area, "dispositifs": s.dispositifs, "audiences": s.audiences,
            "contact": {"website": s.website, "phone": s.phone, "email": s.email, "contact_url": s.contact_url},
            "to_verify": s.to_verify or [], "source": {"title": s.source_title, "url": s.source_url},
            "checked_on": s.checked_on.isoformat() if s.checked_on else None,
        }


def _serves(zone: dict[str, Any] | None, place: dict[str, Any]) -> bool:
    if not zone:
        return False
    if zone.get("region") and zone["region"] == place.get("region"):
        return True
    if place.get("departement") in (zone.get("departements") or []):
        return True
    return place.get("code_insee") in (zone.get("communes") or [])


def structures_near(session: Session, place: dict[str, Any], *, for_id: str | None = None,
                    radius_km: float = 40.0, limit: int = 10) -> list[NearbyStructure]:
    """Structures within `radius_km` of `place`, nearest first, then those serving the area from afar.

    `place` has `lat`, `lon`, `code_insee`, `departement`, `region` (a resolved commune).
    """
    from bot.geo import haversine_km

    stmt = select(Structure)
    if for_id:
        stmt = stmt.join(StructureDispositif, StructureDispositif.structure_id == Structure.id).where(
            StructureDispositif.dispositif_id == for_id)
    near: list[NearbyStructure] = []
    area: list[NearbyStructure] = []
    for s in session.execute(stmt).scalars():
        serves = _serves(s.zone, place)
        distance = None
        if s.lat is not None and place.get("lat") is not None:
            distance = haversine_km(place["lat"], place["lon"], s.lat, s.lon)
        if distance is not None and distance <= radius_km:
            near.append(NearbyStructure(s, distance, serves))
        elif serves:
            area.append(NearbyStructure(s, distance, True))
    near.sort(key=lambda n: (n.distance_km, n.structure.name))
    # area-wide ones: the closest local site first, then regional/national entries
    area.sort(key=lambda n: (n.distance_km is None, n.distance_km or 0.0, n.structure.name))
    return (near + area)[:limit]
