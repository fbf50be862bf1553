"""Local fakes of the Telegram Bot API, Meta's Graph API (Messenger Send API) and Twilio's REST API.

Each fake is a stdlib ``ThreadingHTTPServer`` on 127.0.0.1 that records every request (method,
path, query, headers, parsed body) and answers with a minimal body in the real platform's shape,
enough for aiogram, fbmessenger and the twilio library to accept it.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Captured:
    """One request received by a fake."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    json: Any = None

    @property
    def api_method(self) -> str:
        """Telegram: the Bot API method (``sendMessage``…); others: the last path segment."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, str], Any]:
    if not body:
        return {}, None
    if content_type.startswith("application/json"):
        return {}, json.loads(body.decode("utf-8"))
    if content_type.startswith("application/x-www-form-urlencoded"):
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        return {k: v[-1] for k, v in parsed.items()}, None
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        form = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            form[name] = part.get_content() if part.get_content_maintype() == "text" else part.get_payload(decode=True)
        return form, None
    return {}, None


class FakePlatform:
    """A recording HTTP server; ``platform`` is ``telegram``, ``facebook`` or ``twilio``."""

    def __init__(self, platform: str, bot_username: str = "cap_test_bot") -> None:
        self.platform = platform
        self.bot_username = bot_username
        self.requests: list[Captured] = []
        self._cond = threading.Condition()
        self._counter = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                form, data = _parse_body(self.headers.get("Content-Type", ""), body)
                captured = Captured(self.command, parts.path, parse_qs(parts.query),
                                    {k: v for k, v in self.headers.items()}, body, form, data)
                status, payload = fake.answer(captured)
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
                with fake._cond:
                    fake.requests.append(captured)
                    fake._cond.notify_all()

            do_GET = do_POST = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakePlatform:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------ answers

    def _next_id(self) -> int:
        with self._cond:
            self._counter += 1
            return self._counter

    def answer(self, req: Captured) -> tuple[int, Any]:
        if self.platform == "telegram":
            return self._telegram(req)
        if self.platform == "facebook":
            return self._facebook(req)
        return self._twilio(req)

    def _telegram(self, req: Captured) -> tuple[int, Any]:
        match = re.fullmatch(r"/bot(?P<token>[^/]+)/(?P<method>\w+)", req.path)
        if not match:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        method = match["method"].lower()
        if method == "getme":
            result: Any = {"id": 123456, "is_bot": True, "first_name": "Cap Reconversion",
                           "username": self.bot_username, "can_join_groups": True,
                           "can_read_all_group_messages": False, "supports_inline_queries": False}
        elif method in ("sendmessage", "editmessagetext"):
            chat_id = req.form.get("chat_id", "0")
            result = {"message_id": self._next_id(), "date": int(time.time()),
                      "chat": {"id": int(chat_id) if str(chat_id).lstrip("-").isdigit() else 0, "type": "private"},
                      "from": {"id": 123456, "is_bot": True, "first_name": "Cap Reconversion",
                               "username": self.bot_username},
                      "text": req.form.get("text", "")}
        else:  # setWebhook, answerCallbackQuery, sendChatAction…
            result = True
        return 200, {"ok": True, "result": result}

    def _facebook(self, req: Captured) -> tuple[int, Any]:
        if not req.path.endswith("/me/messages"):
            return 404, {"error": {"message": "Unknown path", "type": "OAuthException", "code": 803}}
        recipient = ((req.json or {}).get("recipient") or {}).get("id")
        if (req.json or {}).get("sender_action"):
            return 200, {"recipient_id": recipient}
        return 200, {"recipient_id": recipient, "message_id": f"m_fake{self._next_id()}"}

    def _twilio(self, req: Captured) -> tuple[int, Any]:
        match = re.fullmatch(r"/2010-04-01/Accounts/(?P<sid>\w+)/Messages\.json", req.path)
        if not match or req.method != "POST":
            return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        sid = f"SM{self._next_id():032x}"
        now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        return 201, {
            "account_sid": match["sid"], "api_version": "2010-04-01", "body": req.form.get("Body", ""),
            "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
            "error_code": None, "error_message": None, "from": req.form.get("From"),
            "messaging_service_sid": None, "num_media": "0", "num_segments": "1", "price": None,
            "price_unit": "USD", "sid": sid, "status": "queued", "subresource_uris": {},
            "to": req.form.get("To"),
            "uri": f"/2010-04-01/Accounts/{match['sid']}/Messages/{sid}.json",
        }

    # ------------------------------------------------------------------ inspection

    def mark(self) -> int:
        """Index to pass to ``since`` to see only what comes next."""
        with self._cond:
            return len(self.requests)

    def since(self, mark: int, predicate: Callable[[Captured], bool] | None = None) -> list[Captured]:
        with self._cond:
            found = self.requests[mark:]
        return [r for r in found if predicate is None or predicate(r)]

    def wait_for(self, predicate: Callable[[Captured], bool], mark: int = 0, count: int = 1,
                 timeout: float = 10.0) -> list[Captured]:
        """The matching requests after ``mark`` once there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [r for r in self.requests[mark:] if predicate(r)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return found
                self._cond.wait(remaining)
