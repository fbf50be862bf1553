"""Support services near the person: knowledge-base structures merged with data·inclusion services.

Structures of the knowledge base (curated) come first; data·inclusion services are added when their
structure is not already there (same SIRET, or same normalised name in the same commune).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.clients.data_inclusion import DataInclusionClient, DiService
from bot.clients.http import SourceError
from bot.trainings.places import haversine_km
from bot.trainings.search import body_key

log = logging.getLogger(__name__)

#: data·inclusion thematiques relevant to a career change.
DEFAULT_THEMES = ("se-former", "choisir-un-metier", "trouver-un-emploi")


@dataclass(frozen=True)
class SupportItem:
    """Somebody who can help, near the person."""

    name: str
    commune: str | None
    code_insee: str | None
    distance_km: float | None
    siret: str | None
    url: str | None
    phone: str | None
    origin: str  # "structure" (knowledge base) | "data-inclusion"
    detail: str | None = None


def _dist(lat: float, lon: float, lat2: float | None, lon2: float | None) -> float | None:
    if lat2 is None or lon2 is None:
        return None
    return haversine_km(lat, lon, lat2, lon2)


def structures_near(session: Session, lat: float, lon: float, radius_km: float = 50,
                    audiences: Sequence[str] = ()) -> list[SupportItem]:
    """Knowledge-base structures within `radius_km` (the catalogue's own query), as support items."""
    from bot.catalogue.structures import structures_near as kb_structures_near

    out = []
    for near in kb_structures_near(session, {"lat": lat, "lon": lon}, radius_km=radius_km, limit=10_000):
        s = near.structure
        if near.distance_km is None or near.distance_km > radius_km:
            continue
        if audiences and s.audiences and not set(audiences) & set(s.audiences):
            continue
        out.append(SupportItem(s.name, s.commune, s.code_insee, near.distance_km, getattr(s, "siret", None),
                               s.website or s.contact_url, s.phone, "structure", s.type))
    return sorted(out, key=lambda i: (i.distance_km or 0.0, i.name))


def merge(structures: Sequence[SupportItem], services: Sequence[DiService], *, lat: float, lon: float,
          limit: int = 10) -> list[SupportItem]:
    """Knowledge-base structures first, then data·inclusion ones not already present."""
    seen: set[str] = set()
    out: list[SupportItem] = []

    def keys(name: str, code_insee: str | None, siret: str | None) -> set[str]:
        return {body_key(name, code_insee)} | ({f"siret:{siret}"} if siret else set())

    for item in structures:
        seen |= keys(item.name, item.code_insee, item.siret)
        out.append(item)
    extra = []
    for svc in services:
        st = svc.structure
        k = keys(st.name, st.code_insee or svc.code_insee, st.siret)
        if k & seen:
            continue
        seen |= k
        distance = svc.distance_km
        if distance is None:
            distance = _dist(lat, lon, svc.lat if svc.lat is not None else st.lat,
                             svc.lon if svc.lon is not None else st.lon)
        extra.append(SupportItem(st.name, st.commune or svc.commune, st.code_insee or svc.code_insee, distance,
                                 st.siret, svc.url or st.website, st.phone, "data-inclusion", svc.name))
    extra.sort(key=lambda i: (i.distance_km is None, i.distance_km or 0.0, i.name))
    return (out + extra)[:limit]


def support_near(session: Session, place: Any, *, client: DataInclusionClient | None = None,
                 audiences: Sequence[str] = (), themes: Sequence[str] = DEFAULT_THEMES,
                 radius_km: float = 50, budget_s: float = 2.0, limit: int = 10) -> tuple[list[SupportItem], str]:
    """(items, source) where source is "live+structures" or "structures" when data·inclusion is unavailable."""
    structures = structures_near(session, place.lat, place.lon, radius_km, audiences)
    services: Sequence[DiService] = ()
    source = "structures"
    if client is not None:
        try:
            page = client.search_services(place.code_insee, themes=themes, audiences=audiences,
                                          deadline=time.monotonic() + budget_s)
            services = page.items
            source = "live+structures"
        except SourceError as exc:
            log.info("data-inclusion unavailable: %s", exc)
    return merge(structures, services, lat=place.lat, lon=place.lon, limit=limit), source
