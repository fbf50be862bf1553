"""AtomicRedisLockStore against a real Redis: distinct tickets and one holder at a time across replicas."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest

from tests.support.aio import run_async

pytestmark = pytest.mark.redis


@pytest.fixture()
def stores():
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, db=1, socket_timeout=3).ping()
    except Exception as exc:  # pragma: no cover
        pytest.skip(f"Redis not reachable on 127.0.0.1:6379 ({exc})")
    from rasa.utils.endpoints import EndpointConfig

    from rasa_components.lock_store import AtomicRedisLockStore

    prefix = f"captest{uuid.uuid4().hex[:8]}"
    config = EndpointConfig(url="127.0.0.1", port=6379, db=1, key_prefix=prefix,
                            type="rasa_components.lock_store.AtomicRedisLockStore")
    made = [AtomicRedisLockStore(endpoint_config=config) for _ in range(4)]  # four "replicas"
    yield made
    for key in made[0].red.scan_iter(f"{prefix}*"):
        made[0].red.delete(key)


def test_built_by_rasa_from_endpoints(stores):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    store = LockStore.create(EndpointConfig(url="127.0.0.1", port=6379, db=1, key_prefix="capcheck",
                                            type="rasa_components.lock_store.AtomicRedisLockStore"))
    assert type(store).__name__ == "AtomicRedisLockStore" and store.key_prefix.startswith("capcheck:")


def test_concurrent_tickets_are_all_distinct(stores):
    conversation = str(uuid.uuid4())
    tickets: list[int] = []
    barrier = threading.Barrier(16)

    def take(store):
        barrier.wait()
        tickets.append(store.issue_ticket(conversation))

    threads = [threading.Thread(target=take, args=(stores[i % len(stores)],)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(tickets) == list(range(16))


def test_one_holder_at_a_time_across_replicas(stores):
    conversation = str(uuid.uuid4())
    holding = 0
    most = 0
    done = 0

    async def turn(store):
        nonlocal holding, most, done
        async with store.lock(conversation, wait_time_in_seconds=0.01):
            holding += 1
            most = max(most, holding)
            await asyncio.sleep(0.02)
            holding -= 1
            done += 1

    async def main():
        await asyncio.gather(*(turn(stores[i % len(stores)]) for i in range(12)))

    run_async(main())
    assert done == 12 and most == 1
    assert stores[0].get_lock(conversation) is None  # cleaned up after the last turn
