"""geo.api.gouv.fr (API Découpage administratif): communes by postcode, name or INSEE code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.clients.http import DEFAULT_RETRY, HttpClient, RetryPolicy, SourceError

SOURCE = "geo-api-gouv"
FIELDS = "nom,code,codesPostaux,centre,population,codeDepartement,codeRegion,codeEpci"


@dataclass(frozen=True)
class GeoCommune:
    """A commune as the API returns it (coordinates are the centre, GeoJSON [lon, lat])."""

    code: str
    nom: str
    codes_postaux: tuple[str, ...]
    departement: str | None
    region: str | None
    epci: str | None
    population: int | None
    lat: float | None
    lon: float | None
    score: float | None = None


def parse_commune(raw: Any) -> GeoCommune:
    """One commune object; raises ValueError when unusable."""
    if not isinstance(raw, dict) or not raw.get("code") or not raw.get("nom"):
        raise ValueError("commune without code/name")
    lat = lon = None
    centre = raw.get("centre")
    if isinstance(centre, dict):
        coords = centre.get("coordinates")
        if isinstance(coords, list) and len(coords) == 2 and all(isinstance(c, int | float) for c in coords):
            lon, lat = float(coords[0]), float(coords[1])  # GeoJSON order is [lon, lat]
    population = raw.get("population")
    return GeoCommune(
        code=str(raw["code"]), nom=str(raw["nom"]),
        codes_postaux=tuple(str(c) for c in raw.get("codesPostaux") or ()),
        departement=raw.get("codeDepartement"), region=raw.get("codeRegion"), epci=raw.get("codeEpci"),
        population=population if isinstance(population, int) else None, lat=lat, lon=lon,
        score=raw.get("_score") if isinstance(raw.get("_score"), int | float) else None,
    )


class GeoApiClient:
    """Client of geo.api.gouv.fr."""

    def __init__(self, base_url: str, *, timeout_s: float = 5.0, retry: RetryPolicy = DEFAULT_RETRY,
                 http: HttpClient | None = None) -> None:
        self.http = http or HttpClient(base_url, source=SOURCE, timeout_s=timeout_s, retry=retry)

    def _list(self, params: dict[str, Any], deadline: float | None) -> list[GeoCommune]:
        payload = self.http.get_json("/communes", {**params, "fields": FIELDS, "type": "commune-actuelle"},
                                     deadline=deadline)
        if not isinstance(payload, list):
            raise SourceError(SOURCE, "unexpected payload (not a list)")
        out = []
        for raw in payload:
            try:
                out.append(parse_commune(raw))
            except ValueError:
                continue
        return out

    def by_postcode(self, postcode: str, *, deadline: float | None = None) -> list[GeoCommune]:
        """Communes sharing a postcode (most populous first)."""
        communes = self._list({"codePostal": postcode}, deadline)
        return sorted(communes, key=lambda c: -(c.population or 0))

    def search(self, name: str, *, limit: int = 5, deadline: float | None = None) -> list[GeoCommune]:
        """Fuzzy search by name, boosted by population."""
        return self._list({"nom": name, "boost": "population", "limit": limit}, deadline)

    def get(self, code_insee: str, *, deadline: float | None = None) -> GeoCommune | None:
        """One commune by INSEE code, or None when unknown."""
        response = self.http.request("GET", f"/communes/{code_insee}", params={"fields": FIELDS},
                                     ok=(200, 404), deadline=deadline)
        if response.status_code == 404:
            return None
        try:
            return parse_commune(response.json())
        except ValueError as exc:
            raise SourceError(SOURCE, f"malformed commune ({type(exc).__name__})") from exc
