"""`extract(text)`: the facts a person states in one message, deterministic and fast."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from bot.understanding.answers import answer_candidates, answer_facts
from bot.understanding.doc import Cand, Doc
from bot.understanding.facts import evidence_spans, infer_facts, valid_facts
from bot.understanding.goals import find_goals
from bot.understanding.lexical import find_lexical
from bot.understanding.model import Entity, Evidence, Extraction
from bot.understanding.numeric import find_numeric

__all__ = ["MAX_CHARS", "extract"]

#: Longer messages are read up to this many characters (entities keep their true offsets).
MAX_CHARS = 20_000


_NOT_PLACE_START = frozenset({
    "bonjour", "salut", "merci", "oui", "non", "ok", "bonsoir", "hello", "coucou", "moi", "alors", "euh",
    "ben", "bah", "je", "j", "svp", "stp", "aucun", "rien", "nan", "ouais", "super", "top", "parfait",
    "d", "c", "il", "on", "vous", "tu", "et", "mais", "pas", "plus", "tout", "bien", "si", "le", "la", "les",
    "un", "une", "des", "mon", "ma", "mes", "pourquoi", "comment", "quoi", "quel", "quelle", "est", "qui",
    "a", "ca", "bonne", "tres", "au", "en", "y", "aussi", "encore", "deja", "toujours", "jamais", "peut",
})
_SEGMENT_STOP = frozenset({"et", "je", "j", "dans", "pres", "a", "entre", "en", "c", "ca", "pas", "mais", "car",
                           "depuis", "avec", "ou", "cote", "vers", "sur", "petit", "ancien", "ancienne", "on",
                           "il", "pour", "chez", "au", "aux"})
_PLACE_CUE_RE = re.compile(r"(?<![a-z])(?:ma commune|ma ville|mon village|le nom de ma commune)"
                           r"(?: c'est| est)?\s+(?:a\s+)?")


def _norm_span(doc: Doc, start: int, end: int) -> tuple[int, int]:
    ns = doc.norm_pos(start)
    ne = doc.norm_pos(end - 1) + 1 if end > start else ns
    while ne < len(doc.text) and doc.norm.starts[ne] < end and doc.norm.ends[ne] <= end:
        ne += 1
    return ns, ne


def _communes(doc: Doc) -> list[Cand]:
    """Place mentions found by bot.geo, minus parts of longer names and rejected values ("pas Amiens")."""
    from bot.geo import find_communes_in_text
    from bot.geo.text import stopwords

    original = doc.norm.original
    out: list[Cand] = []
    for m in find_communes_in_text(original):
        if (m.start > 0 and original[m.start - 1] == "-") or (m.end < len(original) and original[m.end] == "-"):
            continue  # "Pas-de-Calais", "Hauts-de-France": a department or region, not this commune
        ns, ne = _norm_span(doc, m.start, m.end)
        if m.text.islower() and doc.text[ns:ne] in stopwords():
            continue  # "au port", "la croix": ordinary words
        cand = Cand("commune", m.text, ns, ne, prio=3, data=m)
        if doc.before(ns, 1)[-1:] == ["pas"]:
            cand.emit = False
            cand.fact = False
        out.append(cand)
    return out


def _segment(doc: Doc, pos: int) -> tuple[int, int] | None:
    """Up to four words from normalised `pos` that could be a place name (until a stop word or comma)."""
    k = doc.word_index_at(pos)
    clause_end = doc.clause(pos, commas=True)[1]
    words = doc.words
    first = k
    while k < len(words) and k - first < 4 and words[k][1] <= clause_end:
        w = words[k][2]
        if w in _SEGMENT_STOP and k > first or w.isdigit() and len(w) != 5:
            break
        if k > first and not re.fullmatch(r"[ '\-]*", doc.text[words[k - 1][1]:words[k][0]]):
            break
        k += 1
    if k == first:
        return None
    return words[first][0], words[k - 1][1]


def _leading_commune(doc: Doc, cands: list[Cand]) -> Cand | None:
    """A place name opening a short message ("Frévent", "Beaurains, à côté d'Arras", "ma commune c'est Arques")."""
    from bot.geo import Match, resolve

    if not doc.words or len(doc.words) > 14:
        return None
    from bot.geo.text import stopwords
    from bot.understanding.jobs import is_job_word

    cue = _PLACE_CUE_RE.search(doc.text)
    pos = cue.end() if cue else doc.words[0][0]
    k = doc.word_index_at(pos)
    if k >= len(doc.words):
        return None
    span = _segment(doc, pos)
    if span is None or any(c.emit and not (span[1] <= c.ns or span[0] >= c.ne) for c in cands):
        return None
    s, e = doc.orig_span(*span)
    raw = doc.norm.original[s:e]
    first = doc.words[k][2]
    capital = raw[:1].isupper() and not raw.isupper()
    if first in _NOT_PLACE_START and not (capital and " " in raw.strip()):
        return None
    if not capital and (is_job_word(first) or doc.text[span[0]:span[1]] in stopwords()):
        return None
    whole = not re.search(r"[^\W_]", doc.norm.original[e:]) and not re.search(r"[^\W_]", doc.norm.original[:s])
    if not (capital or whole or cue):
        return None
    res = resolve(raw)
    if res.status == "found" and (not res.fuzzy or (len(raw) >= 7 and capital) or (len(raw) >= 8 and whole)):
        match = Match(s, e, raw, res.commune, (), "name")
    elif res.status == "ambiguous" and not res.fuzzy:
        match = Match(s, e, raw, None, tuple(res.candidates), "name")
    else:
        return None
    return Cand("commune", raw, span[0], span[1], prio=3, data=match)


def _resolve_commune(raw: str) -> Any:
    """A geo Match for a whole short answer ("Arras", "62000"), or None."""
    from bot.geo import Match, resolve

    res = resolve(raw)
    if res.status == "found":
        return Match(0, len(raw), raw, res.commune, (), "answer")
    if res.status == "ambiguous":
        return Match(0, len(raw), raw, None, tuple(res.candidates), "answer")
    return None


def _resolve_overlaps(cands: list[Cand]) -> list[Cand]:
    """Non-overlapping entities: higher priority first, then longer, then earlier."""
    taken = bytearray(max((c.ne for c in cands), default=0) + 1)
    accepted: list[Cand] = []
    for c in sorted(cands, key=lambda c: (-c.prio, -(c.ne - c.ns), c.ns)):
        if c.ne <= c.ns or any(taken[c.ns:c.ne]):
            continue
        taken[c.ns:c.ne] = b"\x01" * (c.ne - c.ns)
        accepted.append(c)
    return sorted(accepted, key=lambda c: c.ns)


def _trim(doc: Doc, c: Cand) -> tuple[int, int]:
    """Original span of a candidate, without surrounding spaces or punctuation."""
    s, e = doc.orig_span(c.ns, c.ne)
    original = doc.norm.original
    while s < e and not original[s].isalnum():
        s += 1
    while e > s and not original[e - 1].isalnum():
        e -= 1
    return s, e


def _entity(doc: Doc, c: Cand) -> Entity:
    s, e = _trim(doc, c)
    text = doc.norm.original[s:e]
    value: Any = c.value
    if c.entity in ("commune", "target_field"):
        value = text
    return Entity(c.entity, value, s, e, text, c.role if c.entity == "duration" else None)


@lru_cache(maxsize=8)  # the calls for one message follow each other: a few entries are enough
def _first_pass(text: str, today: date, kind: str) -> tuple[Doc, tuple[Cand, ...]]:
    """The candidates that do not depend on the question asked, but for its `kind` (_asked_kind).

    The NLU pipeline reads a short message once per question it may answer (about 29 times):
    the normalised text, the numbers, the words, the fuzzy commune search and the goals are the
    same each time, so they are read once per message and kind of question.
    """
    doc = Doc(text)
    cands = find_numeric(doc, today) + find_lexical(doc, "diploma_level" if kind == "diploma" else None)
    communes = _communes(doc)
    lexical_spans = [(c.ns, c.ne) for c in cands if c.emit]
    communes = [c for c in communes if all(c.ne <= s or c.ns >= e for s, e in lexical_spans)]
    if kind != "commune":
        lead = _leading_commune(doc, cands + communes)
        if lead is not None:
            communes.append(lead)
    cands += communes
    blocked = [(c.ns, c.ne) for c in cands if c.emit and c.entity in (
        "commune", "dispositif", "contract", "france_travail", "rqth", "rsa", "duration", "status")]
    anchors = tuple(c.ne for c in cands if c.entity == "dispositif" and c.value in ("apprentissage", "contrat_pro"))
    goals, targets = find_goals(doc, blocked, anchors)
    return doc, tuple(cands + goals + targets)


def _asked_kind(asked: str | None) -> str:
    """What of the question changes the first pass: the diploma one (words), the place (no lead commune)."""
    if asked == "diploma_level":
        return "diploma"
    return "commune" if asked in ("commune", "code_insee") else "other"


def _fresh(cands: tuple[Cand, ...]) -> list[Cand]:
    """Copies: the later steps change candidates in place."""
    return [dataclasses.replace(c, flags=set(c.flags)) for c in cands]


def extract(text: str, *, asked: str | None = None, known: Mapping[str, Any] | None = None,
            today: date | None = None) -> Extraction:
    """Entities (spans of `text`, per docs/nlu-guide.md) and profile facts stated in one message.

    `asked` is the profile field the assistant just asked (short answers are read with it),
    `known` the facts already known (they guide inferences, they are not repeated), `today` the
    date durations such as "depuis 2019" are counted to.
    """
    if not isinstance(text, str) or not text.strip():
        return Extraction()
    known = known or {}
    today = today or date.today()
    doc, first = _first_pass(text[:MAX_CHARS], today, _asked_kind(asked))
    cands = _fresh(first)
    cands += answer_candidates(doc, cands, asked, _resolve_commune)
    accepted = _resolve_overlaps([c for c in cands if c.emit])
    hidden = [c for c in cands if not c.emit]
    # a goal phrase hidden by another entity still counts, unless it is part of a scheme's name
    disp = [c for c in accepted if c.entity == "dispositif"]
    hidden_goals = [c for c in cands if c.entity == "goal" and c.emit and c.fact and c not in accepted
                    and all(c.ne <= d.ns or c.ns >= d.ne for d in disp)]
    for c in hidden:  # "démission-reconversion", "période de reconversion": a scheme's name, not a goal
        if c.entity == "goal" and any(d.ns <= c.ns and c.ne <= d.ne for d in disp):
            c.fact = False
    facts, commune_candidates = infer_facts(doc, accepted + hidden, known, hidden_goals)
    answer_facts(doc, accepted + hidden, asked, facts)
    entities = [_entity(doc, c) for c in accepted]
    entities = [e for e in entities if e.end > e.start]
    dispositifs: list[str] = []
    for e in entities:
        if e.entity == "dispositif" and e.value not in dispositifs:
            dispositifs.append(e.value)
    facts = valid_facts(facts)
    cues: dict[str, Any] = {}
    denied_rqth = [(c.ns, c.ne) for c in cands if c.entity == "rqth" and c.value is False]
    if facts.get("rqth") is True or facts.get("rqth_pending") is True or any(
            c.entity == "cue" and c.field == "disability" and c.fact
            and not any(s <= c.ns and c.ne <= e for s, e in denied_rqth) for c in cands):
        cues["disability"] = True
    evidence = {name: [_evidence(doc, ns, ne) for ns, ne in spans]
                for name, spans in evidence_spans(accepted + hidden + hidden_goals, facts, cues).items()}
    return Extraction(entities, facts, dispositifs, commune_candidates, cues, evidence)


def _evidence(doc: Doc, ns: int, ne: int) -> Evidence:
    s, e = _trim(doc, Cand("", None, ns, ne))
    return Evidence(s, e, doc.norm.original[s:e])
