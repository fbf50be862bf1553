"""The contact a person gives to be called back: French phone formats and e-mail syntax."""

from __future__ import annotations

import pytest

from bot.referrals.contact import find_contact, masked

PHONES = [
    ("06 12 34 56 78", "06 12 34 56 78"),
    ("06.12.34.56.78", "06 12 34 56 78"),
    ("0612345678", "06 12 34 56 78"),
    ("06-12-34-56-78", "06 12 34 56 78"),
    ("+33 6 12 34 56 78", "06 12 34 56 78"),
    ("+33612345678", "06 12 34 56 78"),
    ("0033 6 12 34 56 78", "06 12 34 56 78"),
    ("+33 (0)6 12 34 56 78", "06 12 34 56 78"),
    ("03 21 00 00 00", "03 21 00 00 00"),
    ("mon num c 07 81 22 33 44 merci", "07 81 22 33 44"),
    ("+262 692 12 34 56", "+262 6 92 12 34 56"),
]
REJECTED = ["06 12 34 56", "00 12 34 56 78", "0012", "+44 20 7946 0958", "12345", "a@b", "x@y.z",
            "marie@@exemple.fr", "marie..dupont@exemple.fr", "je ne sais pas", "", "06 12 34 56 78 90 12"]


@pytest.mark.parametrize(("text", "expected"), PHONES)
def test_french_phone_formats_are_read(text: str, expected: str) -> None:
    contact = find_contact(text)
    assert contact is not None and contact.kind == "phone" and contact.value == expected


@pytest.mark.parametrize("text", ["marie.dupont@exemple.fr", "c'est Marie.Dupont+cap@Exemple.FR merci",
                                  "<jean-luc_2@mairie-lens.fr>"])
def test_email_addresses_are_read(text: str) -> None:
    contact = find_contact(text)
    assert contact is not None and contact.kind == "email" and "@" in contact.value
    assert contact.value.split("@")[1] == contact.value.split("@")[1].lower()


@pytest.mark.parametrize("text", REJECTED)
def test_anything_else_is_refused(text: str) -> None:
    assert find_contact(text) is None


def test_the_person_sees_a_masked_contact() -> None:
    assert masked(find_contact("0612345678")) == "06 •• •• •• 78"
    assert masked(find_contact("marie.dupont@exemple.fr")) == "m•••@exemple.fr"
