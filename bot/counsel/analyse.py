"""Quick analysis (contract §5): free French text → facts with their evidence, questions, verdicts.

Reuses the deterministic extractor (`bot.understanding.extract`) and the engine
(`bot.eligibility.evaluate`); this module only links each fact to the words that gave it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from bot.errors import BotError

__all__ = ["UnusableText", "analyse", "evidence_for"]

#: Which entity types (and duration roles) can state each profile field.
_FIELD_ENTITIES: dict[str, tuple[tuple[str, str | None], ...]] = {
    "status": (("status", None), ("contract", None), ("france_travail", None), ("rsa", None)),
    "contract": (("contract", None), ("status", None)),
    "registered_france_travail": (("france_travail", None), ("rsa", None), ("status", None)),
    "seniority_months_company": (("duration", "company"),),
    "seniority_months_total": (("duration", "total"), ("duration", "previous"), ("duration", "company")),
    "cdd_months_last_12": (("duration", "company"), ("contract", None)),
    "sick_leave_months_last_24": (("duration", "sick_leave"),),
    "unpaid_or_sabbatical_leave_last_60m": (("duration", "other"),),
    "interim_hours_branch_18m": (("hours", None),),
    "interim_hours_same_agency_18m": (("hours", None),),
    "part_time_hours_week": (("hours", None),),
    "age": (("age", None),),
    "diploma_level": (("diploma", None),),
    "rqth": (("rqth", None),),
    "rsa": (("rsa", None),),
    "goal": (("goal", None), ("dispositif", None)),
    "target_field": (("target_field", None),),
    "commune": (("commune", None),),
    "code_insee": (("commune", None),),
}


class UnusableText(BotError):
    """The text is empty or states no fact of the profile."""

    def __init__(self, empty: bool) -> None:
        if empty:
            super().__init__("the text is empty: describe the person's situation",
                             message_fr="Le texte est vide : décrivez la situation de la personne.")
        else:
            super().__init__("no fact of the profile was found in this text (status, contract, age, place…)",
                             message_fr="Aucun élément de situation n'a été trouvé dans ce texte "
                                        "(situation, contrat, âge, commune…). Reformulez en quelques phrases.")


def _matches(entity: Any, wanted: Iterable[tuple[str, str | None]]) -> bool:
    return any(entity.entity == etype and (role is None or entity.role == role) for etype, role in wanted)


def evidence_for(extraction: Any, facts: dict[str, Any]) -> dict[str, str]:
    """Field → the words of the text that gave it ("CDD de 4 mois", "Arras"…)."""
    out: dict[str, str] = {}
    for field in facts:
        wanted = _FIELD_ENTITIES.get(field)
        if not wanted:
            continue
        words: list[str] = []
        for ent in extraction.entities:
            if _matches(ent, wanted) and ent.text.strip() and ent.text.strip() not in words:
                words.append(ent.text.strip())
        if words:
            out[field] = " … ".join(words)
    return out


def analyse(text: str, as_of: date | None = None, *, corrections: dict[str, Any] | None = None,
            unknown: Iterable[str] = ()) -> dict[str, Any]:
    """The contract §5 document for `text`: profile, evidence, questions, recommendation.

    `corrections` overrides facts (a counsellor's edits); fields in `unknown` are removed from the
    profile and never asked again. Raises `UnusableText` when the text states nothing usable.
    """
    from bot.eligibility import evaluate
    from bot.understanding import extract

    as_of = as_of or date.today()
    if not isinstance(text, str) or not text.strip():
        raise UnusableText(empty=True)
    extraction = extract(text, today=as_of)
    facts = dict(extraction.facts)
    if not facts and not corrections:
        raise UnusableText(empty=False)
    evidence = evidence_for(extraction, facts)
    unknown = set(unknown)
    for name, value in (corrections or {}).items():
        if value is None:
            continue
        facts[name] = value
        evidence.pop(name, None)  # set by the counsellor, not read in the text
    for name in unknown:
        facts.pop(name, None)
        evidence.pop(name, None)
    if "commune" in (corrections or {}) or "commune" in unknown:
        facts.pop("code_insee", None)
        evidence.pop("code_insee", None)
    recommendation = evaluate(facts, as_of, skip_fields=unknown)
    return {"profile": facts, "evidence": evidence, "questions": list(recommendation["questions"]),
            "recommendation": recommendation}
