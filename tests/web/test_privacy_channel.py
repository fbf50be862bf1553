"""channels/privacy.py: reading back and erasing a widget conversation, on real tracker stores."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest

from channels.privacy import (
    PrivacyInput,
    bot_event_to_messages,
    conversation_messages,
    erase_conversation,
    is_valid_session_id,
    read_history,
)
from channels.web import issue_session

PG_DSN = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


# ----------------------------------------------------------------------------- helpers


def _tracker(sender_id: str, turns: int = 2):
    """A tracker with `turns` user/bot exchanges, the second answer carrying buttons."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker(sender_id, [])
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(UserUttered("/greet", intent={"name": "greet"}))
    tracker.update(BotUttered("Bonjour !\n\nQuelle est votre situation ?",
                              {"buttons": [{"title": "Salarié", "payload": "/choose_status"}]}))
    for i in range(turns - 1):
        tracker.update(UserUttered("/choose_status" if i == 0 else f"message {i}"))
        tracker.update(BotUttered(f"réponse {i}"))
    return tracker


def _run(coro):
    return asyncio.run(coro)


async def _user_bot_events(store: Any, sender_id: str) -> list[str]:
    tracker = await store.retrieve_full_tracker(sender_id)
    if tracker is None:
        return []
    return [e.type_name for e in tracker.events if e.type_name in ("user", "bot")]


def _lock_store():
    from rasa.core.lock_store import InMemoryLockStore

    return InMemoryLockStore()


def _check_erase_keeps_others(store: Any) -> None:
    """Erase one conversation of two: it is gone, the other is intact, the lock is released."""
    mine, other = str(uuid.uuid4()), str(uuid.uuid4())
    locks = _lock_store()

    async def scenario() -> None:
        await store.save(_tracker(mine, turns=3))
        await store.save(_tracker(other))
        assert len(await read_history(store, locks, mine)) == 7  # 3 user (1 hidden) + 4 bot parts
        await erase_conversation(store, locks, mine)
        assert await _user_bot_events(store, mine) == []
        assert await read_history(store, locks, mine) == []
        assert len(await _user_bot_events(store, other)) == 4
        assert locks.get_lock(mine) is None
        await erase_conversation(store, locks, mine)  # idempotent

    _run(scenario())


# ----------------------------------------------------------------------------- pure functions


@pytest.mark.parametrize("value, ok", [
    ("0b0d6a1e-6c1f-4f5e-9d8a-1c2b3d4e5f60", True),
    (uuid.uuid4().hex, True),
    ("0B0D6A1E-6C1F-4F5E-9D8A-1C2B3D4E5F60", False),  # the widget only makes lowercase ids
    ("default", False),
    ("", False),
    (None, False),
    (12345, False),
    ("0b0d6a1e-6c1f-4f5e-9d8a-1c2b3d4e5f6", False),
    ("0b0d6a1e-6c1f-4f5e-9d8a-1c2b3d4e5f60 ", False),
    ("0b0d6a1e-6c1f-4f5e-9d8a-1c2b3d4e5f60\n", False),
    ("' OR 1=1 --", False),
    ("../../etc/passwd", False),
    ("*", False),
])
def test_session_ids_must_be_uuid_shaped(value: Any, ok: bool) -> None:
    assert is_valid_session_id(value) is ok


def test_bot_event_is_split_like_the_socketio_channel() -> None:
    event = {"event": "bot", "text": "Un.\n\nDeux.\n\nTrois ?", "timestamp": 1.0,
             "data": {"buttons": [{"title": "Oui", "payload": "/affirm"}], "custom": {"data": {"text": "x"}},
                      "image": "https://example.org/i.png"}}
    out = bot_event_to_messages(event)
    assert [m.get("text") for m in out] == ["Un.", "Deux.", "Trois ?", "x", None]
    assert out[2]["quick_replies"] == [{"title": "Oui", "payload": "/affirm"}]
    assert "quick_replies" not in out[0]
    assert out[4]["attachment"]["payload"]["src"] == "https://example.org/i.png"
    assert all(m["sender"] == "bot" and m["timestamp"] == 1.0 for m in out)


def test_conversation_shows_button_titles_and_hides_bare_payloads() -> None:
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "/greet"},
        {"event": "bot", "text": "Votre situation ?", "data": {"quick_replies": [
            {"title": "Salarié du privé", "payload": '/choose_status{"status": "salarie_prive"}'}]}},
        {"event": "user", "text": '/choose_status{"status": "salarie_prive"}'},
        {"event": "slot", "name": "status", "value": "salarie_prive"},
        {"event": "bot", "text": "Merci."},
        {"event": "user", "text": '/choose_status{"status": "salarie_prive"}'},  # no button any more
        {"event": "user", "text": "je suis en CDI"},
    ]
    messages = conversation_messages(events)
    assert [(m["sender"], m["text"], m.get("hidden", False)) for m in messages] == [
        ("user", "", True),
        ("bot", "Votre situation ?", False),
        ("user", "Salarié du privé", False),
        ("bot", "Merci.", False),
        ("user", "", True),
        ("user", "je suis en CDI", False),
    ]


# ----------------------------------------------------------------------------- tracker stores


def test_erase_in_memory_store() -> None:
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    _check_erase_keeps_others(InMemoryTrackerStore(Domain.empty()))


def test_erase_sqlite_store_deletes_the_rows(tmp_path) -> None:
    import sqlite3

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    _check_erase_keeps_others(store)
    with sqlite3.connect(db) as conn:
        senders = conn.execute("SELECT DISTINCT sender_id FROM events").fetchall()
    assert len(senders) == 1  # only the other conversation is left


def test_erase_through_rasa_wrappers(tmp_path) -> None:
    """Agent wraps the store (FailSafeTrackerStore): the erase reaches the real one."""
    from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
    from rasa.shared.core.domain import Domain

    inner = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    _check_erase_keeps_others(FailSafeTrackerStore(inner))


@pytest.mark.redis
def test_erase_redis_store() -> None:
    redis = pytest.importorskip("redis")
    from rasa.core.tracker_store import RedisTrackerStore
    from rasa.shared.core.domain import Domain

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"capwidgettest{uuid.uuid4().hex[:8]}"
    store = RedisTrackerStore(Domain.empty(), host="127.0.0.1", port=6379, db=15, key_prefix=prefix)
    try:
        _check_erase_keeps_others(store)
        assert len(store.red.keys(store.key_prefix + "*")) == 1
    finally:
        for key in store.red.keys(store.key_prefix + "*"):
            store.red.delete(key)


@contextmanager
def _throwaway_postgres_db():
    psycopg2 = pytest.importorskip("psycopg2")
    name = f"cap_widget_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(dbname="postgres", connect_timeout=3, **PG_DSN)
    except psycopg2.OperationalError:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _pg_store(db: str):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    return SQLTrackerStore(Domain.empty(), dialect="postgresql", host=PG_DSN["host"], port=PG_DSN["port"],
                           db=db, username=PG_DSN["user"])


@pytest.mark.postgres
def test_erase_postgres_store() -> None:
    import psycopg2

    with _throwaway_postgres_db() as db:
        store = _pg_store(db)
        _check_erase_keeps_others(store)
        store.engine.dispose()
        with psycopg2.connect(dbname=db, **PG_DSN) as conn, conn.cursor() as cur:
            cur.execute("SELECT COUNT(DISTINCT sender_id) FROM events")
            assert cur.fetchone()[0] == 1


@pytest.mark.postgres
def test_erase_postgres_store_in_a_schema(monkeypatch) -> None:
    """With POSTGRESQL_SCHEMA set, Rasa writes to that schema and the erase deletes there."""
    import psycopg2

    with _throwaway_postgres_db() as db:
        with psycopg2.connect(dbname=db, **PG_DSN) as conn, conn.cursor() as cur:
            cur.execute("CREATE SCHEMA rasa_widget")
            cur.execute("CREATE TABLE public.events (id serial PRIMARY KEY, sender_id text)")  # a decoy
        monkeypatch.setenv("POSTGRESQL_SCHEMA", "rasa_widget")
        store = _pg_store(db)
        mine = str(uuid.uuid4())
        with psycopg2.connect(dbname=db, **PG_DSN) as conn, conn.cursor() as cur:
            cur.execute("INSERT INTO public.events (sender_id) VALUES (%s)", (mine,))
        _run(store.save(_tracker(mine)))
        _check_erase_keeps_others(store)
        _run(erase_conversation(store, _lock_store(), mine))
        store.engine.dispose()
        with psycopg2.connect(dbname=db, **PG_DSN) as conn, conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM rasa_widget.events WHERE sender_id = %s", (mine,))
            assert cur.fetchone()[0] == 0
            cur.execute("SELECT COUNT(DISTINCT sender_id) FROM rasa_widget.events")
            assert cur.fetchone()[0] == 1
            cur.execute("SELECT COUNT(*) FROM public.events")  # untouched: not Rasa's table
            assert cur.fetchone()[0] == 1


# ----------------------------------------------------------------------------- HTTP routes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def _privacy_server(store: Any):
    """The channel mounted on a real Sanic server (as `rasa run` does), on a free port."""
    from rasa.core.agent import Agent
    from rasa.core.run import configure_app
    from rasa.shared.core.domain import Domain
    from sanic import Sanic

    Sanic.test_mode = True  # several apps named like Rasa's in one process
    agent = Agent(domain=Domain.empty(), tracker_store=store, lock_store=_lock_store())
    app = configure_app([PrivacyInput.from_credentials({})], enable_api=False, use_uvloop=False)
    app.ctx.agent = agent
    port = _free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                     access_log=False)
    await server.startup()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/privacy", agent
    finally:
        server.close()
        await server.wait_closed()


def test_http_history_and_erase(tmp_path) -> None:
    import aiohttp
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    mine, my_token = issue_session()
    other = issue_session()[0]

    async def scenario() -> None:
        await store.save(_tracker(mine))
        await store.save(_tracker(other))
        async with _privacy_server(store) as (base, _), aiohttp.ClientSession() as http:
            # text/plain, as the widget sends it (no CORS preflight)
            r = await http.post(f"{base}/history", data=json.dumps({"session_id": my_token}),
                                headers={"Content-Type": "text/plain"})
            assert r.status == 200
            assert r.headers["Cache-Control"] == "no-store"
            body = await r.json()
            assert body["counts"] == {"user": 2, "bot": 3}
            assert [m["sender"] for m in body["messages"]] == ["user", "bot", "bot", "user", "bot"]
            assert body["messages"][0]["hidden"] is True
            assert body["messages"][3]["text"] == "Salarié"  # the button's title, not its payload
            assert body["messages"][2]["quick_replies"] == [{"title": "Salarié", "payload": "/choose_status"}]

            r = await http.post(f"{base}/erase", json={"session_id": my_token})
            assert r.status == 204
            assert await r.read() == b""
            r = await http.post(f"{base}/history", json={"session_id": my_token})
            assert (await r.json())["messages"] == []
            assert len(await _user_bot_events(store, other)) == 4
            r = await http.post(f"{base}/erase", json={"session_id": my_token})
            assert r.status == 204

    _run(scenario())


@pytest.mark.parametrize("body", [
    json.dumps({"session_id": "default"}),
    json.dumps({"session_id": "' OR 1=1 --"}),
    json.dumps({"session_id": ["0b0d6a1e-6c1f-4f5e-9d8a-1c2b3d4e5f60"]}),
    json.dumps({"session_id": None}),
    json.dumps({}),
    json.dumps(["0b0d6a1e-6c1f-4f5e-9d8a-1c2b3d4e5f60"]),
    "not json",
    "",
    json.dumps({"session_id": "0b0d6a1e-6c1f-4f5e-9d8a-1c2b3d4e5f60", "pad": "x" * 5000}),
])
def test_http_rejects_anything_but_a_uuid(body: str) -> None:
    import aiohttp
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    store = InMemoryTrackerStore(Domain.empty())

    async def scenario() -> None:
        await store.save(_tracker("default"))
        async with _privacy_server(store) as (base, _), aiohttp.ClientSession() as http:
            for route in ("history", "erase"):
                r = await http.post(f"{base}/{route}", data=body)
                assert r.status == 400, route
                error = await r.json()
                assert error["message_fr"] and error["message"]
                assert "messages" not in error
        assert await _user_bot_events(store, "default")  # nothing was erased

    _run(scenario())


def test_http_someone_elses_conversation_needs_its_signed_token() -> None:
    """A bare id (the victim's sender id) or a forged signature reads and erases nothing."""
    import aiohttp
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    store = InMemoryTrackerStore(Domain.empty())
    victim, victim_token = issue_session()
    forged = f"{victim}.{'A' * 43}"
    other_key = f"{victim}.{victim_token.split('.')[1][::-1]}"

    async def scenario() -> None:
        await store.save(_tracker(victim))
        async with _privacy_server(store) as (base, _), aiohttp.ClientSession() as http:
            for route in ("history", "erase"):
                for claim, status in ((victim, 400), (forged, 403), (other_key, 403)):
                    r = await http.post(f"{base}/{route}", json={"session_id": claim})
                    assert r.status == status, (route, claim)
                    assert "messages" not in await r.json()
        assert len(await _user_bot_events(store, victim)) == 4  # nothing was erased

    _run(scenario())


def test_http_wrong_method_is_refused() -> None:
    import aiohttp
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    async def scenario() -> None:
        async with _privacy_server(InMemoryTrackerStore(Domain.empty())) as (base, _), \
                aiohttp.ClientSession() as http:
            r = await http.get(f"{base}/history?session_id={uuid.uuid4()}")
            assert r.status == 405
            r = await http.get(f"{base}/")
            assert r.status == 200

    _run(scenario())
