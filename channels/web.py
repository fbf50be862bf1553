"""The web channels, closed by default.

Registered in credentials.yml (repository root) instead of Rasa's ``rest`` and ``socketio``:

- ``channels.web.CapRestInput`` (``/webhooks/rest/webhook``): serves only callers presenting
  the server's token (``RASA_AUTH_TOKEN``, generated into var/secrets/ when unset) as
  ``?token=`` or ``Authorization: Bearer …`` — insiders (evaluation, partner back-ends), as the
  contract §4 says. Anyone else gets ``401``.
- ``channels.web.CapSocketIOInput`` (socket.io, for the widget): the conversation id is issued
  by the server, never chosen by the browser. ``session_request`` carries the signed session
  token the server gave earlier (``<id>.<HMAC-SHA256(CAP_SESSION_SECRET, id)>``); a valid one
  resumes that conversation, anything else (nothing, a bare id, a forged signature) gets a new
  random id and its token in ``session_confirm``. Messages go to the conversation the socket
  was confirmed for, whatever ``session_id`` they claim.

Both answer a message longer than ``CAP_MAX_MESSAGE_CHARS`` with a calm French sentence without
passing it to the assistant (nothing long is stored). Importing this module installs
``channels.hardening`` (no message text in logs, action-server-down answer).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request

from bot.config import local_secret
from channels import hardening

hardening.install()
logger = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"([0-9a-f]{32})\.([A-Za-z0-9_-]{43})")


# ----------------------------------------------------------------------------- signed sessions


def _session_key() -> bytes:
    return local_secret("CAP_SESSION_SECRET").encode("utf-8")


def _signature(session_id: str, key: bytes | None = None) -> str:
    digest = hmac.new(key or _session_key(), f"cap-web-session:{session_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def issue_session() -> tuple[str, str]:
    """A new random conversation id and its signed token."""
    session_id = uuid.uuid4().hex
    return session_id, f"{session_id}.{_signature(session_id)}"


def is_session_token(value: Any) -> bool:
    """Whether ``value`` has the shape of a session token (its signature is not checked)."""
    return isinstance(value, str) and _TOKEN_RE.fullmatch(value) is not None


def verify_session(token: Any) -> str | None:
    """The conversation id a signed token stands for, or None (missing, bare id, forged)."""
    if not isinstance(token, str):
        return None
    found = _TOKEN_RE.fullmatch(token)
    if not found:
        return None
    session_id, signature = found.groups()
    if not hmac.compare_digest(signature, _signature(session_id)):
        return None
    return session_id


# ----------------------------------------------------------------------------- REST


def server_token() -> str:
    """The token of the HTTP API and of the REST channel."""
    return local_secret("RASA_AUTH_TOKEN")


def presents_token(request: Request, token: str) -> bool:
    """Whether a request carries ``token`` as ``?token=`` or ``Authorization: Bearer``."""
    given = request.args.get("token") or ""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        given = given or header[7:].strip()
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


_UNAUTHORIZED = {"error": "unauthorized", "message_fr": "Accès refusé : jeton manquant ou invalide.",
                 "message": "A valid token is required (?token= or Authorization: Bearer)."}


class CapRestInput(RestInput):
    """Rasa's REST channel for token holders only, with the message length cap."""

    @classmethod
    def name(cls) -> str:
        """Mounted under ``/webhooks/rest/`` like Rasa's."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Rasa's routes behind a token check and a length check."""
        bp = super().blueprint(on_new_message)
        token = server_token()

        @bp.middleware("request")
        async def guard(request: Request) -> Any:
            if not request.path.rstrip("/").endswith("/webhook"):
                return None
            if not presents_token(request, token):
                return response.json(_UNAUTHORIZED, status=401)
            try:
                body = request.json or {}
            except Exception:  # Rasa answers malformed bodies itself
                return None
            if isinstance(body, dict) and hardening.is_too_long(body.get("message")):
                return response.json([{"recipient_id": str(body.get("sender", "")),
                                       "text": hardening.TOO_LONG_FR}])
            return None

        return bp


# ----------------------------------------------------------------------------- socket.io


class CapSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with server-issued, signed conversation ids."""

    @classmethod
    def name(cls) -> str:
        """Same name (and output channel) as Rasa's."""
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with our session_request and message handlers."""
        bp = super().blueprint(on_new_message)
        sio = self.sio
        namespace = self.namespace
        # socket id -> conversation id it was confirmed for (this process only: one socket
        # lives on one process).
        sessions: dict[str, str] = {}

        async def session_request(sid: str, data: Any) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            session_id = verify_session(token)
            if session_id is None:
                session_id, token = issue_session()
            sessions[sid] = session_id
            entered = sio.enter_room(sid, session_id, namespace=namespace)
            if inspect.isawaitable(entered):  # python-socketio >= 5.10
                await entered
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)

        async def handle_message(sid: str, data: Any) -> None:
            session_id = sessions.get(sid)
            if session_id is None or not isinstance(data, dict):
                return  # no session_request yet: nothing is processed
            claimed = data.get("session_id")
            if claimed is not None and verify_session(claimed) != session_id:
                return  # another conversation's id: ignored
            text = data.get("message", "")
            output = SocketIOOutput(sio, self.bot_message_evt)
            if hardening.is_too_long(text):
                await output.send_text_message(session_id, hardening.TOO_LONG_FR)
                return
            metadata = data.get(self.metadata_key, {})
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            await on_new_message(UserMessage(text, output, session_id, input_channel=self.name(),
                                             metadata=metadata if isinstance(metadata, dict) else {}))

        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)

        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, handle_message, namespace=namespace)
        sio.on("disconnect", disconnect, namespace=namespace)
        return bp
