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

from actions.common import evaluate_profile, profile_from

log = logging.getLogger(__name__)

UNAVAILABLE = "Le partage avec un conseiller n'est pas disponible pour le moment. Réessayez un peu plus tard."


def _session_factory():  # type: ignore[no-untyped-def]
    from actions.services import workspace_sessions

    return workspace_sessions()


class ActionShareWithCounsellor(Action):
    """"Je veux le montrer à mon conseiller" / PARTAGER: a code for the counsellor's workspace."""

    def name(self) -> str:
        return "action_share_with_counsellor"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from bot.counsel.store import SHARE_DAYS, create_share

        profile = profile_from(tracker)
        if not profile:
            dispatcher.utter_message(text="Je n'ai encore rien à partager : racontez-moi d'abord votre situation.")
            return []
        result = evaluate_profile(profile, tracker)
        results = {key: [i["id"] for i in result.get(key, [])] for key in ("recommended", "to_check")}
        try:
            with _session_factory()() as db, db.begin():
                code = create_share(db, profile, results, conversation_id=tracker.sender_id)
        except Exception:  # the database is down: say so, never fail the conversation
            log.warning("share code not created", exc_info=True)
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        dispatcher.utter_message(text=(
            f"Voici votre code pour votre conseiller : {code}\n"
            f"Donnez-le lui (il est valable {SHARE_DAYS} jours et ne sert qu'une fois). Il lui montre ce que "
            "vous m'avez dit de votre situation et vos résultats, pas notre conversation. Notez-le : "
            "je ne pourrai pas le réafficher. Pour l'annuler, écrivez « annuler le partage »."))
        return []


class ActionRevokeShare(Action):
    """"Annuler le partage": the conversation's live code stops working."""

    def name(self) -> str:
        return "action_revoke_share"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from bot.counsel.store import revoke_shares

        try:
            with _session_factory()() as db, db.begin():
                n = revoke_shares(db, conversation_id=tracker.sender_id)
        except Exception:
            log.warning("share code not revoked", exc_info=True)
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        dispatcher.utter_message(text="C'est fait : votre code de partage ne fonctionne plus." if n else
                                 "Vous n'avez pas de code de partage en cours.")
        return []
