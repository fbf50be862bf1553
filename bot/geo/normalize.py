"""Text folding shared by the commune index, `resolve` and `find_communes_in_text`."""

from __future__ import annotations

import re

from bot.text import fold

__all__ = ["ARTICLES", "fold", "name_key", "name_tokens", "TOKEN_RE"]

#: A word of the original text: letters (any script, accents, ligatures) and digits.
TOKEN_RE = re.compile(r"[^\W_]+")

# Abbreviations and spelling variants people use in commune names.
_TOKEN_MAP = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes", "lez": "les",
              "s": "sur"}

#: Articles, prepositions and conjunctions inside commune names ("Marcq-en-Barœul").
ARTICLES = frozenset({"l", "le", "la", "les", "d", "de", "du", "des", "en", "et", "sur", "sous",
                      "aux", "au", "a", "lès"})


def map_token(token: str) -> str:
    """Canonical form of one folded token ("st" → "saint", "lez" → "les")."""
    return _TOKEN_MAP.get(token, token)


def name_tokens(text: str) -> list[str]:
    """Folded, canonical tokens of a name ("St-Omer" → ["saint", "omer"])."""
    return [map_token(t) for t in TOKEN_RE.findall(fold(text))]


def name_key(text: str) -> str:
    """Compact matching key: tokens glued together ("Villeneuve-d'Ascq" → "villeneuvedascq")."""
    return "".join(name_tokens(text))
