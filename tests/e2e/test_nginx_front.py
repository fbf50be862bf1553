"""The nginx configuration of docs/deployment.md, run for real on 127.0.0.1 in front of fakes.

nginx (rendered from deploy/nginx/cap-reconversion.conf.template by scripts/serve.py) terminates
TLS with a throwaway certificate, in front of two fake Rasa processes, two fake action servers,
a fake web page and a fake counsellors' workspace. Each fake answers with its own name and the
headers it received.
"""

from __future__ import annotations

import http.server
import json
import shutil
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import serve  # noqa: E402

pytestmark = [pytest.mark.servers]

if not serve.nginx_binary():
    pytest.skip("nginx is not installed (Debian: apt-get install nginx-light); the configuration is untested here",
                allow_module_level=True)
if not shutil.which("openssl"):
    pytest.skip("openssl is needed for the throwaway TLS certificate", allow_module_level=True)


class _Fake(http.server.ThreadingHTTPServer):
    name = ""


class _Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        received = len(self.rfile.read(length)) if length else 0
        body = json.dumps({"server": self.server.name, "path": self.path, "received": received,  # type: ignore[attr-defined]
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@contextmanager
def fake(name: str) -> Iterator[_Fake]:
    server = _Fake(("127.0.0.1", 0), _Handler)
    server.name = name
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _addr(server: _Fake) -> str:
    return f"127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


@contextmanager
def front(tmp_path: Path, certificate: tuple[Path, Path], rasa: list[_Fake], actions: list[_Fake],
          api_allow: tuple[str, ...] = ("127.0.0.1",)) -> Iterator[dict]:
    with fake("web") as web, fake("counsel") as counsel:
        port, action_port = serve.free_port(), serve.free_port()
        site = serve.render_site(listen=f"127.0.0.1:{port}", rasa=[_addr(r) for r in rasa],
                                 actions=[_addr(a) for a in actions], action_listen=f"127.0.0.1:{action_port}",
                                 web=_addr(web), counsel=_addr(counsel), api_allow=api_allow,
                                 tls=(str(certificate[0]), str(certificate[1])),
                                 access_log=str(tmp_path / "access.log"))
        proc = serve.start_nginx(site, tmp_path / "nginx")
        try:
            base = f"https://127.0.0.1:{port}"
            deadline = time.time() + 20
            while True:
                try:
                    get(base + "/")
                    break
                except OSError as exc:
                    if proc.poll() is not None or time.time() > deadline:
                        raise RuntimeError((tmp_path / "nginx" / "error.log").read_text(errors="replace")) from exc
                    time.sleep(0.2)
            yield {"base": base, "actions": f"http://127.0.0.1:{action_port}", "log": tmp_path / "access.log",
                   "error_log": tmp_path / "nginx" / "error.log"}
        finally:
            proc.terminate()
            proc.wait(timeout=20)


_TLS = ssl.create_default_context()
_TLS.check_hostname = False
_TLS.verify_mode = ssl.CERT_NONE


def get(url: str, data: bytes | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10, context=_TLS if url.startswith("https") else None) as resp:
            return resp.status, json.loads(resp.read() or b"{}"), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, {}, dict(exc.headers)


def test_tls_front_spreads_turns_over_both_rasa_processes_and_keeps_tokens_out_of_logs(tmp_path, certificate):
    with fake("rasa-1") as r1, fake("rasa-2") as r2, fake("actions-1") as a1, fake("actions-2") as a2, \
            front(tmp_path, certificate, [r1, r2], [a1, a2]) as nginx:
        seen = []
        for _ in range(8):
            status, body, headers = get(nginx["base"] + "/webhooks/rest/webhook?token=s3cr3t-token",
                                        data=b'{"sender": "x", "message": "bonjour"}')
            assert status == 200
            seen.append(body["server"])
        assert set(seen) == {"rasa-1", "rasa-2"}
        assert body["headers"]["x-forwarded-proto"] == "https" and body["headers"]["x-forwarded-for"] == "127.0.0.1"
        assert "max-age" in headers.get("Strict-Transport-Security", "")

        # the widget's socket.io connection stays on one process
        sticky = {get(nginx["base"] + "/socket.io/?EIO=4&transport=polling")[1]["server"] for _ in range(6)}
        assert len(sticky) == 1

        # Rasa reaches the action servers through the private action front, both used
        actions = {get(nginx["actions"] + "/webhook", data=b"{}")[1]["server"] for _ in range(6)}
        assert actions == {"actions-1", "actions-2"}

        # the page and the counsellors' workspace
        assert get(nginx["base"] + "/")[1]["server"] == "web"
        assert get(nginx["base"] + "/conseil/connexion")[1]["server"] == "counsel"

        # a body far above the message cap never reaches Rasa
        assert get(nginx["base"] + "/webhooks/rest/webhook", data=b"x" * 100_000)[0] == 413

        time.sleep(0.5)  # nginx writes its access log line after the response
        log = nginx["log"].read_text()
        assert "/webhooks/rest/webhook" in log and "s3cr3t-token" not in log


def test_a_stopped_rasa_process_is_skipped(tmp_path, certificate):
    with fake("rasa-1") as r1, fake("rasa-2") as r2, front(tmp_path, certificate, [r1, r2], []) as nginx:
        r2.shutdown()
        r2.server_close()
        statuses = [get(nginx["base"] + "/webhooks/rest/webhook", data=b"{}") for _ in range(6)]
        assert [s for s, _, _ in statuses] == [200] * 6
        assert {b["server"] for _, b, _ in statuses} == {"rasa-1"}


def test_the_http_api_is_only_for_allowed_addresses(tmp_path, certificate):
    with fake("rasa-1") as r1, front(tmp_path, certificate, [r1], [], api_allow=("10.255.255.1",)) as nginx:
        assert get(nginx["base"] + "/conversations/someone/tracker?token=x")[0] == 403
        assert get(nginx["base"] + "/model")[0] == 403
        assert get(nginx["base"] + "/webhooks/rest/webhook", data=b"{}")[0] == 200  # the channels stay public
    with fake("rasa-1") as r1, front(tmp_path / "b", certificate, [r1], []) as nginx:
        assert get(nginx["base"] + "/conversations/someone/tracker?token=x")[0] == 200


def test_large_bodies_are_forwarded_from_memory_not_spooled_to_a_temporary_file(tmp_path, certificate):
    # Rasa posts the whole tracker to the action servers (tens to hundreds of kB late in a conversation).
    # A body spooled to a temporary file went upstream in two writes, and Nagle's algorithm with the
    # delayed ACK held every action call 40 ms (turn p50 155 → 54 ms once fixed, make bench).
    with fake("rasa-1") as r1, fake("actions-1") as a1, front(tmp_path, certificate, [r1], [a1]) as nginx:
        tracker = json.dumps({"next_action": "action_x", "tracker": {"events": ["x" * 100] * 5000}}).encode()
        status, body, _ = get(nginx["actions"] + "/webhook", data=tracker)
        assert (status, body["server"], body["received"]) == (200, "actions-1", len(tracker))
        message = json.dumps({"sender": "s", "message": "é" * 2000, "metadata": {"x": "y" * 40_000}}).encode()
        status, body, _ = get(nginx["base"] + "/webhooks/rest/webhook", data=message)
        assert (status, body["received"]) == (200, len(message))
        log = nginx["error_log"].read_text(errors="replace")
        assert "buffered to a temporary file" not in log
