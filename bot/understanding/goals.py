"""What the person wants: goal phrases, goal cues and the job or field aimed at (target_field).

Goal entities are the explicit phrases ("me reconvertir", "créer mon entreprise"…). The goal
*fact* also comes from cues, in this order of precedence (the most specific wins):

1. train_ai_data — the field aimed at is data / AI ("me former à la data", "data analyst");
2. validate_experience — "valider mon expérience", "le diplôme sans refaire l'école",
   a VAE as the plan, "je fais (déjà) le boulot de X" with a diploma wish;
3. create_business — "créer/monter/ouvrir/reprendre une entreprise, boîte, food truck…";
4. change_job — "me reconvertir", "changer de métier", "démissionner pour…";
5. "devenir X" (or "travailler comme X") — change_job when the person has a job (status
   salarie_prive, interimaire, agent_public or independant, known or said), else get_qualification;
6. get_qualification — "me former", "faire la formation de X", "passer le X", "faire un CAP X";
7. find_job — "trouver un travail";
8. explore — "je sais pas quoi faire", "faire le point", only when nothing above is found.
"""

from __future__ import annotations

import re

from bot.understanding.doc import Cand, Doc

__all__ = ["GOAL_ORDER", "find_goals", "is_ai_data"]

_B = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(_B + "(?:" + pattern + ")" + _E)


def _open(pattern: str) -> re.Pattern[str]:
    """A trigger: a word boundary before; the pattern itself says where its words end."""
    return re.compile(_B + "(?:" + pattern + ")")


#: Precedence of goal cues (see the module docstring).
GOAL_ORDER = ("train_ai_data", "validate_experience", "create_business", "change_job", "devenir",
              "get_qualification", "find_job", "explore")

_BUSINESS_OBJECTS = (
    r"entreprise|boite|societe|commerce|restaurant|resto|food ?truck|foodtruck|camion(?: [a-z]+)?"
    r"|(?:auto|micro)[ -]?entreprise|affaire|business|cabinet|salon(?: de [a-z]+)?|boutique"
    r"|magasin|bar|snack|garage|boulangerie|franchise|start ?up|startup|atelier|epicerie|friterie"
    r"|ferme|gite|institut|pizzeria|patisserie|traiteur|sarl|sas|eurl|structure|propre activite")
_PHRASES: list[tuple[str, re.Pattern[str]]] = [
    ("change_job", _re(
        r"(?:me |se |te |nous |m')?reconvertir|reconversions?(?: professionnelles?)?"
        r"|changer (?:de |d')(?:metier|travail|boulot|job|taf|taff|voie|secteur|domaine|carriere|branche"
        r"|orientation|vie professionnelle|emploi|profession)|(?:me |se )?reorienter"
        r"|reorientation(?: professionnelle)?")),
    ("create_business", _re(
        r"(?:creer|creation d'|creation de|monter|ouvrir|lancer|fonder|demarrer)\s+(?:mon |ma |une |un |sa |son "
        r"|l'|le |la |leur |notre |mes |des )?(?:propre )?(?:" + _BUSINESS_OBJECTS + r"|activite)"
        r"|reprendre\s+(?:une |un |l'|la |le |mon |ma )?(?:" + _BUSINESS_OBJECTS + r")"
        r"|me mettre (?:a mon compte|a son compte|en (?:auto|micro)[ -]?entrepreneur|(?:auto|micro)[ -]?"
        r"entrepreneu(?:r|se)|independante?|en independante?|en freelance)"
        r"|m'installer (?:a mon compte|comme independante?|en liberal|en independante?)"
        r"|devenir (?:auto[ -]?entrepreneu(?:r|se)|micro[ -]?entrepreneu(?:r|se)|independante?"
        r"|mon propre patron|ma propre patronne|cheffe? d'entreprise|entrepreneu(?:r|se)|freelance)"
        r"|creation d'entreprise|creer ma boite|entreprendre|entrepreneuriat")),
    ("validate_experience", _re(
        r"valider (?:mon |mes |l'|son |ses )(?:experience|acquis|competences|savoir[ -]faire|annees)"
        r"|faire (?:reconnaitre|valider) (?:mon |mes )(?:experience|acquis|competences|annees)"
        r"|reconnaissance de (?:mon |mes )(?:experience|acquis)|valoriser (?:mon |mes )(?:experience|acquis)")),
    ("find_job", _re(
        r"(?:re)?trouver (?:un |du |une |mon |le |rapidement |vite )?(?:travail|emploi|boulot|job|taf|taff|poste)"
        r"|(?:re)?chercher? (?:un |du )(?:travail|emploi|boulot|job|taf|taff)"
        r"|reprendre (?:un |une )(?:emploi|travail|activite)|retour (?:a|vers) l'emploi")),
    ("explore", _re(r"faire (?:le|un) point")),
    ("get_qualification", _re(
        r"(?:me |se |te |m')(?:former|forme)|me qualifier|(?:passer|obtenir|avoir|decrocher) (?:un |mon |le |des )"
        r"diplomes?|reprendre (?:mes |les )etudes|(?:faire|suivre) (?:une |des )formations?"
        r"|me remettre a niveau|monter en competences?")),
]
_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("change_job", _re(r"demissionner pour|demissionne pour|quitter (?:mon |le )(?:travail|boulot|job|metier"
                       r"|poste|cdi|emploi|taf) pour|(?:un |une )?(?:autre|nouveau|nouvelle) (?:metier|voie"
                       r"|carriere)")),
    ("validate_experience", _re(
        r"(?:le |un |mon |du |ce |son )?diplome sans (?:re)?(?:faire|passer|suivre|retourner a) (?:toute |tout |la "
        r"|l'|une |les )?(?:ecole|formation|cours|scolarite|etudes)")),
    ("explore", _re(
        r"sais (?:pas|plus) (?:trop |vraiment |du tout )?(?:quoi faire|vers quoi|ce que je veux|ce que je "
        r"pourrais|quel metier|dans quoi|quoi choisir)|aucune idee de (?:ce que|quoi)|je suis perdue?"
        r"|je me cherche|besoin d'y voir (?:plus )?clair|je me pose des questions")),
]
_DOING_JOB_RE = _open(r"(?:fais|fait|faisais|occupe)\s+(?:deja |quasiment |presque |en fait |carrement |un peu )*"
                     r"(?:le |un |son )?(?:boulot|travail|metier|job|taf|taff|poste|role)\s+(?:de |d'un |d'une |d')")
_AI_RE = _re(r"data|ia|i\.a|intelligence artificielle|big data|machine learning|deep learning|donnees"
             r"|data ?analyst|data ?scientist|data ?engineer|ai|analyste de donnees")

# ------------------------------------------------------------------------------ target triggers

_DEVENIR_RE = _re(r"devenir|deviens|devienne|redevenir")
_WANT_RE = _re(r"(?:veux|voudrais|voudrai|aimerais|aimerai|souhaite|souhaiterais|reve d'|envie d')\s*etre")
_AS_RE = _open(r"(?:travailler|bosser|exercer|evoluer|bosse|travaille)\s+(?:comme|en tant que)(?![a-z])"
               r"|(?:le |un )?metier (?:de |d')|(?:dans|vers) (?:le |un )?metier(?: de | d'| )")
_IN_FIELD_RE = _open(r"(?:travailler|bosser|evoluer|exercer|percer)\s+(?:dans|en)\s+(?:la |le |l'|les )?")
_FORMATION_RE = _open(r"formations?(?![a-z0-9])(?:\s+(?:de |d'|d |en |pour etre |pour devenir "
                      r"|dans (?:la |le |l'|les )?))?")
_FORMER_RE = _open(r"(?:me |se |m'|te |nous )?(?:former|forme)\s+(?:a la |a l'|au |aux |en "
                   r"|dans (?:la |le |l'|les )?|a |pour (?:etre |devenir )?|comme |sur (?:la |le |l'|les )?)")
_PASSER_RE = _open(r"passer\s+(?:le |les |mon |un |une |des |ma |la |l')")
_DIPLOMA_TRIGGER_RE = _open(
    r"(?:cap|bep|bts|dut|bac pro|bac professionnel|licence pro(?:fessionnelle)?|titre pro(?:fessionnel)?"
    r"|titre rncp|titre|diplome d'etat|diplome|cqp|certificat|certification|deas|deaes|master)(?![a-z0-9])"
    r"(?:\s+(?:de |d'|d |en |dans (?:la |le |l')?))?")
_RECONV_RE = _open(r"(?:reconvertir|reconversion|reorienter|reorientation)(?: professionnelle)?\s+(?:dans|en|vers"
                   r"|pour devenir|pour etre|pour faire)\s+(?:la |le |l'|les |un |une )?")
_COMME_RE = _re(r"comme|en tant que")
_COMME_CONTEXT = frozenset({
    "reconvertir", "reconversion", "travailler", "bosser", "alternance", "apprentissage", "formation",
    "embauche", "embauchee", "devenir", "poste", "reorienter", "exercer", "former", "contrat", "evoluer",
    "recrute", "recrutee", "stage", "job", "emploi", "travail",
})

_DETERMINERS = frozenset({"le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "mon", "ma", "mes"})
_STOP = frozenset({
    "a", "au", "aux", "dans", "pour", "chez", "mais", "et", "ou", "car", "parce", "sans", "avec",
    "comment", "c", "ce", "cet", "cette", "ca", "est", "qui", "que", "qu", "quand", "si", "je", "j",
    "il", "on", "vers", "sur", "depuis", "pendant", "apres", "avant", "ici", "grace", "via", "par",
    "comme", "aussi", "plutot", "voire", "idealement", "mon", "ma", "mes", "ton", "sa", "son", "y",
    "puis", "donc", "alors", "svp", "stp", "merci", "bonjour", "afin", "rapidement", "vite", "plus",
    "tard", "alternance", "apprentissage", "contrat", "cpf", "vae", "ptp", "cdi", "cdd", "interim",
    "est-ce", "possible", "payee", "paye", "payes", "payees", "financee", "finance", "gratuite",
    "gratuit", "rapide", "courte", "longue", "qualifiante", "certifiante", "diplomante", "continue",
    "financement", "pole", "france", "mission", "region", "le", "la", "les", "l", "un", "une", "des",
    "du", "dont", "ni", "non", "pas", "n", "ne", "m", "me", "te", "se", "s", "d'ici", "etc",
    "maintenant", "bientot", "demain", "prochainement", "actuellement", "encore", "toujours", "moi",
    "nous", "vous", "tu", "ils", "elles", "elle", "leur", "quel", "quelle", "quoi", "of",
    "j'aimerais", "aimerais", "voudrais", "veux", "peux", "dois", "faut", "faudrait",
})
_BAD_TARGETS = frozenset({
    "quelqu", "quelque", "chose", "riche", "heureux", "heureuse", "autonome", "independant",
    "independante", "auto", "micro", "entrepreneur", "entrepreneuse", "patron", "patronne", "meilleur",
    "meilleure", "mieux", "autre", "autres", "rien", "tout", "possible", "bien", "propre", "grand",
    "grande", "region", "qualite", "temps", "cap", "cadre", "titulaire", "salarie", "salariee",
    "maman", "papa", "parent", "vieux", "vieille", "utile", "libre", "indispensable", "cdi", "cdd",
    "niveau", "diplome", "diplomee", "permis", "formation", "formations", "metier", "job", "boulot",
    "travail", "emploi", "poste", "concours", "fonctionnaire", "quoi", "demandeur", "chomage",
})
_LINKERS = frozenset({"de", "d", "du", "des", "en", "a"})
_GAP_RE = re.compile(r"[ '\-/]*")


def is_ai_data(target: str) -> bool:
    """Is a target field (normalised text) about data or artificial intelligence?"""
    return bool(_AI_RE.search(target))


def _take_target(doc: Doc, pos: int, blocked: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The job or field named from normalised position `pos` on: (start, end) or None."""
    words = doc.words
    text = doc.text
    clause_end = doc.clause(pos, commas=True)[1]
    k = doc.word_index_at(pos)
    taken: list[tuple[int, int, str]] = []
    leading = True
    while k < len(words) and words[k][1] <= clause_end and len(taken) < 6:
        s, e, w = words[k]
        if taken and not _GAP_RE.fullmatch(text[taken[-1][1]:s]):
            break
        if any(a <= s < b for a, b in blocked):
            break
        if leading and w in _DETERMINERS:
            k += 1
            continue
        leading = False
        if w.isdigit():
            break
        nxt = words[k + 1][2] if k + 1 < len(words) and words[k + 1][1] <= clause_end else ""
        if w in _LINKERS and taken:
            if w == "a" and nxt not in {"domicile", "la"}:
                break
            if not nxt or nxt in _STOP - _DETERMINERS or nxt.isdigit() or any(
                    a <= words[k + 1][0] < b for a, b in blocked):
                break
            if w == "en" and nxt in _DETERMINERS:
                break
            taken.append((s, e, w))
            k += 1
            continue
        if w in _STOP:
            break
        taken.append((s, e, w))
        k += 1
    while taken and (taken[-1][2] in _LINKERS or taken[-1][2] in _DETERMINERS):
        taken.pop()
    if not taken:
        return None
    content = [w for _, _, w in taken if w not in _LINKERS and w not in _DETERMINERS]
    if not content or all(w in _BAD_TARGETS or len(w) < 2 for w in content) or content[0] in _BAD_TARGETS:
        return None
    return taken[0][0], taken[-1][1]


def find_goals(doc: Doc, blocked: list[tuple[int, int]]) -> tuple[list[Cand], list[Cand]]:
    """(goal candidates, target_field candidates). Goal cues that are not entities have emit=False.

    A target candidate's value is the goal hint of its trigger: "devenir", "get_qualification"
    or None. `blocked` spans (communes, schemes…) end a target.
    """
    text = doc.text
    goals: list[Cand] = []
    for value, rx in _PHRASES:
        for m in rx.finditer(text):
            cand = Cand("goal", value, m.start(), m.end(), prio=4)
            if doc.negated(m.start(), 4) or doc.hypothetical(m.start()) and value != "change_job":
                cand.fact = False
            goals.append(cand)
    for value, rx in _CUES:
        for m in rx.finditer(text):
            cand = Cand("goal", value, m.start(), m.end(), emit=False)
            if doc.negated(m.start(), 3):
                cand.fact = False
            goals.append(cand)
    if "diplome" in text:
        for m in _DOING_JOB_RE.finditer(text):
            goals.append(Cand("goal", "validate_experience", m.start(), m.end(), emit=False))

    targets: list[Cand] = []

    def add_target(pos: int, hint: str | None, trigger_start: int) -> None:
        span = _take_target(doc, pos, blocked)
        if span is None:
            return
        if doc.negated(trigger_start, 3):
            return
        targets.append(Cand("target_field", hint, span[0], span[1], prio=2))

    for m in _DEVENIR_RE.finditer(text):
        add_target(m.end(), "devenir", m.start())
    for m in _WANT_RE.finditer(text):
        add_target(m.end(), "devenir", m.start())
    for m in _AS_RE.finditer(text):
        before = set(doc.before(m.start(), 5))
        if before & {"veux", "voudrais", "aimerais", "souhaite", "souhaiterais", "envie", "reve", "projet",
                     "objectif", "vers", "pour", "voudrai", "aimerai", "idee", "plutot"}:
            add_target(m.end(), "devenir", m.start())
    for m in _IN_FIELD_RE.finditer(text):
        before = set(doc.before(m.start(), 4))
        if before & {"veux", "voudrais", "aimerais", "souhaite", "souhaiterais", "envie", "reve", "projet",
                     "objectif", "voudrai", "aimerai", "pour"}:
            add_target(m.end(), "devenir", m.start())
    for m in _FORMATION_RE.finditer(text):
        if m.group() in ("formation", "formations"):  # no preposition: "formation cariste"
            nxt = doc.after(m.end(), 1)
            if not nxt or nxt[0] in _STOP or nxt[0] in _DETERMINERS:
                continue
        add_target(m.end(), "get_qualification", m.start())
    for m in _FORMER_RE.finditer(text):
        add_target(m.end(), "get_qualification", m.start())
    for m in _PASSER_RE.finditer(text):
        rest = _DIPLOMA_TRIGGER_RE.match(text, m.end())
        add_target(rest.end() if rest else m.end(), "get_qualification", m.start())
    for m in _DIPLOMA_TRIGGER_RE.finditer(text):
        before = doc.before(m.start(), 3)
        if before[-1:] and before[-1] in {"un", "une", "le", "la", "mon", "ma", "faire", "passer", "preparer",
                                           "obtenir", "l", "du", "en"} and set(before) & {
                "faire", "passer", "preparer", "obtenir", "viser", "reprendre", "integrer", "decrocher",
                "suivre", "commencer", "veux", "voudrais", "aimerais", "souhaite", "rncp", "titre"}:
            add_target(m.end(), "get_qualification", m.start())
    for m in _RECONV_RE.finditer(text):
        add_target(m.end(), None, m.start())
    for m in _COMME_RE.finditer(text):
        if set(doc.before(m.start(), 6)) & _COMME_CONTEXT:
            add_target(m.end(), None, m.start())
    for m in _DOING_JOB_RE.finditer(text):
        add_target(m.end(), None, m.start())
    # one target per span (the first trigger wins)
    seen: set[tuple[int, int]] = set()
    unique: list[Cand] = []
    for t in sorted(targets, key=lambda c: c.ns):
        if (t.ns, t.ne) in seen or any(u.ns <= t.ns < u.ne or t.ns <= u.ns < t.ne for u in unique):
            continue
        seen.add((t.ns, t.ne))
        unique.append(t)
    return goals, unique
