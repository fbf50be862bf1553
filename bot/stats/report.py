"""Count the outcomes, then publish only what protects people (k-anonymity).

Primary suppression: a count of 1 to k−1 people is never published (0 reveals no one and is shown).
Secondary suppression: every published total is the sum of its parts (some of which are never
published, e.g. "with a scheme" next to "no scheme", "not recommended the CPF" next to "recommended
the CPF"); whenever the parts a reader cannot see add
up to 1 to k−1 people, the smallest published part (or the total) is suppressed too, until no
suppressed value or sum of suppressed values under k can be recomputed. Medians of delays are
shown only when they rest on a published count of at least k referrals.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from bot.stats.collect import DEPARTEMENTS, GOALS, NO_FIELD, NO_GOAL, UNKNOWN_FIELD, Outcome, Referral

DEFAULT_K = 10
RADIUS_KM = 30.0
ALL = "*"
GOAL_LABELS = {"change_job": "Changer de métier", "get_qualification": "Obtenir une qualification",
               "validate_experience": "Faire valider son expérience (VAE)", "create_business": "Créer une entreprise",
               "train_ai_data": "Se former à la data ou à l'IA", "find_job": "Trouver un emploi",
               "explore": "Explorer des pistes", NO_GOAL: "Objectif non précisé"}
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]


def default_k() -> int:
    """k of the k-anonymity (STATS_K, default 10, at least 2)."""
    from bot.config import env_int

    return env_int("STATS_K", DEFAULT_K, minimum=2)


def month_label(month: str) -> str:
    """"2026-03" → "mars 2026"; the total → "Toute la période"."""
    if month == ALL:
        return "Toute la période"
    year, m = month.split("-")
    return f"{MONTHS_FR[int(m) - 1]} {year}"


def dept_label(dept: str) -> str:
    if dept == ALL:
        return "Tous départements"
    return f"{DEPARTEMENTS[dept]} ({dept})" if dept.isdigit() else DEPARTEMENTS[dept]


# ------------------------------------------------------------------------------ suppression
class Cells:
    """Counts keyed by tuples, the totals they add up to, and what may be published."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.values: dict[tuple, int] = {}
        self.hidden: set[tuple] = set()  # never published (complements)
        self.groups: list[tuple[tuple, list[tuple]]] = []
        self.published: set[tuple] = set()

    def add(self, key: tuple, value: int, *, hidden: bool = False) -> None:
        self.values[key] = value
        if hidden:
            self.hidden.add(key)

    def group(self, total: tuple, parts: Iterable[tuple]) -> None:
        self.groups.append((total, list(parts)))

    def suppress(self) -> None:
        k = self.k
        self.published = {key for key, v in self.values.items()
                          if key not in self.hidden and (v == 0 or v >= k)}
        changed = True
        while changed:
            changed = False
            for total, parts in self.groups:
                if total not in self.published:
                    continue
                unseen = sum(self.values[p] for p in parts if p not in self.published)
                if 0 < unseen < k:
                    candidates = sorted((self.values[p], p) for p in parts if p in self.published and self.values[p] > 0)
                    self.published.discard(candidates[0][1] if candidates else total)
                    changed = True

    def get(self, key: tuple) -> int | None:
        """The value if published, else None (suppressed)."""
        return self.values[key] if key in self.published else None


# ------------------------------------------------------------------------------ nearby
class Nearby:
    """Is there a structure, or a training in the person's field, within 30 km of a commune? (cached)"""

    def __init__(self, session_factory: Any, radius_km: float = RADIUS_KM) -> None:
        self.session_factory = session_factory
        self.radius_km = radius_km
        self._structures: dict[str, bool | None] = {}
        self._trainings: dict[tuple[str, str], bool | None] = {}
        self._index: Any = None

    def _place(self, code_insee: str) -> dict[str, Any] | None:
        if self._index is None:
            from bot.trainings.places import default_index

            self._index = default_index()
        commune = self._index.get(code_insee) if self._index is not None else None
        if commune is None or commune.lat is None:
            return None
        return {"code_insee": commune.code_insee, "lat": commune.lat, "lon": commune.lon,
                "departement": commune.departement, "region": commune.region}

    def structure(self, code_insee: str | None) -> bool | None:
        """True/False, or None when the commune is unknown."""
        if not code_insee:
            return None
        if code_insee not in self._structures:
            from bot.catalogue.structures import structures_near

            place = self._place(code_insee)
            if place is None:
                self._structures[code_insee] = None
            else:
                with self.session_factory() as db:
                    near = structures_near(db, place, radius_km=self.radius_km, limit=1)
                self._structures[code_insee] = any(n.distance_km is not None and n.distance_km <= self.radius_km
                                                   for n in near)
        return self._structures[code_insee]

    def training(self, field_id: str, code_insee: str | None) -> bool | None:
        """True/False, or None when the field or the commune is unknown."""
        if not code_insee or field_id in (NO_FIELD, UNKNOWN_FIELD):
            return None
        key = (field_id, code_insee)
        if key not in self._trainings:
            from bot.trainings.fields import default_fields
            from bot.trainings.search import search_trainings

            fld = default_fields().by_id(field_id)
            place = self._place(code_insee)
            if fld is None or place is None:
                self._trainings[key] = None
            else:
                with self.session_factory() as db:
                    hits = search_trainings(db, specific=fld.codes(broad=False), broad=fld.codes(broad=True),
                                            lat=place["lat"], lon=place["lon"], radius_km=self.radius_km, limit=1)
                self._trainings[key] = bool(hits)
        return self._trainings[key]


# ------------------------------------------------------------------------------ the report
@dataclass
class Report:
    """Published figures only (None = suppressed), with the categories they are about."""

    k: int
    months: list[str]
    departements: list[str]
    generated_at: str
    #: indicator → (month|ALL, dept|ALL) → count or None
    grids: dict[str, dict[tuple[str, str], int | None]] = field(default_factory=dict)
    #: (month|ALL, dept|ALL) → [(scheme id, title, count)], most recommended first (published counts only)
    schemes: dict[tuple[str, str], list[tuple[str, str, int]]] = field(default_factory=dict)
    #: "goal"/"field" → (month|ALL, dept|ALL, category) → count or None (people with no training nearby)
    unmet: dict[str, dict[tuple[str, str, str], int | None]] = field(default_factory=dict)
    unmet_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    #: None when the referrals' table does not exist; else (month, dept) → figures (None = suppressed)
    referrals: dict[tuple[str, str], dict[str, float | int | None]] | None = None


GRIDS = {
    "results": "Conversations arrivées aux résultats",
    "no_scheme": "Profils sans aucun dispositif recommandé",
    "no_structure": f"Profils sans structure à moins de {RADIUS_KM:.0f} km",
    "no_training": f"Profils sans formation dans leur domaine à moins de {RADIUS_KM:.0f} km",
}
REFERRAL_FIGURES = {"sent": "Orientations envoyées", "taken": "Prises en charge", "closed": "Closes",
                    "taken_days": "Délai médian de prise en charge (jours)",
                    "closed_days": "Délai médian de clôture (jours)"}


def _scheme_titles() -> dict[str, str]:
    from bot.eligibility.rules import load_rules

    return {r.id: r.short_title or r.title for r in load_rules().values()}


def _field_labels() -> dict[str, str]:
    from bot.trainings.fields import default_fields

    return {f.id: f.label for f in default_fields().fields}


def build_report(outcomes: Sequence[Outcome], referrals: Sequence[Referral] | None, nearby: Nearby | None, *,
                 k: int | None = None, top: int = 5) -> Report:
    """Aggregate and suppress. `nearby` None skips the structure and training indicators."""
    k = k or default_k()
    months = sorted({o.month for o in outcomes} | {r.month for r in referrals or ()})
    depts = list(DEPARTEMENTS)
    rows_m, cols_d = [*months, ALL], [*depts, ALL]
    cells = Cells(k)

    # people per (month, dept) and indicator; the complement of each indicator stays hidden
    counts: dict[str, Counter] = {name: Counter() for name in GRIDS}
    schemes: Counter = Counter()
    unmet = {"goal": Counter(), "field": Counter()}
    for o in outcomes:
        for m in (o.month, ALL):
            for d in (o.departement, ALL):
                counts["results"][m, d] += 1
                if not o.recommended:
                    counts["no_scheme"][m, d] += 1
                for sid in set(o.recommended):
                    schemes[m, d, sid] += 1
        if nearby is None:
            continue
        no_structure = nearby.structure(o.code_insee) is False
        training = nearby.training(o.field, o.code_insee)
        for m in (o.month, ALL):
            for d in (o.departement, ALL):
                counts["no_structure"][m, d] += no_structure
                if training is False:
                    counts["no_training"][m, d] += 1
                    unmet["goal"][m, d, o.goal] += 1
                    unmet["field"][m, d, o.field] += 1

    for name in GRIDS:
        for m in rows_m:
            for d in cols_d:
                cells.add((name, m, d), counts[name][m, d])
        for m in rows_m:  # a row adds up to its total, a column too
            cells.group((name, m, ALL), [(name, m, d) for d in depts])
        for d in cols_d:
            cells.group((name, ALL, d), [(name, m, d) for m in months])
    for m in rows_m:
        for d in cols_d:
            # "no scheme" + hidden "with a scheme" = results; same for "no structure nearby"
            for name in ("no_scheme", "no_structure"):
                rest = (f"{name}~rest", m, d)
                cells.add(rest, counts["results"][m, d] - counts[name][m, d], hidden=True)
                cells.group(("results", m, d), [(name, m, d), rest])
            for kind, cats in (("goal", [*GOALS, NO_GOAL]), ("field", sorted({c for (_, _, c) in unmet["field"]}))):
                for c in cats:
                    cells.add((kind, m, d, c), unmet[kind][m, d, c])
                cells.group(("no_training", m, d), [(kind, m, d, c) for c in cats])
    # each scheme: "recommended" + hidden "not recommended" = results; months and départements add up
    for sid in sorted({key[2] for key in schemes}):
        for m in rows_m:
            for d in cols_d:
                cells.add(("scheme", m, d, sid), schemes[m, d, sid])
                cells.add(("scheme~rest", m, d, sid), counts["results"][m, d] - schemes[m, d, sid], hidden=True)
                cells.group(("results", m, d), [("scheme", m, d, sid), ("scheme~rest", m, d, sid)])
    for kind in ("scheme", "goal", "field"):
        for c in {key[3] for key in cells.values if key[0] == kind}:
            for m in rows_m:
                cells.group((kind, m, ALL, c), [(kind, m, d, c) for d in depts])
            for d in cols_d:
                cells.group((kind, ALL, d, c), [(kind, m, d, c) for m in months])

    referral_cells = _referral_cells(cells, referrals, months, depts) if referrals is not None else None
    cells.suppress()

    report = Report(k=k, months=months, departements=depts,
                    generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    for name in GRIDS:
        if nearby is None and name in ("no_structure", "no_training"):
            continue
        report.grids[name] = {(m, d): cells.get((name, m, d)) for m in rows_m for d in cols_d}
    titles = _scheme_titles()
    for key in cells.values:
        if key[0] == "scheme" and cells.get(key):
            _, m, d, sid = key
            report.schemes.setdefault((m, d), []).append((sid, titles.get(sid, sid), cells.values[key]))
    for key, items in report.schemes.items():
        report.schemes[key] = sorted(items, key=lambda i: (-i[2], i[1]))[:top if key != (ALL, ALL) else 10]
    if nearby is not None:
        labels = {**_field_labels(), UNKNOWN_FIELD: "Domaine non reconnu"}
        for kind in ("goal", "field"):
            report.unmet[kind] = {key[1:]: cells.get(key) for key in cells.values if key[0] == kind}
        report.unmet_labels = {"goal": dict(GOAL_LABELS), "field": labels}
    if referral_cells is not None:
        report.referrals = referral_cells(cells)
    return report


def _referral_cells(cells: Cells, referrals: Sequence[Referral], months: list[str], depts: list[str]) -> Any:
    """Add the referral counts to `cells`; returns what reads the published figures after suppression."""
    taken_states = ("prise_en_charge", "close")
    by: dict[tuple[str, str], list[Referral]] = {}
    for r in referrals:
        for m in (r.month, ALL):
            by.setdefault((m, r.departement), []).append(r)
            by.setdefault((m, ALL), []).append(r)
    keys = [(m, d) for m in [*months, ALL] for d in [*depts, ALL]]
    delays: dict[tuple[str, str], dict[str, list[float]]] = {}
    for m, d in keys:
        items = by.get((m, d), [])
        taken = [r for r in items if r.taken_days is not None or r.status in taken_states]
        closed = [r for r in items if r.status == "close"]
        cells.add(("sent", m, d), len(items))
        cells.add(("taken", m, d), len(taken))
        cells.add(("closed", m, d), len(closed))
        cells.add(("taken~rest", m, d), len(items) - len(taken), hidden=True)
        cells.add(("closed~rest", m, d), len(items) - len(closed), hidden=True)
        cells.group(("sent", m, d), [("taken", m, d), ("taken~rest", m, d)])
        cells.group(("sent", m, d), [("closed", m, d), ("closed~rest", m, d)])
        delays[m, d] = {"taken_days": [r.taken_days for r in taken if r.taken_days is not None],
                        "closed_days": [r.closed_days for r in closed if r.closed_days is not None]}
    for name in ("sent", "taken", "closed"):
        for m in [*months, ALL]:
            cells.group((name, m, ALL), [(name, m, d) for d in depts])
        for d in [*depts, ALL]:
            cells.group((name, ALL, d), [(name, m, d) for m in months])

    def read(c: Cells) -> dict[tuple[str, str], dict[str, float | int | None]]:
        out = {}
        for m, d in keys:
            row: dict[str, float | int | None] = {name: c.get((name, m, d)) for name in ("sent", "taken", "closed")}
            for name, base in (("taken_days", "taken"), ("closed_days", "closed")):
                values = delays[m, d][name]
                ok = row[base] is not None and len(values) >= c.k
                row[name] = round(statistics.median(values), 1) if ok else None
            out[m, d] = row
        return out

    return read
