"""Accent folding, the one implementation every area calls ("Barœul" → "baroeul", "ÉTÉ" → "ete")."""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]


def _strip_marks(text: str) -> str:
    """Compatibility decomposition (NFKD) without the combining marks: "É" → "E", "ﬁ" → "fi", "²" → "2"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# Latin letters with diacritics → base letters, ligatures expanded (a translate table is ~20x faster
# than decomposing every string); anything else non-ASCII goes through NFKD in `fold`.
_TABLE: dict[int, str] = {ord(k): v for k, v in {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae",
                                                  "ß": "ss", "’": "'", "ʼ": "'"}.items()}
for _cp in range(0x00C0, 0x0250):
    _ch = chr(_cp)
    if _cp not in _TABLE:
        _base = _strip_marks(_ch)
        if _base != _ch and _base.isascii():
            _TABLE[_cp] = _base


def fold(text: str) -> str:
    """Lower case, ligatures expanded (œ → oe, æ → ae, ß → ss), typographic apostrophe made plain,
    accents and other marks stripped; other characters (digits, punctuation, spaces) are kept."""
    if text.isascii():
        return text.lower()
    text = text.translate(_TABLE).lower()
    if not text.isascii():
        text = _strip_marks(text)
    return text
