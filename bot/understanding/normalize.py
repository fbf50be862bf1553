"""Normalised text with a map back to the original characters.

Every pattern of the package runs on `Norm.text`: lower case, no accents, typographic quotes and
dashes made plain, HTML tags blanked, SMS spellings expanded ("jsuis" → "je suis"), one-letter
typos of key words fixed ("inscite" → "inscrite") and French number words turned into digits by
text2num ("trente-deux ans" → "32 ans", "septante" → "70"). `Norm.span(s, e)` gives the matching span of the original text, so
entities always satisfy `original[start:end] == text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.text import fold
from bot.understanding.lexicon import (
    KEYWORDS,
    NUMBER_WORDS,
    PROTECTED_WORDS,
    SMS_WORDS,
    UNIT_WORDS,
)

__all__ = ["Norm", "normalize", "parse_number_words"]


@dataclass(frozen=True)
class Norm:
    """The normalised text; `starts[i]`/`ends[i]` are the original span of character i."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised span [start, end)."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def original_text(self, start: int, end: int) -> str:
        """The original text of the normalised span [start, end)."""
        s, e = self.span(start, end)
        return self.original[s:e]


# ------------------------------------------------------------------------------ characters

_TAG_RE = re.compile(r"<[^<>]{0,300}>")
_KEEP_ASCII = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 '-.,;:!?()/+%\n\"")
_SPECIAL = {
    "’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "′": "'",
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"',
    "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "−": "-",
    "…": ".", "œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss",
    "\t": " ", "\r": "\n", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2028": "\n",
}


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One original character → its normalised form (possibly empty or two characters)."""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    low = ch.lower()
    if len(low) == 1 and low in _KEEP_ASCII:
        return low
    if ch.isascii():
        return " "
    base = fold(low)
    if base and all(c in _KEEP_ASCII for c in base):
        return base
    return " "


_KEPT_RE = re.compile("[" + re.escape("".join(sorted(_KEEP_ASCII))) + "]*")


@lru_cache(maxsize=1)
def _one_to_one() -> dict[int, str]:
    """Latin letters with diacritics and typographic signs that fold to one plain character."""
    table: dict[int, str] = {}
    for cp in list(range(0x00A0, 0x0250)) + [ord(c) for c in _SPECIAL]:
        ch = chr(cp)
        folded = _fold_char(ch)
        if len(folded) == 1 and folded != " " or ch in ("\u00a0", "\u202f", "\u2009"):
            table[cp] = folded
    return table


def _fold(text: str) -> tuple[str, list[int], list[int]]:
    blank = bytearray(len(text))
    if "<" in text:
        for m in _TAG_RE.finditer(text):
            for i in range(m.start(), m.end()):
                blank[i] = 1
    if not any(blank):
        # fast path: every character folds to exactly one kept character (accents, quotes, dashes)
        low = text.translate(_one_to_one()).lower()
        if _KEPT_RE.fullmatch(low):
            n = len(text)
            return low, list(range(n)), list(range(1, n + 1))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        piece = " " if blank[i] else _fold_char(ch)
        for c in piece:
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


def _rewrite(text: str, starts: list[int], ends: list[int],
             replacements: Iterable[tuple[int, int, str]]) -> tuple[str, list[int], list[int]]:
    """Replace non-overlapping sorted spans; a replaced span maps to the whole original span."""
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for s, e, rep in replacements:
        out.append(text[pos:s])
        new_starts.extend(starts[pos:s])
        new_ends.extend(ends[pos:s])
        out.append(rep)
        new_starts.extend([starts[s]] * len(rep))
        new_ends.extend([ends[e - 1]] * len(rep))
        pos = e
    out.append(text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return "".join(out), new_starts, new_ends


# ------------------------------------------------------------------------------ typos

_WORD_RE = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _deletion_index() -> dict[str, frozenset[str]]:
    """Symmetric-delete index of the key words (each word and its one-letter deletions)."""
    index: dict[str, set[str]] = {}
    for word in KEYWORDS:
        if len(word) < 5:
            continue
        index.setdefault(word, set()).add(word)
        for i in range(len(word)):
            index.setdefault(word[:i] + word[i + 1:], set()).add(word)
    return {k: frozenset(v) for k, v in index.items()}


def _osa1(a: str, b: str) -> bool:
    """True when a and b are exactly one edit apart (insert, delete, substitute, transpose)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                and a[diff[1]] == b[diff[0]])
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


@lru_cache(maxsize=8192)
def correct_word(word: str) -> str:
    """The key word `word` is a one-letter typo of, or `word` itself."""
    if len(word) < 5 or word in KEYWORDS or word in PROTECTED_WORDS or not word.isalpha():
        return word
    index = _deletion_index()
    found: set[str] = set()
    keys = [word] + [word[:i] + word[i + 1:] for i in range(len(word))]
    for key in keys:
        for cand in index.get(key, ()):
            if _osa1(word, cand):
                found.add(cand)
    if not found:
        # a transposition is not covered by deletions of equal-length words
        for cand in KEYWORDS:
            if len(cand) == len(word) and _osa1(word, cand):
                found.add(cand)
    if len(found) == 1:
        return found.pop()
    return word


# ------------------------------------------------------------------------------ numbers

_NUMBER_SEQ_RE: re.Pattern[str] | None = None


def _number_seq_re() -> re.Pattern[str]:
    global _NUMBER_SEQ_RE
    if _NUMBER_SEQ_RE is None:
        alt = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
        _NUMBER_SEQ_RE = re.compile(
            rf"(?<![a-z0-9])(?:{alt})(?:(?:[ -]+et[ -]+|[ -]+)(?:{alt}))*(?![a-z0-9])")
    return _NUMBER_SEQ_RE


def parse_number_words(words: list[str]) -> int | None:
    """French number words → integer ("quatre vingt dix huit" → 98, "septante" → 70); None if not one number.

    Read by text2num (France, Belgian and Swiss forms).
    """
    from text_to_num import text2num

    words = [w for w in words if w]
    if not words or any(w not in NUMBER_WORDS and w != "et" for w in words):
        return None
    if words == ["zero"]:
        return 0
    try:
        return int(text2num(" ".join(words), "fr"))
    except ValueError:
        return None


def _read_numbers(words: list[str]) -> str | None:
    """Digits for a run of number words: one number, or several ("deux trois" → "2 3"), else None."""
    value = parse_number_words(words)
    if value is not None:
        return str(value)
    from text_to_num import alpha2digit

    out = alpha2digit(" ".join(words), "fr")
    return out if any(ch.isdigit() for ch in out) else None


_LONE_ONLY_BEFORE_UNIT = frozenset({"un", "une", "neuf", "cent", "mille", "onze"})


def _number_replacements(text: str) -> list[tuple[int, int, str]]:
    reps: list[tuple[int, int, str]] = []
    for m in _number_seq_re().finditer(text):
        words = re.split(r"[ -]+", m.group())
        if len(words) == 1 and words[0] in _LONE_ONLY_BEFORE_UNIT:
            nxt = _WORD_RE.match(text, m.end() + 1) if m.end() + 1 < len(text) else None
            if text[m.end():m.end() + 1] != " " or nxt is None or nxt.group() not in UNIT_WORDS:
                continue
        digits = _read_numbers(words)
        if digits is not None:
            reps.append((m.start(), m.end(), digits))
    return reps


# ------------------------------------------------------------------------------ pipeline


def _word_replacements(text: str) -> list[tuple[int, int, str]]:
    reps: list[tuple[int, int, str]] = []
    for m in _WORD_RE.finditer(text):
        word = m.group()
        if word in SMS_WORDS:
            rep = SMS_WORDS[word]
        else:
            rep = correct_word(word)
        if rep != word:
            reps.append((m.start(), m.end(), rep))
    return reps


def normalize(text: str) -> Norm:
    """Normalise `text` (see the module docstring); never raises on odd input."""
    folded, starts, ends = _fold(text or "")
    reps = _word_replacements(folded)
    if reps:
        folded, starts, ends = _rewrite(folded, starts, ends, reps)
    reps = _number_replacements(folded)
    if reps:
        folded, starts, ends = _rewrite(folded, starts, ends, reps)
    return Norm(text or "", folded, tuple(starts), tuple(ends))
