"""The e-mail that tells a structure a person asked to be called back (SMTP settings from the environment).

The e-mail holds the facts and the results the person agreed to send, and the channel they want to be
called back on; the contact itself is only shown in the workspace (behind a login, deleted when the
referral is closed), never in a mailbox that keeps it forever.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: str = "starttls"  # starttls | ssl | none
    timeout_s: float = 10.0


def smtp_settings() -> SmtpSettings | None:
    """SMTP_* from the environment; None when SMTP_HOST is not set (no e-mail can be sent)."""
    host = os.environ.get("SMTP_HOST", "").strip()
    if not host:
        return None
    tls = os.environ.get("SMTP_TLS", "starttls").strip().lower() or "starttls"
    default_port = {"ssl": "465", "none": "25"}.get(tls, "587")
    return SmtpSettings(host=host, port=int(os.environ.get("SMTP_PORT") or default_port),
                        sender=os.environ.get("SMTP_FROM") or "Cap Reconversion <ne-pas-repondre@localhost>",
                        user=os.environ.get("SMTP_USER") or None, password=os.environ.get("SMTP_PASSWORD") or None,
                        tls=tls if tls in ("starttls", "ssl", "none") else "starttls",
                        timeout_s=float(os.environ.get("SMTP_TIMEOUT_S") or 10))


def workspace_url() -> str:
    """The counsellors' workspace as a counsellor's browser reaches it (COUNSEL_PUBLIC_URL)."""
    port = os.environ.get("COUNSEL_PORT") or "8081"
    return (os.environ.get("COUNSEL_PUBLIC_URL") or f"http://localhost:{port}/conseil/").rstrip("/") + "/"


class MailError(Exception):
    """The SMTP server could not be reached or refused the message."""


def send(settings: SmtpSettings, to: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail (timeout on every step); MailError on any failure."""
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    try:
        if settings.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_s,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        with client:
            if settings.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.user and settings.password:
                client.login(settings.user, settings.password)
            client.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(type(exc).__name__) from exc


def referral_email(referral: Any, fact_lines: list[tuple[str, str]]) -> tuple[str, str]:
    """(subject, body) of the e-mail announcing a referral to its structure."""
    results = referral.results or {}
    lines = [
        "Bonjour,",
        "",
        f"Une personne a demandé, avec son accord, à être recontactée par {referral.structure_name} "
        f"après avoir utilisé l'assistant Cap Reconversion.",
        f"Elle souhaite être recontactée {'par téléphone' if referral.contact_kind == 'phone' else 'par e-mail'}"
        + (f" (département {referral.departement})." if referral.departement else "."),
        "",
        "Sa situation, telle qu'elle l'a décrite :",
        *(f"- {name} : {value}" for name, value in fact_lines),
        "",
    ]
    for key, title in (("recommended", "Dispositifs qui lui correspondent"), ("to_check", "À vérifier avec elle")):
        items = results.get(key) or []
        if items:
            lines.append(f"{title} :")
            lines += [f"- {i.get('title') or i.get('id')}" for i in items]
            lines.append("")
    lines += [
        "Ses coordonnées sont dans l'espace conseillers (connexion nécessaire) ; elles sont supprimées quand "
        "la demande est close :",
        f"{workspace_url()}demandes/{referral.public_id}",
        "",
        "Merci d'indiquer dans l'espace conseillers quand la demande est prise en charge, close ou refusée : "
        "la personne peut suivre où en est sa demande.",
        "",
        "Cap Reconversion (message automatique)",
    ]
    return f"Demande de rappel — {referral.structure_name} (Cap Reconversion)", "\n".join(lines)


def cancelled_email(referral: Any) -> tuple[str, str]:
    """(subject, body) telling the structure the person cancelled their request."""
    return (f"Demande de rappel annulée — {referral.structure_name} (Cap Reconversion)",
            "Bonjour,\n\nLa personne a annulé sa demande de rappel ; ses coordonnées ont été supprimées :\n"
            f"{workspace_url()}demandes/{referral.public_id}\n\nCap Reconversion (message automatique)")
