"""La bonne alternance API v1: apprenticeship trainings near a point, by ROME codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.clients.http import DEFAULT_RETRY, HttpClient, RetryPolicy, SourceError

SOURCE = "la-bonne-alternance"
TITLE = "La bonne alternance (France Travail / Mission apprentissage)"
FORMATIONS_PATH = "/v1/formations"
PUBLIC_URL = "https://labonnealternance.apprentissage.beta.gouv.fr/"


@dataclass(frozen=True)
class LbaFormation:
    """An apprenticeship training and where it takes place."""

    id: str
    title: str
    diploma: str | None
    rncp_code: str | None
    romes: tuple[str, ...]
    body_name: str | None
    siret: str | None
    city: str | None
    postcode: str | None
    code_insee: str | None
    lat: float | None
    lon: float | None
    distance_km: float | None
    url: str | None


def _f(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def parse_formation(raw: Any) -> LbaFormation:
    """One `results` item; raises ValueError when unusable."""
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    title = raw.get("title") or raw.get("longTitle")
    ident = raw.get("id") or raw.get("cleMinistereEducatif")
    if not title or not ident:
        raise ValueError("id/title missing")
    place = raw.get("place") if isinstance(raw.get("place"), dict) else {}
    company = raw.get("company") if isinstance(raw.get("company"), dict) else {}
    romes = tuple(r["code"] for r in raw.get("romes") or () if isinstance(r, dict) and isinstance(r.get("code"), str))
    return LbaFormation(
        id=str(ident), title=str(title).strip(), diploma=raw.get("diploma"), rncp_code=raw.get("rncpCode"),
        romes=romes, body_name=company.get("name"), siret=company.get("siret"), city=place.get("city"),
        postcode=place.get("zipCode"), code_insee=place.get("insee"), lat=_f(place.get("latitude")),
        lon=_f(place.get("longitude")), distance_km=_f(place.get("distance")),
        url=raw.get("onisepUrl") or None,
    )


class LbaClient:
    """Client of the La bonne alternance public API (no auth; `caller` identifies us)."""

    def __init__(self, base_url: str, *, caller: str, timeout_s: float = 5.0, retry: RetryPolicy = DEFAULT_RETRY,
                 http: HttpClient | None = None) -> None:
        self.caller = caller
        self.http = http or HttpClient(base_url, source=SOURCE, timeout_s=timeout_s, retry=retry)

    def formations(self, romes: Sequence[str], lat: float, lon: float, *, radius_km: int = 30,
                   deadline: float | None = None) -> list[LbaFormation]:
        """Apprenticeship trainings for `romes` within `radius_km` of (lat, lon)."""
        if not romes:
            raise ValueError("at least one ROME code is required")
        params = {"romes": ",".join(romes), "latitude": f"{lat:.5f}", "longitude": f"{lon:.5f}",
                  "radius": int(radius_km), "caller": self.caller}
        payload = self.http.get_json(FORMATIONS_PATH, params, deadline=deadline)
        if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
            raise SourceError(SOURCE, "unexpected payload (no 'results' list)")
        out = []
        for raw in payload["results"]:
            try:
                out.append(parse_formation(raw))
            except ValueError:
                continue
        return out
