"""Opening hours of the directory (OpenStreetMap syntax): open, closed, or unknown."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.conversation.dialogue import Reply
from bot.referrals.channels import Channel
from bot.referrals.hours import is_open
from bot.referrals.structures import Offer, handoff_reply

HOURS = "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off"


@pytest.mark.parametrize(("when", "expected"), [
    ("2026-12-03 10:00", True),   # Thursday morning
    ("2026-12-03 12:30", False),  # lunch break
    ("2026-12-03 17:00", False),  # closes at 17:00
    ("2026-12-05 11:59", True),   # Saturday morning
    ("2026-12-06 10:00", False),  # Sunday
])
def test_opening_hours(when: str, expected: bool) -> None:
    assert is_open(HOURS, datetime.fromisoformat(when)) is expected


@pytest.mark.parametrize("value", [None, "", "sur rendez-vous", "Mo-Fr matin"])
def test_unreadable_hours_are_unknown(value) -> None:
    assert is_open(value, datetime(2026, 12, 3, 10)) is None


def _offer(channel: bool) -> Offer:
    return Offer("dora--ml", "Mission locale de Lens", phone="03 21 00 00 00", hours=HOURS,
                 channel=Channel("dora--ml", "accueil@ml.example", None) if channel else None)


def test_handoff_offers_the_referral_during_office_hours() -> None:
    reply = handoff_reply(_offer(True), datetime(2026, 12, 3, 10))
    assert isinstance(reply, Reply) and "ouvert en ce moment" in reply.text
    assert reply.buttons[0].payload == '/request_callback{"referral_structure": "dora--ml"}'


def test_handoff_outside_hours_says_when_and_how() -> None:
    reply = handoff_reply(_offer(True), datetime(2026, 12, 3, 19))
    assert "fermé en ce moment" in reply.text and "03 21 00 00 00" in reply.text
    assert "du lundi au vendredi" in reply.text and not reply.buttons


def test_handoff_without_a_channel_never_promises_a_call_back() -> None:
    reply = handoff_reply(_offer(False), datetime(2026, 12, 3, 10))
    assert "03 21 00 00 00" in reply.text and "rappelle" not in reply.text and not reply.buttons
