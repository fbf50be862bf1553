"""French readability: Kandel & Moles' adaptation of Flesch's reading ease, and sentence length.

    score = 207 − 1.015 × (words / sentences) − 73.6 × (syllables / words)

Our own implementation: textstat 0.7's French mode applies these coefficients, but counts syllables
with pyphen's hyphenation points, which undercount French (pyphen 0.18: "école" → 1, "créer" → 1,
"idée" → 1, "avez" → 1, "travailleur" → 2), and it pulls nltk in. Here a syllable is a group of
vowels, split where French splits it (é before a vowel: "cré-er", "i-dé-e"), a final mute e does not
count ("é-cole" → 2), a written number counts one syllable per digit, an acronym one per letter
(C-P-F). Links are not read. A sentence ends at . ! ? … or at a line break (a list item).
Checked on hand counts in tests/bot/conversation/test_readability.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Readability", "measure", "syllables"]

_VOWELS = "aeiouyàâäéèêëîïôöùûüÿœæ"
_LINK = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\S+")
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n+")
_WORD = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿœŒæÆ·]+(?:['’-][0-9A-Za-zÀ-ÖØ-öø-ÿœŒæÆ·]+)*")
_GROUP = re.compile(f"[{_VOWELS}]+")


def syllables(word: str) -> int:
    """Spoken syllables of one written French word (a count, not a hyphenation)."""
    if word.isdigit():
        return len(word)
    letters = [c for c in word if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters) and "-" not in word and "'" not in word \
            and (len(letters) <= 3 or not any(c.lower() in _VOWELS for c in letters)):
        return len(letters)  # a short or unpronounceable acronym is spelt out: C-P-F, R-Q-T-H
    total = 0
    for part in re.split(r"['’-]", word.lower()):
        if not part or part == "qu":
            continue  # "qu'il": the elided "qu" is no syllable
        part = re.sub(r"(?<=[gq])u(?=[aeioéèêy])", "", part)  # "qu", "gu" + vowel: the u is silent
        groups = _GROUP.findall(part)
        count = sum(1 + len(re.findall(f"é(?=[{_VOWELS}])", g)) for g in groups)
        if count > 1 and re.search(f"(?:[^{_VOWELS}]|é)es?$", part):
            count -= 1  # "école", "formes", "idée": the final e is mute
        total += count
    return max(1, total)


@dataclass(frozen=True)
class Readability:
    """The figures of one text."""

    words: int
    sentences: int
    syllables: int

    @property
    def mean_sentence(self) -> float:
        """Mean words per sentence."""
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def score(self) -> float:
        """Kandel–Moles reading ease (higher is easier; 60–70 is ordinary prose)."""
        if not self.words:
            return 100.0
        return 207 - 1.015 * self.mean_sentence - 73.6 * self.syllables / self.words


def measure(text: str) -> Readability:
    """Words, sentences and syllables of `text` (links left out, bullets and symbols ignored)."""
    text = _LINK.sub(" ", text).replace("(e)", "").replace("(s)", "")  # "inscrit(e)" is read as one word
    words = 0
    sylls = 0
    sentences = 0
    for chunk in _SENTENCE_END.split(text):
        found = _WORD.findall(chunk)
        if not found:
            continue
        sentences += 1
        words += len(found)
        sylls += sum(syllables(w) for w in found)
    return Readability(words, sentences, sylls)
