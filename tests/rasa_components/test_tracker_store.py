"""CapSQLTrackerStore: the same rows as Rasa's SQLTrackerStore, without the count query of each save.

Run on SQLite and on the real PostgreSQL of the production profile (127.0.0.1:5432, skipped when
it is not there), through the store's public methods, as Rasa's processor calls them.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.utils.endpoints import EndpointConfig

from rasa_components.tracker_store import CapSQLTrackerStore
from tests.support.aio import run_async

DOMAIN = Domain.from_yaml("slots:\n  age:\n    type: float\n    mappings:\n    - type: custom\n")


def _postgres_database() -> str:
    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3).close()
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432 ({exc})")
    return f"cap_store_{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request, tmp_path) -> Iterator[tuple[CapSQLTrackerStore, SQLTrackerStore]]:
    """Ours and Rasa's on the same database, and a count of the SQL statements ours sends."""
    if request.param == "sqlite":
        kwargs = {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    else:
        kwargs = {"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "db": _postgres_database(),
                  "username": "postgres", "login_db": "postgres"}
    ours, rasa = CapSQLTrackerStore(DOMAIN, **kwargs), SQLTrackerStore(DOMAIN, **kwargs)
    ours.statements = []

    @sa.event.listens_for(ours.engine, "before_cursor_execute")
    def record(conn, cursor, statement, *args):  # noqa: ANN001, ARG001
        ours.statements.append(statement)

    try:
        yield ours, rasa
    finally:
        ours.engine.dispose()
        rasa.engine.dispose()
        if request.param == "postgresql":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c",
                            f"DROP DATABASE IF EXISTS {kwargs['db']} WITH (FORCE)"], capture_output=True, timeout=60)


def _turn(tracker, text: str, age: float) -> None:
    for event in (UserUttered(text, {"name": "inform"}), SlotSet("age", age), ActionExecuted("profile_form"),
                  BotUttered("Je note."), ActionExecuted("action_listen")):
        tracker.update(event)


def _rows(store: SQLTrackerStore, sender: str) -> list[dict]:
    full = run_async(store.retrieve_full_tracker(sender))
    return [e.as_dict() for e in full.events] if full else []


def _first_turn(store: CapSQLTrackerStore, sender: str, text: str, age: float):
    """A new conversation (as Rasa creates it), retrieved, one turn played and saved: the tracker."""
    run_async(store.get_or_create_tracker(sender))
    tracker = run_async(store.retrieve(sender))
    _turn(tracker, text, age)
    run_async(store.save(tracker))
    return tracker


def _latest_session(store: SQLTrackerStore, sender: str) -> list[dict]:
    return [e.as_dict() for e in run_async(store.retrieve(sender)).events]


def test_turns_are_stored_once_each_without_counting_first(stores):
    ours, rasa = stores
    sender = "s1"
    tracker = run_async(ours.get_or_create_tracker(sender))
    for i in range(3):
        ours.statements.clear()
        tracker = run_async(ours.retrieve(sender))  # each turn: retrieve, change, save — as the processor does
        _turn(tracker, f"message {i}", 30 + i)
        run_async(ours.save(tracker))
        assert not [s for s in ours.statements if "count(" in s.lower()], "a turn still counted the stored events"
        assert len(_rows(rasa, sender)) == len(tracker.events)
    # Rasa's own store reads back exactly what ours wrote, in order
    assert _latest_session(rasa, sender) == [e.as_dict() for e in tracker.events]
    assert run_async(rasa.retrieve(sender)).get_slot("age") == 32


def test_saving_the_same_tracker_twice_adds_only_the_new_events(stores):
    ours, rasa = stores
    tracker = _first_turn(ours, "s2", "un", 40)
    run_async(ours.save(tracker))
    _turn(tracker, "deux", 41)
    run_async(ours.save(tracker))
    assert _latest_session(rasa, "s2") == [e.as_dict() for e in tracker.events]


def test_a_new_session_keeps_the_old_one_stored_and_adds_the_new(stores):
    ours, rasa = stores
    _first_turn(ours, "s3", "avant", 50)
    tracker = run_async(ours.retrieve("s3"))
    time.sleep(0.01)
    later = time.time()  # the new session starts after the old turn and before the new one
    for event in (ActionExecuted("action_session_start", timestamp=later), SessionStarted(timestamp=later),
                  ActionExecuted("action_listen", timestamp=later)):
        tracker.update(event)
    _turn(tracker, "après", 51)
    run_async(ours.save(tracker))
    assert len(_rows(rasa, "s3")) == len(tracker.events)  # nothing twice, nothing lost
    latest = run_async(rasa.retrieve("s3"))
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["après"]


def test_a_tracker_it_did_not_retrieve_is_saved_as_rasa_does(stores):
    from rasa.shared.core.trackers import DialogueStateTracker

    ours, rasa = stores
    tracker = _first_turn(ours, "s4", "un", 20)
    copy = DialogueStateTracker.from_dict("s4", [e.as_dict() for e in tracker.events], DOMAIN.slots)
    _turn(copy, "deux", 21)
    ours.statements.clear()
    run_async(ours.save(copy))
    assert [s for s in ours.statements if "count(" in s.lower()], "an unknown tracker must be counted"
    assert _latest_session(rasa, "s4") == [e.as_dict() for e in copy.events]


def test_endpoints_yml_type_loads_it_with_rasa_sql_options(tmp_path):
    config = EndpointConfig(type="rasa_components.tracker_store.CapSQLTrackerStore", dialect="sqlite",
                            db=str(tmp_path / "t.db"))
    store = TrackerStore.create(config, DOMAIN)
    inner = getattr(store, "_tracker_store", store)
    assert isinstance(inner, CapSQLTrackerStore)
    run_async(store.save(run_async(store.get_or_create_tracker("s5"))))
    assert run_async(store.retrieve("s5")) is not None
