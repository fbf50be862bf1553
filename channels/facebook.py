"""Facebook Messenger: ``/webhooks/facebook/webhook`` (Rasa's ``FacebookInput``, hardened).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from fbmessenger import MessengerClient
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput, Messenger, MessengerBot
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
    numbered_choices,
    quiet_connector_logs,
    setting,
    split_text,
    text_size,
    with_numbered_choices,
)

logger = logging.getLogger(__name__)

MESSENGER_MAX_CHARS = 2000
#: Messenger quick replies: at most 13, titles of at most 20 characters, payloads of 1000.
MESSENGER_MAX_QUICK_REPLIES = 13
MESSENGER_MAX_QUICK_REPLY_TITLE = 20
MESSENGER_MAX_QUICK_REPLY_PAYLOAD = 1000

# ----------------------------------------------------------------------------- Messenger


def _messenger_client(page_access_token: str, graph_url: str | None) -> MessengerClient:
    client = MessengerClient(page_access_token)
    if graph_url:
        client.graph_url = graph_url.rstrip("/")
    return client


#: Quick-reply titles (at most 20 characters) of the assistant's choices whose wording is longer.
#: The full wording stays in the question; tests/channels check every choice of
#: bot/conversation/messages.yml has a title that fits.
SHORT_TITLES = {
    "Jeune sans emploi ni formation": "Jeune sans emploi",
    "Contractuel(le) du public": "Contractuel public",
    "Obtenir un diplôme ou une qualification": "Un diplôme",
    "Faire reconnaître mon expérience": "Valider mes acquis",
    "Me former au numérique, à la data ou à l'IA": "Numérique, data, IA",
    "Je préfère ne pas répondre": "Ne pas répondre",
    "Maladie professionnelle": "Maladie pro.",
    "Qui peut m'aider près de chez moi ?": "Aide près de moi",
    "Récapitulatif de ma situation": "Récapitulatif",
    "Partager avec mon conseiller": "Partager",
    "Vous raconter ma situation": "Ma situation",
    "Voir mes possibilités": "Mes possibilités",
    "Comprendre un dispositif": "Les dispositifs",
    "Parler à un conseiller": "Un conseiller",
}


def quick_reply_title(button: Mapping[str, Any]) -> tuple[str, bool]:
    """The button's quick-reply title (at most 20 characters) and whether it says all the
    button says (False: shortened here, so the full wording must appear in the text)."""
    title = button_title(button)
    if len(title) <= MESSENGER_MAX_QUICK_REPLY_TITLE:
        return title, True
    if title in SHORT_TITLES:
        return SHORT_TITLES[title], True
    cut = title[:MESSENGER_MAX_QUICK_REPLY_TITLE - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:(-") + "…", False


def _fits_quick_replies(buttons: Sequence[Mapping[str, Any]]) -> bool:
    return (0 < len(buttons) <= MESSENGER_MAX_QUICK_REPLIES
            and all(button.get("payload") for button in buttons)
            and all(len(str(b["payload"])) <= MESSENGER_MAX_QUICK_REPLY_PAYLOAD for b in buttons))


class CapMessengerBot(MessagingOutputMixin, MessengerBot):
    """Messenger: quick replies within Messenger's limits, numbered choices beyond; texts split
    at 2000 characters, one message per paragraph; the blocking client runs in a thread."""

    max_chars = MESSENGER_MAX_CHARS
    per_paragraph = True
    channel_prefix = "facebook"

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
        titles = [quick_reply_title(b) for b in buttons]
        if not all(complete for _, complete in titles):
            # a title had to be cut: the full wording goes in the question, numbered
            text = with_numbered_choices(text, buttons).rsplit("\n", 1)[0]
        parts = self._parts(text) or [CHOICE_PROMPT_FR]
        for part in parts[:-1]:
            await self._send_plain(recipient_id, part)
        quick_replies = [{"content_type": "text", "title": title, "payload": str(b["payload"])}
                         for (title, _), b in zip(titles, buttons, strict=True)]
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
        """Every messaging event of every entry (Rasa stops after the first one). Nothing of an
        event is logged (Rasa logs unhandled events whole, with the sender id)."""
        for entry in payload.get("entry") or []:
            for event in entry.get("messaging") or []:
                if not isinstance(event, dict):
                    continue
                self.last_message = event
                if event.get("message_edit"):
                    await self._reply(EDIT_NOT_APPLIED_FR)
                elif event.get("message"):
                    await self.message(event, metadata)
                elif event.get("postback"):
                    await self.postback(event, metadata)

    async def message(self, message: dict[str, Any], metadata: dict[str, Any] | None) -> None:
        """A person's message: its quick-reply payload or its text. Attachments alone (voice
        note, image, sticker, file, shared link) get one calm line; their URLs are never the
        person's words."""
        body = message.get("message") or {}
        if body.get("is_echo"):
            return
        if self._is_quick_reply_message(message):
            text = str(body["quick_reply"]["payload"])
        elif isinstance(body.get("text"), str) and body["text"].strip():
            text = body["text"]
        elif body.get("attachments") or body.get("sticker_id"):
            await self._reply(TEXT_ONLY_FR)
            return
        else:
            logger.debug("A Messenger message without text was ignored.")
            return
        await self._handle_user_message(text, self.get_user_id(), metadata)

    async def _reply(self, text: str) -> None:
        """One line from the channel itself, to the sender of the current event."""
        await CapMessengerBot(self.client).send_text_message(self.get_user_id(), text)

    async def _handle_user_message(self, text: str, sender_id: str, metadata: dict[str, Any] | None) -> None:
        out_channel = CapMessengerBot(self.client)
        await out_channel.send_action(sender_id, "mark_seen")
        await out_channel.send_action(sender_id, "typing_on")
        try:
            await self.on_new_message(UserMessage(text, out_channel, conversation_id("facebook", sender_id),
                                                  input_channel=self.name(), metadata=metadata))
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


class CapFacebookInput(MessagingInputMixin, FacebookInput):
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
                   graph_url=setting(credentials, "graph_url", "FACEBOOK_GRAPH_URL"))

    def get_output_channel(self) -> OutputChannel:
        """A Messenger client for the HTTP API's ``output_channel=facebook``."""
        return CapMessengerBot(_messenger_client(self.fb_access_token, self.graph_url))

    @staticmethod
    def validate_hub_signature(app_secret: str, request_payload: bytes, hub_signature_header: str) -> bool:
        """Rasa's signature check, made constant-time (kept for callers of the Rasa API)."""
        return verify_hub_signature(app_secret, request_payload, {"X-Hub-Signature": hub_signature_header})

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """``GET /`` health, ``GET /webhook`` verification, ``POST /webhook`` signed events."""
        quiet_connector_logs()
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


