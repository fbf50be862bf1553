""""Qui voir près de chez moi" from the stored directory: services ranked by need, distance and zone served.

Need comes from the profile (status, age, RQTH, goal) mapped to data·inclusion publics and
thématiques; a service aimed only at other publics, or whose zone of eligibility does not cover the
person's commune, is left out. Nothing here calls the network: it reads what `sync` stored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.directory.models import DirectoryService, DirectoryStructure
from bot.geo import haversine_km
from bot.trainings.support import SupportItem, opening_hours_fr

log = logging.getLogger(__name__)

DISABILITY = "personnes-en-situation-de-handicap"
#: Thématique categories a career change is about (a service outside them needs a matching public).
CAREER = ("choisir-un-metier", "se-former", "trouver-un-emploi", "preparer-sa-candidature", "creer-une-entreprise",
          "handicap", "accompagnement-social-et-professionnel-personnalise")
GOAL_THEMES = {
    "change_job": ("choisir-un-metier", "se-former"),
    "explore": ("choisir-un-metier",),
    "get_qualification": ("se-former",),
    "train_ai_data": ("se-former",),
    "validate_experience": ("se-former", "choisir-un-metier--identifier-ses-points-forts-et-ses-competences"),
    "create_business": ("creer-une-entreprise",),
    "find_job": ("trouver-un-emploi", "preparer-sa-candidature"),
}
JOBSEEKER = {"demandeur_emploi", "sans_emploi_non_inscrit", "jeune_neet", "csp"}
WORKING = {"salarie_prive", "interimaire", "agent_public", "independant"}
REMOTE_KM = 15.0  # a remote-only service counts as if it were this far


@dataclass(frozen=True)
class Needs:
    """What the person needs, as data·inclusion publics (with weights) and thématiques."""

    publics: Mapping[str, int]
    themes: tuple[str, ...]


def needs_from_profile(profile: Mapping[str, Any] | None) -> Needs:
    """Publics and thématiques that fit the profile (status, age, RQTH, goal)."""
    p = profile or {}
    publics: dict[str, int] = {}
    if p.get("rqth") is True:
        publics[DISABILITY] = 3
    age = p.get("age")
    if p.get("status") == "jeune_neet" or (isinstance(age, int) and age < 26):
        publics["jeunes"] = 2
    if isinstance(age, int) and age >= 50:
        publics["seniors"] = 1
    status = p.get("status")
    if status in JOBSEEKER:
        publics["demandeurs-emploi"] = 1
    if status in WORKING:
        publics["actifs"] = 1
    if status == "etudiant":
        publics["etudiants"] = 1
    if p.get("rsa") is True or p.get("benefits") == "rsa":
        publics["beneficiaires-des-minimas-sociaux"] = 1
    themes = GOAL_THEMES.get(str(p.get("goal") or ""), ("choisir-un-metier", "se-former"))
    return Needs(publics, themes)


@dataclass(frozen=True)
class Ranked:
    """One service of the directory for the person, with why it is there."""

    service: DirectoryService
    structure: DirectoryStructure | None
    distance_km: float | None
    need: int
    score: float

    def access_fr(self) -> str | None:
        """How to get in, in French (sur place, sur rendez-vous par téléphone, en ligne…)."""
        s = self.service
        modes = set(s.apply_modes or ())
        parts = []
        if "se-presenter" in modes:
            parts.append("vous pouvez vous présenter sur place")
        if "telephoner" in modes:
            parts.append("sur rendez-vous, par téléphone")
        if modes & {"envoyer-un-courriel", "envoyer-un-mail"}:
            parts.append("par courriel")
        if modes & {"envoyer-un-formulaire", "utiliser-le-formulaire", "utiliser-lien-mobilisation",
                    "utiliser-le-lien-mobilisation"}:
            parts.append("en ligne" + (f" ({s.apply_url})" if s.apply_url else ""))
        if s.modes_accueil and "en-presentiel" not in s.modes_accueil:
            parts.append("service à distance")
        if s.apply_details:
            parts.append(s.apply_details)
        return " ; ".join(parts) or None

    def to_support_item(self) -> SupportItem:
        """The same shape as the other nearby answers (contact line in French)."""
        s, st = self.service, self.structure
        street, postcode, commune = s.address, s.postcode, s.commune
        if not street and st is not None:
            street, postcode, commune = st.address, st.postcode, st.commune
        address = street
        if street and (postcode or commune):
            address = f"{street}, {' '.join(x for x in (postcode, commune) if x)}"
        fees = ", ".join(x for x in (s.fees, s.fees_details) if x) or None
        return SupportItem(
            st.name if st is not None else s.name, s.commune or (st.commune if st else None), s.code_insee,
            self.distance_km, st.siret if st else None, s.url or (st.website if st else None),
            s.phone or (st.phone if st else None), "data-inclusion", s.name,
            email=s.email or (st.email if st else None), address=address,
            hours=opening_hours_fr(s.opening_hours or (st.opening_hours if st else None)),
            how_to_apply=self.access_fr(), conditions=s.conditions, fees=fees)


def zone_covers(zone: Any, place: Mapping[str, Any]) -> bool | None:
    """True / False when the service states a zone of eligibility, None when it states none."""
    if not zone:
        return None
    codes = {str(z) for z in zone}
    if codes & {"france", "99100"}:
        return True
    if place.get("code_insee") in codes or place.get("departement") in codes:
        return True
    return bool(place.get("epci")) and place.get("epci") in codes


def _need(service: DirectoryService, needs: Needs) -> int | None:
    """Need score, or None when the service is not for this person."""
    publics = set(service.publics or ())
    matched = sum(w for public, w in needs.publics.items() if public in publics)
    if publics and not matched and "tous-publics" not in publics:
        return None  # aimed at other people
    themes = service.thematiques or ()
    theme_hits = sum(1 for want in needs.themes if any(t == want or t.startswith(want + "--") or
                                                       t.split("--")[0] == want for t in themes))
    career = any(t.split("--")[0] in CAREER for t in themes)
    if not career and not matched:
        return None
    return matched * 2 + theme_hits + (1 if career else 0)


def who_to_see(session: Session, place: Mapping[str, Any], profile: Mapping[str, Any] | None = None, *,
               radius_km: float = 30.0, limit: int = 5) -> list[Ranked]:
    """Stored services for the person near `place` (a resolved commune dict: lat, lon, code_insee,
    departement, epci), best first: need, then zone explicitly served, then distance."""
    lat, lon = place.get("lat"), place.get("lon")
    if lat is None or lon is None:
        return []
    if not place.get("epci") and place.get("code_insee"):  # zones may name the EPCI (intercommunalité)
        from bot.geo import communes

        commune = communes().get(str(place["code_insee"]))
        place = {**place, "epci": commune.epci if commune is not None else None}
    needs = needs_from_profile(profile)
    dlat, dlon = radius_km / 111.0, radius_km / 70.0  # generous box at 50° N
    near_box = (DirectoryService.lat.between(lat - dlat, lat + dlat) & DirectoryService.lon.between(lon - dlon, lon + dlon))
    try:
        services = list(session.execute(select(DirectoryService).where(near_box | DirectoryService.lat.is_(None)))
                        .scalars())
        ids = {s.structure_id for s in services}
        structures = {st.id: st for st in session.execute(
            select(DirectoryStructure).where(DirectoryStructure.id.in_(ids))).scalars()} if ids else {}
    except SQLAlchemyError as exc:  # directory tables missing (database built before them)
        log.info("directory unavailable: %s", type(exc).__name__)
        session.rollback()  # PostgreSQL: leave the session usable
        return []
    out: list[Ranked] = []
    for s in services:
        covers = zone_covers(s.zone, place)
        if covers is False:
            continue
        remote_only = bool(s.modes_accueil) and "en-presentiel" not in s.modes_accueil
        distance = haversine_km(lat, lon, s.lat, s.lon) if s.lat is not None and s.lon is not None else None
        if remote_only:
            if not covers:
                continue
            distance = None
        elif distance is None or distance > radius_km:
            continue
        need = _need(s, needs)
        if need is None:
            continue
        score = 10.0 * need + (3.0 if covers else 0.0) - (REMOTE_KM if distance is None else distance)
        out.append(Ranked(s, structures.get(s.structure_id), distance, need, score))
    out.sort(key=lambda r: (-r.score, r.distance_km if r.distance_km is not None else REMOTE_KM, r.service.name))
    # one line per structure: its best service
    seen: set[str] = set()
    best = []
    for r in out:
        if r.service.structure_id in seen:
            continue
        seen.add(r.service.structure_id)
        best.append(r)
    return best[:limit]
