"""`python -m bot stats`: the partners' anonymous statistics (text, or CSV with --csv)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def compute(*, tracker_url: str | None = None, database_url: str | None = None, workspace: Any = None,
            k: int | None = None, since: str | None = None, until: str | None = None) -> Any:
    """Read the tracker store, the referrals and the catalogue (the workspace's database, or
    `database_url`), count and suppress: the `Report` the CLI and the page both show."""
    from sqlalchemy import create_engine

    from bot.catalogue.db import make_engine, make_sessionmaker
    from bot.config import get_settings, tracker_store_url
    from bot.stats.collect import read_outcomes, read_referrals
    from bot.stats.report import Nearby, build_report

    tracker_url = tracker_url or tracker_store_url()
    tracker = create_engine(tracker_url, future=True)
    own = workspace is None
    workspace = workspace or make_engine(database_url or get_settings().database_url)
    try:
        # no conversation yet: an SQLite file that does not exist is not created by reading it
        missing = tracker_url.startswith("sqlite:///") and not Path(tracker_url[len("sqlite:///"):]).exists()
        outcomes = [] if missing else read_outcomes(tracker, since=since, until=until)
        referrals = read_referrals(workspace, since=since, until=until)
        return build_report(outcomes, referrals, Nearby(make_sessionmaker(workspace)), k=k)
    finally:
        tracker.dispose()
        if own:
            workspace.dispose()


def _month(value: str) -> str:
    import re

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError("mois attendu au format AAAA-MM")
    return value


def _k(value: str) -> int:
    n = int(value)
    if n < 2:
        raise argparse.ArgumentTypeError("k vaut au moins 2")
    return n


def _stats(args: argparse.Namespace) -> int:
    from bot.stats.render import to_csv, to_text

    report = compute(tracker_url=args.tracker_url, database_url=args.database_url, k=args.k,
                     since=args.since, until=args.until)
    if args.csv:
        text = to_csv(report)
        if args.csv == "-":
            sys.stdout.write(text)
        else:
            Path(args.csv).write_text(text, encoding="utf-8-sig")
            print(f"CSV écrit : {args.csv}", file=sys.stderr)
        return 0
    sys.stdout.write(to_text(report))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `stats`."""
    from bot.cli import add_database_url

    s = sub.add_parser("stats", help="statistiques anonymes pour les partenaires (k-anonymat)",
                       description="Par mois et par département : conversations arrivées aux résultats, dispositifs "
                                   "les plus recommandés, besoins sans réponse, orientations. Toute valeur de moins "
                                   "de k personnes est masquée.")
    s.add_argument("--csv", metavar="FICHIER", help="écrit le CSV (séparateur ; ) dans FICHIER, ou - pour la sortie")
    s.add_argument("--k", type=_k, default=None, help="effectif minimal publié (défaut : STATS_K ou 10)")
    s.add_argument("--since", type=_month, help="premier mois (AAAA-MM)")
    s.add_argument("--until", type=_month, help="dernier mois (AAAA-MM)")
    s.add_argument("--tracker-url", help="URL SQLAlchemy des conversations (défaut : TRACKER_STORE, TRACKER_DB_*)")
    add_database_url(s)
    s.set_defaults(handler=_stats)
