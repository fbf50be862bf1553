"""What Rasa's own code paths need so that no message text is logged or kept too long.

Installed once, by ``channels.web`` (which Rasa imports at start-up from credentials.yml):

- **Logs**: Rasa 3.6 logs message text on some paths (e.g. the REST channel's error path
  ``rest.message.received.failure text=…`` through structlog, debug lines of the processor through
  the standard logging module). A structlog processor drops the keys Rasa itself lists as
  personal (``text``, ``user_text``, ``message``…), and a log-record factory masks the text of the
  message being handled (a context variable set when a ``UserMessage`` is created).
- **Length**: a ``UserMessage`` longer than ``CAP_MAX_MESSAGE_CHARS`` is cut to that length, so
  nothing long is stored whatever the channel (the web channels answer calmly before that).
- **Action server down**: when a custom action cannot reach the action server (connection
  refused, timeout, 5xx), the person gets a calm French answer instead of silence, and the
  conversation waits for the next message.
- **Speed**: Rasa 3.6 checks every action server response with ``jsonschema.validate``, which
  validates the (large, constant) response schema itself against its meta-schema on each call —
  about 80 % of the Rasa process's time per turn of ours (profile in docs/architecture.md). The
  response is now checked against a validator built once, with the same errors.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from bot.config import get_settings

MASK = "[message masqué]"
# One wording for both reading modes (already easy to read: tests/bot/conversation/test_readability.py).
TOO_LONG_FR = ("Votre message est trop long pour moi. "
               "Pouvez-vous me l'écrire en quelques phrases ?")
ACTIONS_DOWN_FR = ("Désolé, j'ai un petit problème technique. Je ne peux pas vous répondre tout de suite. "
                   "Votre conversation est gardée. Réessayez dans un moment.")

#: structlog keys that may hold what people typed (rasa.utils.log_utils._anonymizer's list).
PERSONAL_KEYS = (
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
    "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
    "json_message", "metadata",
)

_current_text: contextvars.ContextVar[str | None] = contextvars.ContextVar("cap_current_text", default=None)
_installed = False


def max_chars() -> int:
    """The longest message accepted."""
    return get_settings().max_message_chars


def is_too_long(text: Any) -> bool:
    """Whether a message exceeds the cap."""
    return isinstance(text, str) and len(text) > max_chars()


def redact_event_dict(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: personal keys are masked."""
    for key in PERSONAL_KEYS:
        if key in event_dict:
            event_dict[key] = MASK
    return event_dict


def remember_text(text: Any) -> None:
    """Mark ``text`` as the message being handled in this task (masked in every log line)."""
    if isinstance(text, str) and len(text.strip()) >= 2:
        _current_text.set(text)


def _install_record_factory() -> None:
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        text = _current_text.get()
        if text:
            try:
                message = record.getMessage()
            except Exception:  # a broken format string: leave it to the handler
                return record
            if text in message or text.strip() in message:
                record.msg = message.replace(text, MASK).replace(text.strip(), MASK)
                record.args = ()
        return record

    logging.setLogRecordFactory(factory)


def _install_structlog() -> None:
    try:
        import structlog
    except ImportError:  # pragma: no cover - Rasa depends on it
        return
    processors = structlog.get_config()["processors"]
    if redact_event_dict not in processors:
        processors.insert(0, redact_event_dict)  # in place: cached loggers share this list


def _install_user_message_cap() -> None:
    from rasa.core.channels.channel import UserMessage

    original = UserMessage.__init__
    if getattr(original, "_cap_wrapped", False):
        return

    def __init__(self: Any, text: Any = None, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        if is_too_long(text):
            text = text[: max_chars()]
        remember_text(text)
        original(self, text, *args, **kwargs)

    __init__._cap_wrapped = True  # type: ignore[attr-defined]
    UserMessage.__init__ = __init__  # type: ignore[method-assign]


def _install_action_fallback() -> None:
    import asyncio

    import aiohttp
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import BotUttered, FollowupAction
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import ClientResponseError

    original = RemoteAction.run
    if getattr(original, "_cap_wrapped", False):
        return
    logger = logging.getLogger(__name__)

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except RasaException as exc:
            cause = exc.__cause__ or exc.__context__
            unreachable = isinstance(cause, (aiohttp.ClientError, asyncio.TimeoutError, OSError)) and not (
                isinstance(cause, ClientResponseError) and cause.status < 500)
            if not unreachable and "Couldn't connect" not in str(exc):
                raise
            logger.error("Action server unreachable for %s: %s", self.name(), type(cause).__name__)
            return [BotUttered(ACTIONS_DOWN_FR), FollowupAction("action_listen")]

    run._cap_wrapped = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]


def _install_fast_action_validation() -> None:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

    original = RemoteAction._validate_action_result
    if getattr(original, "_cap_wrapped", False):
        return
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, not on every response
    validator = cls(schema)

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))  # what jsonschema.validate raises
        if error is None:
            return True
        if not isinstance(error, ValidationError):  # pragma: no cover - best_match returns validation errors
            raise error
        error.message += (". Failed to validate Action server response from API, make sure your response from "
                          f"the Action endpoint is valid. For more information about the format visit "
                          f"{DOCS_BASE_URL}/custom-actions")
        raise error

    _validate_action_result._cap_wrapped = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def install() -> None:
    """Install everything above once per process."""
    global _installed
    _install_structlog()  # again each time: Rasa (re)configures structlog at start-up
    if _installed:
        return
    _installed = True
    _install_record_factory()
    _install_user_message_cap()
    _install_action_fallback()
    _install_fast_action_validation()
