"""Twilio SMS and WhatsApp: ``/webhooks/twilio/webhook`` (Rasa's ``TwilioInput``, hardened).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client as TwilioClient

from channels.text_channel import (
    HTTP_TIMEOUT_S,
    MORE_HINT_FR,
    TEXT_ONLY_FR,
    MessagingInputMixin,
    MessagingOutputMixin,
    conversation_id,
    flag,
    numbered_choices,
    plain_links,
    quiet_connector_logs,
    setting,
    sms_segments,
    sms_text,
    split_text,
)

logger = logging.getLogger(__name__)

TWILIO_MAX_CHARS = 1600
#: Twilio: extra attempts after a 429 or 5xx answer (a message create is not idempotent, so
#: timeouts and connection errors are not retried).
TWILIO_RETRIES = 2
#: SMS: a turn longer than this many segments is cut after the paragraphs that fit, and the rest
#: is sent when the person answers TOUT (0: never cut). WhatsApp is not billed per segment.
SMS_TURN_SEGMENTS = 5
#: Conversation ids that are keyed hashes of a phone number (see text_channel.conversation_id).
HASHED_ID_RE = re.compile(r"^(sms|whatsapp):[0-9a-f]{40}$")


def _sms_count(text: str) -> int:
    return sum(sms_segments(part)[1] for part in split_text(text, TWILIO_MAX_CHARS))


def _blocks(paragraphs: Sequence[str]) -> list[str]:
    """Where a long turn may be cut: between paragraphs, and between the items of a paragraph (a
    line that is not indented starts an item; "  Première étape : …" stays with its item). Each
    block but the first starts with its separator ("\n\n" or "\n")."""
    blocks: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        for index, line in enumerate(paragraph.split("\n")):
            if index and line.startswith((" ", "\t")):
                blocks[-1] += "\n" + line
            else:
                blocks.append(("\n" if index else "\n\n" if number else "") + line)
    return blocks


def render_turn(turn: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], *, sms: bool, fold_accents: bool = True,
                max_segments: int = 0) -> tuple[list[str], list[str]]:
    """A turn's bot messages (text, buttons) as Twilio messages: ``(sent now, held for TOUT)``.

    Every message's paragraphs are packed together into as few messages of 1600 characters as
    they fit (SMS are billed per segment, and each message adds a partly filled one). Choices are
    numbered. On SMS the text is GSM-7-safe (``sms_text``); when the whole turn would take more
    than ``max_segments`` segments, the paragraphs or list items that fit are sent with the
    choices of the turn's last message and « Répondez TOUT… », and the rest is held.
    """
    paragraphs: list[str] = []
    for text, buttons in turn:
        paragraphs += [p.strip("\n") for p in plain_links(text or "").strip().split("\n\n") if p.strip()]
        if buttons:
            paragraphs.append(numbered_choices(buttons))
    if sms:
        paragraphs = [sms_text(p, fold_accents) for p in paragraphs]
    whole = "\n\n".join(paragraphs)
    if not sms or max_segments <= 0 or _sms_count(whole) <= max_segments:
        return split_text(whole, TWILIO_MAX_CHARS), []
    choices = paragraphs[-1] if turn and turn[-1][1] else None
    blocks = _blocks(paragraphs[:-1] if choices else paragraphs)
    tail = "".join(f"\n\n{p}" for p in (choices, sms_text(MORE_HINT_FR, fold_accents)) if p)
    first = ""
    count = 0
    for block in blocks:
        if count and _sms_count(first + block + tail) > max_segments:
            break
        first += block
        count += 1
    rest = "".join(blocks[count:]).strip("\n")
    if not rest:
        return split_text(whole, TWILIO_MAX_CHARS), []
    return split_text(first + tail, TWILIO_MAX_CHARS), split_text(rest, TWILIO_MAX_CHARS)


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


class CapTwilioOutput(MessagingOutputMixin, TwilioOutput):
    """Twilio SMS and WhatsApp: numbered choices, texts packed into messages of at most 1600
    characters, sent in order from the SMS or the WhatsApp number as the recipient needs."""

    max_chars = TWILIO_MAX_CHARS
    per_paragraph = False

    def __init__(self, account_sid: str | None, auth_token: str | None, twilio_number: str | None,
                 whatsapp_number: str | None = None, api_base: str | None = None, *,
                 address: str | None = None, conversation: str | None = None,
                 sms_fold_accents: bool = True, sms_turn_segments: int = 0) -> None:
        TwilioClient.__init__(self, account_sid, auth_token,
                              http_client=RebasedTwilioHttpClient(api_base))
        self.twilio_number = twilio_number
        self.whatsapp_number = whatsapp_number
        self.send_retry = 0
        self.max_retry = TWILIO_RETRIES + 1
        #: The phone address of the one conversation this instance answers (webhook turns): the
        #: conversation id is a keyed hash of it, so the number is known only here.
        self.address = address
        self.conversation = conversation
        self.sms_fold_accents = sms_fold_accents
        self.sms_turn_segments = sms_turn_segments
        #: A webhook turn's messages, sent packed when the turn ends (``flush_turn``).
        self._turn: list[tuple[str, list[dict[str, Any]]]] | None = [] if address else None

    def platform_recipient(self, recipient_id: str) -> str:
        """The phone address of a conversation id ("" when it cannot be known here)."""
        if self.conversation and recipient_id == self.conversation:
            return self.address or ""
        if HASHED_ID_RE.match(str(recipient_id)):
            return ""  # the HTTP API with a hashed id: the number is stored nowhere
        return str(recipient_id)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Rasa's dispatch of one bot message, to the phone address of the conversation."""
        address = self.platform_recipient(recipient_id)
        if not address:
            logger.error("No Twilio message sent: a hashed conversation id is only reachable while "
                         "the person's own message is being answered.")
            return
        await TwilioOutput.send_response(self, address, message)

    def _sms_options(self, address: str) -> dict[str, Any]:
        sms = not is_whatsapp(address)
        return {"sms": sms, "fold_accents": sms and self.sms_fold_accents,
                "max_segments": self.sms_turn_segments if sms else 0}

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Within a webhook turn: kept until the turn ends; otherwise sent at once."""
        await self._add(recipient_id, text or "", [])

    async def _add(self, address: str, text: str, buttons: list[dict[str, Any]]) -> None:
        if self._turn is not None:
            self._turn.append((text, list(buttons)))
            return
        first, _ = render_turn([(text, buttons)], **{**self._sms_options(address), "max_segments": 0})
        for part in first:
            await self._send_plain(address, part)

    async def flush_turn(self, recipient_id: str) -> None:
        """Send the turn's messages packed into as few as fit; on SMS, a turn longer than
        ``sms_turn_segments`` is cut after the paragraphs that fit, and the rest waits for TOUT."""
        turn, self._turn = self._turn or [], ([] if self._turn is not None else None)
        address = self.platform_recipient(recipient_id)
        if not turn or not address:
            return
        first, _ = render_turn(turn, **self._sms_options(address))
        for part in first:
            await self._send_plain(address, part)

    async def send_rest(self, recipient_id: str, turn: list[dict[str, Any]]) -> bool:
        """Answer TOUT: what ``flush_turn`` held back of the latest bot turn (read back from the
        tracker), if anything was."""
        address = self.platform_recipient(recipient_id)
        if not address or not turn:
            return False
        _, rest = render_turn([(m["text"], m["buttons"]) for m in turn], **self._sms_options(address))
        if not rest:
            return False
        self._turn = None  # sent now, not packed with anything else
        for part in rest:
            await self._send_plain(address, part)
        return True

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
        await self._add(recipient_id, text or "", buttons)

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]],
                                 **kwargs: Any) -> None:
        """Same as buttons."""
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """WhatsApp: a media message; SMS: the URL (MMS does not exist on French numbers)."""
        if is_whatsapp(recipient_id):
            await self.flush_turn(self.conversation or recipient_id)  # keep the order
            await self._send_message({"to": recipient_id, "from_": self.sender_for(recipient_id),
                                      "media_url": [image]})
        else:
            await self.send_text_message(recipient_id, image)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Custom Twilio message parameters (Rasa's behaviour, right sender for WhatsApp)."""
        await self.flush_turn(self.conversation or recipient_id)  # keep the order
        json_message = dict(json_message)
        json_message.setdefault("to", recipient_id)
        if not json_message.get("media_url"):
            json_message.setdefault("body", "")
        if not json_message.get("messaging_service_sid"):
            json_message.setdefault("from_", self.sender_for(str(json_message["to"])))
        await self._send_message(json_message)


class _FormValues(dict):
    """A parsed form (name -> every value) as twilio's RequestValidator reads a multi-dict."""

    def getlist(self, name: str) -> list[str]:
        return self[name]


def verify_twilio_signature(url: str, params: Mapping[str, Sequence[str]], auth_token: str | None,
                            signature: str | None) -> bool:
    """Whether ``signature`` is Twilio's for that URL and form: twilio's own ``RequestValidator``
    (the URL with and without its default port, every value of every parameter)."""
    if not auth_token or not signature:
        return False
    return RequestValidator(auth_token).validate(url, _FormValues({k: list(v) for k, v in params.items()}),
                                                 signature)


_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class CapTwilioInput(MessagingInputMixin, TwilioInput):
    """Twilio webhook (SMS and WhatsApp): ``/webhooks/twilio/webhook``.

    Credentials: ``account_sid``, ``auth_token``, ``twilio_number``. Environment:
    ``TWILIO_WHATSAPP_NUMBER`` (sender for WhatsApp users, default ``whatsapp:`` + the SMS
    number), ``TWILIO_WEBHOOK_URL`` (the exact URL set in Twilio's console: every request must
    carry Twilio's signature of it; ``TWILIO_VALIDATE_SIGNATURE=false`` turns the check off, for
    local experiments only), ``TWILIO_API_BASE`` (default https://api.twilio.com),
    ``TWILIO_SMS_FOLD_ACCENTS`` and ``TWILIO_SMS_TURN_SEGMENTS`` (see ``render_turn``).

    The conversation id is ``sms:`` or ``whatsapp:`` and a keyed hash of the phone number.
    """

    def __init__(self, account_sid: str | None, auth_token: str | None, twilio_number: str | None,
                 debug_mode: bool = False, whatsapp_number: str | None = None,
                 api_base: str | None = None, validate_signature: bool = True,
                 webhook_url: str | None = None, sms_fold_accents: bool = True,
                 sms_turn_segments: int = SMS_TURN_SEGMENTS) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode)
        self.whatsapp_number = whatsapp_number
        self.api_base = api_base
        self.validate_signature = validate_signature
        self.webhook_url = webhook_url
        self.sms_fold_accents = sms_fold_accents
        self.sms_turn_segments = sms_turn_segments
        if not validate_signature:
            logger.warning("TWILIO_VALIDATE_SIGNATURE=false: Twilio requests are not verified. "
                           "Anyone who knows the URL can make the assistant send SMS.")
        if validate_signature and not webhook_url:
            logger.error("TWILIO_VALIDATE_SIGNATURE is on but TWILIO_WEBHOOK_URL is empty: "
                         "every Twilio request will be refused.")

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> CapTwilioInput:
        """From credentials.yml, completed by the environment."""
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(credentials.get("account_sid"), credentials.get("auth_token"), credentials.get("twilio_number"),
                   whatsapp_number=setting(credentials, "whatsapp_number", "TWILIO_WHATSAPP_NUMBER"),
                   api_base=setting(credentials, "api_base", "TWILIO_API_BASE"),
                   validate_signature=flag(setting(credentials, "validate_signature",
                                                   "TWILIO_VALIDATE_SIGNATURE"), default=True),
                   webhook_url=setting(credentials, "webhook_url", "TWILIO_WEBHOOK_URL"),
                   sms_fold_accents=flag(setting(credentials, "sms_fold_accents", "TWILIO_SMS_FOLD_ACCENTS"),
                                         default=True),
                   sms_turn_segments=int(setting(credentials, "sms_turn_segments", "TWILIO_SMS_TURN_SEGMENTS")
                                         or SMS_TURN_SEGMENTS))

    def get_output_channel(self, address: str | None = None, conversation: str | None = None) -> CapTwilioOutput:
        """A Twilio client; with ``address``, bound to that one conversation's webhook turn."""
        return CapTwilioOutput(self.account_sid, self.auth_token, self.twilio_number,
                               whatsapp_number=self.whatsapp_number, api_base=self.api_base,
                               address=address, conversation=conversation,
                               sms_fold_accents=self.sms_fold_accents, sms_turn_segments=self.sms_turn_segments)

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
        quiet_connector_logs()
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
            conversation = (conversation_id("whatsapp" if is_whatsapp(sender) else "sms", sender, hashed=True)
                            if sender else None)
            output = self.get_output_channel(sender, conversation)
            if sender and not (text or "").strip() and (request.form.get("NumMedia") or "0") != "0":
                await output.send_response(conversation, {"text": TEXT_ONLY_FR})  # media alone
                await output.flush_turn(conversation)
            elif sender and text is not None:
                # @ signs get corrupted in SMS by some carriers (as in Rasa's connector)
                user_message = UserMessage(text.replace("¡", "@"), output, conversation,
                                           input_channel=self.name(), metadata=self.get_metadata(request))
                await self._safe_dispatch(request, on_new_message, user_message)
            else:
                logger.debug("Twilio request without sender or body ignored.")
            return response.text(_EMPTY_TWIML, content_type="text/xml")

        return bp

