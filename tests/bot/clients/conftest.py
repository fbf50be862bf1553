"""Fixtures: a real local HTTP server replaying open-data responses (tests/fakes/opendata_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.opendata_server import FakeOpenDataServer


@pytest.fixture
def server() -> Iterator[FakeOpenDataServer]:
    with FakeOpenDataServer() as srv:
        yield srv


class Sleeps(list):
    """Records the waits a client asked for, without waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
