"""Messaging channels: Telegram, Facebook Messenger and Twilio (SMS and WhatsApp).

One module per platform over one shared text-channel module, as Rasa splits its own channels:

- ``channels.text_channel``: wording, text rendering (splitting, links, GSM-7-safe SMS text,
  segments), numbered choices, EFFACER, edits and media, conversation ids, the input/output
  mixins;
- ``channels.telegram``, ``channels.facebook``, ``channels.twilio``: each platform's connector.

This module keeps the class paths of ``credentials.yml`` (``channels.messaging.CapTelegramInput``,
``channels.messaging.CapFacebookInput``, ``channels.messaging.CapTwilioInput``) working. Rasa
mounts them under ``/webhooks/telegram/``, ``/webhooks/facebook/`` and ``/webhooks/twilio/``.
See docs/channels.md.
"""

from __future__ import annotations

from channels.facebook import (
    MESSENGER_MAX_CHARS,
    MESSENGER_MAX_QUICK_REPLIES,
    MESSENGER_MAX_QUICK_REPLY_PAYLOAD,
    MESSENGER_MAX_QUICK_REPLY_TITLE,
    CapFacebookInput,
    CapMessenger,
    CapMessengerBot,
    verify_hub_signature,
)
from channels.telegram import (
    TELEGRAM_MAX_CALLBACK_DATA,
    TELEGRAM_MAX_CHARS,
    CapTelegramInput,
    CapTelegramOutput,
)
from channels.text_channel import *  # noqa: F403 - the shared helpers, under their old path
from channels.twilio import (
    TWILIO_MAX_CHARS,
    CapTwilioInput,
    CapTwilioOutput,
    RebasedTwilioHttpClient,
    is_whatsapp,
    render_turn,
    verify_twilio_signature,
)

__all__ = [
    "MESSENGER_MAX_CHARS", "MESSENGER_MAX_QUICK_REPLIES", "MESSENGER_MAX_QUICK_REPLY_PAYLOAD",
    "MESSENGER_MAX_QUICK_REPLY_TITLE", "TELEGRAM_MAX_CALLBACK_DATA", "TELEGRAM_MAX_CHARS",
    "TWILIO_MAX_CHARS", "CapFacebookInput", "CapMessenger", "CapMessengerBot", "CapTelegramInput",
    "CapTelegramOutput", "CapTwilioInput", "CapTwilioOutput", "RebasedTwilioHttpClient",
    "is_whatsapp", "render_turn", "verify_hub_signature", "verify_twilio_signature",
]
