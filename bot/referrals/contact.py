"""The contact details a person gives to be called back: a French phone number or an e-mail address."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Overseas calling codes of France (9 national digits after them, as for +33).
OVERSEAS = ("262", "269", "508", "590", "594", "596", "687", "689")
_PHONE_RE = re.compile(r"(?:\+|00)?[\d][\d .\-/()]{7,22}\d")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Contact:
    """A validated contact: ``kind`` phone or email, ``value`` in a canonical form."""

    kind: str
    value: str

    def channel_fr(self) -> str:
        """"par téléphone" / "par e-mail"."""
        return "par téléphone" if self.kind == "phone" else "par e-mail"


def normalise_phone(text: str) -> str | None:
    """A French phone number in its usual form ("06 12 34 56 78", "+262 6 92 12 34 56"), else None.

    Accepts spaces, dots, dashes, slashes, "+33", "0033" and "+33 (0)".
    """
    raw = text.strip().replace("(0)", "")
    digits = re.sub(r"[ .\-/()]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not re.fullmatch(r"\+?\d+", digits):
        return None
    if digits.startswith("+"):
        for code in ("33", *OVERSEAS):
            rest = digits[1 + len(code):]
            if digits[1:].startswith(code) and len(rest) == 9 and rest[0] != "0":
                national = rest if code == "33" else rest
                pairs = " ".join(national[i:i + 2] for i in range(1, 9, 2))
                return f"0{national[0]} {pairs}" if code == "33" else f"+{code} {national[0]} {pairs}"
        return None
    if len(digits) == 10 and digits[0] == "0" and digits[1] != "0":
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return None


def normalise_email(text: str) -> str | None:
    """The e-mail address (domain in lower case) when its syntax is valid, else None."""
    value = text.strip().strip("<>.,;")
    if len(value) > 254 or not _EMAIL_RE.fullmatch(value) or ".." in value:
        return None
    local, _, domain = value.rpartition("@")
    if len(local) > 64 or local.startswith(".") or local.endswith("."):
        return None
    return f"{local}@{domain.lower()}"


def find_contact(text: str) -> Contact | None:
    """The phone number or e-mail address in a message ("c'est le 06.12.34.56.78 merci"), else None."""
    if not text:
        return None
    for match in _EMAIL_RE.finditer(text):
        email = normalise_email(match.group(0))
        if email:
            return Contact("email", email)
    for match in _PHONE_RE.finditer(text):
        phone = normalise_phone(match.group(0))
        if phone:
            return Contact("phone", phone)
    return None


def masked(contact: Contact) -> str:
    """What the person sees to recognise their contact without repeating it whole (06 •• •• •• 78)."""
    if contact.kind == "email":
        local, _, domain = contact.value.partition("@")
        return f"{local[:1]}•••@{domain}"
    parts = contact.value.split(" ")
    return " ".join([parts[0], *("••" for _ in parts[1:-1]), parts[-1]])
