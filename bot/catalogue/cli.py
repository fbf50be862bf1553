"""CLI: `db build` and `structures --near COMMUNE`."""

from __future__ import annotations

import argparse
import json
import sys

from bot.errors import BotError, PlaceNotFound


def _db_build(args: argparse.Namespace) -> int:
    from bot.catalogue.build import build_database
    from bot.config import get_settings

    url = args.database_url or get_settings().database_url
    report = build_database(url, force=args.force)
    shown = url.split("@")[-1] if "@" in url else url  # never print a password
    print(f"Base de connaissances : {shown}")
    for name, status in report.items():
        print(f"  {name:<20} {status}")
    return 0


def resolve_place(text: str) -> dict[str, object]:
    """Resolve what the person typed to a place dict, or raise PlaceNotFound with a French message."""
    from bot import geo

    res = geo.resolve(text)
    if res.status != "found" or res.commune is None:
        raise PlaceNotFound(f"place not resolved: {res.status}", message_fr=res.message_fr)
    c = res.commune
    return {"code_insee": c.code_insee, "nom": c.nom, "departement": c.departement, "region": c.region,
            "lat": c.lat, "lon": c.lon}


def _structures(args: argparse.Namespace) -> int:
    from bot.catalogue.build import build_database, is_built
    from bot.catalogue.db import make_engine, make_sessionmaker
    from bot.catalogue.structures import structures_near
    from bot.config import get_settings
    from bot.eligibility.rules import get_rule

    if args.for_id:
        get_rule(args.for_id)
    place = resolve_place(args.near)
    engine = make_engine(get_settings().database_url)
    if not is_built(engine):
        build_database(engine=engine)
    with make_sessionmaker(engine)() as session:
        found = structures_near(session, place, for_id=args.for_id, radius_km=args.radius_km, limit=args.limit)
        rows = [n.to_dict() for n in found]
    if args.json:
        json.dump({"near": place, "radius_km": args.radius_km, "for": args.for_id, "structures": rows},
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"Près de {place['nom']} ({place['code_insee']}), dans un rayon de {args.radius_km:g} km :")
    if not rows:
        print("  Aucune structure connue pour l'instant. Essayez un rayon plus grand (--radius-km).")
    for r in rows:
        where = r["address"]["commune"] or "toute la zone"
        dist = f"{r['distance_km']:.1f} km" if r["distance_km"] is not None else "sert votre secteur"
        print(f"  • {r['name']} — {where} ({dist})")
        contact = [v for v in (r["contact"]["website"], r["contact"]["phone"], r["contact"]["email"]) if v]
        if contact:
            print(f"      {' · '.join(contact)}")
        if r["to_verify"]:
            print("      (coordonnées à vérifier : source ancienne)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `db` and `structures`."""
    db = sub.add_parser("db", help="base de connaissances")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    db_sub.required = True
    b = db_sub.add_parser("build", help="construit ou met à jour la base depuis les fichiers versionnés")
    b.add_argument("--force", action="store_true", help="tout recharger même sans changement")
    b.add_argument("--database-url", help="URL SQLAlchemy (défaut : DATABASE_URL ou var/catalogue.db)")
    b.set_defaults(handler=_db_build)

    s = sub.add_parser("structures", help="structures d'accompagnement proches d'une commune")
    s.add_argument("--near", required=True, metavar="COMMUNE", help="commune ou code postal")
    s.add_argument("--for", dest="for_id", metavar="ID", help="seulement celles qui servent ce dispositif")
    s.add_argument("--radius-km", dest="radius_km", type=float, default=40.0)
    s.add_argument("--limit", type=int, default=10)
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=_structures)


__all__ = ["register", "resolve_place", "BotError"]
