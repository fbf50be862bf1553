"""CLI: `recommend` and `explain` (the contract's `python -m bot recommend`)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from bot.errors import BotError, InvalidProfile


class _DateError(BotError):
    pass


def _read_profile(path: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    except OSError as exc:
        raise InvalidProfile("(fichier)", f"cannot read {path}: {exc.strerror}",
                             f"impossible de lire le fichier « {path} » ({exc.strerror})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidProfile("(json)", f"not valid JSON (line {exc.lineno}, column {exc.colno})",
                             f"ce n'est pas du JSON valide (ligne {exc.lineno}, colonne {exc.colno})") from exc
    if not isinstance(data, dict):
        raise InvalidProfile("(profil)", "the profile must be a JSON object", "le profil doit être un objet JSON")
    return data


def _as_of(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _DateError(f"--as-of must be YYYY-MM-DD, got {value!r}",
                         message_fr=f"--as-of attend une date AAAA-MM-JJ, pas « {value} ».") from exc


def _recommend(args: argparse.Namespace) -> int:
    from bot.eligibility.engine import evaluate
    from bot.eligibility.render import render_summary

    result = evaluate(_read_profile(args.profile), _as_of(args.as_of))
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_summary(result))
    return 0


def _explain(args: argparse.Namespace) -> int:
    from bot.eligibility.engine import evaluate
    from bot.eligibility.render import render_explain
    from bot.eligibility.rules import get_rule

    get_rule(args.id)  # UnknownDispositif → exit 2 with a French message
    result = evaluate(_read_profile(args.profile), _as_of(args.as_of))
    if args.json:
        for key in ("recommended", "to_check", "other_options", "not_eligible"):
            for item in result[key]:
                if item["id"] == args.id:
                    json.dump({"verdict": key, **item}, sys.stdout, ensure_ascii=False, indent=2)
                    sys.stdout.write("\n")
                    return 0
    sys.stdout.write(render_explain(result, args.id))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `recommend` and `explain`."""
    p = sub.add_parser("recommend", help="dispositifs adaptés à un profil (JSON du contrat avec --json)")
    p.add_argument("--profile", required=True, help="fichier JSON du profil, ou - pour l'entrée standard")
    p.add_argument("--as-of", dest="as_of", help="date d'application des règles (AAAA-MM-JJ, défaut : aujourd'hui)")
    p.add_argument("--json", action="store_true", help="sortie JSON (recommendation.schema.json)")
    p.set_defaults(handler=_recommend)

    e = sub.add_parser("explain", help="pourquoi un dispositif s'applique ou non, condition par condition")
    e.add_argument("id", help="identifiant du dispositif (ex. ptp)")
    e.add_argument("--profile", required=True, help="fichier JSON du profil, ou -")
    e.add_argument("--as-of", dest="as_of", help="date d'application des règles (AAAA-MM-JJ)")
    e.add_argument("--json", action="store_true")
    e.set_defaults(handler=_explain)
