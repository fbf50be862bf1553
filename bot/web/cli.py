"""`python -m bot web`: serve the demo page with the chat widget."""

from __future__ import annotations

import argparse
import os


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `web` sub-command."""
    parser = subparsers.add_parser(
        "web",
        help="page de démonstration avec le widget de discussion",
        description="Sert la page de démonstration et le widget (http://localhost:8080/).",
    )
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"),
                        help="adresse d'écoute (défaut : WEB_HOST ou 127.0.0.1)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")),
                        help="port (défaut : WEB_PORT ou 8080)")
    parser.add_argument("--rasa-url", default=None,
                        help="adresse publique du serveur Rasa (défaut : RASA_PUBLIC_URL ou http://localhost:5005)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import sys

    from bot.errors import BotError
    from bot.web.server import WebConfig, serve

    config = WebConfig.from_env(args.rasa_url)  # ConfigError (a BotError) if the URL is invalid
    print(f"Page de démonstration : http://{'localhost' if args.host in ('127.0.0.1', '0.0.0.0') else args.host}:{args.port}/"
          f" (serveur Rasa : {config.rasa_public_url})", file=sys.stderr, flush=True)
    try:
        serve(args.host, args.port, config)
    except OSError as exc:
        raise BotError(f"cannot listen on {args.host}:{args.port}: {exc}",
                       message_fr=f"Impossible d'écouter sur {args.host}:{args.port} : {exc.strerror or exc}") from exc
    except KeyboardInterrupt:
        pass
    return 0
