"""Messaging channels: Telegram, Facebook Messenger and Twilio (SMS and WhatsApp).

Registered in ``credentials.yml`` (written by ``scripts/render_config.py``) as
``channels.messaging.CapTelegramInput``, ``channels.messaging.CapFacebookInput`` and
``channels.messaging.CapTwilioInput``; Rasa mounts them under ``/webhooks/telegram/``,
``/webhooks/facebook/`` and ``/webhooks/twilio/`` (the names of the built-in connectors).

On top of Rasa 3.6.21's connectors they:

- render buttons as numbered choices in the text where the platform has no buttons (Twilio SMS
  and WhatsApp always, Messenger beyond its quick-reply limits); Telegram keeps its native
  buttons;
- turn a reply that is just a number ("2", "2.", "n°2") into the payload of that button of the
  bot's latest turn, read from the tracker store before the message reaches the agent, so it
  works across replicas sharing the tracker store;
- erase the conversation when the person sends "EFFACER" alone (``channels.privacy``), without
  going through the agent;
- split long answers at paragraph, line, sentence or word boundaries (never inside a URL) to
  each platform's limit, and turn Markdown links into plain URLs that every app makes clickable;
- reject forged webhooks: Messenger's ``X-Hub-Signature(-256)`` (constant-time, 403),
  Telegram's secret-token header when ``TELEGRAM_SECRET_TOKEN`` is set, Twilio's
  ``X-Twilio-Signature`` when ``TWILIO_VALIDATE_SIGNATURE=true``;
- send to a configurable API base (``TELEGRAM_API_BASE``, ``FACEBOOK_GRAPH_URL``,
  ``TWILIO_API_BASE``), so tests talk to local fakes, and never block the event loop with
  the synchronous Messenger and Twilio clients.

See docs/channels.md.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import os
import re
import time
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from aiogram.utils.exceptions import TelegramAPIError
from fbmessenger import MessengerClient
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput, Messenger, MessengerBot
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client as TwilioClient

from bot.text import fold
from channels.privacy import UnsupportedTrackerStore, erase_conversation

logger = logging.getLogger(__name__)

# ----------------------------------------------------------------------------- wording (French)

#: Sent after the conversation was erased (fixed wording, see bot/conversation/messages.yml: erase).
ERASED_FR = "Votre conversation a été effacée de nos serveurs."
#: Sent when the erasure failed (the person can retry).
ERASE_FAILED_FR = ("Je n'ai pas pu effacer votre conversation pour le moment. "
                   "Réessayez dans un instant en envoyant EFFACER.")
#: Last line of a list of numbered choices.
CHOICE_HINT_FR = "Répondez par un numéro (ou avec vos mots)."
#: Text of a keyboard sent without any text (Telegram requires one).
CHOICE_PROMPT_FR = "Choisissez :"

# ----------------------------------------------------------------------------- platform limits

#: Characters per message (counted in UTF-16 code units, which is never less than characters).
TELEGRAM_MAX_CHARS = 4096
MESSENGER_MAX_CHARS = 2000
TWILIO_MAX_CHARS = 1600
#: Messenger quick replies: at most 13, titles of at most 20 characters, payloads of 1000.
MESSENGER_MAX_QUICK_REPLIES = 13
MESSENGER_MAX_QUICK_REPLY_TITLE = 20
MESSENGER_MAX_QUICK_REPLY_PAYLOAD = 1000
#: Telegram's callback_data is 1-64 bytes; a longer payload is sent as its number instead.
TELEGRAM_MAX_CALLBACK_DATA = 64

#: Seconds before an outbound API call gives up.
HTTP_TIMEOUT_S = 15
#: Twilio: extra attempts after a 429 or 5xx answer (a message create is not idempotent, so
#: timeouts and connection errors are not retried).
TWILIO_RETRIES = 2
#: Telegram: how long the bot's own getMe answer is reused (Rasa's check runs on every update).
GET_ME_CACHE_S = 3600

# ----------------------------------------------------------------------------- text helpers


def text_size(text: str) -> int:
    """Length as the platforms count it at worst (UTF-16 code units: an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


_MD_LINK_RE = re.compile(r"\[([^\]\n]*)\]\(\s*((?:[^()\s]|\([^()\s]*\))+)\s*\)")


def plain_links(text: str) -> str:
    """Markdown links made plain: ``[label](https://x)`` → ``label : https://x``.

    Messaging apps make bare ``http(s)`` URLs clickable but show Markdown as typed. ``tel:`` and
    ``mailto:`` targets keep their number or address (apps link those too); any other scheme
    (``javascript:``…) keeps only its label.
    """

    def replace(match: re.Match[str]) -> str:
        label, target = match.group(1).strip(), match.group(2)
        scheme = target.split(":", 1)[0].lower() if ":" in target else ""
        if scheme in ("http", "https"):
            if not label or label == target or label.rstrip("/") == target.rstrip("/"):
                return target
            return f"{label} : {target}"
        if scheme in ("tel", "mailto"):
            value = target.split(":", 1)[1]
            digits = re.sub(r"\D", "", value)
            if value in label or (scheme == "tel" and digits and digits[-9:] in re.sub(r"\D", "", label)):
                return label
            return f"{label} : {value}" if label else value
        return label

    return _MD_LINK_RE.sub(replace, text)


_SENTENCE_END_RE = re.compile(r"(?<=[.!?…:;])\s+")


def _hard_cut(token: str, limit: int) -> list[str]:
    """A token longer than the limit (never seen in practice), cut at code-point boundaries."""
    parts: list[str] = []
    current = ""
    for char in token:
        if text_size(current + char) > limit:
            parts.append(current)
            current = ""
        current += char
    if current:
        parts.append(current)
    return parts


def _split_level(text: str, limit: int, level: int) -> list[str]:
    """Chunks of ``text`` within ``limit``, cutting at the coarsest boundary that suffices."""
    if text_size(text) <= limit:
        return [text]
    if level == 0:
        segments, joiner = text.split("\n\n"), "\n\n"
    elif level == 1:
        segments, joiner = text.split("\n"), "\n"
    elif level == 2:
        segments, joiner = _SENTENCE_END_RE.split(text), " "
    elif level == 3:
        segments, joiner = text.split(), " "
    else:
        return _hard_cut(text, limit)
    chunks: list[str] = []
    current = ""
    for segment in (s.strip() for s in segments):
        if not segment:
            continue
        candidate = f"{current}{joiner}{segment}" if current else segment
        if text_size(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        if text_size(segment) <= limit:
            current = segment
        else:
            pieces = _split_level(segment, limit, level + 1)
            chunks.extend(pieces[:-1])
            current = pieces[-1]
    if current:
        chunks.append(current)
    return chunks


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in consecutive parts of at most ``limit``, cut only at whitespace.

    Paragraphs are kept together when they fit, then lines, then sentences, then words; URLs
    contain no whitespace, so they are never cut (only a single token longer than the limit
    would be).
    """
    text = text.strip()
    if not text:
        return []
    return _split_level(text, limit, 0)


def message_parts(text: str, limit: int, per_paragraph: bool) -> list[str]:
    """The messages one bot text is sent as, in order.

    ``per_paragraph``: one message per paragraph (a blank line), as Rasa's chat connectors do;
    otherwise paragraphs are packed into as few messages as the limit allows (SMS are billed
    per message).
    """
    text = plain_links(text or "")
    if not per_paragraph:
        return split_text(text, limit)
    parts: list[str] = []
    for paragraph in text.strip().split("\n\n"):
        parts.extend(split_text(paragraph, limit))
    return parts


def _title(button: Mapping[str, Any]) -> str:
    return str(button.get("title") or button.get("payload") or "").strip()


def numbered_choices(buttons: Sequence[Mapping[str, Any]]) -> str:
    """``1. Oui`` / ``2. Non`` lines and the hint, for channels without buttons."""
    lines = []
    for number, button in enumerate(buttons, start=1):
        line = f"{number}. {_title(button)}"
        url = button.get("url")
        if url and not button.get("payload"):
            line += f" : {url}"
        lines.append(line)
    lines.append(CHOICE_HINT_FR)
    return "\n".join(lines)


def with_numbered_choices(text: str | None, buttons: Sequence[Mapping[str, Any]]) -> str:
    """The text followed by its numbered choices (as a paragraph of their own)."""
    choices = numbered_choices(buttons)
    text = (text or "").strip()
    return f"{text}\n\n{choices}" if text else choices


_CHOICE_RE = re.compile(
    r"(?:n\s*[°º]|no\.?|n\.|num(?:[ée]ro)?\.?|#)?\s*(\d{1,3})\s*[.)]?"
)


def parse_choice_number(text: str | None) -> int | None:
    """The number of a reply that is only a choice number ("2", " 2 ", "2.", "n°2", "2️⃣")."""
    if not text:
        return None
    normalized = unicodedata.normalize("NFKC", text).replace("\ufe0f", "").replace("\u20e3", "")
    match = _CHOICE_RE.fullmatch(normalized.strip().lower())
    if match is None:
        return None
    number = int(match.group(1))
    return number if number > 0 else None


_ERASE_STRIP = " \t\r\n.!?…«»\"'“”/"


def is_erase_command(text: str | None) -> bool:
    """Whether the message is the word EFFACER alone (any case or accents, "/effacer" too)."""
    if not text or len(text) > 40:
        return False
    return fold(text).strip(_ERASE_STRIP) == "effacer"


def last_turn_buttons(events: Iterable[Any]) -> list[dict[str, Any]]:
    """Buttons of the bot's latest turn: its last message with buttons since the last user message.

    Choices of an older turn are not used: after "Depuis combien d'années ?", a "2" is an
    answer, not the second button of a question asked earlier.
    """
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered):
            data = event.data or {}
            buttons = data.get("buttons") or data.get("quick_replies")
            if buttons:
                return [dict(b) for b in buttons if isinstance(b, Mapping)]
    return []


async def choice_payload(agent: Any, sender_id: str, number: int) -> str | None:
    """Payload of button ``number`` of the latest bot turn of ``sender_id``, if there is one.

    Waits for the conversation's lock first, so a turn still being processed (the person
    answered while the bot was still sending) is the one read.
    """
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    lock_store = getattr(agent, "lock_store", None)
    if lock_store is not None:
        async with lock_store.lock(sender_id):
            tracker = await store.retrieve(sender_id)
    else:
        tracker = await store.retrieve(sender_id)
    if tracker is None:
        return None
    buttons = last_turn_buttons(tracker.events)
    if not 1 <= number <= len(buttons):
        return None
    payload = buttons[number - 1].get("payload")
    return str(payload) if payload else None


# ----------------------------------------------------------------------------- inbound side


class _MessagingInputMixin:
    """What every messaging input channel does before a message reaches the agent."""

    debug_mode: bool = False

    async def _dispatch(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                        message: UserMessage) -> None:
        """Handle EFFACER, resolve a choice number, then hand the message to the agent."""
        agent = getattr(request.app.ctx, "agent", None)
        if is_erase_command(message.text):
            await self._erase(agent, message)
            return
        number = parse_choice_number(message.text)
        if number is not None and agent is not None:
            payload = await choice_payload(agent, message.sender_id, number)
            if payload is not None:
                message.text = payload
                message.metadata = {**(message.metadata or {}), "cap_choice_number": number}
        await on_new_message(message)

    async def _erase(self, agent: Any, message: UserMessage) -> None:
        reply = ERASED_FR
        try:
            if agent is None or agent.tracker_store is None:
                raise UnsupportedTrackerStore("no agent")
            await erase_conversation(agent.tracker_store, getattr(agent, "lock_store", None),
                                     message.sender_id)
            logger.info("A %s conversation was erased on request.", self.name())
        except UnsupportedTrackerStore as exc:
            logger.error("Cannot erase a %s conversation from tracker store %s", self.name(), exc)
            reply = ERASE_FAILED_FR
        except Exception:  # the person must get an answer whatever happened
            logger.exception("Erasing a %s conversation failed", self.name())
            reply = ERASE_FAILED_FR
        await message.output_channel.send_text_message(message.sender_id, reply)

    async def _safe_dispatch(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                             message: UserMessage) -> None:
        """``_dispatch``, logging failures: the platform must get a 2xx or it sends again."""
        try:
            await self._dispatch(request, on_new_message, message)
        except Exception:
            logger.exception("Exception when handling a %s message", self.name())
            if self.debug_mode:
                raise


def _setting(credentials: Mapping[str, Any] | None, key: str, env: str) -> str | None:
    """A channel setting: credentials.yml key first, then the environment."""
    value = (credentials or {}).get(key)
    if value in (None, ""):
        value = os.environ.get(env)
    return str(value) if value not in (None, "") else None


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


# ----------------------------------------------------------------------------- outbound side


class _MessagingOutputMixin:
    """Text splitting and numbered choices shared by the output channels."""

    max_chars: int = 1600
    per_paragraph: bool = True

    async def _send_plain(self, recipient_id: str, text: str) -> None:
        """Send one message of at most ``max_chars`` (implemented per platform)."""
        raise NotImplementedError

    def _parts(self, text: str | None) -> list[str]:
        return message_parts(text or "", self.max_chars, self.per_paragraph)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a text, split to the platform's limit, parts in order."""
        for part in self._parts(text):
            await self._send_plain(recipient_id, part)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Send an attachment's URL as text (Rasa's default prefixes it with English)."""
        if isinstance(attachment, str) and attachment.strip():
            await self.send_text_message(recipient_id, attachment.strip())
        else:
            logger.warning("An attachment that is not a URL was not sent to %s.", type(self).__name__)


# ----------------------------------------------------------------------------- Telegram


class CapTelegramOutput(_MessagingOutputMixin, TelegramOutput):
    """Telegram: native buttons (callback data, or the button's number if the payload is too
    long for Telegram), texts split at 4096 characters, one message per paragraph."""

    max_chars = TELEGRAM_MAX_CHARS
    per_paragraph = True

    def __init__(self, access_token: str | None, server: TelegramAPIServer | None = None) -> None:
        super().__init__(access_token)
        self.server = server or TELEGRAM_PRODUCTION
        self.timeout = HTTP_TIMEOUT_S
        self._me: Any = None
        self._me_at = 0.0

    async def get_me(self) -> Any:
        """The bot's own account, cached (Rasa checks it on every update)."""
        if self._me is None or time.monotonic() - self._me_at > GET_ME_CACHE_S:
            self._me = await super().get_me()
            self._me_at = time.monotonic()
        return self._me

    async def _send_plain(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_message(recipient_id, text, **kwargs)

    @staticmethod
    def _keyboard(buttons: Sequence[Mapping[str, Any]], button_type: str | None) -> Any:
        if button_type == "reply":
            markup = ReplyKeyboardMarkup(resize_keyboard=True, one_time_keyboard=True)
            for button in buttons:
                markup.add(KeyboardButton(_title(button)))
            return markup
        keys = []
        for number, button in enumerate(buttons, start=1):
            if button.get("url") and not button.get("payload"):
                keys.append(InlineKeyboardButton(_title(button), url=str(button["url"])))
                continue
            payload = str(button.get("payload") or _title(button))
            data = payload if len(payload.encode("utf-8")) <= TELEGRAM_MAX_CALLBACK_DATA else str(number)
            keys.append(InlineKeyboardButton(_title(button), callback_data=data))
        markup = InlineKeyboardMarkup()
        if button_type == "inline":
            markup.row(*keys)  # Rasa's layout: one row
        else:
            for key in keys:  # one button per row: long French titles stay readable
                markup.row(key)
        return markup

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     button_type: str | None = None, **kwargs: Any) -> None:
        """The text (split if long) with the keyboard on its last part."""
        parts = self._parts(text) or [CHOICE_PROMPT_FR]
        for part in parts[:-1]:
            await self._send_plain(recipient_id, part)
        await self._send_plain(recipient_id, parts[-1], reply_markup=self._keyboard(buttons, button_type))

    async def set_secret_webhook(self, url: str, secret_token: str | None) -> bool:
        """``setWebhook``, with Telegram's ``secret_token`` (unknown to this aiogram version)."""
        payload: dict[str, Any] = {"url": url}
        if secret_token:
            payload["secret_token"] = secret_token
        return bool(await self.request("setWebhook", payload))


class CapTelegramInput(_MessagingInputMixin, TelegramInput):
    """Telegram webhook: ``/webhooks/telegram/webhook``.

    Credentials (``credentials.yml``): ``access_token``, ``verify`` (the bot's username),
    ``webhook_url``. Environment: ``TELEGRAM_SECRET_TOKEN`` (registered with setWebhook and
    required in the ``X-Telegram-Bot-Api-Secret-Token`` header of every update),
    ``TELEGRAM_API_BASE`` (default https://api.telegram.org).
    """

    #: A person's first message on Telegram is the /start command.
    start_payload = "/greet"
    secret_header = "X-Telegram-Bot-Api-Secret-Token"

    def __init__(self, access_token: str | None, verify: str | None, webhook_url: str | None,
                 debug_mode: bool = False, api_base: str | None = None,
                 secret_token: str | None = None) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        self.api_base = api_base
        self.secret_token = secret_token

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> CapTelegramInput:
        """From credentials.yml, completed by the environment."""
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(credentials.get("access_token"), credentials.get("verify"), credentials.get("webhook_url"),
                   api_base=_setting(credentials, "api_base", "TELEGRAM_API_BASE"),
                   secret_token=_setting(credentials, "secret_token", "TELEGRAM_SECRET_TOKEN"))

    def get_output_channel(self) -> CapTelegramOutput:
        """A Telegram client (the webhook is registered when the server starts, not here)."""
        server = TelegramAPIServer.from_base(self.api_base) if self.api_base else TELEGRAM_PRODUCTION
        return CapTelegramOutput(self.access_token, server)

    def _text_of(self, update: Update) -> tuple[Any, str | None]:
        """The message an update is about and the text to hand to Rasa (None: nothing to do)."""
        if update.callback_query is not None:
            return update.callback_query.message, update.callback_query.data
        if update.edited_message is not None:
            return update.edited_message, update.edited_message.text
        msg = update.message
        if msg is None:
            return None, None
        if msg.text is not None:
            text = msg.text.strip()
            command = text.split(maxsplit=1)[0].split("@", 1)[0].lower() if text else ""
            if command == "/start":
                return msg, self.start_payload
            return msg, text
        if msg.location is not None:  # Rasa's format
            return msg, f'{{"lng":{msg.location.longitude}, "lat":{msg.location.latitude}}}'
        return msg, None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``GET /`` health, ``POST /webhook`` updates; setWebhook when the server starts."""
        bp = Blueprint("cap_telegram_webhook", __name__)
        out_channel = self.get_output_channel()

        @bp.listener("after_server_start")
        async def register_webhook(app: Any, loop: Any) -> None:
            if not self.webhook_url:
                logger.warning("TELEGRAM_WEBHOOK_URL is empty: the Telegram webhook was not registered.")
                return
            try:
                if await out_channel.set_secret_webhook(self.webhook_url, self.secret_token):
                    logger.info("Telegram webhook registered.")
                else:
                    logger.error("Telegram refused the webhook URL.")
            except (TelegramAPIError, OSError, asyncio.TimeoutError) as exc:
                # The rest of the assistant (web widget, other channels) keeps running.
                logger.error("Could not register the Telegram webhook: %s", exc)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if self.secret_token and not hmac.compare_digest(
                    request.headers.get(self.secret_header, "").encode(), self.secret_token.encode()):
                logger.warning("Telegram update refused: wrong or missing secret token.")
                return response.text("forbidden", status=403)
            try:
                data = request.json
                if isinstance(data, str):
                    data = json.loads(data)
                update = Update(**data)
            except Exception:
                return response.text("invalid update", status=400)
            try:
                me = await out_channel.get_me()
            except (TelegramAPIError, OSError, asyncio.TimeoutError) as exc:
                logger.error("Telegram getMe failed: %s", exc)
                return response.text("unavailable", status=503)  # Telegram sends the update again
            if me.username != self.verify:
                logger.error("Telegram bot username does not match TELEGRAM_VERIFY.")
                return response.text("failed")
            msg, text = self._text_of(update)
            if update.callback_query is not None:
                try:  # stops the spinner on the pressed button
                    await out_channel.answer_callback_query(update.callback_query.id)
                except (TelegramAPIError, OSError, asyncio.TimeoutError) as exc:
                    logger.warning("Telegram answerCallbackQuery failed: %s", exc)
            if msg is None or text is None:
                return response.text("success")
            user_message = UserMessage(text, out_channel, msg.chat.id, input_channel=self.name(),
                                       metadata=self.get_metadata(request))
            await self._safe_dispatch(request, on_new_message, user_message)
            return response.text("success")

        return bp


# ----------------------------------------------------------------------------- Messenger


def _messenger_client(page_access_token: str, graph_url: str | None) -> MessengerClient:
    client = MessengerClient(page_access_token)
    if graph_url:
        client.graph_url = graph_url.rstrip("/")
    return client


def _fits_quick_replies(buttons: Sequence[Mapping[str, Any]]) -> bool:
    return (0 < len(buttons) <= MESSENGER_MAX_QUICK_REPLIES
            and all(button.get("payload") for button in buttons)
            and all(len(_title(b)) <= MESSENGER_MAX_QUICK_REPLY_TITLE for b in buttons)
            and all(len(str(b["payload"])) <= MESSENGER_MAX_QUICK_REPLY_PAYLOAD for b in buttons))


class CapMessengerBot(_MessagingOutputMixin, MessengerBot):
    """Messenger: quick replies within Messenger's limits, numbered choices beyond; texts split
    at 2000 characters, one message per paragraph; the blocking client runs in a thread."""

    max_chars = MESSENGER_MAX_CHARS
    per_paragraph = True

    async def _post(self, recipient_id: str, payload: Any) -> None:
        result = await asyncio.to_thread(self.messenger_client.send, payload, recipient_id, "RESPONSE",
                                         timeout=HTTP_TIMEOUT_S)
        if isinstance(result, dict) and result.get("error"):
            error = result["error"]
            logger.error("Messenger Send API error %s: %s", error.get("code"), error.get("message"))

    async def _send_plain(self, recipient_id: str, text: str) -> None:
        await self._post(recipient_id, {"text": text})

    def send(self, recipient_id: str, element: Any) -> None:  # pragma: no cover - not used here
        """Rasa's synchronous send (kept for compatibility)."""
        self.messenger_client.send(element.to_dict(), recipient_id, "RESPONSE", timeout=HTTP_TIMEOUT_S)

    async def send_action(self, recipient_id: str, sender_action: str) -> None:
        """``mark_seen`` / ``typing_on`` / ``typing_off`` (best effort)."""
        try:
            await asyncio.to_thread(self.messenger_client.send_action, sender_action, recipient_id,
                                    timeout=HTTP_TIMEOUT_S)
        except Exception as exc:  # a typing indicator is not worth failing a turn
            logger.warning("Messenger sender action failed: %s", type(exc).__name__)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        """Quick replies on the last part, or numbered choices if Messenger cannot show them."""
        if not _fits_quick_replies(buttons):
            # The choices stay in the same bubble as the question when they fit.
            parts = self._parts(text)
            choices = numbered_choices(buttons)
            if parts and text_size(f"{parts[-1]}\n\n{choices}") <= self.max_chars:
                parts[-1] = f"{parts[-1]}\n\n{choices}"
            else:
                parts.extend(split_text(choices, self.max_chars))
            for part in parts:
                await self._send_plain(recipient_id, part)
            return
        parts = self._parts(text) or [CHOICE_PROMPT_FR]
        for part in parts[:-1]:
            await self._send_plain(recipient_id, part)
        quick_replies = [{"content_type": "text", "title": _title(b), "payload": str(b["payload"])}
                         for b in buttons]
        await self._post(recipient_id, {"text": parts[-1], "quick_replies": quick_replies})

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]],
                                 **kwargs: Any) -> None:
        """Same as buttons."""
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """An image attachment."""
        await self._post(recipient_id, {"attachment": {"type": "image", "payload": {"url": image}}})

    async def send_elements(self, recipient_id: str, elements: Iterable[dict[str, Any]], **kwargs: Any) -> None:
        """A generic template (Rasa's payload, sent without blocking)."""
        elements = list(elements)
        for element in elements:
            if "buttons" in element:
                self._add_postback_info(element["buttons"])
        await self._post(recipient_id, {"attachment": {"type": "template", "payload": {
            "template_type": "generic", "elements": elements}}})

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        """Custom JSON as Rasa sends it, without blocking."""
        if isinstance(json_message, dict) and "sender" in json_message:
            recipient_id = json_message.pop("sender", {}).pop("id", recipient_id)
        await self._post(recipient_id, json_message)


class CapMessenger(Messenger):
    """Rasa's webhook parser, with every event of a batch handled and Cap's output channel."""

    def __init__(self, page_access_token: str, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                 graph_url: str | None = None) -> None:
        super().__init__(page_access_token, on_new_message)
        self.client = _messenger_client(page_access_token, graph_url)

    async def handle(self, payload: dict, metadata: dict[str, Any] | None) -> None:
        """Every messaging event of every entry (Rasa stops after the first one)."""
        for entry in payload.get("entry") or []:
            for event in entry.get("messaging") or []:
                self.last_message = event
                if event.get("message"):
                    await self.message(event, metadata)
                elif event.get("postback"):
                    await self.postback(event, metadata)

    async def _handle_user_message(self, text: str, sender_id: str, metadata: dict[str, Any] | None) -> None:
        out_channel = CapMessengerBot(self.client)
        await out_channel.send_action(sender_id, "mark_seen")
        await out_channel.send_action(sender_id, "typing_on")
        try:
            await self.on_new_message(UserMessage(text, out_channel, sender_id, input_channel=self.name(),
                                                  metadata=metadata))
        except Exception:
            logger.exception("Exception when handling a facebook message")
        finally:
            await out_channel.send_action(sender_id, "typing_off")


def verify_hub_signature(app_secret: str | None, body: bytes, headers: Mapping[str, str]) -> bool:
    """Meta's webhook signature: ``X-Hub-Signature-256`` (sha256=…) if sent, else
    ``X-Hub-Signature`` (sha1=…), an HMAC of the raw body with the app secret, compared in
    constant time. No secret configured: nothing is accepted."""
    if not app_secret:
        return False
    header = headers.get("X-Hub-Signature-256") or headers.get("X-Hub-Signature") or ""
    method, _, signature = header.strip().partition("=")
    digest = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}.get(method.lower())
    if digest is None or not signature:
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, digest).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())


class CapFacebookInput(_MessagingInputMixin, FacebookInput):
    """Messenger webhook: ``/webhooks/facebook/webhook``.

    Credentials: ``verify`` (the verify token typed in Meta's webhook settings), ``secret``
    (the app secret), ``page-access-token``. Environment: ``FACEBOOK_GRAPH_URL`` (default
    fbmessenger's https://graph.facebook.com/v2.12, which Meta upgrades to its oldest supported
    version).
    """

    def __init__(self, fb_verify: str, fb_secret: str, fb_access_token: str,
                 graph_url: str | None = None) -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.graph_url = graph_url

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> CapFacebookInput:
        """From credentials.yml, completed by the environment."""
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(credentials.get("verify"), credentials.get("secret"), credentials.get("page-access-token"),
                   graph_url=_setting(credentials, "graph_url", "FACEBOOK_GRAPH_URL"))

    def get_output_channel(self) -> OutputChannel:
        """A Messenger client for the HTTP API's ``output_channel=facebook``."""
        return CapMessengerBot(_messenger_client(self.fb_access_token, self.graph_url))

    @staticmethod
    def validate_hub_signature(app_secret: str, request_payload: bytes, hub_signature_header: str) -> bool:
        """Rasa's signature check, made constant-time (kept for callers of the Rasa API)."""
        return verify_hub_signature(app_secret, request_payload, {"X-Hub-Signature": hub_signature_header})

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``GET /`` health, ``GET /webhook`` verification, ``POST /webhook`` signed events."""
        bp = Blueprint("cap_fb_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if self.fb_verify and hmac.compare_digest(token.encode(), str(self.fb_verify).encode()):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("Invalid Messenger verify token (check FACEBOOK_VERIFY).")
            return response.text("failure, invalid token", status=403)

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not verify_hub_signature(self.fb_secret, request.body or b"", request.headers):
                logger.warning("Messenger event refused: wrong or missing X-Hub-Signature.")
                return response.text("invalid signature", status=403)
            try:
                payload = json.loads(request.body or b"")
            except ValueError:
                return response.text("invalid body", status=400)
            if not isinstance(payload, dict) or payload.get("object") != "page":
                return response.text("ignored")

            async def dispatch(message: UserMessage) -> None:
                await self._dispatch(request, on_new_message, message)

            messenger = CapMessenger(self.fb_access_token, dispatch, self.graph_url)
            await messenger.handle(payload, self.get_metadata(request))
            return response.text("success")

        return bp


# ----------------------------------------------------------------------------- Twilio


class RebasedTwilioHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, sending every ``*.twilio.com`` request to another base URL."""

    def __init__(self, api_base: str | None = None, timeout: float = HTTP_TIMEOUT_S) -> None:
        super().__init__(timeout=timeout)
        self.api_base = api_base.rstrip("/") if api_base else None

    def rebase(self, url: str) -> str:
        """``https://api.twilio.com/2010-04-01/…`` → ``<api_base>/2010-04-01/…``."""
        if not self.api_base:
            return url
        parts = urlsplit(url)
        if not (parts.hostname or "").endswith("twilio.com"):
            return url
        base = urlsplit(self.api_base)
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, parts.fragment))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        """Send to the rebased URL."""
        return super().request(method, self.rebase(url), *args, **kwargs)


def is_whatsapp(address: str | None) -> bool:
    """Twilio addresses WhatsApp users as ``whatsapp:+33…``."""
    return bool(address) and str(address).lower().startswith("whatsapp:")


class CapTwilioOutput(_MessagingOutputMixin, TwilioOutput):
    """Twilio SMS and WhatsApp: numbered choices, texts packed into messages of at most 1600
    characters, sent in order from the SMS or the WhatsApp number as the recipient needs."""

    max_chars = TWILIO_MAX_CHARS
    per_paragraph = False

    def __init__(self, account_sid: str | None, auth_token: str | None, twilio_number: str | None,
                 whatsapp_number: str | None = None, api_base: str | None = None) -> None:
        TwilioClient.__init__(self, account_sid, auth_token,
                              http_client=RebasedTwilioHttpClient(api_base))
        self.twilio_number = twilio_number
        self.whatsapp_number = whatsapp_number
        self.send_retry = 0
        self.max_retry = TWILIO_RETRIES + 1

    def sender_for(self, recipient_id: str) -> str | None:
        """The ``From`` of a message to ``recipient_id``."""
        number = self.twilio_number or ""
        if is_whatsapp(recipient_id):
            number = self.whatsapp_number or number
            return number if is_whatsapp(number) else f"whatsapp:{number}"
        return number.split(":", 1)[1] if is_whatsapp(number) else (number or None)

    async def _send_message(self, message_data: dict[str, Any]) -> Any:
        """``messages.create`` in a thread; a 429 or 5xx answer is retried, with a pause."""
        for attempt in range(TWILIO_RETRIES + 1):
            try:
                return await asyncio.to_thread(self.messages.create, **message_data)
            except TwilioRestException as exc:
                if attempt < TWILIO_RETRIES and (exc.status == 429 or exc.status >= 500):
                    await asyncio.sleep(0.5 * (attempt + 1))
                    continue
                logger.error("Twilio refused a message: HTTP %s, code %s", exc.status, exc.code)
                return None
            except Exception as exc:
                logger.error("Twilio message not sent: %s", type(exc).__name__)
                return None
        return None

    async def _send_plain(self, recipient_id: str, text: str) -> None:
        await self._send_message({"to": recipient_id, "from_": self.sender_for(recipient_id), "body": text})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     **kwargs: Any) -> None:
        """The text and its numbered choices."""
        await self.send_text_message(recipient_id, with_numbered_choices(text, buttons))

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]],
                                 **kwargs: Any) -> None:
        """Same as buttons."""
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """WhatsApp: a media message; SMS: the URL (MMS does not exist on French numbers)."""
        if is_whatsapp(recipient_id):
            await self._send_message({"to": recipient_id, "from_": self.sender_for(recipient_id),
                                      "media_url": [image]})
        else:
            await self.send_text_message(recipient_id, image)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Custom Twilio message parameters (Rasa's behaviour, right sender for WhatsApp)."""
        json_message = dict(json_message)
        json_message.setdefault("to", recipient_id)
        if not json_message.get("media_url"):
            json_message.setdefault("body", "")
        if not json_message.get("messaging_service_sid"):
            json_message.setdefault("from_", self.sender_for(str(json_message["to"])))
        await self._send_message(json_message)


def twilio_signature(url: str, params: Mapping[str, Sequence[str]], auth_token: str) -> str:
    """``X-Twilio-Signature`` of a form POST: base64(HMAC-SHA1(auth token, URL + each parameter
    name and value, names sorted)). https://www.twilio.com/docs/usage/security#validating-requests
    """
    data = url
    for name in sorted(params):
        for value in sorted(set(params[name])):
            data += name + value
    mac = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def _url_variants(url: str) -> list[str]:
    """The URL with and without its default port (Twilio signs either, depending on the case)."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    netlocs = {parts.netloc}
    if parts.port is None and default:
        netlocs.add(f"{host}:{default}")
    elif parts.port == default:
        netlocs.add(host)
    return [urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)) for netloc in netlocs]


def verify_twilio_signature(url: str, params: Mapping[str, Sequence[str]], auth_token: str | None,
                            signature: str | None) -> bool:
    """Whether ``signature`` is Twilio's for that URL and form (constant-time)."""
    if not auth_token or not signature:
        return False
    return any(hmac.compare_digest(twilio_signature(variant, params, auth_token).encode(), signature.encode())
               for variant in _url_variants(url))


_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class CapTwilioInput(_MessagingInputMixin, TwilioInput):
    """Twilio webhook (SMS and WhatsApp): ``/webhooks/twilio/webhook``.

    Credentials: ``account_sid``, ``auth_token``, ``twilio_number``. Environment:
    ``TWILIO_WHATSAPP_NUMBER`` (sender for WhatsApp users, default ``whatsapp:`` + the SMS
    number), ``TWILIO_VALIDATE_SIGNATURE=true`` with ``TWILIO_WEBHOOK_URL`` (the exact URL set in
    Twilio's console) to refuse unsigned requests, ``TWILIO_API_BASE`` (default
    https://api.twilio.com).
    """

    def __init__(self, account_sid: str | None, auth_token: str | None, twilio_number: str | None,
                 debug_mode: bool = False, whatsapp_number: str | None = None,
                 api_base: str | None = None, validate_signature: bool = False,
                 webhook_url: str | None = None) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode)
        self.whatsapp_number = whatsapp_number
        self.api_base = api_base
        self.validate_signature = validate_signature
        self.webhook_url = webhook_url
        if validate_signature and not webhook_url:
            logger.error("TWILIO_VALIDATE_SIGNATURE is on but TWILIO_WEBHOOK_URL is empty: "
                         "every Twilio request will be refused.")

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> CapTwilioInput:
        """From credentials.yml, completed by the environment."""
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(credentials.get("account_sid"), credentials.get("auth_token"), credentials.get("twilio_number"),
                   whatsapp_number=_setting(credentials, "whatsapp_number", "TWILIO_WHATSAPP_NUMBER"),
                   api_base=_setting(credentials, "api_base", "TWILIO_API_BASE"),
                   validate_signature=_flag(_setting(credentials, "validate_signature",
                                                     "TWILIO_VALIDATE_SIGNATURE")),
                   webhook_url=_setting(credentials, "webhook_url", "TWILIO_WEBHOOK_URL"))

    def get_output_channel(self) -> CapTwilioOutput:
        """A Twilio client."""
        return CapTwilioOutput(self.account_sid, self.auth_token, self.twilio_number,
                               whatsapp_number=self.whatsapp_number, api_base=self.api_base)

    def _signed(self, request: Request) -> bool:
        if not self.validate_signature:
            return True
        if not self.webhook_url:
            return False
        # Twilio signs every parameter, empty ones included (Sanic's request.form drops those).
        params = parse_qs((request.body or b"").decode("utf-8", "replace"), keep_blank_values=True)
        return verify_twilio_signature(self.webhook_url, params, self.auth_token,
                                       request.headers.get("X-Twilio-Signature"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``GET /`` health, ``POST /webhook`` form-encoded messages (SMS and WhatsApp)."""
        bp = Blueprint("cap_twilio_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self._signed(request):
                logger.warning("Twilio request refused: wrong or missing X-Twilio-Signature.")
                return response.text("invalid signature", status=403)
            sender = request.form.get("From")
            text = request.form.get("Body")
            if self._is_location_message(request):  # Rasa's format (WhatsApp locations)
                text = "/locationData{{'Latitude': {lat},'Longitude': {long}}}".format(
                    lat=request.form.get("Latitude"), long=request.form.get("Longitude"))
            if sender and text is not None:
                # @ signs get corrupted in SMS by some carriers (as in Rasa's connector)
                user_message = UserMessage(text.replace("¡", "@"), self.get_output_channel(), sender,
                                           input_channel=self.name(), metadata=self.get_metadata(request))
                await self._safe_dispatch(request, on_new_message, user_message)
            else:
                logger.debug("Twilio request without sender or body ignored.")
            return response.text(_EMPTY_TWIML, content_type="text/xml")

        return bp
