"""Short answers read in the context of the question just asked (`asked`, Rasa's requested_slot).

"3 ans" answers a seniority question in months, "42" an age question, "Arras"/"62000" a place
question, "oui"/"nan pas du tout" a yes/no question, "bac+2" a diploma question, "1700" an hours
question, "plombier" a question about the job aimed at. Without `asked`, bare numbers mean nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.understanding.doc import Cand, Doc

__all__ = ["BOOLEAN_FIELDS", "DURATION_FIELDS", "answer_candidates", "answer_facts"]

#: Yes/no profile fields.
BOOLEAN_FIELDS = frozenset({"rqth", "registered_france_travail", "rsa", "is_cadre",
                            "business_in_qpv_or_zfrr", "employer_self_insured_unemployment",
                            "laid_off_economic_or_unfit", "rqth_pending", "unemployment_benefit"})
#: Duration fields (months) → (role given to the answer's duration, cap).
DURATION_FIELDS: dict[str, tuple[str, int]] = {
    "seniority_months_company": ("company", 720),
    "seniority_months_total": ("total", 720),
    "cdd_months_last_12": ("other", 12),
    "sick_leave_months_last_24": ("sick_leave", 24),
    "unpaid_or_sabbatical_leave_last_60m": ("other", 60),
    "months_worked_last_60": ("other", 60),
    "public_service_months": ("other", 720),
    "registered_months_last_18": ("other", 18),
}
#: Duration questions where "aucun" / "non" / "0" means zero months.
NONE_MEANS_ZERO = frozenset({"sick_leave_months_last_24", "unpaid_or_sabbatical_leave_last_60m",
                             "registered_months_last_18"})
_NONE_RE = re.compile(r"^\W*(?:0|zero|aucune?|rien|jamais|pas du tout|pas un seul|nada)(?![a-z0-9])")
HOURS_FIELDS = frozenset({"interim_hours_branch_18m", "interim_hours_same_agency_18m", "part_time_hours_week"})

_YES_RE = re.compile(
    r"^\W*(?:oui|ouais|ouai|ouep|oue|wi|ui|yes|yep|yup|ok|okay|d'accord|exact|exactement|tout a fait|absolument"
    r"|bien sur|bien sure|affirmatif|c'est ca|c'est bien ca|effectivement|carrement|evidemment|je confirme"
    r"|tout a fait|si|oui oui|ouiii+|voui|yess?)(?![a-z0-9])")
_NO_RE = re.compile(
    r"^\W*(?:non|nan|nope|no|nn|pas du tout|absolument pas|jamais|aucun|aucune|negatif|pas encore|pas vraiment"
    r"|du tout|toujours pas|pas pour l'instant|pas pour le moment|nada|que dalle|nop|non non|nonn+)(?![a-z0-9])")
_DONT_KNOW_RE = re.compile(r"(?:sais pas|sais plus|aucune idee|sais rien|pas sure?|ne sais|j'ignore|je ne sais)")
_BARE_NUMBER_RE = re.compile(r"(?<![a-z0-9+.,])(\d{1,5}(?:[.,]\d+)?)(?![a-z0-9%])")
_COMMUNE_FILLERS = re.compile(
    r"^\W*(?:(?:j'?\s?habite|je (?:suis|vis|reside|vis|habite)|nous habitons|on habite|c'est|ma ville c'est"
    r"|dans|pres de|a cote de|vers|a|au|aux|sur|en|la ville de|la commune de|commune de|code postal|cp)\W+)*")
_TARGET_FILLERS = re.compile(
    r"^\W*(?:(?:euh+|bah|ben|alors|plutot|je (?:veux|voudrais|voudrai|souhaite|pense)|j'aimerais|j'aimerai"
    r"|devenir|etre|faire|travailler|bosser|dans|en|comme|le|la|les|l'|un|une|du|de la|des|de|d'|me former"
    r"|me reconvertir|metier de|metier d'|le metier|domaine|secteur)(?:\s+|(?<=')))*")
_REGISTERED_YES_RE = re.compile(r"(?<![a-z])(?:je suis |suis |oui )?(?:inscrite?s?|suivie?)(?![a-z])")
_PENDING_ANSWER_RE = re.compile(r"(?<![a-z])(?:en cours|en attente|deposee?|j'ai (?:fait|depose|envoye) "
                                r"(?:la|une|ma) demande|demande faite)(?![a-z])")
_LEVEL_RE = re.compile(r"(?<![a-z0-9])niveau\s+(?P<n>[3-8])(?![0-9])")
_ZERO_RE = re.compile(r"^\W*(?:aucun|aucune|rien|non|nan|nada|pas de diplome|aucun diplome|sans diplome|zero"
                      r"|que dalle|pas grand chose)(?![a-z0-9])")


def _yes_no(doc: Doc) -> bool | None:
    text = doc.text.strip()
    if _DONT_KNOW_RE.search(text) and not _YES_RE.match(text):
        return None
    if _NO_RE.match(text):
        return False
    if _YES_RE.match(text):
        return True
    return None


def _free(cands: list[Cand], s: int, e: int) -> bool:
    return all(e <= c.ns or s >= c.ne for c in cands if c.emit)


def answer_candidates(doc: Doc, cands: list[Cand], asked: str | None,
                      resolve_commune: Callable[[str], Any]) -> list[Cand]:
    """Extra candidates a short answer gives in the context of `asked` (may retag durations)."""
    if not asked:
        return []
    text = doc.text
    out: list[Cand] = []
    if asked in DURATION_FIELDS:
        role, _cap = DURATION_FIELDS[asked]
        durs = [c for c in cands if c.entity == "duration"]
        ages = [c for c in cands if c.entity == "age"]
        if not durs and ages and not re.search(r"(?<![a-z])(?:j'?\s?ai|g)\s+\d", text):
            for a in ages:  # "35 ans" answering a seniority question is a duration
                a.entity, a.value, a.role = "duration", a.value * 12, role
            durs = ages
        explicit = [c for c in durs if c.role == role]
        loose = [c for c in durs if c.role in (None, "other")]
        if not explicit and loose:
            loose[0].role = role
    elif asked == "age":
        if not any(c.entity == "age" for c in cands):
            years = [c for c in cands if c.entity == "duration" and c.value % 12 == 0 and 14 <= c.value // 12 <= 99]
            if years and not re.search(r"depuis|pendant|fait", text):
                c = years[0]
                c.entity, c.value, c.role = "age", c.value // 12, None
            else:
                for m in _BARE_NUMBER_RE.finditer(text):
                    if "." in m.group(1) or "," in m.group(1):
                        continue
                    n = int(m.group(1))
                    if 14 <= n <= 99 and _free(cands, m.start(), m.end()) and not doc.negated(m.start(), 1):
                        out.append(Cand("age", n, m.start(), m.end()))
                        break
    elif asked in HOURS_FIELDS:
        if not any(c.entity == "hours" for c in cands):
            for m in _BARE_NUMBER_RE.finditer(text):
                raw = m.group(1).replace(",", ".")
                if not _free(cands, m.start(), m.end()):
                    continue
                value: float = float(raw)
                if asked != "part_time_hours_week":
                    value = int(value)
                cand = Cand("hours", value, m.start(), m.end())
                cand.flags.add("week" if asked == "part_time_hours_week" else "total")
                cand.flags.add("bare")
                out.append(cand)
                break
    elif asked in ("commune", "code_insee"):
        if not any(c.entity == "commune" for c in cands):
            m = _COMMUNE_FILLERS.match(text)
            start = m.end() if m else 0
            end = len(text.rstrip(" .!?,;"))
            if start < end and len(text[start:end].split()) <= 6:
                raw = doc.norm.original_text(start, end)
                match = resolve_commune(raw)
                if match is not None:
                    out.append(Cand("commune", raw, start, end, prio=3, data=match))
    elif asked == "target_field":
        if not any(c.entity == "target_field" for c in cands) and _yes_no(doc) is None \
                and not _DONT_KNOW_RE.search(text):
            from bot.understanding.goals import _take_target

            m = _TARGET_FILLERS.match(text)
            start = m.end() if m else 0
            blocked = [(c.ns, c.ne) for c in cands if c.emit and c.entity in ("commune", "dispositif")]
            span = _take_target(doc, start, blocked)
            if span is not None and len(text[span[0]:span[1]].split()) <= 6:
                out.append(Cand("target_field", None, span[0], span[1], prio=2))
    return out


def answer_facts(doc: Doc, cands: list[Cand], asked: str | None, facts: dict[str, Any]) -> None:
    """Facts a short answer gives in the context of `asked` (only fields not already set)."""
    if not asked:
        return
    text = doc.text
    if asked in DURATION_FIELDS:
        role, cap = DURATION_FIELDS[asked]
        durs = [c for c in cands if c.entity == "duration" and c.role == role]
        if durs and asked not in facts:
            facts[asked] = min(int(durs[0].value), cap)
        elif asked in NONE_MEANS_ZERO and asked not in facts and (_NONE_RE.match(text) or _NO_RE.match(text)):
            facts[asked] = 0  # "aucun", "non", "0": the question says "(0 si aucun)"
    elif asked in BOOLEAN_FIELDS and asked not in facts:
        value = _yes_no(doc)
        if asked == "rqth" and _PENDING_ANSWER_RE.search(text):
            facts.setdefault("rqth_pending", True)  # "(oui,) une demande en cours": asked for, not granted yet
            value = False
        if value is None and asked == "registered_france_travail":
            m = _REGISTERED_YES_RE.search(text)
            if m:
                value = not doc.negated(m.start(), 4)
        if value is None and asked == "is_cadre" and re.search(r"(?<![a-z])(?:employee?|ouvriere?|agent de maitrise"
                                                                r"|technicienne?|non[ -]cadre)(?![a-z])", text):
            value = False
        if value is not None:
            facts[asked] = value
    elif asked == "diploma_level" and "diploma_level" not in facts:
        m = _LEVEL_RE.search(text)
        if m:
            facts["diploma_level"] = int(m.group("n"))
        elif _ZERO_RE.match(text):
            facts["diploma_level"] = 0
    elif asked in HOURS_FIELDS:
        hours = [c for c in cands if c.entity == "hours"]
        if hours:
            facts[asked] = hours[0].value
        elif asked == "part_time_hours_week":
            parts = [c for c in cands if c.entity == "cue" and c.field == "part_time"]
            if parts:
                facts[asked] = parts[0].value
    elif asked == "goal" and "goal" not in facts:
        goal = _goal_word(text)
        if goal:
            facts["goal"] = goal
    elif asked == "contract" and "contract" not in facts:
        if re.match(r"^\W*(?:aucun|rien|pas de contrat|sans contrat|non|nan)(?![a-z])", text):
            facts["contract"] = "aucun"
    elif asked == "sick_leave_cause" and "sick_leave_cause" not in facts:
        if re.search(r"(?<![a-z])(?:maladie|malade)(?![a-z])", text):
            facts["sick_leave_cause"] = "maladie"


def _goal_word(text: str) -> str | None:
    """A one-word answer to the goal question."""
    rules = [
        ("train_ai_data", r"data|ia|intelligence artificielle|donnees"),
        ("validate_experience", r"vae|valider|validation|reconnaitre|reconnaissance"),
        ("create_business", r"creer|creation|entreprise|boite|mon compte|entreprendre|auto[ -]?entrepreneur"),
        ("change_job", r"changer|reconver\w*|autre metier|nouveau metier"),
        ("get_qualification", r"formation|former|diplome|qualification|qualifier|etudes"),
        ("find_job", r"travail|emploi|boulot|job|taf|taff|poste"),
        ("explore", r"sais pas|sais plus|aucune idee|point|explorer|bilan|perdue?|hesite"),
    ]
    for goal, pattern in rules:
        if re.search(r"(?<![a-z])(?:" + pattern + r")(?![a-z])", text):
            return goal
    return None
