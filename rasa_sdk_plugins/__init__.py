"""rasa-sdk plugin (discovered by rasa_sdk.plugin by this package name): hardens the action server.

- Every path but /health (``/webhook``, ``/webhook/``, ``/actions``…) requires the header
  X-Cap-Action-Token with the secret ACTION_SERVER_TOKEN — generated into var/secrets/ when unset,
  so the server is never open (Rasa sends it: endpoints.yml adds it to the action endpoint).
  rasa-sdk 3.6 has no authentication of its own.
- Errors answer a plain 500 instead of rasa-sdk's default, which echoes the whole tracker (with
  what people typed) back to the caller.
"""

from __future__ import annotations

import hmac
import logging
import sys
from typing import Any

import pluggy

hookimpl = pluggy.HookimplMarker("rasa_sdk")
log = logging.getLogger(__name__)

TOKEN_HEADER = "X-Cap-Action-Token"


def init_hooks(manager: pluggy.PluginManager) -> None:
    """Called by rasa_sdk.plugin._discover_plugins."""
    manager.register(sys.modules[__name__])


@hookimpl
def attach_sanic_app_extensions(app: Any) -> None:
    """Token check on /webhook and an error handler that never echoes the request."""
    from sanic import response

    from bot.config import local_secret

    token = local_secret("ACTION_SERVER_TOKEN")

    @app.middleware("request")
    async def require_token(request: Any) -> Any:
        if request.path.rstrip("/") == "/health":
            return None
        given = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    async def quiet_error(request: Any, exception: Exception) -> Any:
        log.error("action server error on %s: %s", request.path, type(exception).__name__)
        return response.json({"error": "internal error"}, status=500)

    app.error_handler.add(Exception, quiet_error)
