"""Catalogue search: codes + bounding box on indexed columns, then exact haversine, then filters.

The index tables (`training_code`, `body_code`) carry (code, lat, lon, id) in one covering index,
so a query reads only the index entries of the wanted codes inside the box; distances are computed
for those candidates only, never over the whole table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Table, and_, or_, select
from sqlalchemy.orm import Session

from bot.geo.distance import distance_from
from bot.trainings.fields import normalise
from bot.trainings.models import BodyCode, Training, TrainingBody, TrainingCode
from bot.trainings.places import BBox

DETAIL_CHUNK = 200


@dataclass(frozen=True)
class Filters:
    """What the person asked to keep."""

    cpf_only: bool = False
    qualiopi_only: bool = False
    remote_only: bool = False
    max_price: float | None = None


@dataclass(frozen=True)
class TrainingHit:
    """A training near the person."""

    id: str
    title: str
    body_name: str | None
    commune: str | None
    departement: str | None
    distance_km: float | None
    coord_source: str | None
    cpf_eligible: bool | None
    remote: bool | None
    apprenticeship: bool | None
    price_min: float | None
    price_max: float | None
    url: str | None
    note: str | None
    source: str
    source_title: str
    source_url: str
    checked_on: date | None
    fetched_at: datetime | None
    match: str  # "specific" | "broad"


@dataclass(frozen=True)
class BodyHit:
    """A training body near the person."""

    id: str
    name: str
    siret: str | None
    commune: str | None
    code_insee: str | None
    departement: str | None
    distance_km: float | None
    qualiopi: bool | None
    multidisciplinary: bool
    website: str | None
    note: str | None
    source: str
    source_title: str
    source_url: str
    checked_on: date | None
    fetched_at: datetime | None
    match: str  # "speciality" | "multidisciplinary" | "departement"


def _nearby(session: Session, table: Table, id_col: str, codes: Sequence[str], lat: float, lon: float,
            radius_km: float) -> list[tuple[str, float]]:
    """(id, distance) of items having one of `codes` within `radius_km`, nearest first."""
    if not codes:
        return []
    box = BBox.around(lat, lon, radius_km)
    stmt = select(table.c[id_col], table.c.lat, table.c.lon).where(
        table.c.code.in_(list(codes)),
        table.c.lat.between(box.lat_min, box.lat_max),
        table.c.lon.between(box.lon_min, box.lon_max),
    )
    rows = session.execute(stmt).all()
    # Exact great-circle distance on the candidates only.
    distance_to = distance_from(lat, lon)
    best: dict[str, float] = {}
    for item_id, ilat, ilon in rows:
        dist = distance_to(ilat, ilon)
        if dist <= radius_km and dist < best.get(item_id, math.inf):
            best[item_id] = dist
    return sorted(best.items(), key=lambda kv: (kv[1], kv[0]))


def _training_filters(filters: Filters) -> list:
    clauses = []
    if filters.cpf_only:
        clauses.append(Training.cpf_eligible.is_(True))
    if filters.remote_only:
        clauses.append(Training.remote.is_(True))
    if filters.max_price is not None:
        clauses.append(Training.price_min <= filters.max_price)
    if filters.qualiopi_only:
        clauses.append(Training.body_siret.in_(
            select(TrainingBody.siret).where(TrainingBody.qualiopi.is_(True), TrainingBody.siret.is_not(None))))
    return clauses


def _training_hit(t: Training, distance: float | None, match: str) -> TrainingHit:
    return TrainingHit(
        id=t.id, title=t.title, body_name=t.body_name, commune=t.commune, departement=t.departement,
        distance_km=distance, coord_source=t.coord_source, cpf_eligible=t.cpf_eligible, remote=t.remote,
        apprenticeship=t.apprenticeship, price_min=t.price_min, price_max=t.price_max, url=t.url, note=t.note,
        source=t.source, source_title=t.source_title, source_url=t.source_url, checked_on=t.checked_on,
        fetched_at=t.fetched_at, match=match)


def rings(radius_km: float, first_km: float = 3.0) -> list[float]:
    """Growing search radii ending at `radius_km` (3, 6, 12, … km)."""
    out, r = [], first_km
    while r < radius_km:
        out.append(r)
        r *= 2
    return out + [radius_km]


def search_trainings(session: Session, *, specific: Sequence[str], broad: Sequence[str], lat: float, lon: float,
                     radius_km: float, filters: Filters = Filters(), limit: int = 10) -> list[TrainingHit]:
    """Trainings for the codes near (lat, lon), nearest first: specific-code matches, then broad (NSF) ones.

    The search grows in rings (3, 6, 12 … km up to `radius_km`) and stops as soon as a ring holds
    `limit` matching trainings: anything outside that ring is farther than all of them. A dense
    catalogue is thus answered from a small box, a sparse one reads few rows anyway.
    """
    hits: list[TrainingHit] = []
    seen: set[str] = set()
    extra = _training_filters(filters)
    checked: dict[str, Training | None] = {}  # id -> row passing the filters (or None)
    for codes, match in ((specific, "specific"), (broad, "broad")):
        if len(hits) >= limit or not codes:
            continue
        phase: list[TrainingHit] = []
        for ring in rings(radius_km):
            ranked = [(i, d) for i, d in _nearby(session, TrainingCode.__table__, "training_id", codes, lat, lon,
                                                 ring) if i not in seen]
            phase = []
            for start in range(0, len(ranked), DETAIL_CHUNK):
                chunk = ranked[start:start + DETAIL_CHUNK]
                missing = [i for i, _ in chunk if i not in checked]
                if missing:
                    rows = session.execute(select(Training).where(Training.id.in_(missing), *extra)).scalars().all()
                    found = {r.id: r for r in rows}
                    for i in missing:
                        checked[i] = found.get(i)
                for i, dist in chunk:
                    row = checked[i]
                    if row is not None:
                        phase.append(_training_hit(row, dist, match))
                if len(hits) + len(phase) >= limit:
                    break
            if len(hits) + len(phase) >= limit:
                break
        for hit in phase:
            seen.add(hit.id)
        hits.extend(phase)
    return hits[:limit]


def _body_hit(b: TrainingBody, distance: float | None, match: str) -> BodyHit:
    return BodyHit(
        id=b.id, name=b.name, siret=b.siret, commune=b.commune, code_insee=b.code_insee, departement=b.departement,
        distance_km=distance, qualiopi=b.qualiopi, multidisciplinary=bool(b.multidisciplinary), website=b.website,
        note=b.note, source=b.source, source_title=b.source_title, source_url=b.source_url,
        checked_on=b.checked_on, fetched_at=b.fetched_at, match=match)


def body_key(name: str, code_insee: str | None) -> str:
    """Duplicate key of a body or structure: normalised name + commune."""
    return f"{normalise(name)}|{code_insee or ''}"


def search_bodies(session: Session, *, codes: Sequence[str], lat: float, lon: float, radius_km: float,
                  departements: Sequence[str] = (), qualiopi_only: bool = False,
                  include_multidisciplinary: bool = True, limit: int = 10) -> list[BodyHit]:
    """Bodies with one of the NSF `codes` nearby, then multidisciplinary public bodies nearby,
    then bodies known only at département level; duplicates across sources removed."""
    candidates: list[tuple[TrainingBody, float | None, str]] = []
    ranked = _nearby(session, BodyCode.__table__, "body_id", codes, lat, lon, radius_km)[: limit * 5]
    if ranked:
        distances = dict(ranked)
        rows = session.execute(select(TrainingBody).where(TrainingBody.id.in_(list(distances)))).scalars().all()
        candidates += [(b, distances[b.id], "speciality") for b in sorted(rows, key=lambda r: distances[r.id])]
    if include_multidisciplinary:
        box = BBox.around(lat, lon, radius_km)
        rows = session.execute(select(TrainingBody).where(
            TrainingBody.multidisciplinary.is_(True),
            TrainingBody.lat.between(box.lat_min, box.lat_max),
            TrainingBody.lon.between(box.lon_min, box.lon_max))).scalars().all()
        extra = []
        distance_to = distance_from(lat, lon)
        for b in rows:
            dist = distance_to(b.lat, b.lon)
            if dist <= radius_km:
                extra.append((b, dist, "multidisciplinary"))
        candidates += sorted(extra, key=lambda x: (x[1], x[0].id))
        if departements:
            rows = session.execute(select(TrainingBody).where(
                TrainingBody.lat.is_(None), TrainingBody.departement.in_(list(departements)),
                or_(TrainingBody.multidisciplinary.is_(True),
                    and_(TrainingBody.id.in_(select(BodyCode.body_id).where(BodyCode.code.in_(list(codes)))))),
            )).scalars().all()
            candidates += [(b, None, "departement") for b in sorted(rows, key=lambda r: r.id)]
    hits: list[BodyHit] = []
    seen: set[str] = set()
    for b, dist, match in candidates:
        if qualiopi_only and not b.qualiopi:
            continue
        keys = ({body_key(b.name, b.code_insee), f"id:{b.id.split('@')[0]}"}
                | ({f"siret:{b.siret}"} if b.siret else set()))
        if keys & seen:
            continue
        seen |= keys
        hits.append(_body_hit(b, dist, match))
        if len(hits) >= limit:
            break
    return hits
