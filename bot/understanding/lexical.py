"""Named facts: status, contract, diploma, RQTH, RSA, France Travail, schemes, and fact cues.

Each finder returns `Cand`s in normalised offsets, with `fact=False` when the mention is negated,
hypothetical, past or only wished for (the entity is still named, the profile is not changed).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.understanding.dispositifs import dispositif_re, lookup
from bot.understanding.doc import Cand, Doc
from bot.understanding.jobs import is_job_word

__all__ = ["find_lexical"]

_B = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"


class _Rx:
    """A compiled pattern with a cheap pre-check: the literal start of each alternative must occur."""

    def __init__(self, pattern: str) -> None:
        self.regex = re.compile(_B + "(?:" + pattern + ")" + _E)
        self.keys = _literal_starts(pattern)

    def finditer(self, text: str):  # type: ignore[no-untyped-def]
        """Like re.finditer, skipped when no alternative can start in `text`."""
        if self.keys is not None and not any(k in text for k in self.keys):
            return iter(())
        return self.regex.finditer(text)


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _literal_starts(pattern: str) -> tuple[str, ...] | None:
    """The plain-letter start (2+ characters) of every top-level alternative, or None if one has none."""
    keys = []
    for alt in _top_level_alternatives(pattern):
        m = re.match(r"[a-z0-9' ]+", alt)
        lit = m.group() if m else ""
        if m and m.end() < len(alt) and alt[m.end()] in "?*{":
            lit = lit[:-1]  # the last character is optional
        if len(lit) < 2:
            return None
        keys.append(lit)
    return tuple(keys)


def _re(pattern: str) -> _Rx:
    return _Rx(pattern)


# --------------------------------------------------------------------------------- status

_PUBLIC_JOBS_RE = _re(r"atsem|gendarmes?|policiere?s?(?: municipa(?:l|le|ux|les)| nationa(?:l|le))?"
                     r"|militaires?(?: de carriere)?|sapeurs?[ -]pompiers? professionnel(?:le)?s?")
_STATUS = [
    ("csp", _re(r"csp|contrat de securisation professionnelle")),
    ("demandeur_emploi", _re(r"au chomage|chomeuse|chomeur|chomeurs|en recherche d'emploi"
                             r"|en recherche d emploi|privee? d'emploi")),
    ("demandeur_emploi", _re(r"demandeu(?:r|se)s?(?: d'| d | de )?\s?d?emploi")),
    ("demandeur_emploi", _re(r"licenciee?s?")),
    ("sans_emploi", _re(r"sans (?:emploi|travail|boulot|taf|job)|(?:ni|pas de|aucun) (?:taf|travail|emploi|boulot|job)"
                        r"(?! (?:salarie|stable|fixe|en cdi|de|d'|dans|qui))|(?:ne |n')?travaille (?:pas|plus|plus du tout)"
                        r"|(?:ai|ait) (?:jamais|pas encore) travaille|entre deux (?:contrats|emplois|missions|boulots)"
                        r"|(?:j'ai|je viens de) demissionne|(?:mon|ma) (?:cdd|contrat|mission)(?: d'interim)? (?:s'est|est)"
                        r" (?:termine|terminee|fini|finie|arrete|arretee)")),
    ("interimaire", _re(r"interimaires?")),
    ("agent_public", _re(r"fonctionnaires?")),
    ("agent_public", _re(r"agente?s? (?:territoria(?:l|le|ux|les)|public|publique|hospitali(?:er|ere)"
                         r"|de la fonction publique|de l'etat|d'etat)")),
    ("agent_public_weak", _re(r"fonction publique(?: territoriale| hospitaliere| d'etat)?")),
    ("agent_public_contractuel", _re(r"aesh|aed|assistante?s? d'education|accompagnante?s? d'eleves?"
                                     r"(?: en situation de handicap)?")),
    ("agent_public", _PUBLIC_JOBS_RE),
    ("independant", _re(r"(?:auto|micro)[ -]?entrepreneu(?:r|se)s?|independante?s?|freelance"
                        r"|a mon compte|artisane?|commercante?|chef d'entreprise")),
    ("independant_business", _re(r"(?:auto|micro)[ -]?entreprises?")),
    ("inactif_proche_aidant_alone", _re(r"aidante?")),
    ("etudiant", _re(r"etudiante?s?|lyceenn?e?s?|(?<=suis )en (?:terminale|premiere|seconde)(?: pro| generale)?")),
    ("salarie_prive", _re(r"salariee?s?")),
    ("inactif_proche_aidant", _re(r"proches? aidante?s?|aidante?s? familia(?:l|le|ux)")),
    ("inactif", _re(r"(?:mere|pere|femme|homme|maman|papa) au foyer|au foyer|inactive?")),
    ("jeune_neet", _re(r"neet")),
]
_EMPLOYED = frozenset({"salarie_prive", "interimaire", "agent_public", "independant"})

# --------------------------------------------------------------------------------- contract

_CONTRACT = [
    ("contractuel_public", _re(r"(?:cdd|cdi|contrat)s? (?:de droit public|public)")),
    ("cdi", _re(r"cdi|c\.d\.i\.?|contrat a duree indeterminee")),
    ("cdd", _re(r"cdd|c\.d\.d\.?|contrat a duree determinee")),
    ("mission_interim", _re(r"interim")),
    ("fonctionnaire", _re(r"titulaire|titularisee?")),
    ("contractuel_public", _re(r"contractuel(?:le)?s?")),
]

# --------------------------------------------------------------------------------- diploma

_DIPLOMA_ZERO = _re(r"(?:pas|aucun|sans|non|ni|jamais eu|pas eu|n'ai aucun)(?: de| d'| aucun| de vrai| un seul)?"
                    r"\s?diplomee?s?(?! d'| de (?!niveau))|brevet(?: des colleges)?")
_NO_BAC_RE = _re(r"(?:pas|sans|jamais eu|pas eu|n'ai pas)(?: le| de| mon)? bac(?! ?\+| plus)")
_BAC_PLUS = _re(r"bac ?\+ ?(?P<n>\d)|bac plus (?P<m>\d)")
_DIPLOMAS = [
    (3, _re(r"cap ?/ ?bep|cap[ -]bep|bep|certificat d'aptitude professionnelle"
            r"|brevet d'etudes professionnelles")),
    (3, _re(r"cap")),
    (5, _re(r"bts|dut|deug|deust|brevet de technicien superieur")),
    (6, _re(r"licence pro(?:fessionnelle)?|licence|bachelor|maitrise|master(?= 1(?![0-9]))|m1")),
    (7, _re(r"master|m2|dess|dea|mba|diplome d'ingenieur|ingenieur diplomee?")),
    (8, _re(r"doctorat|phd")),
    (4, _re(r"brevet pro(?:fessionnel)?|daeu|baccalaureat"
            r"|bac(?: pro(?:fessionnel)?| general| techno(?:logique)?)?(?! ?\+| plus \d)")),
]
_BUT_RE = re.compile(r"(?<![A-Za-z])(?P<d>BUT|BP)(?![A-Za-z])")
_DIPLOMA_AIM = frozenset({
    "faire", "passer", "preparer", "prepare", "obtenir", "viser", "vise", "decrocher", "reprendre",
    "valider", "integrer", "inscrire", "entrer", "formation", "alternance", "apprentissage", "veux", "passe",
    "voudrais", "aimerais", "souhaite", "envisage", "objectif", "vers", "tenter", "commencer",
    "suivre", "pour", "refaire", "reussir", "avoir", "par", "via", "type", "equivalent",
})
_DIPLOMA_HAVE = frozenset({"ai", "eu", "obtenu", "titulaire", "diplome", "diplomee", "avec", "niveau",
                           "possede", "detiens", "fait", "g"})
_CAP_LOWER_OK = frozenset({"un", "mon", "du", "niveau", "son", "ce", "d", "ai", "avec", "le"})

# --------------------------------------------------------------------------------- others

_RQTH_RE = _re(r"rqth|r\.q\.t\.h\.?|rqht|rtqh|(?:reconnaissance (?:de la qualite )?(?:de )?)?"
               r"(?P<tw>travailleu(?:r|se)s? handicapee?s?)|reconnaissance (?:du |de mon )?handicap|mdph")
_RSA_RE = _re(r"rsa|r\.s\.a\.?|revenu de solidarite(?: active)?")
_FT_RE = _re(r"france ?travaill?e?s?|pole[ -]?emplois?|anpe|francetravail")
_ARE_RE = _re(
    r"(?:je |j')?(?:touche|percois|recois|ai droit a|beneficie de)\s+(?:encore\s+|toujours\s+)?"
    r"(?:l'|le |les |mon |mes |des |du |une )?"
    r"(?:are|chomage|allocs?|allocations?(?: de)?(?: chomage| retour a l'emploi)?|indemnites?(?: de)? chomage"
    r"|ass|allocation de solidarite specifique)"
    r"|(?:je suis |suis )?indemnisee?(?: par| a| au)?(?: pole emploi| france travail| chomage)?")
_ML_FOLLOW_RE = _re(r"(?:suivie?|inscrite?|accompagnee?|suivis)(?: depuis \S+(?: \S+)?)?"
                    r" (?:a|par|avec|dans|en) (?:la |une |ma )?(?:missions? locales?|ml)"
                    r"|(?:je suis |suis |j'ai signe (?:un |le )?)en (?:cej|contrat d'engagement jeune)"
                    r"|(?:conseillere?|referente?) (?:de la |a la |de |en )?missions? locales?"
                    r"|je vais a la mission locale")
_CAP_EMPLOI_FOLLOW_RE = _re(r"(?:suivie?|inscrite?|accompagnee?|suivis)(?: depuis \S+(?: \S+)?)?"
                            r" (?:a|par|avec|chez) (?:le |mon )?(?:cap emploi|cap'emploi|capemploi)")
_LEFT_SCHOOL_RE = _re(
    r"(?:arrete|quitte|lache|abandonne|sortie?|fini|termine|decroche|rate|redouble|viree?)"
    r"(?: de)?(?: l'| le | la | les | mes | mon | ma )?\s?"
    r"(?:ecole|lycee|college|cours|etudes|fac|scolarite|cursus|formation|apprentissage|terminale)"
    r"|decrochage scolaire|decrocheu(?:r|se)|je traine|je fais rien|je fais plus rien|je ne fais rien"
    r"|ni en emploi ni en formation|pas en formation|sorti(?:e)? du systeme scolaire|descolarisee?")
_CADRE_RE = _re(r"(?P<neg>non[ -]|pas |plus )?cadres?")
_SICK_RE = _re(r"(?P<at>accidents? du travail|accidents? de travail|at/mp)"
               r"|(?P<mp>maladies? professionnelles?|maladie pro)"
               r"|(?P<m>arrets? maladie|arret de travail|longue maladie|en maladie|arret longue duree)")
_UNPAID_RE = _re(r"conges? sans solde|conges? sabbatiques?|en disponibilite|mise en disponibilite")
_QPV_RE = _re(r"qpv|quartiers? prioritaires?|zfrr|zrr|zone de revitalisation rurale|france ruralites"
              r"|quartier politique de la ville")
_SELF_INSURED_RE = _re(r"auto[ -]?assurance|auto[ -]?assure")
# Public administrations: their employees are public agents (with a CDD/CDI: public-law contract),
# and they are their own unemployment insurers (rule DR-R5 names ministries and public bodies).
_PUBLIC_ADMIN = (
    r"mairie|hotel de ville|ville (?:de|d(?='))|collectivites?(?: territoriales?| locales?)?"
    r"|conseil (?:departemental|regional|general)|metropole|communaute (?:d'agglomeration|d'agglo|de communes|urbaine)"
    r"|ccas|cias|sdis|chu|chr|centre hospitalier(?: universitaire| regional)?|hopital(?! prive)|hopitaux"
    r"|ap-hp|aphp|ehpad public|etablissement public|education nationale|rectorat|universite|lycee public"
    r"|college public|ecole publique|ministere(?: de[s]? [a-z]+| de l'[a-z]+)?|prefecture|gendarmerie"
    r"|police (?:nationale|municipale)|armee|douanes?|finances publiques|tresor public|centre des impots"
    r"|fonction publique(?: territoriale| hospitaliere| d'etat)?")
_PUBLIC_ADMIN_RE = _re(_PUBLIC_ADMIN)
#: Employers in self-insurance against unemployment: public bodies, and those DR-R5 names.
_SELF_INSURED_EMPLOYER_RE = _re(
    _PUBLIC_ADMIN + r"|la poste|sncf|edf|ratp|banque de france|cci|cma|chambres? (?:de commerce|des metiers"
    r"|de metiers|d'agriculture|consulaires?|regionale? (?:de commerce|d'agriculture|des metiers))"
    r"|agente?s? (?:territoria(?:l|le|ux|les)|hospitali(?:er|ere)s?)|fonctionnaires? (?:territoria|hospitali|d'etat)"
    r"|aesh|aed|atsem|gendarmes?|policiere?s?(?: municipa(?:l|le|ux|les)| nationa(?:l|le))?|militaires?"
    r"|assistante?s? d'education|accompagnante?s? d'eleves?|dgfip|drfip|impots")
_WORK_WORDS = frozenset({
    "travaille", "bosse", "employe", "employee", "salarie", "salariee", "agent", "agente", "poste", "contrat",
    "cdi", "cdd", "contractuel", "contractuelle", "titulaire", "fonctionnaire", "statut", "embauche", "embauchee",
    "depuis", "ans", "facteur", "factrice", "aesh", "aed", "atsem", "infirmier", "infirmiere", "ash", "prof",
    "professeur", "professeure", "enseignant", "enseignante", "conseiller", "conseillere", "gestionnaire",
    "technicien", "technicienne", "auxiliaire", "adjoint", "adjointe", "secretaire", "gendarme", "policier",
    "policiere", "controleur", "controleuse", "cheminot", "guichetier", "aide", "soignante", "soignant",
})
_STUDENT_WORDS = frozenset({"etudiant", "etudiante", "etudiants", "etudes", "eleve", "stage", "stagiaire", "these"})
# Laid off (or being laid off) for economic reasons or unfitness; a CSP follows an economic layoff.
_LAID_OFF_RE = _re(
    r"licencie(?:e|s|es)? (?:pour )?(?:motif )?(?:eco|economique|economiques|inaptitude)"
    r"|licenciee?s? pour (?:motif )?(?:economique|inaptitude)|licenciement (?:pour )?(?:motif )?"
    r"(?:eco|economique|inaptitude)|licencier pour (?:motif )?(?:economique|inaptitude)"
    r"|(?:declaree?|reconnue?|suis|ete|etre) inapte|inapte (?:a|au) (?:mon |ce |son )?(?:poste|travail|metier)"
    r"|procedure (?:de licenciement pour )?(?:d')?inaptitude"
    r"|plan social|plan de sauvegarde de l'emploi|\bpse\b|motif economique|rupture pour motif economique")
_NO_BENEFIT_RE = _re(
    r"fin de droits?|en fin de droit|plus (?:d'|de )(?:indemnites?|are|allocations?|allocs?|chomage|droits?)"
    r"|(?:ne )?(?:touche|percois|recois) (?:pas|plus) (?:le |l'|d'|de |les |des |du )?"
    r"(?:chomage|are|allocations?|allocs?|indemnites?)"
    r"|(?:ne )?touche (?:plus )?rien|(?:ne )?percois (?:plus )?rien|pas (?:encore )?indemnisee?"
    r"|non indemnisee?|sans (?:indemnites?|allocations?|droits? au chomage)|aucune (?:indemnite|allocation)"
    r"|droits? (?:au chomage )?(?:epuises?|termines?|finis?)")
_RQTH_PENDING_RE = _re(
    r"(?:rqth|reconnaissance (?:de la qualite )?(?:de )?travailleu(?:r|se) handicapee?|mdph|dossier mdph)"
    r"[^.!?]{0,40}?(?:en cours|en attente|attends|attend|deposee?|envoyee?|instruction)"
    r"|(?:fait|depose|deposee|envoye|envoyee|rempli|monte|lance)\s+(?:ma |une |mon |la |le |un )?"
    r"(?:demande|dossier)[^.!?]{0,30}?(?:rqth|mdph|reconnaissance|travailleu(?:r|se) handicapee?)"
    r"|(?:demande|dossier)(?: de| d'une)? (?:rqth|reconnaissance[^.!?]{0,30}?) (?:est )?(?:en cours|en attente|deposee?)")
# A sensory or disability cue (the conversation offers the RQTH; the RQTH itself is a fact only when stated).
_DISABILITY_RE = _re(
    r"sourde?s?|malentendante?s?|mal entendante?|malvoyante?s?|mal voyante?|aveugles?|non[ -]voyante?s?"
    r"|handicap(?:ee?s?)?(?: moteur| visuel| auditif| psychique| mental| cognitif)?|en fauteuil(?: roulant)?"
    r"|fauteuil roulant|dyslexique|dyspraxique|autiste|tsa|tdah"
    r"|sclerose en plaques|invalidite|pension d'invalidite|appareillee?|amputee?|paraplegique|tetraplegique"
    r"|epilepti(?:que|e)|bipolaire|schizophrene|maladie chronique|surdite|cecite")
_NOT_REGISTERED_RE = _re(r"(?:pas|jamais|plus|non)\s+(?:encore\s+|ete\s+|du tout\s+|vraiment\s+)?"
                         r"(?:inscrite?s?|reinscrite?s?)")
_REGISTERED_AS_RE = _re(r"inscrite?s? (?:au |a |comme |en tant que )?(?:chomage|demandeu(?:r|se)s? d'emploi)")
_OTHER_REGISTRATION = frozenset({"mission", "ecole", "fac", "formation", "cours", "cfa", "universite",
                                 "concours", "apec", "cap", "liste", "club", "salle", "lycee", "stage"})
_PART_TIME_RE = _re(r"mi[ -]?temps|(?P<p>\d{2}) ?%|4/5(?:e|eme)?|quatre cinquiemes?")

# Words right before a mention that make it a question about the scheme, not a fact.
_QUESTION_WORDS = frozenset({
    "quoi", "comment", "qu'est", "est", "explique", "expliquer", "expliquez", "info", "infos",
    "renseignement", "renseignements", "sert", "marche", "fonctionne", "existe", "existent",
    "obtenir", "demander", "demande", "avoir", "faire", "droit", "differences", "difference",
    "koi", "pourquoi", "quel", "quelle", "quels", "quelles", "combien", "qui",
})
_POSSESSION = frozenset({"ai", "ma", "mon", "suis", "reconnu", "reconnue", "titulaire", "beneficiaire",
                         "avec", "obtenu", "eu", "g", "possede", "detiens", "une", "au"})
_PENDING = frozenset({"cours", "attente", "attends", "attend", "demande", "dossier", "deposee",
                      "depose", "bientot", "demander", "fais", "faire", "refus", "refusee"})


def _question(doc: Doc, ns: int, ne: int) -> bool:
    """Is the mention at [ns, ne) something asked about ("c'est quoi la RQTH ?")?"""
    before = doc.before(ns, 5)
    after = doc.after(ne, 5)
    clause_end = doc.clause(ns)[1]
    asks = clause_end < len(doc.text) and doc.text[clause_end] == "?"
    near = set(before[-4:]) | set(after[:4])
    if _POSSESSION & set(before[-3:]):
        return False
    if {"quoi", "koi", "comment", "expliquer", "explique", "expliquez", "infos", "info", "renseignement",
            "renseignements", "sert", "existe", "existent", "fonctionne", "marche"} & near:
        return True
    if asks and ("quoi" in near or "qu" in before or "est" in after[:2] or "ca" in after[:1]):
        return True
    return not before and asks and len(after) <= 3


def _context(doc: Doc, cand: Cand, *, past: bool = True, aim: bool = True) -> Cand:
    """Set `fact=False` (and a flag) when the mention is negated, hypothetical, past or wished for."""
    if doc.negated(cand.ns) or doc.denied(cand.ns, quantity=False):  # "jamais fait d'intérim"
        cand.flags.add("negated")
    if doc.uncertain(cand.ns):
        cand.flags.add("uncertain")
        cand.fact = False
    if doc.hypothetical(cand.ns):
        cand.flags.add("hypothetical")
        cand.fact = False
    if past and doc.past(cand.ns):
        cand.flags.add("past")
        cand.fact = False
    if aim and doc.aimed(cand.ns):
        cand.flags.add("aim")
        cand.fact = False
    if doc.other_person(cand.ns):
        cand.flags.add("other")
        cand.fact = False
    if doc.quoted_rule(cand.ns):
        cand.flags.add("quoted")  # "il faut 5 ans de CDI", "faut être salarié ?"
        cand.fact = False
    return cand


def _status(doc: Doc) -> list[Cand]:
    out: list[Cand] = []
    for value, rx in _STATUS:
        for m in rx.finditer(doc.text):
            ns, ne = m.start(), m.end()
            before = doc.before(ns, 3)
            if before[-1:] and before[-1] in {"des", "les", "aux", "ces"}:
                continue  # "les salariés peuvent…", "des fonctionnaires": not about the person
            if before[-1:] in (["un"], ["une"]) and doc.after(ne, 1)[:1] and doc.after(ne, 1)[0] in {
                    "peut", "peuvent", "doit", "a", "pourrait", "qui"}:
                continue  # "est-ce qu'un fonctionnaire peut…": a question about a group
            contractuel = value == "agent_public_contractuel"
            if contractuel:
                value = "agent_public"
            if value == "sans_emploi":
                # only "sans emploi" is an entity (docs/nlu-guide.md); "pas de boulot", "j'ai démissionné" are cues
                cand = Cand("status", "sans_emploi_non_inscrit", ns, ne, emit=m.group().startswith("sans"))
                cand.flags.add("sans_emploi")
                out.append(_context(doc, cand, aim=False))
                continue
            if value == "agent_public_weak":
                out.append(_context(doc, Cand("status", "agent_public", ns, ne, emit=False), aim=False))
                continue
            if value == "independant_business":
                if doc.aimed(ns, extra=frozenset({"creer", "monter", "lancer", "ouvrir"})) \
                        or not ({"en", "ma", "mon", "une", "suis", "ai", "d"} & set(before[-2:])) and before:
                    continue
                cand = Cand("contract", "micro_entreprise", ns, ne)
                out.append(_context(doc, cand, aim=False))
                continue
            if value == "inactif_proche_aidant_alone":
                after = doc.after(ne, 2)
                if not (before[-1:] == ["suis"] or after[:1] and after[0] in {"de", "d", "pour", "familial",
                                                                               "familiale", "a"}):
                    continue
                if before[-1:] in (["proche"],):
                    continue
                value_ = "inactif_proche_aidant"
            else:
                value_ = value
            if value_ == "demandeur_emploi" and m.group() == "au chomage" and before[-1:] and before[-1] in {
                    "droit", "droits", "toucher", "touche", "avoir", "aurai", "aurais", "acces"}:
                continue  # "droit au chômage": an allowance asked about, not a situation
            if value_ == "demandeur_emploi" and m.group().startswith("licenci"):
                if {"vais", "va", "risque", "menace", "peut", "pourrais", "faire", "me", "peur", "crains",
                        "crainte", "risquer"} & set(before) or before[-1:] == ["etre"] and "viens" not in before:
                    continue  # "je vais être licencié": still employed
            if value_ == "salarie_prive" and before[-1:] and before[-1] in {
                    "emploi", "poste", "travail", "job", "cdi", "contrat", "boulot", "taf", "activite"}:
                continue  # "un emploi salarié": an adjective
            cand = Cand("status", value_, ns, ne)
            if value_ == "etudiant" and not m.group().startswith("etudiant") or rx is _PUBLIC_JOBS_RE \
                    or contractuel:
                cand.emit = False  # "en terminale", "AESH", "gendarme": cues, not annotated status entities
            if contractuel:
                cand.flags.add("contractuel")
            if m.group().startswith(("auto", "micro")) and "entrepreneu" in m.group():
                cand.flags.add("micro")
            if value_ == "independant" and (doc.aimed(ns, extra=frozenset({
                    "statut", "sous", "reconvertir", "installer", "mets", "mettre", "lancer", "passer"})) or (
                    m.group() == "a mon compte" and set(doc.before(ns, 10)) & {
                        "veux", "voudrais", "aimerais", "souhaite", "lancer", "installer", "mettre", "devenir",
                        "envie", "projet", "creer", "monter", "ouvrir", "pense", "envisage"})):
                cand.flags.add("aim")
                cand.fact = False
            _context(doc, cand, aim=value_ in _EMPLOYED or value_ == "etudiant",
                     past=value_ == "csp" or m.group().startswith("licenci"))
            if "negated" in cand.flags:
                cand.fact = False
            if cand.flags & {"negated", "aim", "other"}:
                cand.emit = False
            out.append(cand)
    return out


def _contract(doc: Doc) -> list[Cand]:
    out: list[Cand] = []
    for value, rx in _CONTRACT:
        for m in rx.finditer(doc.text):
            ns, ne = m.start(), m.end()
            if value == "fonctionnaire" and re.match(r"\s*(?:d'|du |des |de (?!la fonction|l'etat))", doc.text[ne:]):
                continue  # "titulaire d'un CAP", "titulaire du permis"
            if value == "mission_interim":
                prev = doc.before(ns, 2)
                if prev[-1:] and prev[-1] in {"agence", "agences", "boite", "boites", "societe", "ett"} \
                        or prev[-2:-1] and prev[-2] in {"agence", "agences", "boite", "boites"}:
                    cand = Cand("contract", value, ns, ne, emit=False)
                    cand.flags.add("agency")
                    out.append(cand)
                    continue
            cand = _context(doc, Cand("contract", value, ns, ne))
            before = doc.before(ns, 3)
            wider = doc.before(ns, 6)
            if any(pair in (("ai", "fait"), ("ai", "eu"), ("j", "fait")) for pair in zip(wider, wider[1:], strict=False)):
                before = [*before[:-2], "ai", "fait"]  # "j'ai fait 6 mois de CDD cette année": the past
            if before[-1:] in (["les"], ["des"], ["plusieurs"], ["autre"]) or before[-2:] in (
                    ["ai", "fait"], ["ai", "eu"], ["j", "fait"], ["fait", "un"], ["eu", "un"]) or before[-3:-1] in (
                    ["ai", "fait"], ["ai", "eu"]) or _ENDED_RE.match(doc.text, ne):
                cand.flags.add("past")  # "j'ai enchaîné les CDD", "j'ai fait un CDD", "mon CDD s'est terminé"
                cand.fact = False
            if "negated" in cand.flags:
                cand.fact = False
                cand.emit = False
            out.append(cand)
    return out


_ENDED_RE = re.compile(r"\s*(?:(?:de|d'|a)\s*\S+\s+)?(?:s'est|est|a|ont|vient de se)\s+"
                       r"(?:termine|terminee|fini|finie|arrete|arretee|pris fin|acheve|terminer|finir|arreter)(?![a-z])")


def _diploma(doc: Doc, asked: str | None) -> list[Cand]:
    out: list[Cand] = []
    text = doc.text
    for m in _DIPLOMA_ZERO.finditer(text):
        out.append(Cand("diploma", 0, m.start(), m.end(), prio=6))
    for m in _NO_BAC_RE.finditer(text):  # "sans le bac": no diploma unless another one is named
        cand = Cand("diploma", 0, m.start(), m.end(), prio=4, emit=False)
        cand.flags.add("no_bac")
        out.append(cand)
    for m in _BAC_PLUS.finditer(text):
        n = int(m.group("n") or m.group("m"))
        level = 4 if n <= 1 else 5 if n == 2 else 6 if n <= 4 else 7 if n <= 7 else 8
        out.append(Cand("diploma", level, m.start(), m.end(), prio=6))
    for level, rx in _DIPLOMAS:
        for m in rx.finditer(text):
            ns, ne = m.start(), m.end()
            if m.group() == "cap":
                raw = doc.norm.original_text(ns, ne)
                prev = doc.before(ns, 1)
                nxt = doc.after(ne, 1)
                if raw != "CAP" and asked != "diploma_level" and (
                        not prev or prev[-1] not in _CAP_LOWER_OK or prev[-1] == "le") and not (
                        nxt and is_job_word(nxt[0]) and not doc.aimed(ns)):
                    continue
            out.append(Cand("diploma", level, ns, ne))
    for m in _BUT_RE.finditer(doc.norm.original):
        ns = doc.norm_pos(m.start())
        out.append(Cand("diploma", 6 if m.group("d") == "BUT" else 4, ns, ns + len(m.group("d"))))
    for cand in out:
        if cand.value == 0:
            continue
        before = doc.before(cand.ns, 5)
        state = "have"
        for w in reversed(before):
            if w in _DIPLOMA_HAVE:
                break
            if w in _DIPLOMA_AIM:
                state = "aim" if w != "passe" else "sitting"  # "je passe le bac en juin": not yet had
                break
        studying = {"suis", "es", "etudiant", "etudiante", "etudiants", "annee", "fac", "inscrit", "inscrite"}
        if before[-1:] in (["en"], ["de"], ["d"]) and studying & set(before):
            state = "study"
        if {"rate", "echoue", "loupe", "rater", "redouble", "redoublee"} & set(before[-3:]) or \
                before[-2:] in (["pas", "eu"], ["jamais", "eu"]):
            state = "failed"
        if state != "have":
            cand.flags.add(state)
            cand.emit = state == "sitting"
            cand.fact = False
        elif doc.negated(cand.ns, 4):
            cand.flags.add("negated")
            cand.emit = False
            cand.fact = False
    return out


def _rqth(doc: Doc) -> list[Cand]:
    out: list[Cand] = []
    for m in _RQTH_RE.finditer(doc.text):
        ns, ne = (m.start("tw"), m.end("tw")) if m.group("tw") else (m.start(), m.end())
        before = doc.before(m.start(), 3)
        if m.group() == "mdph" or _question(doc, m.start(), m.end()) or {"demander", "obtenir", "demandez",
                                                                         "demande", "dossier"} & set(before):
            out.append(Cand("dispositif", "rqth", ns, ne, prio=6))
            continue
        cand = Cand("rqth", True, ns, ne, prio=6)
        if doc.negated(m.start()):
            cand.value = False
            cand.flags.add("negated")
        near = set(doc.before(m.start(), 4)) | set(doc.after(m.end(), 3))
        if _PENDING & near and not cand.flags:
            cand.value = False
            cand.fact = False
            cand.flags.add("pending")
        if doc.hypothetical(m.start()) or doc.uncertain(m.start()) or doc.aimed(
                m.start(), extra=frozenset({"demander", "obtenir"})) and not cand.flags or doc.other_person(m.start()):
            cand.fact = False
        out.append(cand)
    return out


def _rsa(doc: Doc) -> list[Cand]:
    out: list[Cand] = []
    for m in _RSA_RE.finditer(doc.text):
        cand = Cand("rsa", True, m.start(), m.end(), prio=6)
        if doc.other_person(m.start()):
            cand.fact = False
        if doc.negated(m.start()):
            cand.value = False
        before = doc.before(m.start(), 2)
        if doc.hypothetical(m.start()) or doc.uncertain(m.start()) or doc.past(m.start()) \
                or _question(doc, m.start(), m.end()) or before[-1:] == ["le"] and not (
                    set(doc.before(m.start(), 4)[:-1]) & {"touche", "percois", "recois", "ai", "beneficie", "g"}):
            cand.fact = False  # "on peut cumuler le RSA et une formation ?"
        out.append(cand)
    return out


_REGISTERED_WORDS = frozenset({
    "inscrit", "inscrite", "inscrits", "inscrites", "inscription", "reinscrit", "reinscrite", "suivi",
    "suivie", "conseiller", "conseillere", "rattache", "rattachee", "indemnise", "indemnisee", "radie",
    "radiee", "desinscrit", "desinscrite", "reinscrire", "referent", "referente",
})
_FT_SERVICE_BEFORE = frozenset({"agence", "adresse", "agences", "site", "appli", "application", "numero",
                                "horaires", "locaux", "bureau", "antenne"})


def _france_travail(doc: Doc) -> list[Cand]:
    """France Travail named as the person's registration (entity france_travail) or as a service."""
    out: list[Cand] = []
    spans = [(m.start(), m.end()) for m in _FT_RE.finditer(doc.text)]
    for m in re.finditer(r"(?<![A-Za-z])FT(?![A-Za-z])", doc.norm.original):
        ns = doc.norm_pos(m.start())
        if {"inscrit", "inscrite", "a", "chez", "au"} & set(doc.before(ns, 2)):
            spans.append((ns, ns + 2))
    for ns, ne in sorted(spans):
        before = doc.before(ns, 7)
        near = before[-4:]
        after = doc.after(ne, 3)
        registered = bool(set(before) & _REGISTERED_WORDS) or near[-2:] in (
            ["suis", "a"], ["suis", "au"], ["suis", "chez"], ["oui", "a"])
        aim = bool(set(near) & {"inscrire", "inscris", "inscrive", "desinscris", "desinscrire", "reinscris"})
        service = (_question(doc, ns, ne) or bool(set(near[-2:]) & _FT_SERVICE_BEFORE)
                   or bool({"quoi", "difference", "existe", "devenu", "sert", "koi"} & set(doc.clause_words(ns)))
                   or before[-2:] in (["etes", "de"], ["est", "devenu"]) or near[-1:] == ["est"]
                   or after[:1] in (["qui"],) or after[:2] in (["c", "est"], ["ca", "sert"], ["ca", "existe"]))
        if aim:
            cand = Cand("france_travail", not bool({"desinscris", "desinscrire"} & set(near)), ns, ne, prio=6,
                        fact=False)
            cand.flags.add("aim")
        elif registered:
            cand = Cand("france_travail", True, ns, ne, prio=6)
            if doc.negated(ns, 6) or set(before) & {"radie", "radiee", "desinscrit", "desinscrite"}:
                cand.value = False
                cand.flags.add("negated")
            if doc.hypothetical(ns) or doc.uncertain(ns) or doc.other_person(ns):
                cand.fact = False
        elif service:
            cand = Cand("dispositif", "france_travail", ns, ne, prio=6)
        else:
            cand = Cand("france_travail", not doc.negated(ns, 4), ns, ne, prio=6, fact=False)
        out.append(cand)
    return out


def _dispositifs(doc: Doc) -> list[Cand]:
    out: list[Cand] = []
    original = doc.norm.original
    for m in dispositif_re().finditer(doc.text):
        rid = lookup(m.group())
        if rid is None:
            continue
        ns, ne = m.start(), m.end()
        raw = doc.norm.original_text(ns, ne)
        if rid == "pro_a" and re.fullmatch(r"pro\s+a", m.group()):
            if "à" in raw or "À" in raw:
                continue
            prev = doc.before(ns, 1)
            if prev and prev[-1] not in {"la", "le", "l", "du", "de", "en", "une", "par", "via", "avec",
                                         "sur", "un", "dispositif"}:
                continue
        if rid == "mon_cep_hdf" and m.group() == "cep" and raw.islower() and doc.before(ns, 1)[-1:] not in (
                ["le"], ["mon"], ["du"], ["un"], ["au"], ["conseiller"]):
            continue
        if rid == "reseaux_creation" and m.group() in {"cci", "cma"} and raw.islower() \
                and doc.before(ns, 1)[-1:] not in (["la"], ["a"], ["de"]):
            continue
        if rid == "acre" and raw.islower() and doc.before(ns, 1)[-1:] not in (["l"], ["de"], ["la"]):
            continue
        out.append(Cand("dispositif", rid, ns, ne, prio=5))
    for m in re.finditer(r"(?<![A-Za-z])ML(?![A-Za-z])", original):
        ns = doc.norm_pos(m.start())
        out.append(Cand("dispositif", "mission_locale", ns, ns + 2, prio=5))
    return out


def _cues(doc: Doc) -> list[Cand]:
    """Fact-only cues: ARE, mission locale follow-up, left school, cadre, sick leave, leave, QPV."""
    out: list[Cand] = []
    text = doc.text

    def add(rx: re.Pattern[str], fieldname: str, value: object,
            check: Callable[[re.Match[str]], bool] | None = None) -> None:
        for m in rx.finditer(text):
            if check is not None and not check(m):
                continue
            cand = Cand("cue", value, m.start(), m.end(), emit=False, field=fieldname)
            if doc.hypothetical(m.start()) or doc.uncertain(m.start()) or doc.other_person(m.start()):
                cand.fact = False
            if doc.negated(m.start()):
                cand.flags.add("negated")
            out.append(cand)

    add(_ARE_RE, "are", True)
    add(_ML_FOLLOW_RE, "mission_locale_follow", True)
    add(_CAP_EMPLOI_FOLLOW_RE, "cap_emploi_follow", True)
    add(_LEFT_SCHOOL_RE, "left_school", True)

    def cadre_ok(m: re.Match[str]) -> bool:
        before = doc.before(m.start(), 3)
        if m.group("neg"):
            return True
        if before[-1:] in (["le"], ["du"], ["un"], ["ce"], ["au"], ["leur"], ["son"], ["les"], ["des"],
                           ["mon"], ["ton"], ["votre"], ["bon"], ["beau"], ["la"], ["nouveau"], ["meme"]):
            return False
        after = doc.after(m.end(), 2)
        if after[:1] and after[0] in {"de", "d"} and after[1:2] not in (["sante"], ["direction"], ["proximite"]):
            return False  # "cadre de vie", "cadre d'emploi"
        if before[-1:] and before[-1] in {"suis", "statut", "que", "comme", "etre", "passe", "passee", "es",
                                          "poste", "agent", "en", "devenu", "devenue", "reste", "employe",
                                          "employee", "salarie", "salariee", "g"} \
                or before[-2:] == ["poste", "de"]:
            return True
        if before[-1:] and (is_job_word(before[-1]) or before[-1] in {"consultant", "consultante", "ingenieur",
                                                                     "ingenieure", "chef", "cheffe", "manager"}):
            return True  # "ingénieur cadre", "consultante cadre"
        if not before:  # "(cadre)", "…, cadre, 52 ans", "Cadre commercial depuis…"
            return not after or after[0] in _CADRE_KINDS or not is_job_word(after[0]) and after[0] in {
                "depuis", "chez", "dans", "en", "a", "au", "et", "ans"} or is_job_word(after[0])
        return after[:1] and after[0] in _CADRE_KINDS and bool({"suis", "je", "j"} & set(doc.before(m.start(), 6)))

    for m in _CADRE_RE.finditer(text):
        if not cadre_ok(m):
            continue
        value = not m.group("neg")
        cand = Cand("cue", value, m.start(), m.end(), emit=False, field="is_cadre")
        if doc.negated(m.start(), 3):
            cand.value = False
        if doc.hypothetical(m.start()) or doc.aimed(m.start()) or doc.other_person(m.start()):
            cand.fact = False
        out.append(cand)
    for m in _LEADER_RE.finditer(text):
        before = doc.before(m.start(), 2)
        if before[-1:] and before[-1] in _POSSESSIVE_OR_ARTICLE:
            continue  # "mon directeur", "le chef de service"
        cand = Cand("cue", m.group() != "agent de maitrise", m.start(), m.end(), emit=False, field="is_cadre")
        if doc.hypothetical(m.start()) or doc.aimed(m.start()) or doc.other_person(m.start()) or doc.past(m.start()):
            cand.fact = False
        out.append(cand)
    add(_LAID_OFF_RE, "laid_off", True)
    for cand in out:
        if cand.field == "laid_off" and (_question(doc, cand.ns, cand.ne) or {
                "peur", "crains", "crainte", "risque", "risquer", "menace"} & set(doc.before(cand.ns, 5))):
            cand.fact = False  # "c'est quoi le licenciement pour inaptitude ?", "j'ai peur d'être licencié"
    add(_NO_BENEFIT_RE, "no_benefit", False)
    add(_RQTH_PENDING_RE, "rqth_pending", True)
    for m in _DISABILITY_RE.finditer(text):
        before = doc.before(m.start(), 2)
        if before[-1:] and before[-1] in {"le", "les", "des", "aux", "du", "au", "l", "ce", "ces", "leur"} \
                or set(doc.before(m.start(), 3)) & _OTHERS_NOUNS:
            continue  # "les sourds", "le handicap", "des personnes handicapées": a group or a subject
        cand = Cand("cue", True, m.start(), m.end(), emit=False, field="disability")
        if doc.negated(m.start(), 3) or doc.other_person(m.start()) or doc.hypothetical(m.start()):
            cand.fact = False
        out.append(cand)
    for m in _SELF_INSURED_EMPLOYER_RE.finditer(text):
        if not _works_there(doc, m.start()):
            continue
        cand = Cand("cue", True, m.start(), m.end(), emit=False, field="self_insured")
        if doc.aimed(m.start()) or doc.past(m.start()) or doc.other_person(m.start()) or doc.hypothetical(m.start()):
            cand.fact = False
        out.append(cand)
        if _PUBLIC_ADMIN_RE.regex.fullmatch(m.group()) and cand.fact and not re.match(
                r"[^.!?;]{0,40}(?:de droit prive|prive)(?![a-z])", text[m.end():]):
            words = set(doc.clause_words(m.start()))
            if not words & _STUDENT_WORDS:
                pub = Cand("status", "agent_public", m.start(), m.end(), emit=False)
                pub.flags.add("public_employer")
                out.append(pub)
    for m in _SICK_RE.finditer(text):
        cause = "accident_du_travail" if m.group("at") else "maladie_professionnelle" if m.group("mp") \
            else "maladie"
        cand = Cand("cue", cause, m.start(), m.end(), emit=False, field="sick_leave_cause")
        if doc.hypothetical(m.start()) or doc.negated(m.start()):
            cand.fact = False
        out.append(cand)
    for m in _REGISTERED_AS_RE.finditer(text):
        cand = Cand("cue", True, m.start(), m.end(), emit=False, field="registered_yes")
        if doc.hypothetical(m.start()) or doc.uncertain(m.start()) or doc.negated(m.start()) \
                or doc.other_person(m.start()):
            cand.fact = False
        out.append(cand)
    for m in _NOT_REGISTERED_RE.finditer(text):
        if _OTHER_REGISTRATION & set(doc.after(m.end(), 4)):
            continue
        cand = Cand("cue", False, m.start(), m.end(), emit=False, field="registered")
        if doc.hypothetical(m.start()) or doc.uncertain(m.start()):
            cand.fact = False
        out.append(cand)
    for m in _PART_TIME_RE.finditer(text):
        if m.group("p"):
            clause = set(doc.clause_words(m.start()))
            if not clause & {"temps", "partiel", "travaille", "bosse", "contrat"}:
                continue
            value: float = 35 * int(m.group("p")) / 100
        elif m.group().startswith("mi"):
            value = 17.5
        else:
            value = 28.0
        out.append(Cand("cue", value, m.start(), m.end(), emit=False, field="part_time"))
    add(_UNPAID_RE, "unpaid_leave", True)
    add(_QPV_RE, "qpv", True)
    add(_SELF_INSURED_RE, "self_insured", True)
    return out


_OTHERS_NOUNS = frozenset({"personnes", "personne", "enfants", "enfant", "public", "publics", "jeunes", "adultes",
                           "eleves", "usagers", "residents", "patients", "gens", "beneficiaires", "salaries"})
_CADRE_KINDS = frozenset({
    "commercial", "commerciale", "sante", "superieur", "superieure", "dirigeant", "dirigeante", "technique",
    "administratif", "administrative", "bancaire", "infirmier", "infirmiere", "au", "forfait", "intermediaire",
    "financier", "financiere", "logistique", "direction", "chez", "dans", "depuis", "en", "ingenieur", "a",
})
_LEADER_RE = _re(r"directeur|directrice|drh|chef(?:fe)? de service|cadre de sante|agent de maitrise"
                 r"|directeur adjoint|directrice adjointe")
_POSSESSIVE_OR_ARTICLE = frozenset({"mon", "ma", "mes", "son", "sa", "ses", "le", "la", "les", "du", "au", "un",
                                    "une", "des", "leur", "votre", "notre", "ton", "ta", "devenir", "comme"})


def _works_there(doc: Doc, pos: int) -> bool:
    """Does the sentence around an employer's name say the person works there?"""
    start, _ = doc.clause(pos)
    words = doc.clause_words(pos)
    before = [w for _, _, w in doc.words[doc.word_index_at(start):doc.word_index_at(pos)]]
    if not before:
        return True  # "SNCF, contrôleur depuis 2012"
    from bot.understanding.jobs import is_job_word

    return bool(set(words) & _WORK_WORDS) or any(is_job_word(w) for w in before[:4])


#: What a negation can deny, with the fact it then gives: a count that is zero, a yes/no that is no.
#: Which words a negation reaches is the scope rule of `Doc.denied`, not a list of sentences.
_DENIABLE: tuple[tuple[str, object, bool, _Rx], ...] = (
    ("sick_leave_months_last_24", 0, True,
     _re(r"arrets?(?: (?:maladie|de travail|longue duree))?|accidents? (?:du|de) travail|conges? maladie"
         r"|maladies? professionnelles?")),
    ("cdd_months_last_12", 0, True, _re(r"cdd|contrats? (?:a duree determinee|courts?)")),
    ("unpaid_or_sabbatical_leave_last_60m", 0, True,
     _re(r"conges? (?:sans solde|sabbatiques?)|disponibilite|mise en disponibilite")),
    ("interim_hours_branch_18m", 0, True, _re(r"interim|missions? d'interim")),
    ("laid_off_economic_or_unfit", False, False, _re(r"licenciee?s?|licenciements?|declaree? inapte|inapte")),
)


def _denials(doc: Doc) -> list[Cand]:
    """Denied things ("aucun arrêt maladie", "jamais été licencié", "pas eu de CDD"): zero, or no."""
    out: list[Cand] = []
    for fieldname, value, quantity, rx in _DENIABLE:
        for m in rx.finditer(doc.text):
            if not doc.denied(m.start(), quantity=quantity):
                continue
            cand = Cand("cue", value, m.start(), m.end(), emit=False, field=f"denied:{fieldname}")
            if doc.hypothetical(m.start()) or doc.uncertain(m.start()) or doc.other_person(m.start()) \
                    or doc.quoted_rule(m.start()):
                cand.fact = False
            out.append(cand)
    return out


def find_lexical(doc: Doc, asked: str | None = None) -> list[Cand]:
    """All lexical candidates and cues of the message."""
    return (_status(doc) + _contract(doc) + _diploma(doc, asked) + _rqth(doc) + _rsa(doc)
            + _france_travail(doc) + _dispositifs(doc) + _cues(doc) + _denials(doc))
