"""The synthesis handed to the person: one HTML document (Jinja2) rendered to an A4 PDF (WeasyPrint).

Plain French: the situation in one paragraph, the plan (first steps in order), each scheme with why
and how to apply, contacts near the person from the catalogue, documents to bring, sources and the
date of the rules, and a line saying it is an aid, not a decision.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.eligibility.fields import FIELDS, GOAL_LABELS, fmt_value
from bot.eligibility.render import GROUP_ORDER, GROUP_TITLES, QUESTION_LABELS, _fr_date, render_summary

__all__ = ["build_synthesis", "render_html", "render_pdf", "render_text", "write_synthesis"]

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"

#: Documents worth bringing, by scheme (the identity card and a CV always).
_DOCUMENTS_BY_ID: dict[str, list[str]] = {
    "ptp": ["vos contrats de travail et bulletins de salaire (ancienneté)", "le devis et le programme de la formation visée"],
    "cpf": ["vos identifiants France Connect pour Mon Compte Formation (solde de vos droits)"],
    "vae": ["les fiches de poste, attestations d'employeurs et bulletins de salaire qui prouvent votre expérience"],
    "demission_reconversion": ["vos bulletins de salaire des 5 dernières années (1 300 jours travaillés)"],
    "aif": ["votre identifiant France Travail", "le devis de la formation visée"],
    "poei": ["votre identifiant France Travail", "l'offre d'emploi ou la promesse d'embauche"],
    "agefiph": ["votre notification de RQTH (MDPH)"],
    "cap_emploi": ["votre notification de RQTH (MDPH)"],
    "bilan_competences": ["vos identifiants France Connect pour Mon Compte Formation"],
}
_DOCUMENTS_BY_FACT: dict[str, str] = {
    "rqth": "votre notification de RQTH (MDPH)",
    "rsa": "votre dernière attestation de RSA (CAF ou MSA)",
    "registered_france_travail": "votre identifiant France Travail",
}


def situation_paragraph(profile: dict[str, Any]) -> str:
    """The person's situation in one plain-French paragraph ("Vous êtes … ; vous avez …")."""
    parts: list[str] = []
    if "status" in profile:
        text = f"Vous êtes {fmt_value('status', profile['status'])}"
        if profile.get("contract") and profile["contract"] != "aucun":
            text += f", en {fmt_value('contract', profile['contract'])}"
        parts.append(text)
    if "seniority_months_company" in profile:
        parts.append(f"vous travaillez chez votre employeur actuel depuis {fmt_value('seniority_months_company', profile['seniority_months_company'])}")
    if "seniority_months_total" in profile:
        parts.append(f"vous avez {fmt_value('seniority_months_total', profile['seniority_months_total'])} d'activité salariée au total")
    if "age" in profile:
        parts.append(f"vous avez {fmt_value('age', profile['age'])}")
    if "commune" in profile:
        parts.append(f"vous habitez {profile['commune']}")
    if "diploma_level" in profile:
        parts.append(f"votre diplôme le plus élevé : {fmt_value('diploma_level', profile['diploma_level'])}")
    for flag, words in (("rqth", "vous avez une reconnaissance de travailleur handicapé (RQTH)"),
                        ("registered_france_travail", "vous êtes inscrit(e) à France Travail"),
                        ("rsa", "vous touchez le RSA")):
        if profile.get(flag) is True:
            parts.append(words)
    sentence = " ; ".join(parts) + "." if parts else "Votre situation reste à préciser avec votre conseiller."
    sentence = sentence[:1].upper() + sentence[1:]
    if profile.get("goal") in GOAL_LABELS:
        goal = f"Votre objectif : {GOAL_LABELS[profile['goal']]}"
        if profile.get("target_field"):
            goal += f" ({profile['target_field']})"
        sentence += f" {goal}."
    return sentence


def _contacts(profile: dict[str, Any], ids: list[str], limit: int = 6) -> list[dict[str, Any]]:
    """Structures near the person that handle the recommended schemes (catalogue), nearest first."""
    place_text = profile.get("code_insee") or profile.get("commune")
    if not place_text:
        return []
    try:
        from bot.catalogue.build import build_database, is_built
        from bot.catalogue.cli import resolve_place
        from bot.catalogue.db import make_engine, make_sessionmaker
        from bot.catalogue.structures import structures_near
        from bot.config import get_settings
        from bot.errors import BotError

        try:
            place = resolve_place(str(profile.get("commune") or place_text))
        except BotError:
            return []
        engine = make_engine(get_settings().database_url)
        if not is_built(engine):
            build_database(engine=engine)
        seen: dict[str, dict[str, Any]] = {}
        with make_sessionmaker(engine)() as session:
            for rid in ids:
                for near in structures_near(session, place, for_id=rid, limit=2):
                    row = near.to_dict()
                    if row["id"] not in seen:
                        seen[row["id"]] = row
                if len(seen) >= limit:
                    break
        engine.dispose()
        return list(seen.values())[:limit]
    except Exception:  # the hand-out never fails because the catalogue is unavailable
        log.warning("synthesis: contacts unavailable", exc_info=True)
        return []


def _documents(profile: dict[str, Any], ids: list[str]) -> list[str]:
    docs = ["une pièce d'identité", "votre CV, même court"]
    for rid in ids:
        for d in _DOCUMENTS_BY_ID.get(rid, []):
            if d not in docs:
                docs.append(d)
    for fact, d in _DOCUMENTS_BY_FACT.items():
        if profile.get(fact) is True and d not in docs:
            docs.append(d)
    if profile.get("diploma_level"):
        docs.append("vos diplômes")
    return docs


def build_synthesis(profile: dict[str, Any], recommendation: dict[str, Any], *,
                    contacts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Everything the hand-out shows, as plain data (the template only lays it out)."""
    from bot.eligibility.rules import load_rules

    rules = load_rules()
    recommended = recommendation.get("recommended", [])
    to_check = recommendation.get("to_check", [])
    ids = [i["id"] for i in recommended] + [i["id"] for i in to_check]
    groups = []
    for group in GROUP_ORDER:
        items = [i for i in recommended if i.get("group") == group]
        if items:
            groups.append({"title": GROUP_TITLES[group], "items": [
                {**i, "provides": rules[i["id"]].provides if i["id"] in rules else ""} for i in items]})
    sources: dict[str, dict[str, str]] = {}
    checked: list[date] = []
    for item in recommended + to_check:
        for s in item.get("sources", []):
            sources.setdefault(s["url"], s)
        if item["id"] in rules:
            checked.append(rules[item["id"]].checked_on)
    as_of = recommendation.get("as_of") or date.today().isoformat()
    return {
        "as_of": as_of,
        "as_of_fr": _fr_date(as_of),
        "checked_fr": _fr_date(max(checked).isoformat()) if checked else None,
        "situation": situation_paragraph(profile),
        "plan": [{"title": i["title"], "text": i["next_step"]} for i in recommended if i.get("next_step")],
        "groups": groups,
        "to_check": [{"title": i["title"], "why": (i.get("why") or [""])[0],
                      "missing": [QUESTION_LABELS.get(m, FIELDS[m].label if m in FIELDS else m)
                                  for m in i.get("missing", [])]} for i in to_check],
        "contacts": _contacts(profile, ids) if contacts is None else contacts,
        "documents": _documents(profile, ids),
        "sources": list(sources.values()),
    }


@lru_cache(maxsize=1)
def _env() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))


def render_html(synthesis: dict[str, Any], *, css_href: str | None = None) -> str:
    """The synthesis as an accessible HTML page (lang="fr", real headings).

    Standalone (styles inline) unless `css_href` links the stylesheet (pages served under a strict CSP).
    """
    css = None if css_href else (STATIC / "synthesis.css").read_text(encoding="utf-8")
    return _env().get_template("synthesis.html").render(s=synthesis, css=css, css_href=css_href)


def render_pdf(synthesis: dict[str, Any], *, uncompressed: bool = False) -> bytes:
    """The synthesis as a tagged A4 PDF (PDF/UA-1: structure tree, headings, document language)."""
    from weasyprint import HTML

    return HTML(string=render_html(synthesis), base_url=str(TEMPLATES)).write_pdf(
        pdf_variant="pdf/ua-1", custom_metadata=True, uncompressed_pdf=uncompressed)


def write_synthesis(synthesis: dict[str, Any], *, pdf: Path | None, html: Path | None = None) -> None:
    """Write the PDF and/or HTML files."""
    if html is not None:
        html.write_text(render_html(synthesis), encoding="utf-8")
    if pdf is not None:
        pdf.write_bytes(render_pdf(synthesis))


def render_text(analysis: dict[str, Any]) -> str:
    """`python -m bot analyse` without --json: evidence, then the usual summary."""
    lines = []
    if analysis["evidence"]:
        lines.append("Éléments relevés dans le texte :")
        for name, words in analysis["evidence"].items():
            if name == "code_insee":
                continue
            label = FIELDS[name].label if name in FIELDS else name
            lines.append(f"  - {label} : {fmt_value(name, analysis['profile'].get(name))} (« {words} »)")
        lines.append("")
    return "\n".join(lines) + render_summary(analysis["recommendation"])
