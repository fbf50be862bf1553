"""`python -m bot communes resolve TEXT [--json]`: check what the assistant understands of a place."""

from __future__ import annotations

import argparse
import json
import logging

__all__ = ["register"]

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `communes` command and its sub-commands."""
    parser = subparsers.add_parser("communes", help="communes de France (codes postaux, codes INSEE)",
                                   description="Communes de France : reconnaître ce qu'une personne écrit.")
    sub = parser.add_subparsers(dest="communes_command", metavar="SOUS-COMMANDE")
    sub.required = True
    res = sub.add_parser("resolve", help="reconnaître une commune (nom, code postal ou code INSEE)",
                         description="Reconnaître une commune à partir d'un nom, d'un code postal ou d'un "
                                     "code INSEE. Code de sortie 0 si une seule commune est reconnue, 1 sinon.")
    res.add_argument("text", metavar="TEXTE", nargs="+", help="ce que la personne a écrit, ex. « Saint-Quentin 02100 »")
    res.add_argument("--json", action="store_true", help="sortie JSON")
    res.add_argument("--region", default="32",
                     help="région à préférer pour les homonymes (code INSEE, défaut : 32, Hauts-de-France)")
    res.set_defaults(handler=_resolve)


def _describe(commune) -> str:  # type: ignore[no-untyped-def]
    cps = ", ".join(commune.codes_postaux) or "aucun"
    return f"{commune.nom} ({commune.departement}) — code INSEE {commune.code_insee}, code(s) postal(aux) : {cps}"


def _resolve(args: argparse.Namespace) -> int:
    from bot.geo.resolve import resolve

    text = " ".join(args.text)
    result = resolve(text, prefer_region=args.region or None)
    log.debug("resolution status %s", result.status)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.message_fr)
        if result.commune is not None:
            c = result.commune
            print(_describe(c))
            if c.lat is not None and c.lon is not None:
                print(f"Position : {c.lat:.5f}, {c.lon:.5f} (source : {c.coord_source})")
        elif result.candidates:
            print("Communes possibles :")
            for c in result.candidates:
                print(f"  - {_describe(c)}")
    return 0 if result.status == "found" else 1
