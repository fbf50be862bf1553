"""`find_communes_in_text`: spot the communes a person mentions inside a free sentence.

Precision matters more than recall: many commune names are ordinary French words ("Y", "Eu",
"Sains", "Plus", "Croix"…). A name is only taken with enough evidence: a preposition before it
("à", "vers", "sur", "près de", "j'habite"…), a capital letter in the middle of a sentence, a
multi-word name, an adjacent postcode, or, for an unambiguous town of 10,000+ people, nothing more.
Ordinary words (`data/mots_courants.yml`) need both a preposition and a capital letter.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.geo.index import Commune, CommuneIndex, NameEntry, communes
from bot.geo.normalize import ARTICLES, TOKEN_RE, fold, map_token, name_key
from bot.geo.resolve import MAX_CANDIDATES, pick

__all__ = ["Match", "find_communes_in_text", "stopwords"]

log = logging.getLogger(__name__)

STOPWORDS_FILE = Path(__file__).resolve().parent / "data" / "mots_courants.yml"

# Words right before a name that make it a place ("à Lille", "vers Béthune", "j'habite Lomme").
STRONG_CUES = frozenset({
    "a", "au", "aux", "vers", "sur", "habite", "habites", "habitons", "habitez", "habitent",
    "reside", "residant", "residante", "domicilie", "domiciliee", "situe", "situee", "base", "basee",
})
STRONG_CUE_PAIRS = frozenset({
    ("pres", "de"), ("pres", "d"), ("proche", "de"), ("proche", "d"), ("cote", "de"), ("cote", "d"),
    ("region", "de"), ("mairie", "de"), ("mairie", "d"), ("ville", "de"), ("ville", "d"),
    ("commune", "de"), ("commune", "d"), ("environs", "de"), ("environs", "d"), ("alentours", "de"),
    ("alentours", "d"), ("agglomeration", "de"), ("agglo", "de"), ("coin", "de"), ("coin", "d"),
    ("originaire", "de"), ("originaire", "d"), ("secteur", "de"), ("secteur", "d"),
    ("metropole", "de"), ("banlieue", "de"), ("banlieue", "d"), ("viens", "de"), ("viens", "d"),
})
# Weaker words: as good as a capital letter.
WEAK_CUES = frozenset({"de", "d", "du", "en", "dans", "depuis", "entre", "et", "ou", "cp"})
# "au Quesnoy" → "Le Quesnoy", "aux Attaques" → "Les Attaques".
CONTRACTIONS = {"au": "le", "aux": "les"}

# A 5-digit number followed or preceded by these is an amount, not a postcode.
UNITS_AFTER = frozenset({
    "euros", "euro", "eur", "e", "k", "ke", "h", "heures", "heure", "hrs", "ans", "an", "mois", "km",
    "kms", "m", "m2", "metres", "habitants", "hab", "personnes", "salaries", "fois", "jours", "pts",
    "points", "dollars", "brut", "net", "bruts", "nets", "par", "annuel", "annuels", "balles",
})
NOT_POSTCODE_BEFORE = frozenset({
    "de", "environ", "gagne", "gagnais", "touche", "touchais", "salaire", "brut", "net", "plus",
    "moins", "pour", "n", "no", "num",
})
# Within three words before: the number is an identifier ("mon numéro de dossier est 59123").
IDENTIFIER_WORDS = frozenset({
    "dossier", "numero", "ref", "reference", "id", "siret", "siren", "tel", "telephone",
    "matricule", "identifiant", "contrat", "facture", "compte", "badge", "commande", "ticket",
})
_SEPARATOR_RE = re.compile(r"^[ \t\-'’]{1,3}$")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*\.(?:fr|com|org|net|eu)\b\S*",
                     re.IGNORECASE)
_URL_HINT_RE = re.compile(r"://|www\.|@|\.(?:fr|com|org|net|eu)\b", re.IGNORECASE)
_MONEY_RE = re.compile(r"^\s*[€$%£]")
_SENTENCE_END = re.compile(r"[.!?\n:;«»\"(]")

# Population thresholds (see the module docstring).
MIN_POP_WITH_CUE_LOWERCASE = 1_000
MIN_POP_WITH_CAPITAL = 500
MIN_POP_WITHOUT_EVIDENCE = 10_000
MIN_POP_COMMON_WORD_LOWERCASE = 30_000


@dataclass(frozen=True)
class Match:
    """A place mention: where it is in the text, and the commune (or candidates if ambiguous)."""

    start: int
    end: int
    text: str
    commune: Commune | None
    candidates: tuple[Commune, ...] = ()
    source: str = "name"  # "name", "postcode" or "name+postcode"

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {"start": self.start, "end": self.end, "text": self.text, "source": self.source,
                "commune": self.commune.to_dict() if self.commune else None,
                "candidates": [c.to_dict() for c in self.candidates]}


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    raw: str
    norm: str
    sentence_start: bool


_stop_lock = threading.Lock()
_stopwords: frozenset[str] | None = None


def stopwords() -> frozenset[str]:
    """Ordinary French words that are also commune names (loaded once)."""
    global _stopwords
    if _stopwords is None:
        with _stop_lock:
            if _stopwords is None:
                lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
                # A YAML list of quoted words, read without a YAML parser (`- "croix"`).
                _stopwords = frozenset(w[2:].strip().strip('"') for w in lines if w.startswith("- "))
    return _stopwords


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    prev_end = 0
    hidden: list[tuple[int, int]] = []  # web and e-mail addresses
    if _URL_HINT_RE.search(text):
        hidden = [(m.start(), m.end()) for m in _URL_RE.finditer(text)]
    for m in TOKEN_RE.finditer(text):
        if any(a <= m.start() < b for a, b in hidden):
            continue
        raw = m.group()
        folded = fold(raw)
        norm = folded if folded == "s" else map_token(folded)
        gap = text[prev_end:m.start()]
        sentence_start = not toks or bool(_SENTENCE_END.search(gap))
        toks.append(_Tok(m.start(), m.end(), raw, norm, sentence_start))
        prev_end = m.end()
    return toks


def _capitalised(tok: _Tok) -> bool:
    raw = tok.raw
    if not raw[0].isupper() or tok.sentence_start:
        return False
    return len(raw) == 1 or not raw.isupper()  # "LILLE" (all capitals) proves nothing


class _Scanner:
    def __init__(self, text: str, idx: CommuneIndex, prefer_region: str | None) -> None:
        self.text = text
        self.idx = idx
        self.prefer_region = prefer_region
        self.toks = _tokenize(text)
        self.stop = stopwords()
        # sep_ok[k]: only a space, hyphen or apostrophe between token k and token k + 1.
        toks = self.toks
        self.sep_ok = [bool(_SEPARATOR_RE.match(text[toks[k].end:toks[k + 1].start])) for k in range(len(toks) - 1)]

    # -- evidence ---------------------------------------------------------------------------------

    def cue(self, i: int) -> tuple[bool, bool]:
        """(strong, weak) cue right before token i."""
        toks = self.toks
        if i == 0 or toks[i].sentence_start:
            return False, False
        p1 = toks[i - 1].norm
        p2 = toks[i - 2].norm if i >= 2 and not toks[i - 1].sentence_start else ""
        if p1 == "a" and p2 == "y":  # "il y a"
            return False, False
        if p1 in STRONG_CUES or (p2, p1) in STRONG_CUE_PAIRS:
            return True, False
        return False, p1 in WEAK_CUES

    def joinable(self, i: int, j: int) -> bool:
        """Tokens i..j-1 are separated only by spaces, hyphens or apostrophes."""
        return all(self.sep_ok[k] for k in range(i, j - 1))

    def accept(self, entry: NameEntry, i: int, j: int, chosen: Commune | None,
               ordered: list[Commune]) -> bool:
        """Is tokens i..j-1, matching `entry`, really a place mention?"""
        span = self.toks[i:j]
        # Words glued across spaces must stay words of the name: "âge n" is not "Agen".
        gaps = (self.text[self.toks[k - 1].end:self.toks[k].start] for k in range(i + 1, j))
        spaces = sum(1 for gap in gaps if any(ch.isspace() for ch in gap))
        if spaces > entry.ntokens - 1:
            return False
        # Judge what the person typed ("l'hôpital" is the word "hôpital", whatever commune it names).
        content = tuple(t.norm for t in span if t.norm not in ARTICLES) or tuple(t.norm for t in span)
        single = len(content) == 1
        common = all(t in self.stop for t in content)
        short = single and len(content[0]) <= 3
        strong, weak = self.cue(i)
        first_content = next((t for t in span if t.norm not in ARTICLES), span[0])
        cap = _capitalised(first_content)
        best = chosen or ordered[0]
        pop = best.population or 0
        local = self.prefer_region is not None and chosen is not None and chosen.region == self.prefer_region
        if entry.kind == "alias":
            alone = i == 0 and j == len(self.toks)
            if common or (not local and not (strong and cap)) or not (strong or cap or alone):
                return False
        if common or short:
            return strong and (cap or (not short and pop >= MIN_POP_COMMON_WORD_LOWERCASE))
        if not single:
            return strong or weak or cap or (chosen is not None and pop >= MIN_POP_WITH_CUE_LOWERCASE)
        if strong:
            return cap or pop >= MIN_POP_WITH_CUE_LOWERCASE
        if weak or cap:
            return pop >= MIN_POP_WITH_CAPITAL
        return chosen is not None and pop >= MIN_POP_WITHOUT_EVIDENCE and len(content[0]) >= 4

    # -- look-ups ---------------------------------------------------------------------------------

    def name_at(self, i: int) -> tuple[int, NameEntry, Commune | None, list[Commune]] | None:
        """The longest accepted name starting at token i: (end token, entry, chosen, ordered)."""
        toks = self.toks
        if toks[i].norm.isdigit():
            return None
        limit = min(len(toks), i + self.idx.max_name_tokens)
        contraction = CONTRACTIONS.get(toks[i - 1].norm) if i > 0 else None
        has_prefix = self.idx.has_key_prefix
        keys: list[tuple[int, str]] = []
        key = ""
        for j in range(i, limit):
            if toks[j].norm.isdigit() or (j > i and not self.sep_ok[j - 1]):
                break
            key += toks[j].norm
            if not has_prefix(key) and not (contraction and has_prefix(contraction + key)):
                break  # no commune name starts like this: stop extending
            keys.append((j + 1, key))
        for j, key in reversed(keys):
            for k in ((CONTRACTIONS[toks[i - 1].norm] + key) if contraction else None, key):
                if not k:
                    continue
                short = self.idx.short_name(k)
                if short is not None:
                    alias = self.idx.by_alias_key(k)
                    entry = NameEntry((short,), (), "alias", alias.ntokens if alias else 1)
                    chosen, ordered = short, [short]
                else:
                    entry = self.idx.lookup_key(k)
                    if entry is None:
                        continue
                    chosen, ordered = pick(entry.communes, self.prefer_region)
                if self.accept(entry, i, j, chosen, ordered):
                    return j, entry, chosen, ordered
        return None

    def postcode_at(self, i: int) -> list[Commune] | None:
        """Communes of the postcode at token i, unless it looks like an amount or an identifier."""
        tok = self.toks[i]
        if len(tok.norm) != 5 or not tok.norm.isdigit():
            return None
        cands = self.idx.by_postcode(tok.norm)
        if not cands:
            return None
        nxt = self.toks[i + 1].norm if i + 1 < len(self.toks) else ""
        before = {t.norm for t in self.toks[max(0, i - 3):i]}
        if (nxt in UNITS_AFTER or (i > 0 and self.toks[i - 1].norm in NOT_POSTCODE_BEFORE)
                or before & IDENTIFIER_WORDS or _MONEY_RE.match(self.text[tok.end:])):
            return None
        if re.search(r"\d[ .]?$", self.text[:tok.start]) or re.match(r"^[.,]?\d", self.text[tok.end:]):
            return None  # part of a longer number ("1 25000", "25000,50")
        return cands

    def name_near_postcode(self, i: int, cands: list[Commune], before: bool) -> tuple[int, Commune] | None:
        """A name of one of `cands` right before (or after) the postcode token i: (edge token, commune)."""
        wanted: dict[str, Commune] = {}
        for c in cands:
            wanted.setdefault(name_key(c.nom), c)
            for other in c.autres_noms:
                wanted.setdefault(name_key(other), c)
        toks = self.toks
        maxn = self.idx.max_name_tokens
        if before:
            for start in range(max(0, i - maxn), i):
                if toks[start].norm.isdigit() or not self.joinable(start, i):
                    continue
                key = "".join(t.norm for t in toks[start:i])
                if key in wanted:
                    return start, wanted[key]
        else:
            first = i + 1
            if first < len(toks) and toks[first].norm in {"cedex", "cdx"}:
                return None
            for end in range(min(len(toks), first + maxn), first, -1):
                if any(t.norm.isdigit() for t in toks[first:end]) or not self.joinable(first, end):
                    continue
                key = "".join(t.norm for t in toks[first:end])
                if key in wanted:
                    return end, wanted[key]
        return None

    # -- scan -------------------------------------------------------------------------------------

    def scan(self) -> list[Match]:
        toks = self.toks
        out: list[Match] = []
        # (first token, end token) of each match, to merge a postcode with the name before it.
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(toks):
            cands = self.postcode_at(i)
            if cands is not None:
                near = self.name_near_postcode(i, cands, before=True)
                if near is not None:
                    first, commune = near
                    while spans and spans[-1][1] > first:
                        spans.pop()
                        out.pop()
                    out.append(self._match(first, i + 1, commune, (), "name+postcode"))
                    spans.append((first, i + 1))
                    i += 1
                    continue
                near = self.name_near_postcode(i, cands, before=False)
                if near is not None:
                    end, commune = near
                    out.append(self._match(i, end, commune, (), "name+postcode"))
                    spans.append((i, end))
                    i = end
                    continue
                chosen = cands[0] if len(cands) == 1 else None
                rest = () if chosen else tuple(cands[:MAX_CANDIDATES])
                out.append(self._match(i, i + 1, chosen, rest, "postcode"))
                spans.append((i, i + 1))
                i += 1
                continue
            found = self.name_at(i)
            if found is None:
                i += 1
                continue
            end, _entry, chosen, ordered = found
            rest = () if chosen else tuple(ordered[:MAX_CANDIDATES])
            out.append(self._match(i, end, chosen, rest, "name"))
            spans.append((i, end))
            i = end
        return out

    def _match(self, i: int, j: int, commune: Commune | None, candidates: tuple[Commune, ...],
               source: str) -> Match:
        start, end = self.toks[i].start, self.toks[j - 1].end
        return Match(start, end, self.text[start:end], commune, candidates, source)


def find_communes_in_text(text: str, prefer_region: str | None = "32") -> list[Match]:
    """Commune mentions in a free sentence, left to right (precision first, see module doc)."""
    if not text or not text.strip():
        return []
    return _Scanner(text, communes(), prefer_region).scan()
