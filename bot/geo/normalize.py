"""Text folding shared by the commune index, `resolve` and `find_communes_in_text`."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ARTICLES", "fold", "name_key", "name_tokens", "TOKEN_RE"]

#: A word of the original text: letters (any script, accents, ligatures) and digits.
TOKEN_RE = re.compile(r"[^\W_]+")

# Abbreviations and spelling variants people use in commune names.
_TOKEN_MAP = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes", "lez": "les",
              "s": "sur"}

#: Articles, prepositions and conjunctions inside commune names ("Marcq-en-Barœul").
ARTICLES = frozenset({"l", "le", "la", "les", "d", "de", "du", "des", "en", "et", "sur", "sous",
                      "aux", "au", "a", "lès"})

def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


# Latin letters with diacritics → base letters, ligatures expanded (a translate table is ~20x faster
# than decomposing every string); anything else non-ASCII goes through NFD in `fold`.
_TABLE: dict[int, str] = {ord(k): v for k, v in {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae",
                                                  "ß": "ss", "’": "'", "ʼ": "'"}.items()}
for _cp in range(0x00C0, 0x0250):
    _ch = chr(_cp)
    if _cp not in _TABLE:
        _base = _strip_marks(_ch)
        if _base != _ch and _base.isascii():
            _TABLE[_cp] = _base


def fold(text: str) -> str:
    """Lower-case, expand ligatures and strip accents ("Barœul" → "baroeul")."""
    if text.isascii():
        return text.lower()
    text = text.translate(_TABLE).lower()
    if not text.isascii():
        text = _strip_marks(text)
    return text


def map_token(token: str) -> str:
    """Canonical form of one folded token ("st" → "saint", "lez" → "les")."""
    return _TOKEN_MAP.get(token, token)


def name_tokens(text: str) -> list[str]:
    """Folded, canonical tokens of a name ("St-Omer" → ["saint", "omer"])."""
    return [map_token(t) for t in TOKEN_RE.findall(fold(text))]


def name_key(text: str) -> str:
    """Compact matching key: tokens glued together ("Villeneuve-d'Ascq" → "villeneuvedascq")."""
    return "".join(name_tokens(text))
