"""`extract(text)`: the facts a person states in one message, deterministic and fast."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.understanding.answers import answer_candidates, answer_facts
from bot.understanding.doc import Cand, Doc
from bot.understanding.facts import infer_facts, valid_facts
from bot.understanding.goals import find_goals
from bot.understanding.lexical import find_lexical
from bot.understanding.model import Entity, Extraction
from bot.understanding.numeric import find_numeric

__all__ = ["MAX_CHARS", "extract"]

#: Longer messages are read up to this many characters (entities keep their true offsets).
MAX_CHARS = 20_000


def _communes(doc: Doc) -> list[Cand]:
    from bot.geo import find_communes_in_text

    out: list[Cand] = []
    for m in find_communes_in_text(doc.norm.original):
        ns = doc.norm_pos(m.start)
        ne = doc.norm_pos(m.end - 1) + 1 if m.end > m.start else ns
        while ne < len(doc.text) and doc.norm.starts[ne] < m.end and doc.norm.ends[ne] <= m.end:
            ne += 1
        out.append(Cand("commune", m.text, ns, ne, prio=3, data=m))
    return out


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
    accepted: list[Cand] = []
    for c in sorted(cands, key=lambda c: (-c.prio, -(c.ne - c.ns), c.ns)):
        if c.ne <= c.ns:
            continue
        if all(c.ne <= a.ns or c.ns >= a.ne for a in accepted):
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
    doc = Doc(text[:MAX_CHARS])
    cands = find_numeric(doc, today) + find_lexical(doc, asked)
    communes = _communes(doc)
    lexical_spans = [(c.ns, c.ne) for c in cands if c.emit]
    communes = [c for c in communes if all(c.ne <= s or c.ns >= e for s, e in lexical_spans)]
    cands += communes
    blocked = [(c.ns, c.ne) for c in cands if c.emit and c.entity in (
        "commune", "dispositif", "contract", "france_travail", "rqth", "rsa", "duration", "status")]
    goals, targets = find_goals(doc, blocked)
    cands += goals + targets
    cands += answer_candidates(doc, cands, asked, _resolve_commune)
    accepted = _resolve_overlaps([c for c in cands if c.emit])
    hidden = [c for c in cands if not c.emit]
    # a goal phrase hidden by another entity still counts, unless it is part of a scheme's name
    disp = [c for c in accepted if c.entity == "dispositif"]
    hidden_goals = [c for c in cands if c.entity == "goal" and c.emit and c.fact and c not in accepted
                    and all(c.ne <= d.ns or c.ns >= d.ne for d in disp)]
    facts, commune_candidates = infer_facts(doc, accepted + hidden, known, hidden_goals)
    answer_facts(doc, accepted + hidden, asked, facts)
    entities = [_entity(doc, c) for c in accepted]
    entities = [e for e in entities if e.end > e.start]
    dispositifs: list[str] = []
    for e in entities:
        if e.entity == "dispositif" and e.value not in dispositifs:
            dispositifs.append(e.value)
    return Extraction(entities, valid_facts(facts), dispositifs, commune_candidates)
