"""A small static server for the demo page and the widget bundle (stdlib only).

Serves only regular files of ``bot/web/static/`` with a known type: no directory listing, no
dot-files, nothing outside the folder. The page's ``data-server-url`` and its
Content-Security-Policy (``connect-src``) follow the Rasa server's public URL
(``RASA_PUBLIC_URL``, default ``http://localhost:5005``).
"""

from __future__ import annotations

import html
import logging
import os
import posixpath
import re
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.errors import BotError

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
DEFAULT_RASA_URL = "http://localhost:5005"

MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}

_SERVER_URL_ATTR = re.compile(r'data-server-url="[^"]*"')

NOT_FOUND_PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page introuvable</title>
<link rel="stylesheet" href="/demo.css">
</head>
<body>
<main id="contenu" class="page-error">
<h1>Page introuvable</h1>
<p>La page demandée n’existe pas ou a été déplacée.</p>
<p><a href="/">Revenir à l’accueil</a></p>
</main>
</body>
</html>
"""


class ConfigError(BotError):
    """The web server configuration is invalid."""


@dataclass(frozen=True)
class WebConfig:
    """What the page server needs."""

    rasa_public_url: str = DEFAULT_RASA_URL
    static_dir: Path = STATIC_DIR

    @classmethod
    def from_env(cls, rasa_url: str | None = None) -> WebConfig:
        """``rasa_url`` or ``RASA_PUBLIC_URL`` or the local default, validated."""
        url = rasa_url or os.environ.get("RASA_PUBLIC_URL") or DEFAULT_RASA_URL
        return cls(rasa_public_url=normalise_server_url(url))


def normalise_server_url(url: str) -> str:
    """An ``http(s)://host[:port][/prefix]`` URL without trailing slash, or ConfigError."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"invalid Rasa server URL {url!r} (expected http(s)://host:port)",
                          message_fr=f"Adresse du serveur Rasa invalide : {url!r} (attendu : http(s)://hôte:port).")
    if any(c in url for c in "\"'<> \\"):
        raise ConfigError(f"invalid Rasa server URL {url!r}",
                          message_fr=f"Adresse du serveur Rasa invalide : {url!r}.")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def content_security_policy(rasa_url: str) -> str:
    """A strict CSP: only our own files, plus HTTP and WebSocket connections to Rasa."""
    parts = urlsplit(rasa_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    ws_origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        f"connect-src 'self' {origin} {ws_origin}",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ])


class StaticHandler(BaseHTTPRequestHandler):
    """GET/HEAD for the files of the static folder; everything else is refused."""

    server_version = "CapReconversionWeb"
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        """No Python version in the Server header."""
        return self.server_version

    def __init__(self, *args, config: WebConfig, **kwargs) -> None:
        self.config = config
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def _method_not_allowed(self) -> None:
        body = "Méthode non autorisée.\n".encode()
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self._security_headers()
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _method_not_allowed  # noqa: N815

    def _resolve(self) -> Path | None:
        """The file the request path names, or None (missing, hidden, outside, unknown type)."""
        raw_path = unquote(urlsplit(self.path).path)
        if "\x00" in raw_path or "\\" in raw_path:
            return None
        path = posixpath.normpath(raw_path)
        if path in ("/", "."):
            path = "/index.html"
        parts = [p for p in path.split("/") if p]
        if not parts or any(p.startswith(".") or p == ".." for p in parts):
            return None
        root = self.config.static_dir.resolve()
        candidate = root.joinpath(*parts).resolve()
        if root not in candidate.parents or not candidate.is_file():
            return None
        if candidate.suffix.lower() not in MIME_TYPES:
            return None
        return candidate

    def _serve(self, send_body: bool) -> None:
        target = self._resolve()
        if target is None:
            self._send(HTTPStatus.NOT_FOUND, NOT_FOUND_PAGE.encode(), MIME_TYPES[".html"], send_body)
            return
        body = target.read_bytes()
        if target.suffix.lower() == ".html":
            body = self._inject_server_url(body)
        self._send(HTTPStatus.OK, body, MIME_TYPES[target.suffix.lower()], send_body)

    def _inject_server_url(self, body: bytes) -> bytes:
        value = html.escape(self.config.rasa_public_url, quote=True)
        text = _SERVER_URL_ATTR.sub(f'data-server-url="{value}"', body.decode("utf-8"))
        return text.encode("utf-8")

    def _security_headers(self) -> None:
        self.send_header("Content-Security-Policy", content_security_policy(self.config.rasa_public_url))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # The bundle changes with each build and the page embeds a configured URL.
        self.send_header("Cache-Control", "no-cache")
        self._security_headers()
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        logger.debug("%s - %s", self.address_string(), format % args)


def make_server(host: str, port: int, config: WebConfig) -> ThreadingHTTPServer:
    """A ready-to-serve HTTP server (port 0 picks a free port: see ``server_address``)."""
    handler = partial(StaticHandler, config=config)
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve(host: str, port: int, config: WebConfig) -> None:
    """Serve until interrupted."""
    server = make_server(host, port, config)
    try:
        server.serve_forever()
    finally:
        server.server_close()
