"""Referral with consent (issue 10): a structure near the person calls them back.

Thin adapter over `bot.referrals`: `referral_form` asks which structure (`referral_structure`), the
explicit consent after saying exactly what is sent (`referral_consent`, Oui / Non), then a phone
number or e-mail (`referral_contact`, validated); `action_referral_submit` creates the referral and
e-mails the structure. Nothing is created or sent without the consent. "Où en est ma demande ?" and
"annuler ma demande" read and cancel it; "parler à un conseiller" offers it during office hours
(actions/help.py).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import evaluate_profile, profile_from, reading_mode, send
from bot.conversation.dialogue import Reply, messages
from bot.referrals import structures as texts

log = logging.getLogger(__name__)

FORM = "referral_form"
SLOTS = ("referral_structure", "referral_consent", "referral_contact")


def _session_factory():  # type: ignore[no-untyped-def]
    from actions.services import workspace_sessions

    return workspace_sessions()


def offers_for(tracker: Tracker) -> tuple[dict[str, Any] | None, list[texts.Offer]]:
    """(the person's place, the structures near it, those that can receive a referral first)."""
    from actions.help import _accompaniments, _place
    from actions.services import get_services
    from bot.referrals.channels import load_channels
    from bot.referrals.mail import smtp_settings

    place = _place(tracker)
    if place is None:
        return None, []
    channels = load_channels() if smtp_settings() is not None else {}
    with get_services().session_factory() as session:
        return place, texts.nearby_offers(session, place, profile_from(tracker), _accompaniments(tracker), channels)


def _chosen(tracker: Tracker, offers: list[texts.Offer]) -> texts.Offer | None:
    offer = texts.find_offer(offers, tracker.get_slot("referral_structure"))
    return offer if offer is not None and offer.channel is not None else None


def _reset(keep_structure: bool = True) -> list[EventType]:
    return [SlotSet("referral_consent", None), SlotSet("referral_contact", None)] + \
        ([] if keep_structure else [SlotSet("referral_structure", None)])


class ValidateReferralForm(FormValidationAction):
    """Which structure, consent, contact: the form ends early without a place, a channel or the consent."""

    def name(self) -> str:
        return "validate_referral_form"

    @reading_mode
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        _place, offers = offers_for(tracker)
        if not any(o.channel is not None for o in offers):
            return []  # action_referral_submit says why and gives the contacts
        if tracker.get_slot("referral_consent") is False:
            return []
        return list(SLOTS)

    def validate_referral_structure(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        _place, offers = offers_for(tracker)
        offer = texts.find_offer(offers, str(value) if value else None)
        if offer is None or offer.channel is None:
            return {"referral_structure": None}
        return {"referral_structure": offer.structure_id}

    def validate_referral_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        from bot.referrals.contact import find_contact

        contact = find_contact(str(value or ""))
        if contact is None:
            send(dispatcher, texts.say("bad_contact"))
            return {"referral_contact": None}
        return {"referral_contact": f"{contact.kind}:{contact.value}"}


class AskReferralStructure(Action):
    def name(self) -> str:
        return "action_ask_referral_structure"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        _place, offers = offers_for(tracker)
        send(dispatcher, texts.choose_reply(offers))
        return []


class AskReferralConsent(Action):
    def name(self) -> str:
        return "action_ask_referral_consent"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        _place, offers = offers_for(tracker)
        offer = _chosen(tracker, offers)
        if offer is not None:
            send(dispatcher, texts.consent_reply(offer))
        return []


class AskReferralContact(Action):
    def name(self) -> str:
        return "action_ask_referral_contact"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        _place, offers = offers_for(tracker)
        offer = _chosen(tracker, offers)
        send(dispatcher, texts.say("ask_contact", name=offer.name if offer else "la structure"))
        return []


class ActionReferralSubmit(Action):
    """The form is done: create and send the referral (consent given), or say why nothing was sent."""

    def name(self) -> str:
        return "action_referral_submit"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from bot.referrals import mail, service
        from bot.referrals.contact import Contact, masked

        place, offers = offers_for(tracker)
        if place is None:
            send(dispatcher, texts.say("need_place"))
            return _reset()
        if not any(o.channel is not None for o in offers):
            send(dispatcher, texts.no_channel_reply(offers, messages()["human"]["generic"]))
            return _reset()
        offer = _chosen(tracker, offers)
        raw = str(tracker.get_slot("referral_contact") or "")
        if tracker.get_slot("referral_consent") is not True or offer is None or ":" not in raw:
            send(dispatcher, texts.say("no_consent"))
            return _reset()
        kind, _, value = raw.partition(":")
        contact = Contact(kind, value)
        profile = profile_from(tracker)
        results = service.results_of(evaluate_profile(profile, tracker)) if profile else {}
        settings = mail.smtp_settings()
        try:
            with _session_factory()() as db, db.begin():
                current = service.open_referral(db, tracker.sender_id)
                if current is not None and current.structure_id == offer.structure_id:
                    send(dispatcher, texts.say("already", name=current.structure_name))
                    return _reset()
                target = service.Target(offer.structure_id, offer.name, offer.channel.workspace or offer.name,
                                        offer.channel.email)
                ref = service.create_referral(db, sender_id=tracker.sender_id, target=target, contact=contact,
                                              facts=profile, results=results, departement=place.get("departement"))
                subject, body = mail.referral_email(ref, service.fact_lines(profile))
                if settings is None:
                    raise mail.MailError("SMTP not configured")
                mail.send(settings, target.email, subject, body)  # failure: rollback, nothing kept
                ref.notified_at = ref.created_at
        except Exception as exc:  # noqa: BLE001 - the database or SMTP server is down: say so, keep nothing
            log.warning("referral not sent: %s", type(exc).__name__)
            send(dispatcher, texts.say("not_sent", name=offer.name, contact=offer.contact_fr()))
            return _reset()
        log.info("referral created")
        send(dispatcher, texts.say("sent", name=offer.name, channel=contact.channel_fr(), masked=masked(contact)))
        return _reset()


class ActionReferralStop(Action):
    """"Non merci" / "annuler" while the referral is being prepared: nothing is sent."""

    def name(self) -> str:
        return "action_referral_stop"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        send(dispatcher, texts.say("no_consent"))
        return [*_reset(), SlotSet("requested_slot", None)]


class ActionReferralStatus(Action):
    """"Où en est ma demande ?": the status of the person's latest referral, in plain French."""

    def name(self) -> str:
        return "action_referral_status"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from bot.referrals import service

        try:
            with _session_factory()() as db:
                ref = service.latest_referral(db, tracker.sender_id)
                reply = Reply(service.status_fr(ref)) if ref is not None else texts.say("none_yet")
        except Exception as exc:  # noqa: BLE001
            log.warning("referral status unavailable: %s", type(exc).__name__)
            reply = texts.say("unavailable")
        send(dispatcher, reply)
        return []


class ActionCancelReferral(Action):
    """"Annuler ma demande": the open referral is cancelled, the contact deleted, the structure told."""

    def name(self) -> str:
        return "action_cancel_referral"

    @reading_mode
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from bot.referrals import mail, service
        from bot.referrals.channels import load_channels

        try:
            with _session_factory()() as db, db.begin():
                ref = service.cancel(db, tracker.sender_id)
                if ref is None:
                    send(dispatcher, texts.say("none_yet"))
                    return _reset()
                name = ref.structure_name
                channel = load_channels().get(ref.structure_id)
                settings = mail.smtp_settings()
                subject, body = mail.cancelled_email(ref)
        except Exception as exc:  # noqa: BLE001
            log.warning("referral not cancelled: %s", type(exc).__name__)
            send(dispatcher, texts.say("unavailable"))
            return []
        if channel is not None and settings is not None:
            try:
                mail.send(settings, channel.email, subject, body)
            except mail.MailError as exc:  # the workspace shows it cancelled anyway
                log.warning("cancellation e-mail not sent: %s", exc)
        send(dispatcher, texts.say("cancelled", name=name))
        return _reset()
