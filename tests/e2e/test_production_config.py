"""The configuration that scales: SQL tracker store on PostgreSQL, Redis lock store, several Rasa replicas.

Also: a conversation survives a restart of the servers (SQLite tracker store, the default).
"""

from __future__ import annotations

import concurrent.futures
import subprocess
import uuid

import pytest

from tests.support.servers import running_assistant

pytestmark = [pytest.mark.servers, pytest.mark.rasa]

STORY = "je suis en CDI depuis 3 ans à Lille et je voudrais devenir plombier"


def _user_texts(tracker: dict) -> list[str]:
    return [e.get("text") for e in tracker["events"] if e.get("event") == "user"]


def test_conversation_survives_a_restart(tmp_path):
    sender = str(uuid.uuid4())
    with running_assistant(tmp_path) as first:
        first.say(sender, STORY)
        before = first.tracker(sender)["slots"]
    assert before["contract"] == "cdi"
    with running_assistant(tmp_path) as second:  # same folder: same SQLite tracker store
        tracker = second.tracker(sender)
        assert tracker["slots"]["contract"] == "cdi"
        assert _user_texts(tracker) == [STORY]
        second.say(sender, "j'ai 31 ans")
        assert second.tracker(sender)["slots"]["age"] == 31


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                    "-c", sql], check=True, capture_output=True)


@pytest.fixture()
def postgres_db():
    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3).close()
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432 ({exc})")
    name = f"cap_tracker_{uuid.uuid4().hex[:8]}"
    _psql(f"CREATE DATABASE {name}")
    yield name
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture()
def redis_prefix():
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=6379, db=1, socket_timeout=3)
        client.ping()
    except Exception as exc:  # pragma: no cover
        pytest.skip(f"Redis not reachable on 127.0.0.1:6379 ({exc})")
    prefix = f"captest{uuid.uuid4().hex[:8]}"
    yield prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.mark.postgres
@pytest.mark.redis
def test_two_replicas_share_postgres_and_redis(tmp_path, postgres_db, redis_prefix):
    tracker = (f"tracker_store:\n  type: rasa_components.tracker_store.CapSQLTrackerStore\n  dialect: postgresql\n  url: 127.0.0.1\n  port: 5432\n"
               f"  db: {postgres_db}\n  username: postgres\n")
    lock = ("lock_store:\n  type: rasa_components.lock_store.AtomicRedisLockStore\n"
            f"  url: 127.0.0.1\n  port: 6379\n  db: 1\n  key_prefix: {redis_prefix}\n")
    env = {"SQL_POOL_SIZE": "5", "SQL_MAX_OVERFLOW": "5"}
    with running_assistant(tmp_path / "a", tracker=tracker, lock_store=lock, env=env) as replica_a, \
            running_assistant(tmp_path / "b", tracker=tracker, lock_store=lock, env=env) as replica_b:
        sender = str(uuid.uuid4())
        replica_a.say(sender, STORY)
        asked = replica_b.tracker(sender)["slots"]["requested_slot"]  # B sees what A did
        assert asked
        replica_b.say(sender, "je ne sais pas")
        slots = replica_a.tracker(sender)["slots"]
        assert slots["contract"] == "cdi" and asked in (slots.get("unknown_fields") or [])

        # the same conversation hit on both replicas at once, several times: the lock serialises the turns
        for _ in range(3):
            other = str(uuid.uuid4())
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                futures = [pool.submit(replica_a.say, other, "bonjour"), pool.submit(replica_b.say, other, "merci")]
                for future in futures:
                    assert future.result(timeout=120)
            events = replica_b.tracker(other)["events"]
            users = [i for i, e in enumerate(events) if e.get("event") == "user"]
            assert len(users) == 2, "a simultaneous turn was lost"
            # each user turn is followed by its own bot answer before the next user turn starts
            between = [e for e in events[users[0] + 1:users[1]] if e.get("event") == "bot"]
            assert between, "turns were interleaved"


@pytest.mark.postgres
@pytest.mark.redis
def test_processes_behind_nginx_survive_the_loss_of_one_rasa_and_one_action_server(tmp_path, postgres_db,
                                                                                    redis_prefix):
    """`RASA_PROCESSES=2 ACTION_PROCESSES=2 make run` (scripts/serve.py): a process lost, the person goes on."""
    import json
    import secrets
    import sys
    import urllib.request

    from tests.conftest import REPO
    from tests.support.servers import trained_model

    sys.path.insert(0, str(REPO / "scripts"))
    import serve

    if not serve.nginx_binary():
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")
    token = secrets.token_hex(16)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "action_endpoint:\n  url: ${ACTION_SERVER_URL}\n  headers:\n    X-Cap-Action-Token: ${ACTION_SERVER_TOKEN}\n"
        f"tracker_store:\n  type: rasa_components.tracker_store.CapSQLTrackerStore\n  dialect: postgresql\n  url: 127.0.0.1\n  port: 5432\n  db: {postgres_db}\n"
        "  username: postgres\nlock_store:\n  type: rasa_components.lock_store.AtomicRedisLockStore\n"
        f"  url: 127.0.0.1\n  port: 6379\n  db: 1\n  key_prefix: {redis_prefix}\n", encoding="utf-8")
    env = {"RASA_AUTH_TOKEN": token, "ACTION_SERVER_TOKEN": secrets.token_hex(16),
           "CAP_SESSION_SECRET": secrets.token_hex(16), "PYTHONPATH": str(REPO), "SQL_POOL_SIZE": "5",
           "SQL_MAX_OVERFLOW": "5", "CAP_VAR_DIR": str(tmp_path)}

    def say(url: str, sender: str, text: str) -> list[dict]:
        req = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=json.dumps(
            {"sender": sender, "message": text}).encode(), headers={"Authorization": f"Bearer {token}",
                                                                    "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read())

    with serve.cluster(model=trained_model(), endpoints=endpoints, credentials=REPO / "credentials.yml",
                       workdir=tmp_path / "serve", rasa_processes=2, action_processes=2, env=env,
                       rasa_args=["--enable-api", f"--auth-token={token}"]) as running:
        sender = str(uuid.uuid4())
        assert say(running.url, sender, STORY)
        running.rasa[0].kill()  # one Rasa process and one action server lost mid-conversation
        running.actions[0].kill()
        running.rasa[0].wait(timeout=20)
        running.actions[0].wait(timeout=20)
        for text in ("j'ai 31 ans", "le bac", "fais-moi le récapitulatif"):
            reply = say(running.url, sender, text)
            assert reply and "problème technique" not in json.dumps(reply, ensure_ascii=False), reply
        with urllib.request.urlopen(f"{running.url}/conversations/{sender}/tracker?token={token}", timeout=30) as resp:
            slots = json.loads(resp.read())["slots"]
        assert slots["contract"] == "cdi" and slots["age"] == 31  # the whole conversation was kept

