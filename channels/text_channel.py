"""What every messaging channel shares: wording, limits, text rendering, numbered choices,
EFFACER, and the input/output mixins the platform modules build on (as Rasa's
``rasa.core.channels.channel`` does for its connectors). See docs/channels.md.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import gsm0338  # noqa: F401 - registers the "gsm03.38" codec (3GPP TS 23.038)
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic.request import Request

from bot.text import fold
from channels.privacy import UnsupportedTrackerStore, erase_conversation

logger = logging.getLogger(__name__)

# ----------------------------------------------------------------------------- wording (French)
# One wording for both reading modes: each sentence is already easy to read (FALC), measured with
# every other message by tests/bot/conversation/test_readability.py.

#: Sent after the conversation was erased (fixed wording, see bot/conversation/messages.yml: erase).
ERASED_FR = "Tout est effacé. Je ne garde plus rien de ce que vous m'avez dit."
#: Sent when the erasure failed (the person can retry).
ERASE_FAILED_FR = ("Je n'ai pas pu tout effacer. "
                   "Réessayez dans un moment. Écrivez EFFACER.")
#: Last line of a list of numbered choices.
CHOICE_HINT_FR = "Répondez par un numéro (ou avec vos mots)."
#: Text of a keyboard sent without any text (Telegram requires one).
CHOICE_PROMPT_FR = "Faites votre choix :"
#: Answer to a voice note, image, sticker or file: only text is read (never its URL as text).
TEXT_ONLY_FR = ("Je lis seulement le texte. Je n'ai pas pu lire ce que vous avez envoyé. "
                "Pouvez-vous me l'écrire en quelques mots ?")
#: Answer to an edited message (Telegram edited_message, Messenger message_edit): the edit is
#: not applied, the person is asked to send the correction as a new message.
EDIT_NOT_APPLIED_FR = ("J'ai vu votre message modifié. Mais je lis seulement les nouveaux messages. "
                       "Pour corriger, écrivez un nouveau message. Par exemple : « non, j'ai 45 ans ».")
#: Last line of an SMS turn cut short: the rest is sent on request.
MORE_HINT_FR = "Répondez TOUT pour lire la suite."
#: Answer to TOUT when nothing is held back.
NOTHING_MORE_FR = "Je vous ai tout envoyé. Vous pouvez me poser une autre question."

# ----------------------------------------------------------------------------- platform limits


#: Seconds before an outbound API call gives up.
HTTP_TIMEOUT_S = 15

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


def button_title(button: Mapping[str, Any]) -> str:
    return str(button.get("title") or button.get("payload") or "").strip()


def numbered_choices(buttons: Sequence[Mapping[str, Any]]) -> str:
    """``1. Oui`` / ``2. Non`` lines and the hint, for channels without buttons."""
    lines = []
    for number, button in enumerate(buttons, start=1):
        line = f"{number}. {button_title(button)}"
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


#: The reading-mode commands of text channels (issue 13): the word alone, any case or accents,
#: with the usual typos ("facil", "faciles", "normale"), becomes the payload the widget's switch sends.
_READING_COMMANDS = {"/ask_easy_read": ("facile", "facil", "faciles", "facille", "facle", "facil e", "mode facile"),
                     "/ask_normal_read": ("normal", "normale", "normal e", "normals", "mode normal")}


def reading_command(text: str | None) -> str | None:
    """"FACILE" → "/ask_easy_read", "normal" → "/ask_normal_read"; anything else → None."""
    if not text or len(text) > 20:
        return None
    word = " ".join(fold(text).strip(_ERASE_STRIP).split())
    return next((payload for payload, words in _READING_COMMANDS.items() if word in words), None)


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


async def latest_events(agent: Any, sender_id: str) -> list[Any]:
    """The events of ``sender_id``'s latest session, read from the running server's tracker store.

    Waits for the conversation's lock first, so a turn still being processed (the person
    answered while the bot was still sending) is the one read.
    """
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return []
    lock_store = getattr(agent, "lock_store", None)
    if lock_store is not None:
        async with lock_store.lock(sender_id):
            tracker = await store.retrieve(sender_id)
    else:
        tracker = await store.retrieve(sender_id)
    return list(tracker.events) if tracker is not None else []


async def choice_payload(agent: Any, sender_id: str, number: int) -> str | None:
    """Payload of button ``number`` of the latest bot turn of ``sender_id``, if there is one."""
    buttons = last_turn_buttons(await latest_events(agent, sender_id))
    if not 1 <= number <= len(buttons):
        return None
    payload = buttons[number - 1].get("payload")
    return str(payload) if payload else None


def last_turn_messages(events: Iterable[Any]) -> list[dict[str, Any]]:
    """The bot messages sent since the person's last message (``text`` and ``buttons``), in order."""
    turn: list[dict[str, Any]] = []
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            data = event.data or {}
            turn.append({"text": event.text or "", "buttons": data.get("buttons") or data.get("quick_replies") or []})
    return turn[::-1]


_MORE_WORDS = {"tout", "la suite", "suite", "lire la suite"}


def is_more_command(text: str | None) -> bool:
    """Whether the message asks for the rest of a turn cut short ("TOUT", "la suite")."""
    if not text or len(text) > 30:
        return False
    return fold(text).strip(_ERASE_STRIP) in _MORE_WORDS


# ----------------------------------------------------------------------------- inbound side


class MessagingInputMixin:
    """What every messaging input channel does before a message reaches the agent."""

    debug_mode: bool = False

    async def _dispatch(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                        message: UserMessage) -> None:
        """Handle EFFACER and TOUT, resolve a choice number, hand the message to the agent, then
        send the turn (output channels that pack a turn's messages send them at the end)."""
        agent = getattr(request.app.ctx, "agent", None)
        output = message.output_channel
        try:
            if is_erase_command(message.text):
                await self._erase(agent, message)
                return
            if is_more_command(message.text) and agent is not None and hasattr(output, "send_rest"):
                if await output.send_rest(message.sender_id, last_turn_messages(
                        await latest_events(agent, message.sender_id))):
                    return
            command = reading_command(message.text)
            if command is not None:
                message.text = command
            number = parse_choice_number(message.text) if command is None else None
            if number is not None and agent is not None:
                payload = await choice_payload(agent, message.sender_id, number)
                if payload is not None:
                    message.text = payload
                    message.metadata = {**(message.metadata or {}), "cap_choice_number": number}
            await on_new_message(message)
        finally:
            flush = getattr(output, "flush_turn", None)
            if flush is not None:
                await flush(message.sender_id)

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
        await message.output_channel.send_response(message.sender_id, {"text": reply})

    async def _safe_dispatch(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                             message: UserMessage) -> None:
        """``_dispatch``, logging failures: the platform must get a 2xx or it sends again."""
        try:
            await self._dispatch(request, on_new_message, message)
        except Exception:
            logger.exception("Exception when handling a %s message", self.name())
            if self.debug_mode:
                raise


def setting(credentials: Mapping[str, Any] | None, key: str, env: str) -> str | None:
    """A channel setting: credentials.yml key first, then the environment."""
    value = (credentials or {}).get(key)
    if value in (None, ""):
        value = os.environ.get(env)
    return str(value) if value not in (None, "") else None


def flag(value: str | None, default: bool = False) -> bool:
    """A yes/no setting; unset or empty: ``default``."""
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def quiet_connector_logs() -> None:
    """No message text, payload, link title or sender id from the libraries' loggers.

    Rasa's connectors log whole webhook payloads (Messenger: unhandled events at WARNING, with
    the sender id) and the twilio client logs every request and its body at INFO.
    """
    for name in ("twilio", "twilio.http_client", "aiogram", "fbmessenger"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("rasa.core.channels.facebook", "rasa.core.channels.telegram", "rasa.core.channels.twilio"):
        channel_logger = logging.getLogger(name)
        if not any(isinstance(f, _DropConnectorRecords) for f in channel_logger.filters):
            channel_logger.addFilter(_DropConnectorRecords())


class _DropConnectorRecords(logging.Filter):
    """Rasa's own connector loggers: keep only records that carry no message content.

    The Cap classes replace the code paths that log payloads; this catches the rest (Rasa's
    ``Messenger`` parser logs "Received a message from facebook that we can not handle.
    Message: {…}"). Records are dropped when they carry arguments or a payload-like body.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not (record.args or "{" in message or "Message:" in message or "message" in message.lower())


# ----------------------------------------------------------------------------- outbound side


class MessagingOutputMixin:
    """Text splitting and numbered choices shared by the output channels; conversation ids
    (``telegram:123``) turned back into the platform's recipient."""

    max_chars: int = 1600
    per_paragraph: bool = True
    channel_prefix: str = ""

    def platform_recipient(self, recipient_id: str) -> str:
        """The platform's id of a conversation id."""
        return strip_channel_prefix(recipient_id, self.channel_prefix) if self.channel_prefix else recipient_id

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Rasa's dispatch of one bot message, to the platform's recipient."""
        await super().send_response(self.platform_recipient(recipient_id), message)  # type: ignore[misc]

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


# ----------------------------------------------------------------------------- SMS text and segments

#: Characters that force a whole SMS into UCS-2 (70 characters a segment instead of 160),
#: replaced by their GSM-7 equivalents on SMS. French accents are kept (see ``sms_text``).
_SMS_PUNCTUATION = {
    "\u2014": "-", "\u2013": "-", "\u2012": "-", "\u2011": "-", "\u2010": "-",  # dashes
    "\u2022": "-", "\u00b7": "-", "\u2023": "-", "\u25aa": "-", "\u25cf": "-",  # bullets
    "\u2192": "->", "\u21d2": "=>", "\u2190": "<-",
    "\u00ab": '"', "\u00bb": '"', "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2018": "'", "\u2019": "'", "\u00b4": "'", "\u2032": "'",
    "\u2026": "...", "\u0153": "oe", "\u0152": "OE", "\u00b0": "o",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u200b": "",
}
_SMS_QUOTE_SPACES_RE = re.compile(r"«[\s\u00a0\u202f]*(.*?)[\s\u00a0\u202f]*»", re.S)
#: Letters French uses that GSM-7 lacks, folded only when the SMS encoding is "gsm".
_GSM_FOLD = {"ê": "e", "â": "a", "ô": "o", "î": "i", "û": "u", "ë": "e", "ï": "i", "ü": "u",
             "ç": "c", "Ê": "E", "Â": "A", "Ô": "O", "Î": "I", "Û": "U", "À": "A", "È": "E",
             "Ë": "E", "Ï": "I", "Ù": "U"}
GSM_SEGMENT, GSM_PART = 160, 153
UCS2_SEGMENT, UCS2_PART = 70, 67


def is_gsm7(text: str) -> bool:
    """Whether ``text`` fits the GSM-7 alphabet (basic table and its extension table)."""
    try:
        text.encode("gsm03.38")
    except UnicodeError:
        return False
    return True


def sms_text(text: str, fold_accents: bool = False) -> str:
    """``text`` with GSM-7 punctuation: no dashes, bullets, arrows, guillemets or non-breaking
    spaces, which would make the whole SMS UCS-2 (2.3 times as many segments).

    French accents are kept: é è à ù ì ò É Ç are GSM-7; ê â ô î û ë ï ç are not, and any of
    them makes the SMS UCS-2. ``fold_accents`` replaces those few by their plain letter.
    """
    text = _SMS_QUOTE_SPACES_RE.sub(r'"\1"', text)
    text = "".join(_SMS_PUNCTUATION.get(c, c) for c in text)
    if fold_accents:
        text = "".join(_GSM_FOLD.get(c, c) for c in text)
    return text


def sms_segments(text: str) -> tuple[str, int]:
    """``("gsm7" | "ucs2", segments)`` of one SMS as a phone network bills it.

    GSM-7: 160 septets in one segment, else 153 per segment, an extension character (``€ [ ] {
    } ~ ^ | \\``) taking 2 and never split. UCS-2: 70 UTF-16 units, else 67, a surrogate pair
    never split. (The same rules as Twilio's segment calculator.)
    """
    if not text:
        return "gsm7", 0
    if is_gsm7(text):
        sizes, single, part, encoding = [len(c.encode("gsm03.38")) for c in text], GSM_SEGMENT, GSM_PART, "gsm7"
    else:
        sizes, single, part, encoding = [text_size(c) for c in text], UCS2_SEGMENT, UCS2_PART, "ucs2"
    if sum(sizes) <= single:
        return encoding, 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return encoding, segments


# ----------------------------------------------------------------------------- conversation ids

#: Environment variable holding the key of the hashed (phone number) conversation ids.
ID_KEY_ENV = "CAP_MESSAGING_ID_KEY"
#: File the key is generated into (mode 600) when the variable is unset.
ID_KEY_FILE = "messaging-id.key"


@lru_cache(maxsize=1)
def messaging_id_key() -> bytes:
    """The HMAC key of hashed conversation ids: ``CAP_MESSAGING_ID_KEY``, else ``var/messaging-id.key``
    (generated once, mode 600). Changing it starts every SMS/WhatsApp conversation afresh."""
    value = os.environ.get(ID_KEY_ENV, "").strip()
    if value:
        return value.encode("utf-8")
    from bot.config import Settings  # the var/ directory (CAP_VAR_DIR)

    path = Path(Settings.from_env().var_dir) / ID_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32))
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it or set {ID_KEY_ENV}.")
    return key.encode("ascii")


def conversation_id(channel: str, platform_id: str | int, hashed: bool = False) -> str:
    """Rasa's sender id for a messaging conversation: ``telegram:<chat id>``, ``facebook:<PSID>``,
    or, where the platform id is a phone number, ``sms:<HMAC>`` / ``whatsapp:<HMAC>``: the number
    itself is never stored (the HMAC-SHA256 of the number with ``messaging_id_key()``)."""
    value = str(platform_id).strip()
    if hashed:
        value = hmac.new(messaging_id_key(), value.encode("utf-8"), hashlib.sha256).hexdigest()[:40]
    return f"{channel}:{value}"


def strip_channel_prefix(recipient_id: str, channel: str) -> str:
    """The platform id of ``telegram:123`` (ids without the prefix are kept, for the HTTP API)."""
    prefix = f"{channel}:"
    return recipient_id[len(prefix):] if str(recipient_id).startswith(prefix) else str(recipient_id)
