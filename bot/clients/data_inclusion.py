"""data·inclusion API v1: insertion services and structures near a commune (Bearer token)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.clients.http import DEFAULT_RETRY, HttpClient, RetryPolicy, SourceAuthError, SourceError

log = logging.getLogger(__name__)

SOURCE = "data-inclusion"
TITLE = "data·inclusion, référentiel de l'offre d'insertion (GIP Plateforme de l'inclusion)"
LICENCE = "Licence Ouverte 2.0 (sauf sources à diffusion restreinte)"
SEARCH_PATH = "/api/v1/search/services"
#: The publisher's own address (the old api.data.inclusion.beta.gouv.fr name is refused by its trusted-host check).
DEFAULT_URL = "https://api.data.inclusion.gouv.fr"


@dataclass(frozen=True)
class DiStructure:
    """The structure that runs a service."""

    id: str
    name: str
    siret: str | None
    commune: str | None
    code_insee: str | None
    postcode: str | None
    address: str | None
    lat: float | None
    lon: float | None
    phone: str | None
    email: str | None
    website: str | None
    networks: tuple[str, ...]


@dataclass(frozen=True)
class DiService:
    """One insertion service, with its structure and its distance from the commune searched."""

    id: str
    source: str
    name: str
    description: str | None
    url: str | None
    themes: tuple[str, ...]
    audiences: tuple[str, ...]
    fees: str | None
    modes: tuple[str, ...]
    commune: str | None
    code_insee: str | None
    lat: float | None
    lon: float | None
    updated_on: str | None
    distance_km: float | None
    structure: DiStructure
    # what a person needs to go there: the service's own contact, opening hours, how to apply, conditions
    postcode: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    opening_hours: str | None = None  # OpenStreetMap opening_hours format ("Mo-Fr 08:30-12:30")
    apply_modes: tuple[str, ...] = ()  # modes_mobilisation: "se-presenter", "telephoner", "envoyer-un-courriel"…
    apply_url: str | None = None  # lien_mobilisation
    apply_details: str | None = None  # mobilisation_precisions
    conditions: str | None = None  # conditions_acces
    fees_details: str | None = None  # frais_precisions


@dataclass(frozen=True)
class DiPage:
    """A page of search results."""

    items: tuple[DiService, ...]
    total: int
    page: int
    pages: int
    rejected: int = 0


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


def _tuple(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if isinstance(v, str | int))


def _fees(value: Any) -> str | None:
    """`frais`: one value in the v1 schema ("gratuit"), a list in v0 (["gratuit", "adhesion"])."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if isinstance(v, str)) or None
    return _str(value)


def _address(raw: dict[str, Any]) -> str | None:
    parts = [_str(raw.get("adresse")), _str(raw.get("complement_adresse"))]
    return ", ".join(p for p in parts if p) or None


def parse_structure(raw: Any) -> DiStructure:
    """Structure part of a service; raises ValueError when unusable."""
    if not isinstance(raw, dict):
        raise ValueError("structure missing")
    sid, name = _str(raw.get("id")), _str(raw.get("nom"))
    if not sid or not name:
        raise ValueError("structure id/name missing")
    siret = _str(raw.get("siret"))
    if siret and (not siret.isdigit() or len(siret) != 14):
        siret = None
    return DiStructure(
        id=sid, name=name, siret=siret, commune=_str(raw.get("commune")), code_insee=_str(raw.get("code_insee")),
        postcode=_str(raw.get("code_postal")), address=_address(raw),
        lat=_float(raw.get("latitude")), lon=_float(raw.get("longitude")),
        phone=_str(raw.get("telephone")), email=_str(raw.get("courriel")), website=_str(raw.get("site_web")),
        networks=_tuple(raw.get("reseaux_porteurs")),
    )


def parse_search_item(raw: Any) -> DiService:
    """One `{"service": {...}, "distance": n}` item; raises ValueError when unusable."""
    if not isinstance(raw, dict) or not isinstance(raw.get("service"), dict):
        raise ValueError("service missing")
    svc = raw["service"]
    sid, name = _str(svc.get("id")), _str(svc.get("nom"))
    if not sid or not name:
        raise ValueError("service id/name missing")
    return DiService(
        id=sid, source=_str(svc.get("source")) or "", name=name, description=_str(svc.get("description")),
        url=_str(svc.get("lien_source")), themes=_tuple(svc.get("thematiques")), audiences=_tuple(svc.get("publics")),
        fees=_fees(svc.get("frais")), modes=_tuple(svc.get("modes_accueil")), commune=_str(svc.get("commune")),
        code_insee=_str(svc.get("code_insee")), lat=_float(svc.get("latitude")), lon=_float(svc.get("longitude")),
        updated_on=_str(svc.get("date_maj")), distance_km=_float(raw.get("distance")),
        structure=parse_structure(svc.get("structure")),
        postcode=_str(svc.get("code_postal")), address=_address(svc), phone=_str(svc.get("telephone")),
        email=_str(svc.get("courriel")), opening_hours=_str(svc.get("horaires_accueil")),
        apply_modes=_tuple(svc.get("modes_mobilisation")), apply_url=_str(svc.get("lien_mobilisation")),
        apply_details=_str(svc.get("mobilisation_precisions")), conditions=_str(svc.get("conditions_acces")),
        fees_details=_str(svc.get("frais_precisions")),
    )


class DataInclusionClient:
    """Search insertion services around a commune (`/api/v1/search/services`)."""

    def __init__(self, base_url: str, token: str | None, *, timeout_s: float = 5.0,
                 retry: RetryPolicy = DEFAULT_RETRY, http: HttpClient | None = None) -> None:
        self.token = token
        self.http = http or HttpClient(base_url, source=SOURCE, timeout_s=timeout_s, retry=retry)
        if token:
            self.http.session.headers["Authorization"] = f"Bearer {token}"

    def search_services(self, code_commune: str, *, themes: Sequence[str] = (), audiences: Sequence[str] = (),
                        types: Sequence[str] = (), page: int = 1, size: int = 50,
                        deadline: float | None = None) -> DiPage:
        """Services near `code_commune` (in-person ones within 50 km, sorted by distance)."""
        if not self.token:
            raise SourceAuthError(SOURCE, "no token configured (DATA_INCLUSION_TOKEN)",
                                  message_fr="Le service data·inclusion demande une clé d'accès, non configurée ici.")
        params: dict[str, Any] = {"code_commune": code_commune, "page": page, "size": size}
        if themes:
            params["thematiques"] = list(themes)
        if audiences:
            params["publics"] = list(audiences)
        if types:
            params["types"] = list(types)
        try:
            payload = self.http.get_json(SEARCH_PATH, params, deadline=deadline)
        except SourceError as exc:
            if exc.status == 400:
                # the API's trusted-host check answers 400 to any other address: a configuration error,
                # not an outage (never retried)
                log.warning("%s: HTTP 400 from %s (check DATA_INCLUSION_API_URL, expected %s)", SOURCE,
                            self.http.base_url, DEFAULT_URL)
                raise SourceError(SOURCE, f"HTTP 400: wrong address? expected {DEFAULT_URL}", status=400,
                                  message_fr="Le service data·inclusion refuse l'adresse configurée ici "
                                             "(réglage DATA_INCLUSION_API_URL à corriger).") from exc
            raise
        if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
            raise SourceError(SOURCE, "unexpected payload (no 'items' list)")
        items: list[DiService] = []
        rejected = 0
        for raw in payload["items"]:
            try:
                items.append(parse_search_item(raw))
            except ValueError:
                rejected += 1
        if rejected:
            log.info("%s: %d malformed items skipped", SOURCE, rejected)
        return DiPage(tuple(items), int(payload.get("total") or len(items)), int(payload.get("page") or page),
                      int(payload.get("pages") or 1), rejected)


# -- bulk listing (for `python -m bot sync --only data-inclusion`) -----------------------------
STRUCTURES_PATH = "/api/v1/structures"
SERVICES_PATH = "/api/v1/services"
#: Hauts-de-France départements (the publisher's `code_departement` filter takes one at a time).
HDF_DEPARTEMENTS = ("02", "59", "60", "62", "80")


def iter_list(client: DataInclusionClient, path: str, params: dict[str, Any], *, size: int = 1000) -> Any:
    """Every item of a paged list endpoint (`{"items", "total", "page", "size", "pages"}`), page by page
    (the publisher serves up to 10,000 a page, 5,000 by default).

    A malformed page is a `SourceError` (the caller keeps its previous data); items are yielded raw.
    """
    if not client.token:
        raise SourceAuthError(SOURCE, "no token configured (DATA_INCLUSION_TOKEN)",
                              message_fr="Le service data·inclusion demande une clé d'accès, non configurée ici.")
    page = 1
    while True:
        payload = client.http.get_json(path, {**params, "page": page, "size": size})
        if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
            raise SourceError(SOURCE, f"unexpected payload on {path} page {page} (no 'items' list)")
        yield from payload["items"]
        pages = payload.get("pages")
        if not isinstance(pages, int) or page >= pages or not payload["items"]:
            return
        page += 1
