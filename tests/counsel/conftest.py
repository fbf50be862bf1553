"""Workspace fixtures: a migrated database (SQLite file, or a throwaway PostgreSQL database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bot.catalogue.db import make_engine

PG_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1/postgres"


def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database on 127.0.0.1:5432 (skips when the server is absent)."""
    admin = make_engine(PG_ADMIN_URL)
    name = f"cap_counsel_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except Exception as exc:  # noqa: BLE001 - no server: skip
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {type(exc).__name__}")
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1/{name}"
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    """An empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ws.db'}"
    else:
        yield from postgres_url()


@pytest.fixture
def engine(tmp_path):
    """A migrated SQLite workspace database."""
    from bot.counsel.store import workspace_engine

    eng = workspace_engine(f"sqlite:///{tmp_path / 'ws.db'}")
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def workspace(tmp_path_factory):
    """The real workspace server for the session (three accounts, see tests/counsel/workspace.py)."""
    from tests.counsel.workspace import running_workspace

    with running_workspace(tmp_path_factory.mktemp("workspace")) as ws:
        yield ws
