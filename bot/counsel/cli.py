"""CLI: `analyse` and `synthesis` (contract §5)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.errors import BotError


def _as_of(value: str | None):
    from bot.eligibility.cli import _as_of as parse

    return parse(value)


def _analyse(args: argparse.Namespace) -> int:
    from bot.counsel.analyse import analyse
    from bot.counsel.synthesis import render_text

    result = analyse(args.text, _as_of(args.as_of))
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(result))
    return 0


def _synthesis(args: argparse.Namespace) -> int:
    from bot.counsel.analyse import analyse
    from bot.counsel.synthesis import build_synthesis, write_synthesis
    from bot.eligibility import evaluate
    from bot.eligibility.cli import _read_profile

    as_of = _as_of(args.as_of)
    if args.text is not None:
        result = analyse(args.text, as_of)
        profile, recommendation = result["profile"], result["recommendation"]
    else:
        profile = _read_profile(args.profile)
        recommendation = evaluate(profile, as_of)
    synthesis = build_synthesis(profile, recommendation)
    try:
        write_synthesis(synthesis, pdf=Path(args.pdf), html=Path(args.html) if args.html else None)
    except OSError as exc:
        raise BotError(f"cannot write the synthesis: {exc}",
                       message_fr=f"Impossible d'écrire la synthèse : {exc.strerror or exc}") from exc
    print(f"Synthèse écrite : {args.pdf}" + (f" et {args.html}" if args.html else ""), file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `analyse` and `synthesis`."""
    a = sub.add_parser("analyse", help="analyse rapide d'une situation racontée en français (conseillers)")
    a.add_argument("--text", required=True, help="la situation, en français libre")
    a.add_argument("--as-of", dest="as_of", help="date d'application des règles (AAAA-MM-JJ)")
    a.add_argument("--json", action="store_true", help="sortie JSON (profil, indices, questions, recommandation)")
    a.set_defaults(handler=_analyse)

    s = sub.add_parser("synthesis", help="synthèse PDF/HTML à remettre à la personne")
    src = s.add_mutually_exclusive_group(required=True)
    src.add_argument("--text", help="la situation, en français libre")
    src.add_argument("--profile", help="fichier JSON du profil, ou - pour l'entrée standard")
    s.add_argument("--pdf", required=True, help="fichier PDF à écrire (A4)")
    s.add_argument("--html", help="fichier HTML à écrire aussi")
    s.add_argument("--as-of", dest="as_of", help="date d'application des règles (AAAA-MM-JJ)")
    s.set_defaults(handler=_synthesis)
    register_counsellors(sub)


def _engine(args: argparse.Namespace):
    from bot.counsel.store import workspace_engine

    return workspace_engine(getattr(args, "database_url", None))


def _counsellors_add(args: argparse.Namespace) -> int:
    import getpass
    import os

    from bot.catalogue.db import make_sessionmaker
    from bot.counsel.store import add_counsellor

    password = os.environ.get("COUNSEL_PASSWORD") or getpass.getpass("Mot de passe (12 caractères minimum) : ")
    engine = _engine(args)
    with make_sessionmaker(engine)() as db, db.begin():
        user = add_counsellor(db, email=args.email, name=args.name or args.email, password=password,
                              structure=args.structure, role=args.role)
        print(f"Compte créé : {user.email} ({user.role}, {user.structure})")
    return 0


def _counsellors_demo_admin(args: argparse.Namespace) -> int:
    import secrets

    from sqlalchemy import func, select

    from bot.catalogue.db import make_sessionmaker
    from bot.counsel.models import Counsellor
    from bot.counsel.store import add_counsellor

    engine = _engine(args)
    with make_sessionmaker(engine)() as db, db.begin():
        if db.execute(select(func.count()).select_from(Counsellor)).scalar_one():
            return 0  # accounts exist: nothing to print
        password = secrets.token_urlsafe(12)
        add_counsellor(db, email="admin@demo.local", name="Administrateur démo", password=password,
                       structure="Démo", role="admin")
    print(f"  Espace conseillers : compte de démonstration admin@demo.local, mot de passe {password}"
          " (affiché une seule fois)")
    return 0


def _counsellors_purge(args: argparse.Namespace) -> int:
    from bot.catalogue.db import make_sessionmaker
    from bot.counsel.store import purge

    engine = _engine(args)
    with make_sessionmaker(engine)() as db, db.begin():
        report = purge(db, days=args.days)
    print("Purge : " + ", ".join(f"{k} {v}" for k, v in report.items()))
    return 0


def _counsellors_migrate(args: argparse.Namespace) -> int:
    from bot.counsel.store import current_revision

    print(f"Tables de l'espace conseillers à jour (révision {current_revision(_engine(args))}).")
    return 0


def _counsellors_serve(args: argparse.Namespace) -> int:
    from bot.counsel.web import serve

    serve(args.host, args.port)
    return 0


def register_counsellors(sub: argparse._SubParsersAction) -> None:
    """Add `counsellors add|demo-admin|purge|migrate|serve`."""
    import os

    c = sub.add_parser("counsellors", help="espace conseillers : comptes, purge, serveur web")
    c_sub = c.add_subparsers(dest="counsellors_command", metavar="ACTION")
    c_sub.required = True
    add = c_sub.add_parser("add", help="créer un compte (mot de passe demandé, ou COUNSEL_PASSWORD)")
    add.add_argument("email")
    add.add_argument("--structure", required=True, help="structure du conseiller (ex. « Mon CEP Arras »)")
    add.add_argument("--name", help="nom affiché")
    add.add_argument("--role", choices=("counsellor", "admin"), default="counsellor")
    add.set_defaults(handler=_counsellors_add)
    demo = c_sub.add_parser("demo-admin", help="compte admin de démonstration si aucun compte n'existe")
    demo.set_defaults(handler=_counsellors_demo_admin)
    p = c_sub.add_parser("purge", help="supprime les dossiers et codes de partage trop anciens")
    p.add_argument("--days", type=int, default=None, help="durée de conservation (défaut : COUNSEL_RETENTION_DAYS ou 90)")
    p.set_defaults(handler=_counsellors_purge)
    m = c_sub.add_parser("migrate", help="crée ou met à jour les tables (alembic)")
    m.set_defaults(handler=_counsellors_migrate)
    s = c_sub.add_parser("serve", help="sert l'espace conseillers (http://localhost:8081/conseil/)")
    s.add_argument("--host", default=os.environ.get("COUNSEL_HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=int(os.environ.get("COUNSEL_PORT", "8081")))
    s.set_defaults(handler=_counsellors_serve)
    from bot.cli import add_database_url

    for parser in (add, demo, p, m):
        add_database_url(parser)
