"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps the messages it receives, for the referral tests."""

from __future__ import annotations

import email
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from tests.support.servers import free_port


@dataclass
class Received:
    """One message as the server got it: envelope and the parsed e-mail."""

    mail_from: str
    rcpt_tos: list[str]
    message: Message

    @property
    def body(self) -> str:
        part = self.message.get_payload(decode=True) if not self.message.is_multipart() else \
            self.message.get_payload(0).get_payload(decode=True)
        return part.decode(self.message.get_content_charset() or "utf-8")


@dataclass
class SmtpSink:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        msg = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """The messages once at least `count` arrived (AssertionError after `timeout`)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.1)
        raise AssertionError(f"{len(self.messages)} e-mail(s) received, {count} expected")


@contextmanager
def running_smtp() -> Iterator[SmtpSink]:
    """A local SMTP server on a free port (no TLS, no authentication)."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
