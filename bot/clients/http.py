"""Shared HTTP plumbing: a session, explicit timeouts, bounded retries, Retry-After, safe downloads."""

from __future__ import annotations

import email.utils
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bot.errors import SourceUnavailable

log = logging.getLogger(__name__)

USER_AGENT = "cap-reconversion/0.1 (+https://github.com/; open-data client)"


class SourceError(SourceUnavailable):
    """An external source failed: network error, timeout, HTTP error or malformed body."""

    def __init__(self, source: str, detail: str, *, status: int | None = None,
                 retry_after_s: float | None = None, message_fr: str | None = None) -> None:
        self.source = source
        self.status = status
        self.retry_after_s = retry_after_s
        super().__init__(f"{source}: {detail}",
                         message_fr=message_fr or f"La source « {source} » ne répond pas correctement pour le moment.")


class SourceAuthError(SourceError):
    """The source refused our credentials (401/403) or none were configured."""


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to try, and how long to wait between tries."""

    attempts: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    max_retry_after_s: float = 30.0
    retry_statuses: tuple[int, ...] = (429, 500, 502, 503, 504)


#: The default for sync-style calls.
DEFAULT_RETRY = RetryPolicy()

#: One try only: for live look-ups that must answer within a small budget.
NO_RETRY = RetryPolicy(attempts=1)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclass(frozen=True)
class DownloadResult:
    """Outcome of a conditional download."""

    status: str  # "downloaded" | "not_modified"
    path: Path | None
    etag: str | None
    last_modified: str | None
    bytes: int = 0


class HttpClient:
    """A `requests.Session` bound to one source, with timeouts and bounded retries on every call."""

    def __init__(self, base_url: str, *, source: str, timeout_s: float = 5.0,
                 retry: RetryPolicy = DEFAULT_RETRY, session: requests.Session | None = None,
                 headers: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.source = source
        self.timeout_s = timeout_s
        self.retry = retry
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        if headers:
            self.session.headers.update(headers)
        self._sleep = sleep

    def url(self, path: str) -> str:
        """Absolute URL for `path` (an absolute URL is kept as is)."""
        if path.startswith(("http://", "https://")):
            return path
        if not path:
            return self.base_url
        return f"{self.base_url}/{path.lstrip('/')}"

    def close(self) -> None:
        """Release the pooled connections."""
        self.session.close()

    # -- core ------------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None, stream: bool = False,
                ok: tuple[int, ...] = (200,), deadline: float | None = None) -> requests.Response:
        """Send one request with retries; return a response whose status is in `ok`.

        `deadline` (a `time.monotonic()` value) stops retrying, and shortens timeouts, when a
        caller has a time budget. Any failure becomes a `SourceError`.
        """
        url = self.url(path)
        last_error: SourceError | None = None
        for attempt in range(1, self.retry.attempts + 1):
            timeout = self.timeout_s
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0.05:
                    break
                timeout = min(timeout, remaining)
            try:
                response = self.session.request(method, url, params=params, headers=headers,
                                                stream=stream, timeout=timeout)
            except requests.Timeout as exc:
                last_error = SourceError(self.source, f"timeout after {timeout:.1f}s ({type(exc).__name__})")
                wait = self._backoff(attempt)
            except requests.RequestException as exc:
                last_error = SourceError(self.source, f"network error ({type(exc).__name__})")
                wait = self._backoff(attempt)
            else:
                if response.status_code in ok:
                    return response
                status = response.status_code
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                body_hint = _short_body(response)
                response.close()
                if status in (401, 403):
                    raise SourceAuthError(self.source, f"HTTP {status} (credentials refused)", status=status,
                                          message_fr=f"La source « {self.source} » refuse l'accès (clé absente ou invalide).")
                if status not in self.retry.retry_statuses:
                    raise SourceError(self.source, f"HTTP {status}: {body_hint}", status=status)
                last_error = SourceError(self.source, f"HTTP {status}", status=status, retry_after_s=retry_after)
                if retry_after is not None:
                    if retry_after > self.retry.max_retry_after_s:
                        log.warning("%s asks to wait %.0fs (over our cap): giving up", self.source, retry_after)
                        raise last_error
                    wait = retry_after
                else:
                    wait = self._backoff(attempt)
            if attempt >= self.retry.attempts:
                break
            if deadline is not None and time.monotonic() + wait >= deadline:
                break
            log.info("%s: attempt %d failed (%s); retrying in %.2fs", self.source, attempt, last_error, wait)
            self._sleep(wait)
        assert last_error is not None or deadline is not None
        raise last_error or SourceError(self.source, "time budget exhausted")

    def _backoff(self, attempt: int) -> float:
        return min(self.retry.max_backoff_s, self.retry.backoff_s * (2 ** (attempt - 1)))

    def get_json(self, path: str, params: Mapping[str, Any] | None = None, *,
                 deadline: float | None = None, ok: tuple[int, ...] = (200,)) -> Any:
        """GET and decode JSON; a malformed or truncated body is a `SourceError`."""
        response = self.request("GET", path, params=params, deadline=deadline, ok=ok,
                                headers={"Accept": "application/json"})
        try:
            return response.json()
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
            raise SourceError(self.source, f"malformed JSON body ({type(exc).__name__})",
                              status=response.status_code) from exc
        except requests.RequestException as exc:  # body cut while reading
            raise SourceError(self.source, f"body read failed ({type(exc).__name__})") from exc

    # -- downloads -------------------------------------------------------------------------------
    def download(self, path: str, dest: Path, *, params: Mapping[str, Any] | None = None,
                 etag: str | None = None, last_modified: str | None = None,
                 progress: Callable[[int, int | None], None] | None = None,
                 chunk_size: int = 1 << 16) -> DownloadResult:
        """Stream `path` into `dest` (atomically), honouring ETag / If-Modified-Since.

        The body goes to a temporary file next to `dest` and is renamed only when complete, so an
        interrupted or truncated download never replaces a good file. Retries cover the whole
        transfer.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        dest.parent.mkdir(parents=True, exist_ok=True)
        last_error: SourceError | None = None
        for attempt in range(1, self.retry.attempts + 1):
            response = self.request("GET", path, params=params, headers=headers, stream=True, ok=(200, 304))
            if response.status_code == 304:
                response.close()
                return DownloadResult("not_modified", None, etag, last_modified)
            try:
                written = self._stream_to(response, dest, progress, chunk_size)
            except SourceError as exc:
                last_error = exc
                if attempt >= self.retry.attempts:
                    break
                wait = self._backoff(attempt)
                log.info("%s: download attempt %d failed (%s); retrying in %.2fs", self.source, attempt, exc, wait)
                self._sleep(wait)
                continue
            return DownloadResult("downloaded", dest, response.headers.get("ETag"),
                                  response.headers.get("Last-Modified"), written)
        assert last_error is not None
        raise last_error

    def _stream_to(self, response: requests.Response, dest: Path,
                   progress: Callable[[int, int | None], None] | None, chunk_size: int) -> int:
        expected = response.headers.get("Content-Length")
        expected_n = int(expected) if expected and expected.isdigit() else None
        if response.headers.get("Content-Encoding"):
            expected_n = None  # Content-Length counts compressed bytes
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        written = 0
        try:
            with os.fdopen(fd, "wb") as out:
                try:
                    for chunk in response.iter_content(chunk_size=chunk_size):
                        if chunk:
                            out.write(chunk)
                            written += len(chunk)
                            if progress:
                                progress(written, expected_n)
                except requests.RequestException as exc:
                    raise SourceError(self.source, f"download cut after {written} bytes ({type(exc).__name__})") from exc
                finally:
                    response.close()
            if expected_n is not None and written < expected_n:
                raise SourceError(self.source, f"truncated download: {written} of {expected_n} bytes")
            os.replace(tmp_name, dest)
            return written
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise


def _short_body(response: requests.Response) -> str:
    try:
        text = response.text
    except Exception:  # noqa: BLE001 - only a hint for the log
        return ""
    return " ".join(text.split())[:200]
