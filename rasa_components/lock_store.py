"""A Redis lock store whose ticket operations are atomic (optimistic Redis transactions).

Rasa OSS 3.6's `RedisLockStore` reads a conversation's lock, changes it in Python and writes it
back. Two replicas receiving messages of the same conversation at the same moment can both read
the same lock and issue the same ticket, then process the two messages concurrently: one of the
two turns is lost from the tracker (seen in tests/e2e/test_production_config.py). The concurrent
variant of Rasa is Rasa Pro only. This subclass keeps Rasa's ticket logic and storage format and
wraps every read-modify-write in WATCH/MULTI/EXEC, retrying when another replica changed the lock.

endpoints.yml:
    lock_store:
      type: rasa_components.lock_store.AtomicRedisLockStore
      url: <redis host>
      port: 6379
      db: 1
      key_prefix: cap
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.constants import DEFAULT_LOCK_LIFETIME
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ATTEMPTS = 200


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` with atomic ticket issue, update and release."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        super().__init__(**kwargs)

    def _transact(self, conversation_id: str,
                  change: Callable[[TicketLock | None], tuple[TicketLock | None, T]]) -> T:
        """Apply `change` to the stored lock atomically; `change` returns (new lock or None to delete, result)."""
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            for _ in range(MAX_ATTEMPTS):
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, result = change(lock)
                    pipe.multi()
                    if new_lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new_lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another replica changed the lock meanwhile: read it again
        raise LockError(f"Could not update the lock of conversation '{conversation_id}' (too much contention).")

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = DEFAULT_LOCK_LIFETIME) -> int:
        """Issue a ticket; concurrent callers always get distinct tickets."""

        def change(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._transact(conversation_id, change)

    def update_lock(self, conversation_id: str) -> None:
        """Remove expired tickets (atomically)."""

        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._transact(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove a served ticket (atomically)."""

        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._transact(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket and, if nobody is waiting, the lock itself — in one transaction."""

        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._transact(conversation_id, change)
