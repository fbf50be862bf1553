"""`python -m bot …`: the command line, mirroring what the Rasa actions call.

Each area registers its own sub-commands (`register(subparsers)`) and keeps heavy imports inside
its handlers, so that `python -m bot recommend` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from bot.errors import BotError

# Modules exposing `register(subparsers) -> None`.
COMMAND_MODULES = (
    "bot.eligibility.cli",
    "bot.catalogue.cli",
    "bot.geo.cli",
    "bot.trainings.cli",
    "bot.web.cli",
    "bot.counsel.cli",
    "bot.stats.cli",
    "bot.ops",
)


def add_database_url(parser: argparse.ArgumentParser) -> None:
    """`--database-url` (the knowledge base and the workspace's tables), shared by the sub-commands."""
    parser.add_argument("--database-url", help="URL SQLAlchemy (défaut : DATABASE_URL ou var/catalogue.db)")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Cap Reconversion : dispositifs, structures, communes et formations.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé (sans données personnelles)")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # area not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.handler(args) or 0)
    except BotError as exc:
        print(f"Erreur : {exc.message_fr}\nError: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
