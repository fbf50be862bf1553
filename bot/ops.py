"""`python -m bot env` and `python -m bot purge`: running the assistant safely.

- ``env`` prints the ``export`` lines the Rasa configuration files at the repository root need
  (``endpoints.yml`` uses ``${ACTION_SERVER_URL}``, ``${ACTION_SERVER_TOKEN}``,
  ``${TRACKER_DB_PATH}``), with the local defaults and the generated secrets, so that
  ``eval "$(.venv/bin/python -m bot env)"`` then ``rasa shell`` / ``rasa test`` /
  ``rasa interactive`` from the root reach the action server.
- ``purge`` deletes the conversations whose last event is older than the retention
  (``--older-than``, default ``CAP_RETENTION_DAYS`` = 183 days ≈ 6 months) from the tracker store
  of an ``endpoints.yml`` (SQL — SQLite or PostgreSQL — and Redis); recent conversations are kept.
  It also deletes the referrals closed, refused or cancelled more than ``--referral-days`` (default
  ``REFERRAL_RETENTION_DAYS`` = 30) days ago from the workspace database (``DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from bot.config import REPO_ROOT, get_settings, local_secret, var_dir
from bot.errors import BotError

_DURATION_RE = re.compile(r"(\d+)\s*([dwmy]?)")
_UNIT_DAYS = {"": 1, "d": 1, "w": 7, "m": 30.5, "y": 365.25}


def parse_duration_days(text: str) -> float:
    """``"183"``, ``"183d"``, ``"26w"``, ``"6m"``, ``"1y"`` → days."""
    found = _DURATION_RE.fullmatch(text.strip().lower())
    if not found:
        raise BotError(f"invalid duration {text!r}",
                       message_fr=f"Durée invalide : {text!r} (exemples : 183d, 6m, 1y).")
    return int(found.group(1)) * _UNIT_DAYS[found.group(2)]


def env_exports() -> dict[str, str]:
    """What the root endpoints.yml and credentials.yml need, with local defaults."""
    import os

    action_port = os.environ.get("ACTION_PORT") or "5055"
    return {
        "RASA_AUTH_TOKEN": local_secret("RASA_AUTH_TOKEN"),
        "ACTION_SERVER_TOKEN": local_secret("ACTION_SERVER_TOKEN"),
        "CAP_SESSION_SECRET": local_secret("CAP_SESSION_SECRET"),
        "ACTION_SERVER_URL": os.environ.get("ACTION_SERVER_URL") or f"http://localhost:{action_port}/webhook",
        "TRACKER_DB_PATH": os.environ.get("TRACKER_DB_PATH") or str(var_dir() / "tracker.db"),
    }


def default_endpoints() -> Path:
    """The endpoints file `make run` uses (var/endpoints.yml), else the root one."""
    rendered = get_settings().var_dir / "endpoints.yml"
    return rendered if rendered.exists() else REPO_ROOT / "endpoints.yml"


def _tracker_store(endpoints: Path) -> Any:
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None:
        raise BotError(f"no tracker_store in {endpoints}",
                       message_fr=f"Aucun stockage de conversations (tracker_store) dans {endpoints}.")
    return TrackerStore.create(config, Domain.empty())


def purge_store(store: Any, cutoff: float) -> int:
    """Delete the conversations of ``store`` last active before ``cutoff`` (epoch seconds)."""
    from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore

    from channels.privacy import unwrap_tracker_store

    removed = 0
    for concrete in unwrap_tracker_store(store):
        if isinstance(concrete, SQLTrackerStore):
            import sqlalchemy as sa

            event = concrete.SQLEvent
            with concrete.session_scope() as session:
                old = (sa.select(event.sender_id).group_by(event.sender_id)
                       .having(sa.func.max(event.timestamp) < cutoff))
                senders = [row[0] for row in session.execute(old)]
                for start in range(0, len(senders), 500):
                    chunk = senders[start:start + 500]
                    session.execute(sa.delete(event).where(event.sender_id.in_(chunk)))
                session.commit()
            removed += len(senders)
        elif isinstance(concrete, RedisTrackerStore):
            import json

            for key in concrete.red.scan_iter(f"{concrete.key_prefix}*"):
                raw = concrete.red.get(key)
                try:
                    events = json.loads(raw).get("events") or []
                    last = max((e.get("timestamp") or 0) for e in events) if events else 0
                except (TypeError, ValueError, AttributeError):
                    continue
                if last < cutoff:
                    concrete.red.delete(key)
                    removed += 1
        elif isinstance(concrete, InMemoryTrackerStore):
            for sender, serialised in list(concrete.store.items()):
                tracker = concrete.deserialise_tracker(sender, serialised)
                if tracker is None or (tracker.events and tracker.events[-1].timestamp < cutoff):
                    concrete.store.pop(sender, None)
                    removed += 1
        else:
            raise BotError(f"purge not supported for {type(concrete).__name__}",
                           message_fr=f"La purge n'est pas prise en charge pour {type(concrete).__name__}.")
    return removed


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `env` and `purge` sub-commands."""
    env = subparsers.add_parser(
        "env", help="variables d'environnement pour rasa shell / test / interactive",
        description="Affiche les lignes « export » dont endpoints.yml a besoin (secrets générés dans "
                    "var/secrets/). Usage : eval \"$(.venv/bin/python -m bot env)\"")
    env.set_defaults(handler=_run_env)
    purge = subparsers.add_parser(
        "purge", help="efface les conversations plus anciennes que la durée de conservation",
        description="Efface du stockage des conversations celles dont le dernier échange est plus ancien "
                    "que --older-than (défaut : CAP_RETENTION_DAYS, 183 jours ≈ 6 mois).")
    purge.add_argument("--older-than", default=None,
                       help="durée : 183d, 26w, 6m, 1y (défaut : CAP_RETENTION_DAYS jours)")
    purge.add_argument("--endpoints", type=Path, default=None,
                       help="fichier endpoints.yml (défaut : var/endpoints.yml de make run, sinon celui de la racine)")
    purge.add_argument("--referral-days", type=int, default=None,
                       help="demandes de rappel closes depuis plus de N jours (défaut : REFERRAL_RETENTION_DAYS, 30)")
    purge.set_defaults(handler=_run_purge)


def _run_env(args: argparse.Namespace) -> int:
    for name, value in env_exports().items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


def purge_referrals(days: int | None = None) -> int:
    """Delete the referrals closed more than `days` ago (REFERRAL_RETENTION_DAYS) from the workspace database."""
    from bot.catalogue.db import make_sessionmaker
    from bot.counsel.store import workspace_engine
    from bot.referrals.service import purge

    engine = workspace_engine()
    try:
        with make_sessionmaker(engine)() as db, db.begin():
            return purge(db, days=days)
    finally:
        engine.dispose()


def _run_purge(args: argparse.Namespace) -> int:
    days = parse_duration_days(args.older_than) if args.older_than else float(get_settings().retention_days)
    import os

    from bot.referrals.service import retention_days

    referral_days = args.referral_days if args.referral_days is not None else retention_days()
    failed = False
    try:
        gone = purge_referrals(referral_days)
        print(f"{gone} demande(s) de rappel close(s) depuis plus de {referral_days} jours effacée(s).",
              file=sys.stderr)
    except Exception as exc:  # noqa: BLE001 - the conversations are purged anyway; the exit code tells
        failed = True
        print(f"Les demandes de rappel n'ont pas pu être purgées ({type(exc).__name__}).", file=sys.stderr)

    for name, value in env_exports().items():  # what ${VAR} in the root endpoints.yml needs
        os.environ.setdefault(name, value)
    endpoints = args.endpoints or default_endpoints()
    cutoff = time.time() - days * 86400
    removed = purge_store(_tracker_store(endpoints), cutoff)
    print(f"{removed} conversation(s) de plus de {days:g} jours effacée(s).", file=sys.stderr)
    return 1 if failed else 0
