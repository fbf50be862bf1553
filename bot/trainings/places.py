"""The slice of `bot.geo` this package needs, as Protocols, plus distance helpers.

Production wiring uses `bot.geo` (imported lazily, inside functions); tests pass a small fake
index implementing the same Protocols.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from bot.geo.distance import EARTH_RADIUS_KM, haversine_km  # noqa: F401  (re-exported)

#: Prefecture of each Hauts-de-France département (INSEE codes checked against
#: @etalab/decoupage-administratif 6.0.0): used as the département's point when only the
#: département of a training is known.
DEPARTEMENT_SEATS = {"02": "02408", "59": "59350", "60": "60057", "62": "62041", "80": "80021"}
DEPARTEMENT_NAMES = {"02": "l'Aisne", "59": "le Nord", "60": "l'Oise", "62": "le Pas-de-Calais", "80": "la Somme"}


@runtime_checkable
class CommuneLike(Protocol):
    code_insee: str
    nom: str
    departement: str
    codes_postaux: tuple[str, ...]
    population: int | None
    lat: float | None
    lon: float | None


class CommuneIndex(Protocol):
    def get(self, code_insee: str) -> Any: ...

    def by_postcode(self, postcode: str) -> list[Any]: ...


class ResolutionLike(Protocol):
    status: str
    commune: Any
    candidates: Sequence[Any]
    message_fr: str


@dataclass(frozen=True)
class BBox:
    """A lat/lon box that contains the circle of `radius_km` around a point."""

    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float

    @classmethod
    def around(cls, lat: float, lon: float, radius_km: float) -> BBox:
        dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
        coslat = max(0.01, math.cos(math.radians(min(89.0, abs(lat) + dlat))))
        dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * coslat))
        return cls(lat - dlat, lat + dlat, lon - dlon, lon + dlon)


def locate_postcode_city(index: CommuneIndex, postcode: str | None, city: str | None) -> Any | None:
    """The commune for an address: the postcode's commune whose name matches, else the most populous."""
    if not postcode:
        return None
    candidates = [c for c in index.by_postcode(postcode) if getattr(c, "lat", None) is not None]
    if not candidates:
        return None
    if city:
        from bot.trainings.fields import normalise

        wanted = normalise(city.replace("CEDEX", " ").replace("Cedex", " "))
        wanted = " ".join(w for w in wanted.split() if not w.isdigit())
        for commune in candidates:
            if normalise(commune.nom) == wanted:
                return commune
    return max(candidates, key=lambda c: c.population or 0)


def default_index() -> CommuneIndex | None:
    """The real communes index from `bot.geo`, or None when that package is not available."""
    try:
        from bot.geo import communes
    except ImportError:
        return None
    return communes()


def default_resolver() -> Any:
    """`bot.geo.resolve` (imported lazily)."""
    from bot.geo import resolve

    return resolve
