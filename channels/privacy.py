"""Privacy endpoints for the web widget: read back and erase one conversation.

Registered in ``credentials.yml`` as ``channels.privacy.PrivacyInput: {}``; Rasa mounts it under
``/webhooks/privacy/``:

- ``POST /webhooks/privacy/history`` ``{"session_id": "<signed session token>"}`` → ``200`` with the user and bot
  messages of that conversation, shaped like the socket.io ``bot_uttered`` payloads, so that the
  widget can restore its transcript after a reload without the HTTP API's token.
- ``POST /webhooks/privacy/erase`` ``{"session_id": "<signed session token>"}`` → ``204`` once the conversation is
  deleted from the tracker store (SQL rows, Redis key, in-memory entry, Mongo document).

``session_id`` is the signed session token the socket.io channel issued (``channels.web``): the
same proof as the conversation itself. Anything that is not a token is refused with ``400``, a
token whose signature does not match (a bare or forged id) with ``403``; neither reaches the
tracker store. The body is parsed whatever its content type, so the widget can send
``text/plain`` and avoid a CORS preflight; CORS headers come from ``rasa run --cors``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.web import is_session_token, verify_session

logger = logging.getLogger(__name__)

#: ``crypto.randomUUID()`` (canonical, hyphenated) or ``uuid4().hex`` (what Rasa's socket.io
#: channel generates when the client sends no id).
SESSION_ID_RE = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}"
)

#: Upper bound on the messages returned by ``history`` (the newest ones are kept).
MAX_HISTORY_MESSAGES = 500

#: Largest request body accepted (a session id fits in far less).
MAX_BODY_BYTES = 2048

_INVALID_ID = {
    "error": "invalid_session_id",
    "message_fr": "Identifiant de conversation invalide.",
    "message": "Invalid conversation id: a session token is expected.",
}
_NOT_YOURS = {
    "error": "invalid_session_token",
    "message_fr": "Cette conversation ne peut pas être ouverte depuis cet appareil.",
    "message": "The session token is not valid.",
}
_BAD_BODY = {
    "error": "invalid_body",
    "message_fr": "Requête invalide : un objet JSON avec « session_id » est attendu.",
    "message": "Invalid request: a JSON object with 'session_id' is expected.",
}
_UNSUPPORTED = {
    "error": "unsupported_tracker_store",
    "message_fr": "L'effacement n'est pas disponible avec ce stockage des conversations.",
    "message": "Erasing is not supported for this tracker store.",
}
_UNAVAILABLE = {
    "error": "unavailable",
    "message_fr": "Le service est momentanément indisponible. Réessayez dans un instant.",
    "message": "The service is temporarily unavailable. Please retry shortly.",
}


class UnsupportedTrackerStore(Exception):
    """The configured tracker store has no known way to delete a conversation."""


def is_valid_session_id(value: Any) -> bool:
    """Whether ``value`` is a uuid-shaped session id (the only ids the widget ever creates)."""
    return isinstance(value, str) and SESSION_ID_RE.fullmatch(value) is not None


def _parse_session_id(request: Request) -> tuple[str | None, dict[str, str] | None]:
    """The session id of a request body, or the error document to answer with."""
    body = request.body or b""
    if len(body) > MAX_BODY_BYTES:
        return None, _BAD_BODY
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, _BAD_BODY
    if not isinstance(data, dict) or "session_id" not in data:
        return None, _BAD_BODY
    token = data["session_id"]
    if not is_session_token(token):
        return None, _INVALID_ID
    session_id = verify_session(token)
    if session_id is None:
        return None, _NOT_YOURS
    return session_id, None


def unwrap_tracker_store(store: Any) -> list[Any]:
    """The concrete tracker stores behind Rasa's wrappers (fail-safe, awaitable), primary first."""
    found: list[Any] = []
    pending = [store]
    while pending:
        current = pending.pop(0)
        if current is None or any(current is seen for seen in found):
            continue
        inner = getattr(current, "_tracker_store", None)
        if inner is not None:
            pending.append(inner)
            pending.append(getattr(current, "_fallback_tracker_store", None))
            continue
        found.append(current)
    return found


def _split_parts(text: str) -> list[str]:
    # Same split as rasa.core.channels.socketio.SocketIOOutput, so that a restored transcript
    # looks exactly like the live one.
    parts = [part for part in text.strip().split("\n\n")]
    return parts or [text]


def _buttons(items: Any) -> list[dict[str, str]]:
    result = []
    for item in items or []:
        if isinstance(item, dict) and item.get("title") is not None:
            result.append({"title": str(item["title"]), "payload": str(item.get("payload", ""))})
    return result


def bot_event_to_messages(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The socket.io payloads one ``bot`` event was sent as (mirrors ``OutputChannel.send_response``)."""
    data = event.get("data") or {}
    text = event.get("text")
    timestamp = event.get("timestamp")
    out: list[dict[str, Any]] = []
    buttons = _buttons(data.get("quick_replies")) or _buttons(data.get("buttons"))
    if text and buttons:
        parts = _split_parts(text)
        out.extend({"text": part} for part in parts[:-1])
        out.append({"text": parts[-1], "quick_replies": buttons})
    elif text:
        out.extend({"text": part} for part in _split_parts(text))
    custom = data.get("custom")
    if isinstance(custom, dict):
        # SocketIOOutput.send_custom_json emits **custom: what the browser gets is custom["data"].
        payload = custom.get("data", custom)
        if isinstance(payload, dict):
            out.append(dict(payload))
    if data.get("image"):
        out.append({"attachment": {"type": "image", "payload": {"src": data["image"]}}})
    if data.get("attachment"):
        out.append({"attachment": data["attachment"]})
    for element in data.get("elements") or []:
        out.append({"attachment": {"type": "template",
                                   "payload": {"template_type": "generic", "elements": element}}})
    for message in out:
        message["sender"] = "bot"
        message["timestamp"] = timestamp
    return out


def conversation_messages(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The transcript a person saw, from tracker events (user and bot messages only).

    A message that is a button payload is shown with the button's title, as the widget did; a
    payload that matches no button (e.g. the widget's ``/greet`` on open) is marked ``hidden``:
    the widget does not display it but counts it when it reconciles after a reconnection.
    """
    messages: list[dict[str, Any]] = []
    last_buttons: dict[str, str] = {}
    for event in events:
        kind = event.get("event")
        if kind == "bot":
            produced = bot_event_to_messages(event)
            for message in produced:
                for button in message.get("quick_replies", []):
                    last_buttons[button["payload"]] = button["title"]
            messages.extend(produced)
        elif kind == "user":
            text = event.get("text") or ""
            hidden = False
            if text in last_buttons:
                text = last_buttons[text]
            elif text.startswith("/"):
                text, hidden = "", True
            message: dict[str, Any] = {"sender": "user", "text": text,
                                       "timestamp": event.get("timestamp")}
            if hidden:
                message["hidden"] = True
            messages.append(message)
            last_buttons = {}
    return messages


async def read_history(tracker_store: Any, lock_store: Any, session_id: str) -> list[dict[str, Any]]:
    """The messages of conversation ``session_id`` (all sessions), ``[]`` if there is none.

    Waits for the conversation's lock, so that a message still being processed (e.g. sent just
    before a network drop) is included with its answers: the widget relies on this to decide
    whether to send it again.
    """
    if lock_store is None:
        tracker = await tracker_store.retrieve_full_tracker(session_id)
    else:
        async with lock_store.lock(session_id):
            tracker = await tracker_store.retrieve_full_tracker(session_id)
    if tracker is None:
        return []
    return conversation_messages([event.as_dict() for event in tracker.events])


def _delete_from_store(store: Any, session_id: str) -> None:
    """Delete one conversation from one concrete tracker store."""
    # Imported here: Rasa's tracker store module is heavy and this module is imported by Rasa
    # before the stores exist.
    from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore

    if isinstance(store, SQLTrackerStore):
        # The store's engine already carries POSTGRESQL_SCHEMA (search_path), and its session
        # scope checks that the schema exists; the ORM table is the one Rasa writes to.
        with store.session_scope() as session:
            session.query(store.SQLEvent).filter(
                store.SQLEvent.sender_id == session_id
            ).delete(synchronize_session=False)
            session.commit()
    elif isinstance(store, RedisTrackerStore):
        store.red.delete(store.key_prefix + session_id)
    elif isinstance(store, InMemoryTrackerStore):
        store.store.pop(session_id, None)
    elif hasattr(store, "conversations") and hasattr(store.conversations, "delete_many"):
        store.conversations.delete_many({"sender_id": session_id})  # MongoTrackerStore
    else:
        raise UnsupportedTrackerStore(type(store).__name__)


def erase_referrals(session_id: str) -> int:
    """Delete the conversation's open referrals (and unlink its closed ones) in the workspace database.

    Returns how many open referrals were deleted; 0 when the database has no referral table yet.
    """
    from sqlalchemy import inspect

    from bot.catalogue.db import make_engine, make_sessionmaker
    from bot.config import get_settings
    from bot.referrals.service import erase_conversation as erase_referrals_of

    engine = make_engine(get_settings().database_url)
    try:
        if "counsel_referral" not in inspect(engine).get_table_names():
            return 0
        with make_sessionmaker(engine)() as db, db.begin():
            return erase_referrals_of(db, session_id)
    finally:
        engine.dispose()


async def erase_conversation(tracker_store: Any, lock_store: Any, session_id: str) -> None:
    """Delete conversation ``session_id`` from every tracker store behind ``tracker_store``, and its
    open referrals (issue 10).

    Holds the conversation's lock meanwhile, so that a message being processed is not saved
    back right after the deletion; the lock itself is dropped when released.
    """
    import asyncio

    stores = unwrap_tracker_store(tracker_store)
    if lock_store is None:
        for store in stores:
            _delete_from_store(store, session_id)
    else:
        # Leaving the block releases the ticket and deletes the lock unless someone is waiting.
        async with lock_store.lock(session_id):
            for store in stores:
                _delete_from_store(store, session_id)
    await asyncio.get_running_loop().run_in_executor(None, erase_referrals, session_id)


def _conversation_request(request: Request) -> tuple[str | None, Any, HTTPResponse | None]:
    """(session id, agent, None), or a 400/503 answer when the id is malformed or nothing is loaded."""
    session_id, error = _parse_session_id(request)
    if error is not None:
        return None, None, response.json(error, status=403 if error is _NOT_YOURS else 400)
    agent = request.app.ctx.agent
    if agent is None or agent.tracker_store is None:
        return None, None, response.json(_UNAVAILABLE, status=503)
    return session_id, agent, None


class PrivacyInput(InputChannel):
    """Read back and erase a widget conversation (no messaging: the widget talks socket.io)."""

    @classmethod
    def name(cls) -> str:
        """Mounted under ``/webhooks/privacy/``."""
        return "privacy"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """No credentials needed."""
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The ``/history`` and ``/erase`` routes."""
        bp = Blueprint("privacy_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/history", methods=["POST"])
        async def history(request: Request) -> HTTPResponse:
            session_id, agent, refusal = _conversation_request(request)
            if refusal is not None:
                return refusal
            messages = await read_history(agent.tracker_store, getattr(agent, "lock_store", None),
                                          session_id)
            # Counts cover the whole conversation, even when only its tail is returned: the
            # widget compares them with what it has shown to find what it missed.
            counts = {"user": sum(1 for m in messages if m["sender"] == "user"),
                      "bot": sum(1 for m in messages if m["sender"] == "bot")}
            return response.json(
                {"counts": counts,
                 "messages": messages[-MAX_HISTORY_MESSAGES:]},
                headers={"Cache-Control": "no-store"})

        @bp.route("/erase", methods=["POST"])
        async def erase(request: Request) -> HTTPResponse:
            session_id, agent, refusal = _conversation_request(request)
            if refusal is not None:
                return refusal
            try:
                await erase_conversation(agent.tracker_store, getattr(agent, "lock_store", None),
                                         session_id)
            except UnsupportedTrackerStore as exc:
                logger.error("Cannot erase a conversation from tracker store %s", exc)
                return response.json(_UNSUPPORTED, status=501)
            logger.info("A widget conversation was erased on request.")
            return response.empty(status=204, headers={"Cache-Control": "no-store"})

        return bp
