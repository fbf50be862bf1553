"""Rasa's SQL tracker store, without the count query of every save.

Rasa OSS 3.6's `SQLTrackerStore.save` first counts the conversation's stored events of the latest
session (`SELECT count(*)` over a sub-query for the latest `session_started`) to know which of the
tracker's events are new. The tracker it saves is, nearly always, the one it retrieved a moment
before under the conversation's lock: this subclass remembers on that tracker object how many of
its events are stored (set when it is retrieved and after each save) and slices from there. A
tracker it has not seen (created elsewhere, all sessions, an event history with a maximum length)
goes through Rasa's count as before. Same table, same rows, same options.

endpoints.yml:
    tracker_store:
      type: rasa_components.tracker_store.CapSQLTrackerStore
      dialect: postgresql   # or sqlite, as for Rasa's `type: SQL`
      …
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

#: Attribute set on a tracker: how many of its events (from the first) are in the database.
STORED = "_cap_stored_events"


def _remember(tracker: DialogueStateTracker) -> None:
    if tracker.events.maxlen is None:  # a capped history holds fewer events than the table
        setattr(tracker, STORED, len(tracker.events))


class CapSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that knows which events of a tracker it retrieved are already stored."""

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and not fetch_events_from_all_sessions:
            _remember(tracker)  # the latest session's events: what Rasa's count would find
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        _remember(tracker)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, STORED, None)
        if stored is None or stored > len(tracker.events):
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))
