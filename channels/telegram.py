"""Telegram: ``/webhooks/telegram/webhook`` (Rasa's ``TelegramInput``, hardened).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.text_channel import (
    CHOICE_PROMPT_FR,
    EDIT_NOT_APPLIED_FR,
    HTTP_TIMEOUT_S,
    TEXT_ONLY_FR,
    MessagingInputMixin,
    MessagingOutputMixin,
    button_title,
    conversation_id,
    quiet_connector_logs,
    setting,
)

logger = logging.getLogger(__name__)

#: Characters per message (counted in UTF-16 code units, which is never less than characters).
TELEGRAM_MAX_CHARS = 4096
#: Telegram's callback_data is 1-64 bytes; a longer payload is sent as its number instead.
TELEGRAM_MAX_CALLBACK_DATA = 64
#: Telegram: how long the bot's own getMe answer is reused (Rasa's check runs on every update).
GET_ME_CACHE_S = 3600

# ----------------------------------------------------------------------------- Telegram


class CapTelegramOutput(MessagingOutputMixin, TelegramOutput):
    """Telegram: native buttons (callback data, or the button's number if the payload is too
    long for Telegram), texts split at 4096 characters, one message per paragraph."""

    max_chars = TELEGRAM_MAX_CHARS
    per_paragraph = True
    channel_prefix = "telegram"

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
                markup.add(KeyboardButton(button_title(button)))
            return markup
        keys = []
        for number, button in enumerate(buttons, start=1):
            if button.get("url") and not button.get("payload"):
                keys.append(InlineKeyboardButton(button_title(button), url=str(button["url"])))
                continue
            payload = str(button.get("payload") or button_title(button))
            data = payload if len(payload.encode("utf-8")) <= TELEGRAM_MAX_CALLBACK_DATA else str(number)
            keys.append(InlineKeyboardButton(button_title(button), callback_data=data))
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


class CapTelegramInput(MessagingInputMixin, TelegramInput):
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
        if not secret_token:
            logger.error("TELEGRAM_SECRET_TOKEN is required: every Telegram update will be refused "
                         "until it is set (see docs/channels.md).")

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> CapTelegramInput:
        """From credentials.yml, completed by the environment."""
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(credentials.get("access_token"), credentials.get("verify"), credentials.get("webhook_url"),
                   api_base=setting(credentials, "api_base", "TELEGRAM_API_BASE"),
                   secret_token=setting(credentials, "secret_token", "TELEGRAM_SECRET_TOKEN"))

    def get_output_channel(self) -> CapTelegramOutput:
        """A Telegram client (the webhook is registered when the server starts, not here)."""
        server = TelegramAPIServer.from_base(self.api_base) if self.api_base else TELEGRAM_PRODUCTION
        return CapTelegramOutput(self.access_token, server)

    def _text_of(self, update: Update) -> tuple[Any, str | None]:
        """The message an update is about and the text to hand to Rasa (None: nothing to do).

        An edited message, or a message without text (voice note, photo, sticker, file), is
        answered by the channel with one line and never reaches the agent: see ``_direct_reply``.
        """
        if update.callback_query is not None:
            return update.callback_query.message, update.callback_query.data
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

    @staticmethod
    def _direct_reply(update: Update) -> tuple[Any, str | None]:
        """The chat and the one line the channel answers itself, if the update calls for one."""
        if update.edited_message is not None:
            return update.edited_message.chat, EDIT_NOT_APPLIED_FR
        msg = update.message
        if msg is not None and msg.text is None and msg.location is None and msg.chat is not None:
            return msg.chat, TEXT_ONLY_FR  # voice, audio, photo, video, sticker, document, contact…
        return None, None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``GET /`` health, ``POST /webhook`` updates; setWebhook when the server starts."""
        quiet_connector_logs()
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
            if not self.secret_token or not hmac.compare_digest(
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
            chat, reply = self._direct_reply(update)
            if reply is not None:
                try:
                    await out_channel.send_text_message(str(chat.id), reply)
                except (TelegramAPIError, OSError, asyncio.TimeoutError) as exc:
                    logger.error("Telegram sendMessage failed: %s", type(exc).__name__)
                return response.text("success")
            msg, text = self._text_of(update)
            if update.callback_query is not None:
                try:  # stops the spinner on the pressed button
                    await out_channel.answer_callback_query(update.callback_query.id)
                except (TelegramAPIError, OSError, asyncio.TimeoutError) as exc:
                    logger.warning("Telegram answerCallbackQuery failed: %s", exc)
            if msg is None or text is None:
                return response.text("success")
            user_message = UserMessage(text, out_channel, conversation_id("telegram", msg.chat.id),
                                       input_channel=self.name(),
                                       metadata=self.get_metadata(request))
            await self._safe_dispatch(request, on_new_message, user_message)
            return response.text("success")

        return bp


