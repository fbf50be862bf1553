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
    r"|ferme|gite|institut|pizzeria|patisserie|traiteur|sarl|sas|eurl|structure|propre activite"
    r"|chambres? d'hotes?|organisme(?: de formation)?|agence|centre|ecole|creche|micro[ -]?creche|studio"
    r"|exploitation|elevage|marque|e-?commerce|boutique en ligne|site de vente|cafe|brasserie|bistrot|entreprise"
    r"|cabinet|commerce|epicerie|salon|association|camion|friterie|cave|librairie|fleuriste|toilettage")
_PHRASES: list[tuple[str, re.Pattern[str]]] = [
    ("change_job", _re(
        r"(?:me |se |te |nous |m')?reconvertir|faire autre chose|faire un autre metier"
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
        r"|creer ma boite")),
    ("validate_experience", _re(
        r"valider (?:mon |mes |l'|son |ses )(?:experience|acquis|competences|savoir[ -]faire|annees)"
        r"|faire (?:reconnaitre|valider) (?:mon |mes )(?:experience|acquis|competences|annees)"
        r"|reconnaissance de (?:mon |mes )(?:experience|acquis)|valoriser (?:mon |mes )(?:experience|acquis)")),
    ("find_job", _re(
        r"(?:re)?trouver (?:un |du |une |mon |le |rapidement |vite )?(?:travail|emploi|boulot|job|taf|taff|poste)"
        r"|retravailler|me remettre a travailler|reprendre le travail"
        r"|(?:re)?chercher? (?:un |du )(?:travail|emploi|boulot|job|taf|taff)"
        r"|reprendre (?:un |une )(?:emploi|travail|activite)|retour (?:a|vers) l'emploi")),
    ("explore", _re(r"faire (?:le|un) point|y voir (?:plus )?clair")),
    ("get_qualification", _re(
        r"(?:me |se |te |m')(?:former|forme)|me qualifier|(?:passer|obtenir|avoir|decrocher) (?:un |des )"
        r"diplomes?|reprendre (?:mes |les )etudes|(?:avoir|obtenir) une qualification"
        r"|me remettre a niveau|monter en competences?")),
]
_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("change_job", _re(r"(?<!cap )reconversions?(?: professionnelles?)?")),
    ("create_business", _re(r"creation d'entreprise|creation de (?:mon|ma) (?:entreprise|boite|societe|activite)"
                            r"|entreprendre|entrepreneuriat")),
    ("create_business", _re(r"(?:a mon compte|a son compte|en liberal|en independante?|en freelance"
                            r"|(?:ma|mon) propre (?:boite|entreprise|affaire|activite|salon|cabinet|commerce))")),
    ("get_qualification", _re(r"(?:faire|suivre) (?:une |des |la |ma )formations?"
                              r"|(?:veux|voudrais|aimerais|souhaite|souhaiterais|cherche|recherche|envie d')"
                              r" (?:faire |suivre |trouver )?(?:une |des |un )(?:formations?|apprentissage|alternance)"
                              r"|(?:faire|passer|preparer|commencer) (?:un |une |mon |ma )(?:apprentissage|alternance"
                              r"|cap|bts|bac pro|titre pro(?:fessionnel)?|licence|master|but|deust|diplome)")),
    ("change_job", _re(r"changer de vie|tout plaquer|nouveau depart|repartir de zero")),
    ("find_job", _re(r"(?:veux|voudrais|aimerais|souhaite|souhaiterais|besoin d')\s+(?:un |du )(?:travail|emploi|boulot"
                     r"|job|taf|taff)")),
    ("change_job", _re(r"demissionner pour|demissionne pour|quitter (?:mon |le )(?:travail|boulot|job|metier"
                       r"|poste|cdi|emploi|taf) pour|(?:un |une )?(?:autre|nouveau|nouvelle) (?:metier|voie"
                       r"|carriere)")),
    ("validate_experience", _re(
        r"(?:le |un |mon |du |ce |son )?diplome sans (?:re)?(?:faire|passer|suivre|retourner a) (?:toute |tout )?"
        r"(?:la |l'|une |les )?(?:ecole|formation|cours|scolarite|etudes)")),
    ("explore", _re(
        r"sais (?:pas|plus) (?:trop |vraiment |du tout )?(?:quoi faire|vers quoi|ce que je veux|ce que je "
        r"pourrais|quel metier|dans quoi|quoi choisir)|aucune idee de (?:ce que|quoi)|je (?:suis|me sens) (?:un peu |completement |totalement |vraiment )?perdue?"
        r"|je me cherche|besoin d'y voir (?:plus )?clair|je me pose des questions")),
]
_DOING_JOB_RE = _open(r"(?:fais|fait|faisais|occupe)\s+(?:deja |quasiment |presque |en fait |carrement |un peu )*"
                     r"(?:le |un |son )?(?:boulot|travail|metier|job|taf|taff|poste|role)\s+(?:de |d'un |d'une |d')")
_AI_RE = _re(r"data|ia|i\.a|intelligence artificielle|big data|machine learning|deep learning|donnees"
             r"|data ?analyst|data ?scientist|data ?engineer|ai|analyste de donnees")

# ------------------------------------------------------------------------------ target triggers

_DEVENIR_RE = _re(r"devenir|deviens|devienne|redevenir")
_RECOGNISED_RE = _re(r"pour etre reconnue?|etre reconnue?")
_WANT_RE = _re(r"(?:veux|voudrais|voudrai|aimerais|aimerai|souhaite|souhaiterais|reve d'|envie d')\s*etre"
               r"|pour etre|pour travailler comme")
_AS_RE = _open(r"(?:travailler|bosser|exercer|evoluer|bosse|travaille)\s+(?:comme|en tant que)(?![a-z])"
               r"|(?:le |un )?metier (?:de |d')|(?:dans|vers) (?:le |un )?metier(?: de | d'| )")
_IN_FIELD_RE = _open(r"(?:travailler|bosser|exercer|percer|partir|aller|retravailler|me lancer|lancer)\s+(?:dans|en|vers)\s+"
                     r"(?:la |le |l'|les )?")
_FORMATION_RE = _open(
    r"formations?(?![a-z0-9])(?:\s+(?:courtes?|longues?|gratuites?|payees?|financees?|qualifiantes?|certifiantes?"
    r"|diplomantes?|professionnelles?|pro|rapides?|intensives?|a distance|en ligne|accessibles?))*"
    r"(?:\s+(?:de |d'|d |en |pour etre |pour devenir |dans (?:la |le |l'|les )?))?")
_FORMER_RE = _open(r"(?:me |se |m'|te |nous )?(?:former|forme)\s+(?:a distance |en ligne )?(?:a la |a l'|au |aux |en "
                   r"|dans (?:la |le |l'|les )?|a |pour (?:etre |devenir )?|comme |sur (?:la |le |l'|les )?)")
_PASSER_RE = _open(r"passer\s+(?:le |les |mon |un |une |des |ma |la |l')")
_DIPLOMA_TRIGGER_RE = _open(
    r"(?:cap|bep|bts|dut|bac pro|bac professionnel|licence pro(?:fessionnelle)?|titre pro(?:fessionnel)?"
    r"|titre rncp|titre|diplome d'etat|diplome|cqp|certificat|certification|deas|deaes|master|concours)"
    r"(?![a-z0-9])"
    r"(?:\s+(?:de |d'|d |en |dans (?:la |le |l')?))?")
_RECONV_RE = _open(r"(?:reconvertir|reconversion|reorienter|reorientation)(?: professionnelle)?\s+(?:dans|en tant que"
                   r"|en tant qu'|en|vers"
                   r"|pour devenir|pour etre|pour faire|comme)\s+(?:la |le |l'|les |un |une )?")
_COMME_RE = _re(r"comme|en tant que")
_COMME_CONTEXT = frozenset({
    "reconvertir", "reconversion", "travailler", "bosser", "alternance", "apprentissage", "formation",
    "embauche", "embauchee", "devenir", "poste", "reorienter", "exercer", "former", "contrat", "evoluer",
    "recrute", "recrutee", "stage", "job", "emploi", "travail", "passer", "stabiliser", "changer",
    "installer", "lancer", "prive", "retravailler", "reprendre",
})
# Weak cues: only followed by a job or field word ("faire frigoriste", "vers la data", "X ou Y").
_WEAK_RE = _open(
    r"(?:faire|passer|changer pour|pensais a|pense a|pensais au|plutot|orienter vers|tourner vers|diriger vers"
    r"|vers)\s+(?:la |le |l'|les |du |de la |des )?"
    r"|metier(?: [a-z]+)?,\s+"
    r"|(?:metier|metiers|taf|taff|job|boulot|travail|emploi|poste|truc|carriere|secteur|domaine|branche|stage"
    r"|alternance|apprentissage|formation|formations|reconversion)(?:\s+[a-z]+)?\s+(?:dans|en)\s+"
    r"(?:la |le |l'|les )?"
    r"|(?:ecoles?|centres? de formation|organismes? de formation|instituts?)\s+(?:d'|de |pour |en )(?:la |le |l')?"
    r"|apprendre\s+(?:la |le |l'|les )?")
# After these phrases, "de|d'|en|dans" + anything names the field ("créer mon entreprise de toilettage").
_AFTER_PHRASE_RE = re.compile(r"\s*(?:[a-z]+ )?(?:de |d'|d |en |dans (?:la |le |l'|les )?|comme )")
_PHRASE_TARGET_GOALS = frozenset({"create_business", "validate_experience", "find_job", "get_qualification"})
_BARE_FILLERS = re.compile(
    r"^\W*(?:(?:euh+|bah|ben|alors|plutot|peut-etre|je pensais a|je pense a|un truc dans|un metier dans"
    r"|je voulais dire|je veux dire|en fait|non|c'est|c'est pas [^,]+? mais|pas [^,]+? mais"
    r"|un taf dans|un job dans|dans|en|le|la|les|l'|un|une|du|de la|des)(?:\s+|(?<=')))*")

_DETERMINERS = frozenset({"le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "mon", "ma", "mes"})
_STOP = frozenset({
    "a", "au", "aux", "dans", "pour", "chez", "mais", "et", "ou", "car", "parce", "sans", "avec",
    "comment", "c", "ce", "cet", "cette", "ca", "est", "qui", "que", "qu", "quand", "si", "je", "j",
    "il", "on", "vers", "sur", "depuis", "pendant", "apres", "avant", "ici", "grace", "via", "par",
    "comme", "aussi", "plutot", "voire", "idealement", "mon", "ma", "mes", "ton", "sa", "son", "y",
    "puis", "donc", "alors", "svp", "stp", "merci", "bonjour", "afin", "rapidement", "vite", "plus",
    "tard", "alternance", "apprentissage", "contrat", "cpf", "vae", "ptp", "cdi", "cdd", "interim",
    "possible", "payee", "paye", "payes", "payees", "financee", "finance", "financees", "gratuite",
    "gratuites", "gratuit", "rapide", "courte", "longue", "qualifiante", "certifiante", "diplomante",
    "continue", "financement", "pole", "france", "mission", "region", "le", "la", "les", "l", "un", "une",
    "des", "du", "dont", "ni", "non", "pas", "n", "ne", "m", "me", "te", "se", "s", "etc", "maintenant",
    "bientot", "demain", "prochainement", "actuellement", "encore", "toujours", "moi", "nous", "vous",
    "tu", "ils", "elles", "elle", "leur", "quel", "quelle", "quoi", "of", "aimerais", "voudrais", "veux",
    "peux", "dois", "faut", "faudrait", "pres", "autour", "proche", "cote", "distance", "ligne",
    "presentiel", "accessible", "accessibles", "eligible", "eligibles", "disponible", "disponibles",
    "correspondent", "correspond", "stable", "salarie", "salariee", "peut", "etre", "enfin", "lol",
    "hauts", "departement", "nord", "somme", "oise", "aisne", "pas-de-calais", "bio",
    "urgent", "idee",
})
_BAD_TARGETS = frozenset({
    "quelqu", "quelque", "chose", "riche", "heureux", "heureuse", "autonome", "independant",
    "independante", "auto", "micro", "entrepreneur", "entrepreneuse", "patron", "patronne", "meilleur",
    "meilleure", "mieux", "autre", "autres", "rien", "tout", "possible", "bien", "propre", "grand",
    "grande", "region", "qualite", "temps", "cap", "cadre", "titulaire", "salarie", "salariee",
    "maman", "papa", "parent", "vieux", "vieille", "utile", "libre", "indispensable", "cdi", "cdd",
    "niveau", "diplome", "diplomee", "formation", "formations", "metier", "job", "boulot",
    "travail", "emploi", "poste", "concours", "fonctionnaire", "quoi", "demandeur", "chomage", "milieu",
    "boite", "entreprise", "societe", "structure", "ordinaire", "prive", "public", "coin", "projet",
    "avenir", "vie", "situation", "droit", "droits", "truc", "trucs", "stage", "manuel",
    "manuelle", "distance", "ligne", "permis", "suite", "plus", "moins", "bureau", "terrain", "erreur",
    "parents", "mari", "femme", "enfants", "enfant", "famille", "travailler", "bosser", "retravailler", "tant",
})
# Words that are no job on their own ("une aide", "un agent") but head one ("aide-soignante").
_ALONE_BAD = frozenset({"aide", "aides", "agent", "agents", "chef", "responsable", "charge", "chargee",
                        "conseiller", "conseillere"})
# "les métiers du numérique", "le secteur de la santé": the field follows.
_FIELD_NOUNS = frozenset({"metier", "metiers", "domaine", "domaines", "secteur", "secteurs", "milieu", "filiere",
                          "filieres", "branche"})
_LINKERS = frozenset({"de", "d", "du", "des", "en", "a"})
_GAP_RE = re.compile(r"[ '\-/]*")


def is_ai_data(target: str) -> bool:
    """Is a target field (normalised text) about data or artificial intelligence?"""
    return bool(_AI_RE.search(target))


def _mask(doc: Doc, blocked: list[tuple[int, int]] | bytearray) -> bytearray:
    """Blocked spans as a per-character mask of the normalised text."""
    if isinstance(blocked, bytearray):
        return blocked
    mask = bytearray(len(doc.text) + 1)
    for a, b in blocked:
        mask[a:b] = b"\x01" * (b - a)
    return mask


def _take_target(doc: Doc, pos: int, blocked: list[tuple[int, int]] | bytearray,
                 job_word_first: bool = False) -> tuple[int, int] | None:
    """The job or field named from normalised position `pos` on: (start, end) or None.

    With `job_word_first`, the phrase must start with a job or field word (weak cues).
    """
    from bot.understanding.jobs import is_job_word

    blocked = _mask(doc, blocked)
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
        if blocked[s]:
            break
        if leading and w in _DETERMINERS:
            k += 1
            continue
        if not taken and w in _FIELD_NOUNS and k + 1 < len(words) and words[k + 1][2] in {"du", "de", "des", "d"}:
            k += 1
            leading = True
            continue
        leading = False
        if w.isdigit():
            break
        nxt = words[k + 1][2] if k + 1 < len(words) and words[k + 1][1] <= clause_end else ""
        if w in _LINKERS and taken:
            if w == "a" and nxt not in {"domicile"}:
                break
            if (w in {"du", "des"} and nxt not in {"ecoles"}) or (w == "en" and not is_job_word(nxt)):
                break
            if not nxt or nxt in _STOP - _DETERMINERS or nxt.isdigit() or blocked[words[k + 1][0]]:
                break
            taken.append((s, e, w))
            k += 1
            continue
        if w in _STOP:
            if w == "et" and taken and nxt in {"social", "sociale"}:
                taken.append((s, e, w))
                k += 1
                continue
            break
        if not taken and job_word_first and not is_job_word(w, tuple(x[2] for x in words[k + 1:k + 4])):
            return None
        taken.append((s, e, w))
        k += 1
    while taken and (taken[-1][2] in _LINKERS or taken[-1][2] in _DETERMINERS):
        taken.pop()
    if not taken:
        return None
    content = [w for _, _, w in taken if w not in _LINKERS and w not in _DETERMINERS]
    if not content or all(w in _BAD_TARGETS or len(w) < 2 for w in content) or content[0] in _BAD_TARGETS:
        return None
    if len(content) == 1 and content[0] in _ALONE_BAD:
        return None
    return taken[0][0], taken[-1][1]


_ALT_RE = re.compile(r"\s*(?:,\s*)?(?:ou |et |, )(?:bien |alors |peut-etre |plutot |meme |encore )?"
                     r"(?:en |dans |la |le |l'|un |une )?")
_ALT_FAR_RE = re.compile(r"[^.!?;:()]{0,30}?\bou (?:bien |alors |peut-etre |plutot |meme |encore )?"
                         r"(?:en |dans |la |le |l'|un |une )?")


def _alternatives(doc: Doc, span: tuple[int, int], blocked: bytearray) -> list[tuple[int, int]]:
    """Targets listed after a first one: "kiné ou ostéopathe", "data et IA", "cariste, soudeur"."""
    out: list[tuple[int, int]] = []
    end = span[1]
    first = True
    while True:
        m = _ALT_RE.match(doc.text, end)
        if not m and first:  # "coiffeuse en salon salariée, ou peut-être esthéticienne"
            m = _ALT_FAR_RE.match(doc.text, end)
        first = False
        if not m or m.end() == end:
            return out
        nxt = _take_target(doc, m.end(), blocked, job_word_first=True)
        if nxt is None:
            return out
        out.append(nxt)
        end = nxt[1]


_PLAN_WORDS = frozenset({"veux", "voudrais", "aimerais", "souhaite", "souhaiterais", "devenir", "projet", "envie",
                         "lancer", "installer", "mettre", "envisage", "pense", "reve", "objectif", "voudrai",
                         "aimerai", "veut", "partir"})


def _not_the_persons(doc: Doc, pos: int) -> bool:
    """A goal someone else has ("ma fille veut devenir…") or one already done ("j'ai fait une formation")."""
    before = doc.before(pos, 4)
    done = {("ai", "fait"), ("ai", "suivi"), ("deja", "fait"), ("ai", "passe"), ("j", "fait"), ("ai", "eu")}
    return doc.other_person(pos, groups=False) or any((a, b) in done for a, b in zip(before, before[1:], strict=False)) or bool(
        set(before) & {"lache", "quitte", "arrete", "abandonne", "rate", "loupe", "echoue"})


def find_goals(doc: Doc, blocked: list[tuple[int, int]] | bytearray,
               anchors: tuple[int, ...] = ()) -> tuple[list[Cand], list[Cand]]:
    """(goal candidates, target_field candidates). Goal cues that are not entities have emit=False.

    A target candidate's value is the goal hint of its trigger: "devenir", "get_qualification"
    or None. `blocked` spans (communes, schemes…) end a target; `anchors` are the ends of work-study
    scheme names, after which "en X" names the field ("une alternance en commerce").
    """
    text = doc.text
    blocked = _mask(doc, blocked)
    goals: list[Cand] = []
    for value, rx in _PHRASES:
        for m in rx.finditer(text):
            cand = Cand("goal", value, m.start(), m.end(), prio=4)
            if doc.negated(m.start(), 4) or doc.hypothetical(m.start()) and value != "change_job" \
                    or _not_the_persons(doc, m.start()):
                cand.fact = False
            goals.append(cand)
    for value, rx in _CUES:
        for m in rx.finditer(text):
            cand = Cand("goal", value, m.start(), m.end(), emit=False)
            if doc.negated(m.start(), 3) or _not_the_persons(doc, m.start()):
                cand.fact = False
            if value == "create_business" and not set(doc.before(m.start(), 10)) & _PLAN_WORDS:
                cand.fact = False  # "je suis à mon compte": the status, not a plan
            if value == "change_job" and m.group().startswith("reconversion") and (
                    {"quoi", "ou", "comment", "parler", "infos", "info"} & set(doc.clause_words(m.start()))):
                cand.fact = False
            goals.append(cand)
    if "diplome" in text:
        for m in _DOING_JOB_RE.finditer(text):
            goals.append(Cand("goal", "validate_experience", m.start(), m.end(), emit=False))

    targets: list[Cand] = []

    def add_target(pos: int, hint: str | None, trigger_start: int, weak: bool = False) -> None:
        span = _take_target(doc, pos, blocked, job_word_first=weak)
        if span is None:
            return
        if doc.negated(trigger_start, 2) or _not_the_persons(doc, trigger_start):
            return
        before = doc.before(trigger_start, 3)
        if before[-1:] in (["mon"], ["son"], ["ton"]) or weak and before[-2:-1] in (["ans"], ["mois"]):
            return  # "mon métier d'infirmière", "30 ans de métier dans la métallurgie": the past or present job
        targets.append(Cand("target_field", hint, span[0], span[1], prio=2))
        for alt in _alternatives(doc, span, blocked):
            targets.append(Cand("target_field", hint, alt[0], alt[1], prio=2))

    for m in _DEVENIR_RE.finditer(text):
        add_target(m.end(), "devenir", m.start())
    for m in _RECOGNISED_RE.finditer(text):
        add_target(m.end(), None, m.start())
    for m in _WANT_RE.finditer(text):
        add_target(m.end(), "devenir", m.start(), weak=True)
    for m in _AS_RE.finditer(text):
        before = set(doc.before(m.start(), 5))
        if before & {"veux", "voudrais", "aimerais", "souhaite", "souhaiterais", "envie", "reve", "projet",
                     "objectif", "vers", "pour", "voudrai", "aimerai", "idee", "plutot", "pense", "pensais"} \
                or not m.group().startswith(("travaille", "bosse", "exerce", "evolue")):
            add_target(m.end(), "devenir", m.start())
    for m in _IN_FIELD_RE.finditer(text):
        add_target(m.end(), "field", m.start(), weak=m.group().startswith(("partir", "aller")))
    for m in _FORMATION_RE.finditer(text):
        weak = not re.search(r"(?:^|\s)(?:de|d|en|etre|devenir|dans|la|le|les) ?$|'$", m.group())
        add_target(m.end(), "get_qualification", m.start(), weak=weak)
    for m in _FORMER_RE.finditer(text):
        add_target(m.end(), "get_qualification", m.start())
    for m in _PASSER_RE.finditer(text):
        rest = _DIPLOMA_TRIGGER_RE.match(text, m.end())
        add_target(rest.end() if rest else m.end(), "get_qualification", m.start())
    for m in _DIPLOMA_TRIGGER_RE.finditer(text):
        before = doc.before(m.start(), 3)
        if before[-1:] and before[-1] in {"un", "une", "le", "la", "mon", "ma", "faire", "passer", "preparer",
                                           "obtenir", "l", "du", "en", "avoir"} and set(before) & {
                "faire", "passer", "preparer", "obtenir", "viser", "reprendre", "integrer", "decrocher",
                "suivre", "commencer", "veux", "voudrais", "aimerais", "souhaite", "avoir", "pour"}:
            add_target(m.end(), "get_qualification", m.start())
    for m in _RECONV_RE.finditer(text):
        add_target(m.end(), None, m.start())
    for m in _COMME_RE.finditer(text):
        if set(doc.before(m.start(), 6)) & _COMME_CONTEXT:
            add_target(m.end(), None, m.start())
    for m in _DOING_JOB_RE.finditer(text):
        add_target(m.end(), None, m.start())
    for m in _WEAK_RE.finditer(text):
        hint = "devenir" if m.group().startswith("faire") else "field" if m.group().startswith((
            "passer", "changer", "vers", "orienter", "tourner", "diriger", "pens", "plutot")) else None
        add_target(m.end(), hint, m.start(), weak=True)
    for g in goals:
        if g.value in _PHRASE_TARGET_GOALS and g.emit:
            m = _AFTER_PHRASE_RE.match(text, g.ne)
            if m:
                add_target(m.end(), None, g.ns)
    for c in anchors:
        m = _AFTER_PHRASE_RE.match(text, c)
        if m:
            add_target(m.end(), "get_qualification", c)
    if not targets:
        m = _BARE_FILLERS.match(text)
        start = m.end() if m else 0
        if len(doc.words) <= 12:
            span = _take_target(doc, start, blocked, job_word_first=True)
            rest = set(doc.after(span[1], 8)) if span else set()
            if span is not None and not rest & {"depuis", "suis", "ai", "fais", "travaille", "bosse", "pendant",
                                                 "chez", "j", "je", "ans", "mois"}:
                targets.append(Cand("target_field", None, span[0], span[1], prio=2))
                for alt in _alternatives(doc, span, blocked):
                    targets.append(Cand("target_field", None, alt[0], alt[1], prio=2))
    # one target per span (the first trigger wins)
    unique: list[Cand] = []
    for t in sorted(targets, key=lambda c: (c.ns, -(c.ne - c.ns))):
        if unique and t.ns < unique[-1].ne:
            continue
        unique.append(t)
    return goals, unique
