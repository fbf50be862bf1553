"""A normalised message with its words and clauses, and the context checks patterns need.

Context words are looked up in the *normalised* text (lower case, no accents), in the clause of a
match: a clause ends at . ! ? ; : ( ) " or a line break, and, for the narrow windows used by
negation, also at a comma.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from bot.understanding.normalize import Norm, normalize

__all__ = ["Cand", "Doc"]

_WORD_RE = re.compile(r"[a-z0-9]+")
_CLAUSE_END = frozenset('.!?;:()"\n')

# Words that stop a backwards scan for negation ("pas en CDI mais en CDD").
_SCAN_STOP = frozenset({
    "mais", "contre", "plutot", "fait", "puis", "maintenant", "sinon", "donc", "alors", "car",
    "desormais", "aujourd", "actuellement", "depuis", "et", "ou", "oui", "enfin", "pardon",
    "dire", "correction", "sauf", "est",
})
_NEGATIONS = frozenset({"pas", "jamais", "aucun", "aucune", "sans", "ni", "non", "plus", "nan"})
# The scope of a negation ("je n'ai jamais eu de CDD", "aucun arrêt", "ni RQTH ni RSA"): see `Doc.denied`.
_QUANTIFIERS = frozenset({"aucun", "aucune", "ni"})
_SCOPE_DETS = frozenset({"de", "d", "un", "une", "seul", "seule"})
_SCOPE_FILLERS = frozenset({"n", "ne", "ai", "a", "as", "avons", "avez", "eu", "ete", "fait", "pris", "connu",
                            "subi", "en", "vraiment", "encore", "du", "tout", "me", "m", "j", "je", "moi"})
# After "pas": the negation is about something else ("pas encore" stays a negation).
_UNCERTAIN = (("sais", "pas"), ("sais", "plus"), ("sait", "pas"), ("suis", "pas", "sur"),
              ("suis", "pas", "sure"), ("crois",), ("pense",), ("peut", "etre"), ("sur", "si"),
              ("sais", "si"))
_PAST = frozenset({
    "avant", "auparavant", "precedemment", "etais", "ancien", "ancienne", "anciennement",
    "epoque", "avais", "passe", "autrefois", "jadis", "etait",
})
_AIM = frozenset({
    "devenir", "cherche", "chercher", "recherche", "rechercher", "trouver", "trouve", "avoir",
    "signer", "decrocher", "obtenir", "viser", "vise", "propose", "proposer", "proposent", "passer",
    "faire", "preparer", "prepare", "reprendre", "veux", "voudrais", "voudrai", "aimerais",
    "souhaite", "souhaiterais", "espere", "vais", "pourrais", "envisage", "integrer", "entrer",
    "mettre", "creer", "monter", "lancer", "ouvrir", "valider", "refaire", "suivre", "vers",
    "inscrire", "commencer", "tenter", "reussir", "apprendre", "formation", "former", "etre",
    "objectif", "but", "projet", "aimerai", "voulais", "voudrions", "pour",
})
_CURRENT = frozenset({
    "quitter", "quitte", "demissionner", "demissionne", "lacher", "rompre", "sortir", "actuel",
    "actuelle", "actuellement", "suis", "travaille", "bosse", "ai", "mon", "ma", "j", "embauche",
    "embauchee", "titularise", "titularisee", "recrute", "recrutee", "signe", "signee",
})
# Someone else the person talks about ("mon mari a 45 ans", "ma fille est au RSA", "mon frère de 28 ans").
_RELATIVES = frozenset({
    "mari", "femme", "epoux", "epouse", "conjoint", "conjointe", "compagnon", "compagne", "copain", "copine",
    "frere", "soeur", "fille", "fils", "filles", "enfant", "enfants", "mere", "pere", "maman", "papa", "parents",
    "collegue", "collegues", "patron", "patronne", "chef", "cheffe", "ami", "amie", "amis", "cousin",
    "cousine", "voisin", "voisine", "oncle", "tante", "neveu", "niece", "beau", "belle", "directeur",
    "directrice", "responsable", "manager", "gars", "homme", "ado", "petit", "petite", "grand", "grande",
})
_POSSESSIVES = frozenset({"mon", "ma", "mes", "son", "sa", "ses", "notre", "nos", "leur", "leurs", "ton", "ta"})
_FIRST_PERSON = frozenset({"je", "j", "moi", "me", "m", "g", "jsuis"})
_THIRD_VERBS = frozenset({"est", "a", "travaille", "bosse", "fait", "touche", "etait", "vient", "habite", "cherche",
                          "veut", "voudrait", "va", "sont", "ont", "peut", "pourrait", "doit", "devrait", "aimerait",
                          "souhaite", "souhaiterait", "veulent", "peuvent"})
# Words that make a number or a condition one quoted from a rule ("il faut 5 ans", "jusqu'à 29 ans").
_RULE_WORDS = frozenset({"faut", "faudrait", "parait", "requis", "requise", "exige", "exigent", "minimum",
                         "conditions", "condition", "criteres", "critere", "jusqu", "lu", "entendu", "paraitrait",
                         "doit", "doivent", "maximum", "limite", "reserve", "reservee", "partir", "dois", "fallait",
                         "faudra", "combien"})
_SI_INDIRECT = frozenset({"savoir", "demande", "demander", "voir", "sais", "sait", "demandais",
                          "comprendre", "verifier", "demandait", "savais"})


@dataclass
class Cand:
    """A candidate entity or fact cue, in normalised offsets (`ns`, `ne`)."""

    entity: str
    value: Any
    ns: int
    ne: int
    prio: int = 5
    role: str | None = None
    emit: bool = True       # becomes an Entity (False: a cue for facts only)
    fact: bool = True       # may become a fact (False: negated, hypothetical, past, aimed…)
    flags: set[str] = field(default_factory=set)
    field: str | None = None  # for fact-only cues: the profile field they set
    data: Any = None          # extra payload (a commune match)


class Doc:
    """The normalised message, its word tokens and context helpers."""

    def __init__(self, text: str) -> None:
        self.norm: Norm = normalize(text)
        self.text = self.norm.text
        self.words: list[tuple[int, int, str]] = [(m.start(), m.end(), m.group())
                                                   for m in _WORD_RE.finditer(self.text)]
        self._word_starts = [w[0] for w in self.words]
        self.clause_breaks = [i for i, c in enumerate(self.text) if c in _CLAUSE_END]
        self.comma_breaks = [i for i, c in enumerate(self.text) if c in _CLAUSE_END or c == ","]
        self._orig_to_norm: dict[int, int] | None = None

    # ---------------------------------------------------------------------------- positions

    def word_index_at(self, pos: int) -> int:
        """Index of the first word starting at or after `pos`."""
        return bisect.bisect_left(self._word_starts, pos)

    def clause(self, pos: int, commas: bool = False) -> tuple[int, int]:
        """(start, end) of the clause around normalised position `pos`."""
        breaks = self.comma_breaks if commas else self.clause_breaks
        i = bisect.bisect_left(breaks, pos)
        start = breaks[i - 1] + 1 if i > 0 else 0
        end = breaks[i] if i < len(breaks) else len(self.text)
        return start, end

    def before(self, pos: int, n: int = 6, commas: bool = True) -> list[str]:
        """Up to n words before `pos`, inside its clause, nearest last."""
        start, _ = self.clause(pos, commas)
        i = self.word_index_at(pos)
        out: list[str] = []
        j = i - 1
        while j >= 0 and len(out) < n and self.words[j][0] >= start:
            out.append(self.words[j][2])
            j -= 1
        out.reverse()
        return out

    def after(self, pos: int, n: int = 6, commas: bool = True) -> list[str]:
        """Up to n words from `pos` on, inside its clause."""
        _, end = self.clause(pos, commas)
        i = self.word_index_at(pos)
        out: list[str] = []
        while i < len(self.words) and len(out) < n and self.words[i][1] <= end:
            out.append(self.words[i][2])
            i += 1
        return out

    def clause_words(self, pos: int, commas: bool = False) -> list[str]:
        """The words of the clause around `pos`."""
        start, end = self.clause(pos, commas)
        i = bisect.bisect_left(self._word_starts, start)
        j = bisect.bisect_left(self._word_starts, end)
        return [w for s, e, w in self.words[i:j] if e <= end]

    def clause_text(self, pos: int, commas: bool = False) -> str:
        """The normalised text of the clause around `pos`."""
        start, end = self.clause(pos, commas)
        return self.text[start:end]

    def orig_span(self, ns: int, ne: int) -> tuple[int, int]:
        """Original span of a normalised span."""
        return self.norm.span(ns, ne)

    def norm_pos(self, orig: int) -> int:
        """The first normalised position mapped to original position `orig` (or the nearest after)."""
        if self._orig_to_norm is None:
            m: dict[int, int] = {}
            for i, s in enumerate(self.norm.starts):
                m.setdefault(s, i)
            self._orig_to_norm = m
        m = self._orig_to_norm
        n = len(self.norm.original)
        while orig < n and orig not in m:
            orig += 1
        return m.get(orig, len(self.text))

    # ---------------------------------------------------------------------------- context

    def negated(self, pos: int, window: int = 5) -> bool:
        """Is the fact starting at `pos` negated ("pas de RQTH", "pas inscrit", "plus en CDI")?"""
        words = self.before(pos, window)
        for k in range(len(words) - 1, -1, -1):
            w = words[k]
            dist = len(words) - 1 - k
            if w in _SCAN_STOP:
                return False
            if w in _NEGATIONS:
                if w in ("non", "nan") and dist > 1:
                    continue
                if w == "plus" and not ({"ne", "n", "suis", "j", "ai", "je", "touche", "est", "peux", "peut", "pourrai",
                                         "pourrais", "sais", "veux", "arrive"}
                                        & set(words[max(0, k - 3):k])):
                    continue
                if w == "sans" and dist > 1:
                    continue
                prev = words[max(0, k - 3):k]
                if any(tuple(prev[-len(u) + 1:]) + (w,) == u for u in _UNCERTAIN if len(u) > 1):
                    continue
                return True
        return False

    def denied(self, pos: int, *, quantity: bool) -> bool:
        """Is the thing named at `pos` denied by a negation whose scope reaches it?

        The scope of a negation runs forward over auxiliaries and past participles ("n'ai jamais eu",
        "n'ai pas été") to the first noun phrase and stops there: "jamais eu de CDI, que des CDD" denies
        the CDI only. A quantity (months of sick leave, of CDD…) is denied only with a quantifier —
        "aucun", "ni", "pas de", "jamais (été en)" — since "pas en CDD" or "plus en arrêt" is about now.
        """
        seen_det = False
        for w in reversed(self.before(pos, 7)):
            if w in _QUANTIFIERS:
                return True
            if w in ("pas", "jamais"):
                return not quantity or seen_det or w == "jamais"
            if w in _SCOPE_DETS:
                seen_det = True
            elif w not in _SCOPE_FILLERS:
                return False
        return False

    def uncertain(self, pos: int) -> bool:
        """Does the clause say the person is not sure ("je sais pas si je suis inscrit")?"""
        words = self.clause_words(pos, commas=True)
        text = " " + " ".join(words) + " "
        return any(f" {' '.join(u)} " in text for u in _UNCERTAIN)

    def hypothetical(self, pos: int) -> bool:
        """Is the clause around `pos` a hypothesis ("si je démissionne", "au cas où")?

        The comma-delimited clause is read, and the whole sentence when it opens with "si"/"et si".
        """
        sentence = self.clause_words(pos)
        if sentence[:1] == ["si"] or sentence[:2] == ["et", "si"]:
            return True
        words = self.clause_words(pos, commas=True)
        for k, w in enumerate(words):
            if w == "si" and (k == 0 or words[k - 1] not in _SI_INDIRECT):
                nxt = words[k + 1] if k + 1 < len(words) else ""
                if nxt in {"je", "j", "on", "jamais", "ca", "c", "mon", "ma", "il", "elle", "vous",
                           "tu", "m", "demain", "un", "une", "par"} or k == 0:
                    return True
            if w in {"imaginons", "supposons", "admettons"}:
                return True
            if w == "cas" and k > 0 and words[k - 1] == "au":
                return True
        return False

    def past(self, pos: int, window: int = 8) -> bool:
        """Is the fact at `pos` about the past ("avant j'ai fait de l'intérim", "j'étais en CDD")?"""
        words = self.before(pos, window)
        for k in range(len(words) - 1, -1, -1):
            w = words[k]
            if w in {"maintenant", "actuellement", "aujourd", "desormais", "depuis"}:
                return False
            if w in _PAST:
                return True
            if w == "ete" and k > 0 and words[k - 1] in {"ai", "j"}:
                nxt = words[k + 1] if k + 1 < len(words) else ""
                return nxt not in {"embauche", "embauchee", "titularise", "titularisee", "recrute",
                                   "recrutee", "nomme", "nommee", "engage", "engagee", "pris",
                                   "prise", "licencie", "licenciee"}
        return False

    def other_person(self, pos: int, window: int = 12, groups: bool = True) -> bool:
        """Is the fact at `pos` about someone else ("mon mari a 45 ans", "ma fille, elle est au RSA")?"""
        words = self.before(pos, window)
        for k in range(len(words) - 1, -1, -1):
            w = words[k]
            if w in _FIRST_PERSON:
                return False
            if w in _RELATIVES and k > 0 and words[k - 1] in _POSSESSIVES:
                return True
            if w in {"il", "elle", "ils", "elles"} and k + 1 < len(words) and words[k + 1] in _THIRD_VERBS:
                return True
            if groups and w in {"les", "des"} and k == len(words) - 1:
                return True  # "les sourds", "des fonctionnaires": a group
        return False

    def quoted_rule(self, pos: int) -> bool:
        """Is the number at `pos` quoted from a rule, not the person's ("il faut 5 ans", "jusqu'à 29 ans")?"""
        words = self.before(pos, 10)
        for k in range(len(words) - 1, -1, -1):
            w = words[k]
            if w in _FIRST_PERSON and not (w in {"m", "me"} and k + 1 < len(words) and words[k + 1] in {"a", "ont"}):
                return False  # "moi j'ai 31 ans" (but "on m'a dit que…" quotes)
            if w in _RULE_WORDS:
                return True
            if w == "dit" and k > 0 and words[k - 1] in {"a", "ont", "m", "on"}:
                return True
            if w in {"plus", "moins"} and k + 1 < len(words) and words[k + 1] == "de" and k == len(words) - 2 \
                    and k > 0 and words[k - 1] in {"les", "des", "aux", "pour", "entre"}:
                return True  # "les plus de 45 ans", "pour les moins de 26 ans"
            if w in {"pour", "aux"} and k + 1 < len(words) and words[k + 1] in {"les", "des"}:
                return True  # "c'est pour les moins de 26 ans"
        return False

    def aimed(self, pos: int, window: int = 5, extra: frozenset[str] = frozenset()) -> bool:
        """Is the fact at `pos` something wanted rather than had ("je cherche un CDI")?"""
        words = self.before(pos, window)
        for k in range(len(words) - 1, -1, -1):
            w = words[k]
            if w in _CURRENT:
                return False
            if w in _AIM or w in extra:
                return True
        return False
