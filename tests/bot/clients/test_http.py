"""HttpClient against a real local server: retries, Retry-After, timeouts, bad bodies, safe downloads."""

from __future__ import annotations

import time

import pytest

from bot.clients.http import HttpClient, RetryPolicy, SourceAuthError, SourceError, parse_retry_after
from tests.fakes.opendata_server import OF_PATH, Fault

GEO = "/communes"


def client(server, sleeps=None, **kw) -> HttpClient:
    kw.setdefault("retry", RetryPolicy(attempts=3, backoff_s=0.01))
    return HttpClient(server.url, source="test", timeout_s=kw.pop("timeout_s", 2.0),
                      sleep=sleeps if sleeps is not None else time.sleep, **kw)


def test_retries_500_then_succeeds(server, sleeps):
    server.fail(GEO, Fault(status=500), Fault(status=503))
    payload = client(server, sleeps).get_json(GEO, {"codePostal": "62300"})
    assert payload[0]["code"] == "62498"
    assert server.count(GEO) == 3
    assert sleeps == [0.01, 0.02]  # exponential backoff


def test_gives_up_after_bounded_attempts(server, sleeps):
    server.fail(GEO, *[Fault(status=500)] * 5)
    with pytest.raises(SourceError) as err:
        client(server, sleeps).get_json(GEO)
    assert err.value.status == 500
    assert server.count(GEO) == 3
    assert "ne répond pas" in err.value.message_fr


def test_429_honours_retry_after(server, sleeps):
    server.fail(GEO, Fault(status=429, retry_after="2"))
    assert client(server, sleeps).get_json(GEO, {"codePostal": "62300"})
    assert sleeps == [2.0]


def test_429_with_too_long_retry_after_fails_fast(server, sleeps):
    server.fail(GEO, Fault(status=429, retry_after="3600"))
    with pytest.raises(SourceError) as err:
        client(server, sleeps).get_json(GEO)
    assert err.value.status == 429 and err.value.retry_after_s == 3600
    assert server.count(GEO) == 1 and sleeps == []


def test_timeout_is_a_source_error(server, sleeps):
    server.fail(GEO, Fault(delay_s=1.0), Fault(delay_s=1.0))
    started = time.monotonic()
    with pytest.raises(SourceError, match="timeout"):
        client(server, sleeps, timeout_s=0.2, retry=RetryPolicy(attempts=2, backoff_s=0.0)).get_json(GEO)
    assert time.monotonic() - started < 1.5


def test_deadline_stops_retrying(server):
    server.fail(GEO, *[Fault(delay_s=0.5)] * 4)
    c = client(server, timeout_s=5.0, retry=RetryPolicy(attempts=4, backoff_s=0.0))
    started = time.monotonic()
    with pytest.raises(SourceError):
        c.get_json(GEO, deadline=time.monotonic() + 0.3)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("body", [b"{not json", b"<html>Erreur</html>", b'{"a": [1, 2', b"\xff\xfe\x00garbage"])
def test_malformed_json_is_a_source_error(server, body):
    server.fail(GEO, Fault(body=body))
    with pytest.raises(SourceError, match="malformed"):
        client(server).get_json(GEO)


def test_truncated_json_is_a_source_error(server):
    server.fail(GEO, Fault(truncate_to=10), Fault(truncate_to=10), Fault(truncate_to=10))
    with pytest.raises(SourceError):
        client(server).get_json(GEO, {"codePostal": "62300"})


def test_client_errors_are_not_retried(server, sleeps):
    with pytest.raises(SourceError) as err:
        client(server, sleeps).get_json("/nowhere")
    assert err.value.status == 404 and server.count("/nowhere") == 1


def test_auth_errors_are_distinct(server):
    with pytest.raises(SourceAuthError):
        client(server).get_json("/api/v1/search/services", {"code_commune": "62498"})


def test_connection_refused_is_a_source_error(sleeps):
    c = HttpClient("http://127.0.0.1:9", source="test", timeout_s=0.5,
                   retry=RetryPolicy(attempts=2, backoff_s=0.0), sleep=sleeps)
    with pytest.raises(SourceError, match="network error"):
        c.get_json("/x")


def test_download_is_conditional_and_atomic(server, tmp_path):
    dest = tmp_path / "of.csv"
    c = client(server)
    first = c.download(OF_PATH, dest)
    assert first.status == "downloaded" and dest.read_bytes() == server.of_csv and first.etag
    again = c.download(OF_PATH, dest, etag=first.etag)
    assert again.status == "not_modified"
    assert server.requests[-1].headers.get("If-None-Match") == first.etag
    by_date = c.download(OF_PATH, dest, last_modified=first.last_modified)
    assert by_date.status == "not_modified"


def test_truncated_download_keeps_previous_file(server, tmp_path, sleeps):
    dest = tmp_path / "of.csv"
    dest.write_bytes(b"previous good file")
    server.fail(OF_PATH, *[Fault(truncate_to=100)] * 3)
    with pytest.raises(SourceError, match="truncated|cut"):
        client(server, sleeps).download(OF_PATH, dest)
    assert dest.read_bytes() == b"previous good file"
    assert list(tmp_path.iterdir()) == [dest]  # no .part left behind


def test_download_retries_a_truncated_transfer(server, tmp_path, sleeps):
    dest = tmp_path / "of.csv"
    server.fail(OF_PATH, Fault(truncate_to=100))
    result = client(server, sleeps).download(OF_PATH, dest)
    assert result.status == "downloaded" and dest.read_bytes() == server.of_csv


def test_parse_retry_after_forms():
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 10) == pytest.approx(10.0)
