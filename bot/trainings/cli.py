"""`python -m bot trainings …` and `python -m bot sync …` (heavy imports stay inside handlers)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `trainings` and `sync` sub-commands."""
    p = subparsers.add_parser("trainings", help="formations et organismes près d'une commune",
                              description="Formations (ou organismes) pour un domaine, près d'une commune.")
    p.add_argument("--field", required=True, metavar="TEXTE", help="domaine visé, en mots (ex. « data », « plombier »)")
    p.add_argument("--near", required=True, metavar="COMMUNE", help="commune, code postal ou code INSEE")
    p.add_argument("--radius-km", type=float, default=30.0, metavar="N", help="rayon en km (30 par défaut)")
    p.add_argument("--cpf", action="store_true", help="seulement les formations éligibles au CPF")
    p.add_argument("--qualiopi", action="store_true", help="seulement les organismes certifiés Qualiopi")
    p.add_argument("--distance", action="store_true", help="seulement les formations à distance")
    p.add_argument("--max-price", type=float, metavar="EUROS", help="prix maximum (€)")
    p.add_argument("--limit", type=int, default=5, help="nombre de résultats (5 par défaut)")
    p.add_argument("--offline", action="store_true", help="ne pas interroger les sources en direct")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(handler=_trainings)

    s = subparsers.add_parser("sync", help="mettre à jour le catalogue de formations depuis les données ouvertes",
                              description="Télécharge et charge la liste des organismes de formation et le "
                                          "catalogue Mon Compte Formation (Hauts-de-France).")
    s.add_argument("--only", choices=("of", "mcf", "data-inclusion"),
                   help="une seule source : of (organismes), mcf (formations CPF), data-inclusion (annuaire des "
                        "services, clé DATA_INCLUSION_TOKEN)")
    s.add_argument("--force", action="store_true", help="ignorer ETag / Last-Modified et tout recharger")
    s.add_argument("--quiet", action="store_true", help="pas de barre de progression")
    s.set_defaults(handler=_sync)


def _trainings(args: argparse.Namespace) -> int:
    from bot.trainings.service import answer_trainings

    filters_used = args.qualiopi or args.distance or args.max_price is not None
    if filters_used:
        return _trainings_filtered(args)
    answer = answer_trainings(args.field, args.near, radius_km=args.radius_km, cpf_only=args.cpf,
                              live=not args.offline, limit=args.limit)
    if args.json:
        doc = asdict(answer)
        doc["fresh_as_of"] = answer.fresh_as_of.isoformat() if answer.fresh_as_of else None
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print(answer.text_fr)
    return 0 if answer.status in ("ok", "only_bodies", "empty") else 1


def _trainings_filtered(args: argparse.Namespace) -> int:
    """Catalogue search with the extra filters (Qualiopi, distance learning, price)."""
    from bot.errors import PlaceNotFound
    from bot.trainings.fields import resolve_field
    from bot.trainings.search import Filters, search_trainings
    from bot.trainings.service import _resolve_place, default_deps

    deps = default_deps()
    fld = resolve_field(args.field)
    if fld is None:
        raise PlaceNotFound("unknown field", message_fr="Je n'ai pas reconnu le domaine de formation.")
    place, message, status = _resolve_place(args.near, deps)
    if place is None:
        raise PlaceNotFound(status, message_fr=message or "Commune introuvable.")
    filters = Filters(cpf_only=args.cpf, qualiopi_only=args.qualiopi, remote_only=args.distance,
                      max_price=args.max_price)
    with deps.session_factory() as session:
        hits = search_trainings(session, specific=fld.codes(broad=False), broad=fld.codes(broad=True),
                                lat=place.lat, lon=place.lon, radius_km=args.radius_km, filters=filters,
                                limit=args.limit)
    if args.json:
        print(json.dumps([{**asdict(h), "checked_on": str(h.checked_on), "fetched_at": str(h.fetched_at)}
                          for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print(f"Aucune formation en {fld.label} ne correspond à ces critères près de {place.nom}.")
        return 0
    print(f"Formations en {fld.label} près de {place.nom} (moins de {round(args.radius_km)} km) :")
    for n, h in enumerate(hits, 1):
        price = f", à partir de {h.price_min:.0f} €" if h.price_min is not None else ""
        print(f"{n}. {h.title} — {h.body_name or 'organisme non indiqué'} — "
              f"{h.commune or h.departement or ''} ({h.distance_km:.0f} km){price}")
    return 0


class _BarProgress:
    """Progress bars on stderr (tqdm): bytes per download, rows per load. Silent when stderr is not
    a terminal (tqdm's `disable=None`), so logs and pipes get the final summary only."""

    def __init__(self, stream: Any = sys.stderr) -> None:
        self.stream = stream
        self._bars: dict[tuple[str, str], Any] = {}

    def _bar(self, source: str, what: str, **options: Any) -> Any:
        from tqdm import tqdm

        if (source, what) not in self._bars:
            self._bars[(source, what)] = tqdm(desc=f"{source} · {what}", file=self.stream, disable=None,
                                              dynamic_ncols=True, **options)
        return self._bars[(source, what)]

    def download(self, source: str, done: int, total: int | None) -> None:
        bar = self._bar(source, "téléchargement", unit="o", unit_scale=True, unit_divisor=1000)
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def rows(self, source: str, read: int, kept: int, rejected: int) -> None:
        bar = self._bar(source, "lignes lues", unit=" lignes")
        bar.set_postfix_str(f"gardées {_n(kept)} · rejets {_n(rejected)}", refresh=False)
        bar.update(read - bar.n)

    def finish(self, report: Any) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


def _n(value: float) -> str:
    """A count the French way: 12 345."""
    return f"{value:,.0f}".replace(",", "\u202f")


def _sync(args: argparse.Namespace) -> int:
    from bot.catalogue.db import make_engine, make_sessionmaker
    from bot.config import get_settings
    from bot.trainings.places import default_index
    from bot.trainings.sync import Progress, run_sync

    settings = get_settings()
    Session = make_sessionmaker(make_engine(settings.database_url))
    index = default_index()
    if index is None:
        print("Attention : bot.geo indisponible, les organismes seront chargés sans position.", file=sys.stderr)
    progress = Progress() if args.quiet else _BarProgress()
    reports = run_sync(Session, settings, only=args.only, index=index, progress=progress, force=args.force)
    failed = False
    for r in reports:
        if r.status == "unchanged":
            print(f"{r.source} : inchangé depuis la dernière mise à jour (rien à télécharger).")
        elif r.status == "ok":
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(r.rejected.items())) or "aucune"
            print(f"{r.source} : {_n(r.kept)} lignes chargées, rejets : {_n(r.rejected_total)} ({reasons}), "
                  f"{_n(r.read)} lues en {r.seconds:.1f} s ({_n(r.rows_per_s)} lignes/s).")
        else:
            failed = True
            print(f"{r.source} : échec ({r.detail}) — le catalogue précédent reste utilisé.")
    return 1 if failed else 0
