"""The person shares their facts and results with their counsellor: a short code, or its revocation.

Only the profile facts and the result ids are shared (never the transcript). The code is said once,
expires after 7 days and opens one case once (bot.counsel.store).
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import evaluate_profile, profile_from, reading_mode

log = logging.getLogger(__name__)



def _say(dispatcher: CollectingDispatcher, key: str, **values: object) -> None:
    from bot.conversation.dialogue import messages

    dispatcher.utter_message(text=messages()["share"][key].format(**values))


def _session_factory():  # type: ignore[no-untyped-def]
    from actions.services import workspace_sessions

    return workspace_sessions()


class ActionShareWithCounsellor(Action):
    """"Je veux le montrer à mon conseiller" / PARTAGER: a code for the counsellor's workspace."""

    def name(self) -> str:
        return "action_share_with_counsellor"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from bot.counsel.store import SHARE_DAYS, create_share

        profile = profile_from(tracker)
        if not profile:
            _say(dispatcher, "nothing")
            return []
        result = evaluate_profile(profile, tracker)
        results = {key: [i["id"] for i in result.get(key, [])] for key in ("recommended", "to_check")}
        try:
            with _session_factory()() as db, db.begin():
                code = create_share(db, profile, results, conversation_id=tracker.sender_id)
        except Exception:  # the database is down: say so, never fail the conversation
            log.warning("share code not created", exc_info=True)
            _say(dispatcher, "unavailable")
            return []
        _say(dispatcher, "code", code=code, days=SHARE_DAYS)
        return []


class ActionRevokeShare(Action):
    """"Annuler le partage": the conversation's live code stops working."""

    def name(self) -> str:
        return "action_revoke_share"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from bot.counsel.store import revoke_shares

        try:
            with _session_factory()() as db, db.begin():
                n = revoke_shares(db, conversation_id=tracker.sender_id)
        except Exception:
            log.warning("share code not revoked", exc_info=True)
            _say(dispatcher, "unavailable")
            return []
        _say(dispatcher, "revoked" if n else "no_code")
        return []
