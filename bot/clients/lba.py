"""La bonne alternance API v1: apprenticeship trainings near a point, by ROME codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.clients.http import DEFAULT_RETRY, HttpClient, RetryPolicy, SourceError
from bot.geo.distance import haversine_km

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
    phone: str | None = None  # contact.phone of the training body
    sessions: tuple[tuple[str | None, str | None], ...] = ()  # (start, end) ISO dates, training.sessions


@dataclass(frozen=True)
class LbaResults:
    """The trainings within the radius, and how many far ones the source added and were left out."""

    items: list[LbaFormation]
    beyond_radius: int = 0


def _f(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _siret(value: Any) -> str | None:
    """A 14-digit SIRET, else unknown (never padded: that could fabricate another establishment's number)."""
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return text if len(text) == 14 and text.isdigit() else None


def _date(value: Any) -> str | None:
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _sessions(training: Any) -> tuple[tuple[str | None, str | None], ...]:
    if not isinstance(training, dict) or not isinstance(training.get("sessions"), list):
        return ()
    out = []
    for sess in training["sessions"]:
        if isinstance(sess, dict) and (_date(sess.get("startDate")) or _date(sess.get("endDate"))):
            out.append((_date(sess.get("startDate")), _date(sess.get("endDate"))))
    return tuple(out)


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
    contact = raw.get("contact") if isinstance(raw.get("contact"), dict) else {}
    romes = tuple(r["code"] for r in raw.get("romes") or () if isinstance(r, dict) and isinstance(r.get("code"), str))
    phone = contact.get("phone")
    return LbaFormation(
        id=str(ident), title=str(title).strip(), diploma=raw.get("diploma"), rncp_code=raw.get("rncpCode"),
        romes=romes, body_name=company.get("name"), siret=_siret(company.get("siret")), city=place.get("city"),
        postcode=place.get("zipCode") or None, code_insee=place.get("insee") or None, lat=_f(place.get("latitude")),
        lon=_f(place.get("longitude")), distance_km=_f(place.get("distance")),
        url=raw.get("onisepUrl") or None, phone=phone.strip() if isinstance(phone, str) and phone.strip() else None,
        sessions=_sessions(raw.get("training")),
    )


def within_radius(items: list[LbaFormation], lat: float, lon: float, radius_km: float) -> LbaResults:
    """Keep the trainings whose distance from (lat, lon) is known and at most `radius_km`.

    When nothing is within the radius, La bonne alternance searches again without any radius and returns
    the closest few, possibly hundreds of km away: those are left out (never shown as "near you").
    The distance is computed from the coordinates when the source gives none.
    """
    kept, beyond = [], 0
    for f in items:
        computed = haversine_km(lat, lon, f.lat, f.lon) if f.lat is not None and f.lon is not None else None
        known = [d for d in (f.distance_km, computed) if d is not None]
        if not known or max(known) > radius_km:
            beyond += 1
            continue
        distance = f.distance_km if f.distance_km is not None else round(computed or 0.0, 1)
        kept.append(replace(f, distance_km=distance))
    return LbaResults(kept, beyond)


class LbaClient:
    """Client of the La bonne alternance public API (no auth; `caller` identifies us)."""

    def __init__(self, base_url: str, *, caller: str, timeout_s: float = 5.0, retry: RetryPolicy = DEFAULT_RETRY,
                 http: HttpClient | None = None) -> None:
        self.caller = caller
        self.http = http or HttpClient(base_url, source=SOURCE, timeout_s=timeout_s, retry=retry)

    def formations(self, romes: Sequence[str], lat: float, lon: float, *, radius_km: int = 30,
                   deadline: float | None = None) -> list[LbaFormation]:
        """Apprenticeship trainings for `romes` within `radius_km` of (lat, lon) (far fallbacks left out)."""
        return self.search(romes, lat, lon, radius_km=radius_km, deadline=deadline).items

    def search(self, romes: Sequence[str], lat: float, lon: float, *, radius_km: int = 30,
               deadline: float | None = None) -> LbaResults:
        """Like `formations`, also saying how many far results the source added."""
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
        return within_radius(out, lat, lon, radius_km)
