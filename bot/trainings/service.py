"""What the conversation calls: "quelles formations en data près de Lens ?" → a short, sourced answer.

`answer_trainings()` asks the live sources (CPF catalogue, La bonne alternance) within a small
time budget; when none answers in time it falls back to the local catalogue and says how fresh
that is. It never raises for a source failure: the person always gets an answer.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.clients.http import NO_RETRY, SourceError
from bot.clients.lba import LbaClient
from bot.clients.mcf import McfClient, build_where
from bot.trainings.fields import Field, resolve_field
from bot.trainings.loader import PRESS_PREFIX
from bot.trainings.places import DEPARTEMENT_NAMES, CommuneIndex, haversine_km
from bot.trainings.search import BodyHit, Filters, TrainingHit, search_bodies, search_trainings

log = logging.getLogger(__name__)



def wording() -> dict[str, str]:
    """The trainings answers' sentences in the current reading mode (messages.yml, FALC in messages_falc.yml)."""
    from bot.conversation.dialogue import messages

    return messages()["trainings"]


@dataclass(frozen=True)
class TrainingItem:
    """One line of the answer: a training, or a training body when no session is known."""

    kind: str  # "formation" | "organisme"
    name: str
    body: str | None
    commune: str | None
    departement: str | None
    distance_km: float | None
    approximate_place: bool
    cpf_eligible: bool | None
    url: str | None
    source: str
    url_is_source: bool = False  # the link is where the fact was read, not the body's own page
    source_label: str = "source"  # "article de presse" when that source is a press article
    phone: str | None = None
    sessions: str | None = None  # "session du 1er septembre 2026 au 30 juin 2028"


@dataclass(frozen=True)
class TrainingsAnswer:
    """The answer for the conversation (items + a ready-to-send French text)."""

    # "ok" | "only_bodies" | "empty" | "unknown_field" | "place_not_found" | "place_ambiguous" | "unavailable"
    status: str
    items: tuple[TrainingItem, ...]
    source: str  # "live" | "catalogue" | "none"
    fresh_as_of: date | None
    text_fr: str
    field_id: str | None = None
    field_label: str | None = None
    commune_code: str | None = None
    commune_name: str | None = None
    radius_km: float = 30
    live_sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Place:
    """Where the person is (a commune centre)."""

    code_insee: str
    nom: str
    departement: str
    lat: float
    lon: float


class LiveSource(Protocol):
    """A live source of trainings (network); must honour `deadline` (time.monotonic())."""

    name: str

    def search(self, fld: Field, place: Place, radius_km: float, cpf_only: bool,
               deadline: float) -> list[TrainingItem]: ...


@dataclass
class TrainingsDeps:
    """Everything `answer_trainings` needs; tests build their own."""

    session_factory: sessionmaker
    index: CommuneIndex
    resolver: Callable[[str], Any]
    live_sources: Sequence[LiveSource] = ()
    budget_s: float = 2.0
    today: Callable[[], date] = date.today
    executor: concurrent.futures.ThreadPoolExecutor = field(
        default_factory=lambda: concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="live"))


# -- live sources ----------------------------------------------------------------------------------
class McfLiveSource:
    """CPF catalogue records for the field's codes in the person's département."""

    name = "mon-compte-formation"

    def __init__(self, client: McfClient, session_factory: sessionmaker, index: CommuneIndex) -> None:
        self.client = client
        self.session_factory = session_factory
        self.index = index

    def search(self, fld: Field, place: Place, radius_km: float, cpf_only: bool,
               deadline: float) -> list[TrainingItem]:
        specific = bool(fld.rome or fld.formacode)
        if not specific and not fld.nsf:
            return []
        where = build_where(romes=fld.rome, formacodes=fld.formacode, nsf=() if specific else fld.nsf,
                            departements=[place.departement])
        page = self.client.records(where=where, limit=50, deadline=deadline)
        from bot.trainings.models import TrainingBody

        sirets = {r.siret for r in page.results if r.siret}
        located: dict[str, tuple[str | None, float | None, float | None, str | None]] = {}
        if sirets:
            with self.session_factory() as session:
                for siret, commune, lat, lon, dep in session.execute(
                        select(TrainingBody.siret, TrainingBody.commune, TrainingBody.lat, TrainingBody.lon,
                               TrainingBody.departement).where(TrainingBody.siret.in_(sirets))):
                    located[siret] = (commune, lat, lon, dep)
        items = []
        for rec in page.results:
            commune = lat = lon = None
            if rec.siret in located and located[rec.siret][3] == rec.departement:
                commune, lat, lon, _ = located[rec.siret]
            distance = haversine_km(place.lat, place.lon, lat, lon) if lat is not None else None
            if distance is not None and distance > radius_km:
                continue
            items.append(TrainingItem("formation", rec.title, rec.body_name, commune, rec.departement, distance,
                                      distance is None, True, "https://www.moncompteformation.gouv.fr", self.name))
        return items


class LbaLiveSource:
    """Apprenticeship trainings near the person (La bonne alternance)."""

    name = "la-bonne-alternance"

    def __init__(self, client: LbaClient) -> None:
        self.client = client

    def search(self, fld: Field, place: Place, radius_km: float, cpf_only: bool,
               deadline: float) -> list[TrainingItem]:
        if cpf_only or not fld.rome:
            return []  # apprenticeship is not paid with the CPF
        results = self.client.formations(list(fld.rome)[:20], place.lat, place.lon, radius_km=int(radius_km),
                                         deadline=deadline)
        items = []
        for f in results:  # only those within the radius (the source's far fallback is left out)
            name = f"{f.title} (en apprentissage)"
            items.append(TrainingItem("formation", name, f.body_name, (f.city or "").title() or None, None,
                                      f.distance_km, False, None, f.url, self.name, phone=f.phone,
                                      sessions=_sessions_fr(f.sessions)))
        return items


def _sessions_fr(sessions: tuple[tuple[str | None, str | None], ...]) -> str | None:
    """The next session in plain French ("session du 1er septembre 2026 au 30 juin 2028")."""
    from datetime import date

    from bot.eligibility.engine import fr_date

    for start, end in sessions:
        try:
            start_d = date.fromisoformat(start) if start else None
            end_d = date.fromisoformat(end) if end else None
        except ValueError:
            continue
        if start_d and end_d:
            return f"session du {fr_date(start_d)} au {fr_date(end_d)}"
        if start_d:
            return f"session à partir du {fr_date(start_d)}"
    return None


# -- wiring ----------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def default_deps() -> TrainingsDeps:
    """Production wiring from the settings (built once, on first use)."""
    from bot.catalogue.db import make_engine, make_sessionmaker
    from bot.config import get_settings
    from bot.trainings.places import default_index, default_resolver

    settings = get_settings()
    session_factory = make_sessionmaker(make_engine(settings.database_url))
    index = default_index()
    if index is None:
        raise RuntimeError("bot.geo is required for trainings search")
    budget = settings.live_search_budget_s
    live = [
        McfLiveSource(McfClient(settings.mcf_api_url, timeout_s=budget, retry=NO_RETRY), session_factory, index),
        LbaLiveSource(LbaClient(settings.lba_api_url, caller=settings.lba_caller, timeout_s=budget, retry=NO_RETRY)),
    ]
    return TrainingsDeps(session_factory, index, default_resolver(), live, budget)


# -- the answer ------------------------------------------------------------------------------------
def _place_from(commune: Any) -> Place | None:
    if commune is None or getattr(commune, "lat", None) is None:
        return None
    return Place(commune.code_insee, commune.nom, commune.departement, commune.lat, commune.lon)


def _resolve_place(text: str, deps: TrainingsDeps) -> tuple[Place | None, str | None, str]:
    """(place, message_fr, status) — status "ok" | "place_not_found" | "place_ambiguous"."""
    text = (text or "").strip()
    if text.lower().startswith("insee:"):
        # An already-resolved commune (e.g. from a slot). Plain 5 digits go through the resolver,
        # because many INSEE codes are also someone else's postcode (62300: Lens's postcode,
        # Équihen-Plage's INSEE code).
        place = _place_from(deps.index.get(text[6:].strip().upper()))
        if place is not None:
            return place, None, "ok"
        return None, wording()["insee_unknown"], "place_not_found"
    resolution = deps.resolver(text)
    if resolution.status == "found":
        place = _place_from(resolution.commune)
        if place is not None:
            return place, None, "ok"
        return None, wording()["no_position"], "place_not_found"
    if resolution.status == "ambiguous":
        return None, resolution.message_fr, "place_ambiguous"
    return None, resolution.message_fr, "place_not_found"


def _km(distance: float | None) -> str:
    if distance is None:
        return ""
    return "sur place" if distance < 1 else f"à {round(distance)} km"


def _cpf(value: bool | None) -> str:
    return {True: "éligible au CPF", False: "non éligible au CPF"}.get(value, "éligibilité CPF à vérifier")


def de(nom: str) -> str:
    """French "de" before a place name: "d'Amiens", "du Touquet", "des Mureaux", "de Lens"."""
    if nom.startswith("Le "):
        return "du " + nom[3:]
    if nom.startswith("Les "):
        return "des " + nom[4:]
    return ("d'" if nom[:1].upper() in "AEIOUYÂÀÉÈÊÎÔÛH" else "de ") + nom


def _line(n: int, item: TrainingItem, *, mixed: bool = False) -> str:
    if item.approximate_place:
        where = f"dans {DEPARTEMENT_NAMES.get(item.departement or '', 'le département')} (lieu précis non indiqué)"
    else:
        where = ", ".join(p for p in (item.commune, _km(item.distance_km)) if p)
    parts = [f"Organisme : {item.name}" if mixed and item.kind == "organisme" else item.name]
    if item.kind == "formation" and item.body:
        parts.append(item.body)
    if where:
        parts.append(where)
    if item.kind == "formation":
        parts.append(_cpf(item.cpf_eligible))
    if item.sessions:
        parts.append(item.sessions)
    if item.phone:
        parts.append(f"tél. {item.phone}")
    line = "- " + " — ".join(parts)  # bullets: numbers would read as choices on text channels
    if not item.url:
        return line
    return f"{line} ({item.source_label} : {item.url})" if item.url_is_source else f"{line} : {item.url}"


def _from_training(hit: TrainingHit) -> TrainingItem:
    approximate = hit.coord_source == "departement"
    return TrainingItem("formation", hit.title, hit.body_name, hit.commune, hit.departement,
                        None if approximate else hit.distance_km, approximate, hit.cpf_eligible,
                        hit.url or hit.source_url, hit.source, hit.url is None, _source_kind_label(hit.source_title))


def _from_body(hit: BodyHit) -> TrainingItem:
    url, is_source = (hit.website, False) if hit.website else (hit.source_url, True)
    return TrainingItem("organisme", hit.name, None, hit.commune, hit.departement, hit.distance_km,
                        hit.distance_km is None, None, url, hit.source, is_source, _source_kind_label(hit.source_title))


def _source_kind_label(source_title: str | None) -> str:
    return "article de presse" if (source_title or "").startswith(PRESS_PREFIX) else "source"


def _rounded(item: TrainingItem) -> TrainingItem:
    if item.distance_km is None:
        return item
    return dataclasses.replace(item, distance_km=round(item.distance_km, 1))


def _freshness(hits: Sequence[TrainingHit | BodyHit]) -> date | None:
    dates = [h.checked_on if h.source == "embedded" or h.fetched_at is None else h.fetched_at.date() for h in hits]
    dates = [d for d in dates if d is not None]
    return min(dates) if dates else None


def _try_live(fld: Field, place: Place, radius_km: float, cpf_only: bool,
              deps: TrainingsDeps) -> tuple[list[TrainingItem], tuple[str, ...]]:
    """Items from the live sources that answered within the budget (others are ignored)."""
    if not deps.live_sources:
        return [], ()
    deadline = time.monotonic() + deps.budget_s
    futures = {deps.executor.submit(src.search, fld, place, radius_km, cpf_only, deadline): src.name
               for src in deps.live_sources}
    done, not_done = concurrent.futures.wait(futures, timeout=deps.budget_s)
    for fut in not_done:
        fut.cancel()
        log.info("live source %s did not answer within %.1fs", futures[fut], deps.budget_s)
    items: list[TrainingItem] = []
    answered: list[str] = []
    for fut in done:
        try:
            found = fut.result()
        except (SourceError, ValueError) as exc:
            log.info("live source %s failed: %s", futures[fut], exc)
            continue
        except Exception:  # noqa: BLE001 - a live source must never break the answer
            log.exception("live source %s crashed", futures[fut])
            continue
        answered.append(futures[fut])
        items.extend(i for i in found if not cpf_only or i.cpf_eligible)
    return items, tuple(sorted(answered))


def answer_trainings(field_text: str, commune_text_or_code: str, *, radius_km: float = 30, cpf_only: bool = False,
                     live: bool = True, limit: int = 5, deps: TrainingsDeps | None = None) -> TrainingsAnswer:
    """Trainings (or, failing that, training bodies) for a field near a commune, with a French text.

    `commune_text_or_code` is what the person typed (name, postcode…, resolved by `bot.geo.resolve`)
    or `"insee:<code>"` for a commune already resolved.
    """
    deps = deps or default_deps()
    m = wording()
    fld = resolve_field(field_text or "")
    if fld is None:
        return TrainingsAnswer("unknown_field", (), "none", None, m["unknown_field"], radius_km=radius_km)
    place, message, status = _resolve_place(commune_text_or_code, deps)
    if place is None:
        text = message or m["place_not_found"]
        return TrainingsAnswer(status, (), "none", None, text, fld.id, fld.label, radius_km=radius_km)

    near = {"field": fld.label, "de_commune": de(place.nom), "km": round(radius_km)}
    header = m["header"].format(**near)
    if live:
        items, answered = _try_live(fld, place, radius_km, cpf_only, deps)
        if items:
            items.sort(key=lambda i: (i.distance_km is None, i.distance_km or 0.0, i.name))
            items = [_rounded(i) for i in items[:limit]]
            lines = [header + " :"] + [_line(n, i) for n, i in enumerate(items, 1)]
            lines.append(m["live_source"].format(sources=", ".join(_source_label(s) for s in answered),
                                                 date=f"{deps.today():%d/%m/%Y}"))
            return TrainingsAnswer("ok", tuple(items), "live", deps.today(), "\n".join(lines), fld.id, fld.label,
                                   place.code_insee, place.nom, radius_km, answered)

    filters = Filters(cpf_only=cpf_only)
    bodies: list[BodyHit] = []
    try:
        with deps.session_factory() as session:
            trainings = search_trainings(session, specific=fld.codes(broad=False), broad=fld.codes(broad=True),
                                         lat=place.lat, lon=place.lon, radius_km=radius_km, filters=filters,
                                         limit=limit)
            if len(trainings) < limit and not cpf_only:
                bodies = search_bodies(session, codes=fld.codes(broad=True), lat=place.lat, lon=place.lon,
                                       radius_km=radius_km, departements=[place.departement],
                                       limit=limit - len(trainings))
    except SQLAlchemyError:
        log.exception("trainings catalogue unavailable")
        return TrainingsAnswer("unavailable", (), "none", None, m["unavailable"], fld.id, fld.label,
                               place.code_insee, place.nom, radius_km)
    items = [_rounded(_from_training(t)) for t in trainings] + [_rounded(_from_body(b)) for b in bodies]
    fresh = _freshness([*trainings, *bodies])
    freshness = _catalogue_freshness(trainings, bodies, fresh)
    if trainings:
        lines = [header + " :"] + [_line(n, i, mixed=bool(bodies)) for n, i in enumerate(items, 1)]
        lines.append(freshness)
        return TrainingsAnswer("ok", tuple(items), "catalogue", fresh, "\n".join(lines), fld.id, fld.label,
                               place.code_insee, place.nom, radius_km)
    if bodies:
        intro = m["intro_speciality"] if any(b.match == "speciality" for b in bodies) else m["intro_general"]
        lines = [m["only_bodies"].format(**near, intro=intro)]
        lines += [_line(n, i) for n, i in enumerate(items, 1)]
        lines.append(freshness)
        return TrainingsAnswer("only_bodies", tuple(items), "catalogue", fresh, "\n".join(lines), fld.id,
                               fld.label, place.code_insee, place.nom, radius_km)
    text = m["empty"].format(**near, cpf=m["cpf_only"] if cpf_only else "")
    return TrainingsAnswer("empty", (), "catalogue", None, text, fld.id, fld.label, place.code_insee, place.nom,
                           radius_km)


def _source_label(name: str) -> str:
    return {"mon-compte-formation": "Mon Compte Formation", "la-bonne-alternance": "La bonne alternance"}.get(name, name)


def _catalogue_freshness(trainings: Sequence[TrainingHit], bodies: Sequence[BodyHit], fresh: date | None) -> str:
    sources = {h.source for h in [*trainings, *bodies]}
    when = f"{fresh:%d/%m/%Y}" if fresh else "date inconnue"
    return wording()["freshness_embedded" if sources == {"embedded"} else "freshness_local"].format(date=when)
