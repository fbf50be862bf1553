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
    email: str | None = None
    address: str | None = None
    hours: str | None = None  # opening hours in plain French
    how_to_apply: str | None = None  # "se présenter, téléphoner" + details
    conditions: str | None = None
    fees: str | None = None

    def contact_fr(self) -> str:
        """Everything a person needs to go there, in one French line (empty when nothing is known)."""
        parts = [p for p in (self.address, self.phone, self.email, self.url) if p]
        extra = [f"{label} : {value}" for label, value in (
            ("horaires", self.hours), ("pour y accéder", self.how_to_apply), ("conditions", self.conditions),
            ("frais", self.fees)) if value]
        return " — " + " · ".join(parts + extra) if parts or extra else ""


_DAYS = {"Mo": "lundi", "Tu": "mardi", "We": "mercredi", "Th": "jeudi", "Fr": "vendredi", "Sa": "samedi",
         "Su": "dimanche"}
_APPLY_MODES = {"se-presenter": "se présenter", "telephoner": "téléphoner", "envoyer-un-courriel": "écrire un courriel",
                "envoyer-un-mail": "écrire un courriel", "utiliser-le-formulaire": "remplir le formulaire en ligne",
                "utiliser-le-lien-mobilisation": "suivre le lien", "autre": "autre"}


def opening_hours_fr(value: str | None) -> str | None:
    """OpenStreetMap opening hours ("Mo-Fr 08:30-12:30; PH off") in plain French; other text kept as is."""
    import re

    if not value:
        return None
    text = value.replace("PH off", "fermé les jours fériés")
    text = re.sub(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)-(Mo|Tu|We|Th|Fr|Sa|Su)\b",
                  lambda m: f"du {_DAYS[m.group(1)]} au {_DAYS[m.group(2)]}", text)
    text = re.sub(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b", lambda m: _DAYS[m.group(1)], text)
    text = re.sub(r"(\d{2}):(\d{2})", lambda m: f"{int(m.group(1))} h {m.group(2)}".replace(" h 00", " h"), text)
    return text.replace(";", " ;")


def _how_to_apply(svc: DiService) -> str | None:
    modes = [_APPLY_MODES.get(m, m.replace("-", " ")) for m in svc.apply_modes]
    parts = [", ".join(modes)] if modes else []
    if svc.apply_details:
        parts.append(svc.apply_details)
    if svc.apply_url:
        parts.append(svc.apply_url)
    return " ; ".join(parts) or None


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
        # the service's own contact first (the structure's switchboard is a fallback)
        address = svc.address or st.address
        postcode, commune = (svc.postcode, svc.commune) if svc.address else (st.postcode, st.commune)
        if address and (postcode or commune):
            address = f"{address}, {' '.join(p for p in (postcode, commune) if p)}"
        fees = ", ".join(p for p in (svc.fees, svc.fees_details) if p) or None
        extra.append(SupportItem(st.name, svc.commune or st.commune, svc.code_insee or st.code_insee, distance,
                                 st.siret, svc.url or st.website, svc.phone or st.phone, "data-inclusion", svc.name,
                                 email=svc.email or st.email, address=address,
                                 hours=opening_hours_fr(svc.opening_hours), how_to_apply=_how_to_apply(svc),
                                 conditions=svc.conditions, fees=fees))
    extra.sort(key=lambda i: (i.distance_km is None, i.distance_km or 0.0, i.name))
    return (out + extra)[:limit]


def support_near(session: Session, place: Any, *, client: DataInclusionClient | None = None,
                 audiences: Sequence[str] = (), themes: Sequence[str] = DEFAULT_THEMES,
                 radius_km: float = 50, budget_s: float = 2.0, limit: int = 10,
                 profile: dict[str, Any] | None = None) -> tuple[list[SupportItem], str]:
    """(items, source) where source is "live+structures" or "structures" when data·inclusion is unavailable.

    Services of the stored directory (`sync --only data-inclusion`) ranked for `profile` come right
    after the knowledge-base structures ("+directory" in source), before live ones not already listed.
    """
    from bot.directory.rank import who_to_see

    structures = structures_near(session, place.lat, place.lon, radius_km, audiences)
    where = {k: getattr(place, k, None) for k in ("lat", "lon", "code_insee", "departement", "epci")}
    stored = [r.to_support_item() for r in who_to_see(session, where, profile, radius_km=radius_km, limit=limit)]
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
    if stored:
        source += "+directory"
    return merge([*structures, *stored], services, lat=place.lat, lon=place.lon, limit=limit), source
