"""`python -m bot purge`: old conversations leave the tracker store, recent ones stay."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import REPO

DAY = 86400.0


def _tracker(sender_id: str, last_activity: float):
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker(sender_id, [])
    tracker.update(ActionExecuted("action_listen", timestamp=last_activity - 60))
    tracker.update(UserUttered("j'ai 45 ans et une RQTH", intent={"name": "inform"}, timestamp=last_activity - 30))
    tracker.update(BotUttered("Merci.", timestamp=last_activity))
    return tracker


def _purge(endpoints, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "purge", "--endpoints", str(endpoints), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def _scenario(store, endpoints, *args: str) -> tuple[list[str], list[str]]:
    """Save one old and one recent conversation, purge, return (kept, removed) sender ids."""
    now = time.time()
    old, recent, edge = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())

    async def save() -> None:
        await store.save(_tracker(old, now - 200 * DAY))
        await store.save(_tracker(recent, now - 2 * DAY))
        await store.save(_tracker(edge, now - 170 * DAY))  # inside the 6-month default

    asyncio.run(save())
    result = _purge(endpoints, *args)
    assert result.returncode == 0, result.stderr

    async def present(sender: str) -> bool:
        tracker = await store.retrieve_full_tracker(sender)
        return tracker is not None and any(e.type_name == "user" for e in tracker.events)

    kept = [s for s in (old, recent, edge) if asyncio.run(present(s))]
    removed = [s for s in (old, recent, edge) if s not in kept]
    return kept, removed


def test_purge_sqlite_default_retention_is_six_months(tmp_path) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {db}\n", encoding="utf-8")
    kept, removed = _scenario(store, endpoints)
    assert len(removed) == 1 and len(kept) == 2


def test_purge_sqlite_configurable_retention(tmp_path) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {db}\n", encoding="utf-8")
    kept, removed = _scenario(store, endpoints, "--older-than", "30d")
    assert len(removed) == 2 and len(kept) == 1


@pytest.mark.postgres
def test_purge_postgresql(tmp_path) -> None:
    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3).close()
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432 ({exc})")
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    name = f"cap_purge_{uuid.uuid4().hex[:8]}"
    store = SQLTrackerStore(Domain.empty(), dialect="postgresql", host="127.0.0.1", port=5432, db=name,
                            username="postgres", login_db="postgres")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n  port: 5432\n"
                         f"  db: {name}\n  username: postgres\n  login_db: postgres\n", encoding="utf-8")
    try:
        kept, removed = _scenario(store, endpoints, "--older-than", "6m")
        assert len(removed) == 1 and len(kept) == 2
    finally:
        store.engine.dispose()
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c",
                        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)


def test_purge_rejects_a_bad_duration(tmp_path) -> None:
    result = _purge(tmp_path / "missing.yml", "--older-than", "bientôt")
    assert result.returncode == 2 and "Durée invalide" in result.stderr


@pytest.mark.redis
def test_purge_redis_tracker_store(tmp_path) -> None:
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, db=2, socket_timeout=3).ping()
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"Redis not reachable on 127.0.0.1:6379 ({exc})")
    from rasa.core.tracker_store import RedisTrackerStore
    from rasa.shared.core.domain import Domain

    prefix = f"cappurge{uuid.uuid4().hex[:8]}"
    store = RedisTrackerStore(Domain.empty(), host="127.0.0.1", port=6379, db=2, key_prefix=prefix)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n  db: 2\n"
                         f"  key_prefix: {prefix}\n", encoding="utf-8")
    try:
        kept, removed = _scenario(store, endpoints)
        assert len(removed) == 1 and len(kept) == 2
    finally:
        for key in store.red.scan_iter(f"{prefix}*"):
            store.red.delete(key)
