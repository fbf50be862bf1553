"""bot/web/server.py: the demo page server (MIME types, CSP, no listing, French 404)."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator

import pytest

from bot.errors import BotError
from bot.web.server import WebConfig, content_security_policy, make_server, normalise_server_url


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    httpd = make_server("127.0.0.1", 0, WebConfig(rasa_public_url="https://rasa.example.org:8443"))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1", httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def _get(server: tuple[str, int], path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(*server, timeout=5)
    conn.request(method, path)
    res = conn.getresponse()
    body = res.read()
    headers = {k.lower(): v for k, v in res.getheaders()}
    conn.close()
    return res.status, headers, body


@pytest.mark.parametrize("path, mime", [
    ("/", "text/html; charset=utf-8"),
    ("/index.html", "text/html; charset=utf-8"),
    ("/cap-widget.js", "text/javascript; charset=utf-8"),
    ("/cap-widget.css", "text/css; charset=utf-8"),
    ("/demo.css", "text/css; charset=utf-8"),
])
def test_files_are_served_with_their_type(server, path: str, mime: str) -> None:
    status, headers, body = _get(server, path)
    assert status == 200
    assert headers["content-type"] == mime
    assert headers["x-content-type-options"] == "nosniff"
    assert int(headers["content-length"]) == len(body) > 0


def test_page_points_at_the_configured_rasa_server(server) -> None:
    status, headers, body = _get(server, "/")
    page = body.decode("utf-8")
    assert 'data-server-url="https://rasa.example.org:8443"' in page
    assert 'data-server-url="http://localhost:5005"' not in page
    csp = headers["content-security-policy"]
    assert "connect-src 'self' https://rasa.example.org:8443 wss://rasa.example.org:8443" in csp
    assert "script-src 'self';" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp


@pytest.mark.parametrize("path", [
    "/nope.html", "/../server.py", "/%2e%2e/server.py", "/..%2fserver.py", "/static/", "/.git/config",
    "/.hidden", "/index.html%00.js", "/cli.py", "/%5c..%5cserver.py",
])
def test_everything_else_is_a_french_404(server, path: str) -> None:
    status, headers, body = _get(server, path)
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    assert '<html lang="fr">' in page and "Page introuvable" in page
    assert "Index of" not in page


def test_head_has_no_body_and_writes_are_refused(server) -> None:
    status, headers, body = _get(server, "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    status, headers, _ = _get(server, "/", method="POST")
    assert status == 405 and headers["allow"] == "GET, HEAD"
    status, headers, _ = _get(server, "/")
    assert "Python" not in headers.get("server", "")


def test_server_url_is_validated_and_escaped() -> None:
    assert normalise_server_url("http://localhost:5005/") == "http://localhost:5005"
    assert normalise_server_url(" https://bot.example.org/rasa/ ") == "https://bot.example.org/rasa"
    for bad in ("javascript:alert(1)", "localhost:5005", "http://", 'http://x" onload="y', "ftp://h",
                "http://h/?q=1"):
        with pytest.raises(BotError) as err:
            normalise_server_url(bad)
        assert "invalide" in err.value.message_fr
    assert "ws://localhost:5005" in content_security_policy("http://localhost:5005")


def test_cli_registers_the_web_command(monkeypatch) -> None:
    import argparse

    from bot.web.cli import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    monkeypatch.delenv("WEB_PORT", raising=False)
    args = parser.parse_args(["web", "--port", "8099", "--rasa-url", "http://127.0.0.1:5005"])
    assert args.port == 8099 and args.host == "127.0.0.1" and callable(args.handler)
