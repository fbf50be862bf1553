"""Numbers with a unit: durations (with their role), ages and hours.

Durations are months. "N ans" is an age when it is one ("j'ai 31 ans", "Denain, 45 ans") and a
duration otherwise ("depuis 3 ans", "15 ans d'expérience", "j'ai 10 ans de boîte").
"depuis 2019" counts the months from July 1st of that year (the middle of the year: the person
gave no month); "depuis mars 2021" from March 1st, 2021; "depuis septembre" from the last
September 1st that is not in the future.
"""

from __future__ import annotations

import re
from datetime import date

from bot.understanding.doc import Cand, Doc
from bot.understanding.jobs import is_job_word

__all__ = ["find_numeric", "months_since"]

_NUM = r"\d+(?:[.,]\d+)?"
_DURATION_RE = re.compile(
    rf"(?<![a-z0-9+.,])(?P<n>{_NUM})\s*(?P<u>ans|an|annees|annee|mois|semaines|semaine|jours|jour)"
    rf"(?:\s+(?:et\s+)?(?:(?P<half>demie|demi)|(?P<n2>\d+)\s*(?P<u2>mois|semaines|semaine))"
    rf"(?![a-z0-9]))?(?![a-z0-9])")
_LAST_RE = re.compile(r"(?<![a-z0-9])(?P<n>\d+)\s+(?:derniers|dernier|dernieres|derniere|prochains)"
                      r"\s+(?P<u>mois|ans|annees)(?![a-z0-9])")
_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
_SINCE_RE = re.compile(
    r"(?<![a-z0-9])depuis\s+(?:le\s+|l'|la\s+rentree\s+|fin\s+|debut\s+)?(?:(?:1er|\d{1,2})\s+)?"
    r"(?:(?P<month>" + "|".join(_MONTHS) + r")(?:\s+(?:dernier|derniere))?\s*)?"
    r"(?P<year>(?:19|20)\d\d)?(?![a-z0-9])")
_HOURS_RE = re.compile(
    r"(?<![a-z0-9+.,])(?P<n>\d{1,3}(?:[ .]\d{3})+|\d+)\s*(?:heures|heure|hrs|hr|h)(?![a-z0-9])")
_WEEK_RE = re.compile(r"\s*(?:par\s+semaine|/\s*semaine|par\s+sem|hebdo\w*|la\s+semaine|semaine|/\s*sem)"
                      r"(?![a-z0-9])")
_BARE_HOURS_RE = re.compile(r"(?<![a-z0-9+.,])(?:dont|et|plus|avec)\s+(?:environ\s+|pres\s+de\s+)?"
                            r"(?P<n>\d{2,5})(?![a-z0-9.,%])")

# Words that make a following "N ans" a duration, or a preceding one a duration.
_DURATION_BEFORE = frozenset({
    "depuis", "pendant", "durant", "fait", "sur", "de", "d", "en", "dans", "pour", "apres",
    "avant", "plus", "moins", "des", "ces", "les", "mes", "ses", "nos", "travaille", "bosse",
    "cotise", "passe", "passee", "fais", "durer", "dure", "duree", "reste", "encore", "quasi",
    "environ", "pres", "bout", "tous", "toutes", "chaque", "bientot", "presque",
})
_AGE_FILLERS = frozenset({"deja", "tout", "juste", "quasiment", "seulement", "que", "qu", "bien"})
_CONTINUATIONS = frozenset({
    "de", "d", "dans", "chez", "en", "que", "qu", "au", "aux", "avec", "comme", "sur", "passes",
    "passees", "ici", "la", "pour", "derniers", "dernieres", "d'experience", "entre", "chacun",
})
_ARTICLES = frozenset({"la", "l", "le", "les", "mon", "ma", "mes", "son", "sa", "ce", "cette", "un",
                       "une"})

# Role cues (normalised words).
_COMPANY_WORDS = frozenset({
    "cdi", "cdd", "titulaire", "fonctionnaire", "contractuel", "contractuelle", "chez", "employeur",
    "boite", "entreprise", "societe", "poste", "structure", "mairie", "maison", "anciennete",
    "embauche", "embauchee", "titularise", "titularisee", "agent", "agente", "ehpad", "clinique",
    "hopital", "usine", "magasin", "collectivite", "administration", "aesh", "aed", "atsem", "gendarme",
    "policier", "policiere", "militaire", "salon", "epicerie", "boutique", "restaurant", "commerce", "garage",
    "cabinet", "exploitation", "atelier", "association", "chu", "rectorat", "prefecture", "ministere", "ccas",
    "college", "lycee", "ecole", "creche", "banque", "pme", "tpe", "grossiste", "sncf", "edf",
})
# Words naming the person's current job in the sentence: a "depuis N ans" after them is the seniority there.
_JOB_ANCHORS = _COMPANY_WORDS | frozenset({
    "salarie", "salariee", "employe", "employee", "independant", "independante", "entrepreneur", "entrepreneuse",
    "artisan", "artisane", "commercant", "commercante", "freelance", "compte", "cadre", "manager", "responsable",
    "directeur", "directrice", "technicien", "technicienne", "ouvrier", "ouvriere",
})
_NOT_JOB_DURATION = frozenset({
    "rqth", "handicap", "handicape", "handicapee", "habite", "vis", "reside", "malvoyant", "malvoyante", "sourd",
    "sourde", "malade", "marie", "mariee", "separe", "separee", "divorce", "divorcee", "diplome", "diplomee",
    "permis", "inscrit", "inscrite", "aidante", "aidant", "foyer", "chomage", "arret", "conge", "disponibilite",
    "retraite", "france", "pole", "naissance", "maladie", "licencie", "licenciee", "chomeur", "chomeuse",
    "demandeur", "demandeuse", "csp", "rsa", "sans",
})
_SENTENCE_END_RE = re.compile(r"[.!?;\n]")
_WINDOW_60_RE = re.compile(r"(?<![a-z0-9])(?:60|soixante) derniers(?: mois)?|(?:5|cinq) (?:dernieres|derniers) "
                           r"(?:annees|ans)(?![a-z0-9])")
_WINDOW_12_RE = re.compile(r"(?<![a-z0-9])(?:12|douze) derniers(?: mois)?|sur (?:l'|une )annee|cette annee"
                           r"|sur (?:un|1) an(?![a-z0-9])")
_HOURS_WINDOW_RE = re.compile(r"\d\s*(?:h|heures|hrs)\s+(?:sur|en|dans)\s+(?:les\s+|des\s+)?$")
_WORK_VERBS = frozenset({"travaille", "bosse", "cotise", "boss", "taff", "bosser", "travailler"})
_BORN_RE = re.compile(r"(?<![a-z0-9])nee?s?\s+(?:en\s+|le\s+(?:1er|\d{1,2})\s+(?P<month>[a-z]+)\s+|en\s+(?P<month2>[a-z]+)\s+)?"
                      r"(?P<year>(?:19|20)\d\d)(?![a-z0-9])")
_EN_AI_RE = re.compile(r"(?<![a-z0-9])(?:j'en ai|j en ai|jen ai)\s+(?P<n>\d{2})(?!\s*(?:mois|heures|h|%|[0-9]))")
_INDEPENDENT_WORDS = frozenset({"entrepreneur", "entrepreneuse", "independant", "independante",
                                "compte", "freelance", "micro", "auto", "artisan", "commercant"})
_TOTAL_WORDS = frozenset({"tout", "total", "experience", "carriere", "metier", "activite",
                          "travaille", "bosse", "cotise", "salarie", "salariee", "interimaire",
                          "interimaires", "interim", "vie"})
_REGISTRATION_WORDS = frozenset({"inscrit", "inscrite", "inscrits", "inscrites", "chomage", "chomeur",
                                 "chomeuse", "demandeur", "demandeuse", "are", "indemnise", "indemnisee",
                                 "pole", "anpe", "francetravail"})
_SICK_WORDS = frozenset({"arret", "maladie", "accident", "malade", "hospitalise", "hospitalisee", "arrete",
                         "arretee"})
_PREVIOUS_WORDS = frozenset({"avant", "auparavant", "precedemment", "anciennement", "ancien",
                             "ancienne", "etais", "avais", "epoque"})


def months_since(year: int, month: int | None, today: date) -> int | None:
    """Whole months from the start (month 1st, or July 1st of a bare year) to `today`."""
    start_month = month if month else 7
    months = (today.year - year) * 12 + (today.month - start_month)
    if months < 0:
        return None
    return months


def _months(n: str, unit: str) -> float:
    value = float(n.replace(",", "."))
    if unit.startswith(("an", "annee")):
        return value * 12
    if unit == "mois":
        return value
    if unit.startswith("semaine"):
        return value * 7 / 30.44
    return value / 30.44


def _duration_role(doc: Doc, ns: int, ne: int) -> str:
    """Which seniority a duration is about, from the words around it (see module docstring)."""
    before = doc.before(ns, 10)
    for cut in ("et", "puis", "mais"):  # "4 ans de CDI et 10 ans en tout": the CDI is the other one's
        if cut in before:
            before = before[len(before) - before[::-1].index(cut):]
    after = doc.after(ne, 5)
    near_before = before[-3:]
    clause = set(doc.clause_words(ns, commas=True))
    start = 0
    for m in _SENTENCE_END_RE.finditer(doc.text, 0, ns):
        start = m.end()
    sentence = [w for _, _, w in doc.words[doc.word_index_at(start):doc.word_index_at(ns)]]
    if near_before[-2:] == ["y", "a"] or near_before[-1:] == ["dans"]:
        return "other"
    if after[:1] and after[0] in {"derniers", "dernieres", "prochains"}:
        return "other"
    if _SICK_WORDS & set(before) and "plus" in before and ("depuis" in before[-2:] or doc.text.startswith("depuis", ns)):
        return "other"  # "je ne suis plus en arrêt depuis février": the time since it ended
    if _SICK_WORDS & (set(before) | set(after[:3])):
        return "sick_leave"
    if _PREVIOUS_WORDS & set(before):
        return "previous"
    if _REGISTRATION_WORDS & set(before[-6:]) or any(
            a == "france" and b == "travail" for a, b in zip(before[-6:], before[-5:], strict=False)):
        return "registration"
    if before[-2:] in (["ai", "travaille"], ["ai", "bosse"], ["j", "travaille"]):
        return "total"  # "j'ai travaillé 15 ans chez Renault": a career, maybe with past employers
    if {"tout", "total"} & set(after[:4]) or after[:1] == ["dans"] and _TOTAL_WORDS & set(after[1:3]):
        return "total"  # "12 ans d'ancienneté en tout", "10 ans dans le métier"
    if near_before[-2:] in (["ca", "fait"], ["cela", "fait"]) and after[:1] == ["que"] and set(after[1:4]) & {
            "travaille", "bosse", "cotise"}:
        return "total"  # "ça fait 25 ans que je travaille"
    after2 = after[:3]
    if "interimaire" in before or "interimaires" in before:
        return "total"
    if after2[:1] == ["d"] and after2[1:2] in (["interim"], ["experience"], ["activite"]):
        return "total"
    if (_COMPANY_WORDS & set(before)) or (after2[:1] in (["de"], ["d"], ["en"], ["dans"], ["chez"], ["a"], ["au"])
                                          and _COMPANY_WORDS & set(after[:5])):
        return "company"
    if _INDEPENDENT_WORDS & set(before[-6:]):
        return "company"
    if near_before[-2:] in (["ca", "fait"], ["cela", "fait"]) and (_COMPANY_WORDS & set(doc.after(ne, 8))):
        return "company"
    if after[:1] == ["dans"] and not _COMPANY_WORDS & set(after[:4]) and any(
            is_job_word(w) for w in after[1:4] if w not in _ARTICLES and w not in {"l", "d"}):
        return "total"  # "serveur depuis 15 ans dans la restauration": a career in a sector
    if not before and {"cdi", "cdd", "titulaire", "contractuel", "contractuelle", "fonctionnaire"} & set(after[:5]):
        return "company"  # "depuis 2021 je suis en CDI"
    works_at = any(w in _WORK_VERBS and k + 1 < len(before) and before[k + 1] in {"a", "au", "chez", "pour", "dans"}
                   for k, w in enumerate(before))
    if works_at and before[-1:] == ["depuis"]:
        return "company"  # "je travaille à la SNCF depuis 2012"
    if ({"tout", "total"} & set(after[:3])) or (_TOTAL_WORDS & set(after[:2])) \
            or (_TOTAL_WORDS & set(before[-3:])) or ("interim" in clause and "depuis" in before[-1:]):
        return "total"
    if (before[-1:] == ["depuis"] or near_before[-2:] in (["ca", "fait"], ["cela", "fait"])) \
            and _JOB_ANCHORS & set(sentence) and not _NOT_JOB_DURATION & set(sentence):
        return "company"  # "Fonctionnaire territoriale (catégorie C) depuis 17 ans"
    return "other"


_PERSON_NOUNS = frozenset({
    "maman", "femme", "homme", "mere", "pere", "papa", "fille", "garcon", "jeune", "personne", "dame",
    "monsieur", "mec", "gars", "nana", "etudiant", "etudiante", "salarie", "salariee", "senior", "quinqua",
})
_CORRECTIONS = frozenset({"pardon", "plutot", "non", "enfin", "dire", "oups", "erreur", "corrige",
                          "correction", "rectification", "est", "fait"})
_AGE_VERBS = frozenset({"ai", "g", "age", "agee", "ages", "agees", "avais", "aurais", "aurai", "aie", "eu",
                        "atteint", "atteins", "fete", "feter", "fais"})
_WORK_WORDS = frozenset({"cdi", "cdd", "interim", "titulaire", "contractuel", "contractuelle", "fonctionnaire",
                         "boite", "entreprise", "poste", "experience", "anciennete", "metier", "carriere",
                         "maison", "mairie", "usine", "secteur"})
_AGE_QUESTION_WORDS = frozenset({"possible", "realiste", "tard", "encore", "trop", "vieux", "vieille", "age",
                                 "peut", "peux", "faisable", "jouable"})


def _age_or_duration(doc: Doc, ns: int, ne: int, n: int) -> str:
    """For a plain "N ans": "age", "age_nofact" (an age, not the person's current one), "duration" or "skip"."""
    after = doc.after(ne, 3)
    before = doc.before(ns, 4)
    while before and before[-1] in _AGE_FILLERS:
        before.pop()
    prev = before[-1] if before else ""
    prev2 = before[-2] if len(before) > 1 else ""
    adult = 14 <= n <= 99
    if prev == "dit" or before[-2:] == ["ai", "dit"]:
        return "skip"  # "j'ai dit 2 ans mais c'est plutôt…": the value being corrected
    if prev in {"mes", "ses", "tes", "nos", "leurs"}:
        return "age_nofact" if adult else "skip"
    if prev == "pas" and adult:
        return "skip"  # "j'ai 29 ans pas 39 ans": the rejected value
    if not adult:
        return "duration"
    if prev == "de" and prev2 in _PERSON_NOUNS:
        return "age"  # "une maman de 31 ans"
    if prev == "a" and prev2 != "y":
        clause = set(doc.clause_words(ns))
        end = doc.clause(ns)[1]
        asks = end < len(doc.text) and doc.text[end] == "?"
        return "age" if asks or clause & _AGE_QUESTION_WORDS else "age_nofact"
    if prev in {"avoir", "vais", "aurai"} and ("vais" in before or "va" in before):
        return "age_nofact"  # "je vais avoir 50 ans"
    if prev in {"avais", "aurais", "aurai"}:
        return "age"  # "et si j'avais 25 ans" (hypothetical: no fact, see find_numeric)
    if after and after[:2] != ["au", "lieu"]:
        first = after[0]
        if first in _CONTINUATIONS and not (first == "la" and len(after) == 1):
            return "duration"
        if first == "a" and len(after) > 1 and after[1] in _ARTICLES:
            return "duration"
    if prev in _AGE_VERBS or (prev == "de" and prev2 in {"age", "agee"}):
        return "age"
    if prev in _CORRECTIONS:
        return "age"
    if prev in _DURATION_BEFORE or (prev == "a" and prev2 == "y") or prev in _WORK_WORDS:
        return "duration"
    if n >= 16:
        return "age"
    return "duration"


def find_numeric(doc: Doc, today: date) -> list[Cand]:
    """Duration, age and hours candidates of the message."""
    text = doc.text
    out: list[Cand] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _BORN_RE.finditer(text):
        year = int(m.group("year"))
        month_name = m.group("month") or m.group("month2")
        age = today.year - year
        if month_name in _MONTHS and _MONTHS[month_name] > today.month:
            age -= 1
        cand = Cand("age", age, m.start(), m.end())
        if doc.other_person(m.start()) or doc.hypothetical(m.start()):
            cand.fact = False
        out.append(cand)
        taken.append((m.start(), m.end()))

    for m in _EN_AI_RE.finditer(text):
        if 14 <= int(m.group("n")) <= 99 and free(m.start(), m.end()):
            out.append(Cand("age", int(m.group("n")), m.start(), m.end()))
            taken.append((m.start(), m.end()))

    for m in _SINCE_RE.finditer(text):
        month, year = m.group("month"), m.group("year")
        if not month and not year:
            continue
        if year:
            value = months_since(int(year), _MONTHS[month] if month else None, today)
        else:
            mo = _MONTHS[month]
            y = today.year if mo <= today.month else today.year - 1
            value = months_since(y, mo, today)
        if value is None:
            continue
        end = m.end()
        while end > m.start() and text[end - 1] == " ":
            end -= 1
        out.append(Cand("duration", value, m.start(), end, role=_duration_role(doc, m.start(), end)))
        taken.append((m.start(), end))

    for m in _LAST_RE.finditer(text):
        value = round(_months(m.group("n"), m.group("u")))
        out.append(Cand("duration", value, m.start(), m.end(), role="other"))
        taken.append((m.start(), m.end()))

    for m in _DURATION_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        if _HOURS_WINDOW_RE.search(text, max(0, m.start() - 25), m.start()):
            # "1500 heures sur 18 mois": the window of a count of hours, named but no seniority
            out.append(Cand("duration", round(_months(m.group("n"), m.group("u"))), m.start(), m.end(), role="other",
                            fact=False, flags={"window"}))
            taken.append((m.start(), m.end()))
            continue
        n, unit = m.group("n"), m.group("u")
        value = _months(n, unit)
        if m.group("half"):
            value += 6 if unit.startswith(("an", "annee")) else 0.5
        if m.group("n2"):
            value += _months(m.group("n2"), m.group("u2"))
        simple = unit in {"ans", "an"} and not m.group("n2") and n.isdigit()
        if simple:
            kind = _age_or_duration(doc, m.start(), m.end("u"), int(n))
            if kind == "skip":
                continue
            if kind.startswith("age"):
                cand = Cand("age", int(n), m.start(), m.end("u"))  # "38 ans et demi" → the age is 38
                if kind == "age_nofact" or doc.hypothetical(m.start()):
                    cand.fact = False
                out.append(cand)
                taken.append((m.start(), m.end()))
                continue
        out.append(Cand("duration", round(value), m.start(), m.end(),
                        role=_duration_role(doc, m.start(), m.end())))
        taken.append((m.start(), m.end()))

    for m in _HOURS_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        n = int(re.sub(r"[ .]", "", m.group("n")))
        week = _WEEK_RE.match(text, m.end())
        before = doc.before(m.start(), 2)
        if not week and before[-1:] in (["a"], ["en"]) and 8 <= n <= 35 and set(doc.clause_words(m.start())) & {
                "cdi", "cdd", "contrat", "partiel", "travaille", "bosse", "salarie", "salariee", "poste"}:
            week = True  # "en CDI à 30h"
        if not week and n <= 24 and before[-1:] and before[-1] in {"a", "vers", "des", "jusqu", "avant",
                                                                    "apres", "entre", "de"}:
            continue  # a time of day ("à 14h")
        cand = Cand("hours", n, m.start(), m.end())
        cand.flags.add("week" if week else "total")
        out.append(cand)
        taken.append((m.start(), m.end()))

    for c in out:
        if c.entity in ("duration", "age", "hours") and (doc.quoted_rule(c.ns) or doc.other_person(c.ns)):
            c.fact = False
            c.flags.add("quoted")
        if c.entity != "duration" or not c.fact:
            continue
        if c.value < 1 or re.match(r"\d+\s*(?:semaine|jour)", text[c.ns:c.ne]):
            c.flags.add("short")
        after = text[c.ne:c.ne + 40]
        if re.match(r"\s*(?:derniers|dernieres|prochains)", after):
            continue  # the window itself ("les 5 dernières années")
        clause = doc.clause_text(c.ns, commas=True)
        s0 = 0
        for m in _SENTENCE_END_RE.finditer(text, 0, c.ns):
            s0 = m.end()
        m_end = _SENTENCE_END_RE.search(text, c.ne)
        sentence = text[s0:m_end.start() if m_end else len(text)]
        words = set(re.findall(r"[a-z]+", sentence))
        near = doc.before(c.ns, 3)
        if _WINDOW_60_RE.search(clause) and set(re.findall(r"[a-z]+", clause)) & _WORK_VERBS:
            c.flags.add("worked_60")
        elif "cdd" in words and _WINDOW_12_RE.search(sentence) and (
                "cdd" in near or near[-2:] == ["autre", "de"] or _WINDOW_12_RE.search(after[:30])
                or re.match(r"\s*(?:en tout|au total)", after)):
            c.flags.add("cdd_window")  # "10 mois de CDD sur les 12 derniers", "un CDD de 4 mois puis un autre de 5"
    hours = [c for c in out if c.entity == "hours" and "total" in c.flags]
    if hours:
        for m in _BARE_HOURS_RE.finditer(text):
            s, e = m.start("n"), m.end("n")
            if not free(s, e) or not any(h.ne <= s and s - h.ne < 80 for h in hours):
                continue
            cand = Cand("hours", int(m.group("n")), s, e)
            cand.flags.add("total")
            out.append(cand)
            taken.append((s, e))
    return out
