"""`resolve(text)`: turn what a person typed (name, postcode, INSEE code) into one commune."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from bot.geo.index import Commune, CommuneIndex, NameEntry, communes, population_order, regional_communes
from bot.geo.normalize import TOKEN_RE, fold, map_token

__all__ = ["MAX_CANDIDATES", "Resolution", "pick", "resolve"]

log = logging.getLogger(__name__)

#: At most this many candidates are returned (most populous first).
MAX_CANDIDATES = 8

# A postcode that is also the INSEE code of a commune this large offers that commune too.
INSEE_ALTERNATIVE_MIN_POPULATION = 10_000

# A homonym wins without asking when it has at least this many times the runner-up's population.
DOMINANCE = 3

# Leading words to drop ("j'habite à", "près de", "code postal"…), longest first.
_LEADING = [
    ("je", "suis", "a"), ("je", "suis", "sur"), ("je", "vis", "a"), ("j", "habite", "a"),
    ("j", "habite", "au"), ("j", "habite", "aux"), ("j", "habite", "sur"), ("j", "habite"),
    ("nous", "habitons"), ("j", "habite", "en"), ("pres", "de"), ("pres", "d"), ("proche", "de"),
    ("a", "cote", "de"), ("code", "postal"), ("commune", "de"), ("commune", "d"), ("ville", "de"),
    ("ville", "d"), ("habite", "a"), ("habite",), ("a",), ("au",), ("aux",), ("sur",), ("vers",),
    ("dans",), ("de",), ("d",), ("du",), ("en",), ("cp",), ("commune",), ("ville",),
]
# "au Quesnoy" → "le quesnoy"
_CONTRACTIONS = {"au": "le", "aux": "les", "du": "le"}
_NOISE = {"cedex", "france", "cdx"}
_ORDINAL_RE = re.compile(r"^\d{1,2}(e|er|eme|ieme|em)$")
_DEPT_RE = re.compile(r"^(\d{2}|2a|2b|97\d)$")
_CODE_RE = re.compile(r"^(\d{5}|2a\d{3}|2b\d{3})$")


@dataclass(frozen=True)
class Resolution:
    """The outcome of `resolve`: found / ambiguous / not_found, with a French message."""

    status: str  # "found" | "ambiguous" | "not_found"
    commune: Commune | None = None
    candidates: list[Commune] = field(default_factory=list)
    message_fr: str = ""
    fuzzy: bool = False  # True when a spelling correction was needed (worth confirming)

    @property
    def found(self) -> bool:
        """True when exactly one commune was recognised."""
        return self.status == "found"

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {
            "status": self.status,
            "commune": self.commune.to_dict() if self.commune else None,
            "candidates": [c.to_dict() for c in self.candidates],
            "message_fr": self.message_fr,
            "fuzzy": self.fuzzy,
        }


# ------------------------------------------------------------------------------- messages


def _names(cands: list[Commune], with_dept: bool) -> str:
    shown = [c.label if with_dept else c.nom for c in cands[:MAX_CANDIDATES]]
    more = len(cands) - len(shown)
    if more > 0:
        return ", ".join(shown) + f" et {more} autre{'s' if more > 1 else ''}"
    return ", ".join(shown)


def _say(key: str, **values: str) -> str:
    """One of the resolver's sentences in the current reading mode (`communes` of bot/conversation/messages.yml,
    FALC in messages_falc.yml). Imported here: bot.conversation needs the rule engine, which needs bot.geo."""
    from bot.conversation.dialogue import messages

    return messages()["communes"][key].format(**values)


def _found(commune: Commune, fuzzy: bool = False) -> Resolution:
    msg = _say("found_fuzzy" if fuzzy else "found", commune=commune.label)
    return Resolution("found", commune, [commune], msg, fuzzy)


def _ambiguous_postcode(code: str, cands: list[Commune], also_insee: bool) -> Resolution:
    ask = _say("which" if len(cands) <= MAX_CANDIDATES else "which_name")
    msg = _say("code_several" if also_insee else "postcode_several", postcode=code,
               names=_names(cands, also_insee), ask=ask)
    return Resolution("ambiguous", None, cands[:MAX_CANDIDATES], msg)


def _ambiguous_name(cands: list[Commune], fuzzy: bool) -> Resolution:
    cands = sorted(cands, key=population_order)
    msg = _say("name_unsure" if fuzzy else "name_several", names=_names(cands, True))
    return Resolution("ambiguous", None, cands[:MAX_CANDIDATES], msg, fuzzy)


def _not_found(shown: str) -> Resolution:
    return Resolution("not_found", None, [], _say("not_found", shown=shown) if shown else _say("no_name"))


def _unknown_code(code: str) -> Resolution:
    return Resolution("not_found", None, [], _say("unknown_code", postcode=code))


# ------------------------------------------------------------------------------- choosing


def pick(cands: list[Commune] | tuple[Commune, ...], prefer_region: str | None) -> tuple[Commune | None,
                                                                                          list[Commune]]:
    """Choose among homonyms: the preferred region, then a clearly most populous one.

    Returns (chosen, remaining candidates most populous first); chosen is None when it stays ambiguous.
    """
    ordered = sorted(cands, key=population_order)
    if len(ordered) == 1:
        return ordered[0], ordered
    if prefer_region:
        local = [c for c in ordered if c.region == prefer_region]
        if len(local) == 1:
            return local[0], ordered
        if local:
            ordered = local
    first, second = ordered[0].population or 0, ordered[1].population or 0
    if first >= DOMINANCE * max(second, 1):
        return ordered[0], ordered
    return None, ordered


def fuzzy_limit(key: str) -> int:
    """How many edits a name of this length may have: 0 up to 4 letters, 1 up to 7, else 2."""
    n = len(key)
    if n <= 4:
        return 0
    if n <= 7:
        return 1
    return 2


# ------------------------------------------------------------------------------- parsing


@dataclass
class _Query:
    name_tokens: list[str]
    codes: list[str]
    departement: str | None
    shown: str
    insee: bool = False


def _parse(text: str) -> _Query:
    raw_tokens = TOKEN_RE.findall(fold(text))
    tokens = [map_token(t) for t in raw_tokens]
    codes: list[str] = []
    dept: str | None = None
    words: list[str] = []
    skip_number = False
    insee = False
    for tok in tokens:
        if tok == "insee":
            insee = True
            continue
        if tok in _NOISE:
            skip_number = tok in {"cedex", "cdx"}
            continue
        if skip_number and tok.isdigit() and len(tok) <= 3:
            skip_number = False
            continue
        skip_number = False
        if _CODE_RE.match(tok):
            codes.append(tok.upper())
        elif _DEPT_RE.match(tok) and words:
            dept = tok.upper()
        elif _ORDINAL_RE.match(tok) or tok in {"arrondissement", "arr"}:
            continue
        else:
            words.append(tok)
    # Drop leading filler ("j'habite à", "près de"); a contraction becomes the name's article.
    changed = True
    while changed and words:
        changed = False
        for lead in _LEADING:
            n = len(lead)
            if len(words) > n and tuple(words[:n]) == lead:
                last = lead[-1]
                words = words[n:]
                if last in _CONTRACTIONS:
                    words = [_CONTRACTIONS[last], *words]
                changed = True
                break
    shown = " ".join(text.split())[:60]
    if len(words) == 1 and (words[0],) in _LEADING:
        words = []  # only a filler word ("à")
    if insee and words[-1:] == ["code"]:
        words = words[:-1]
    return _Query(words, codes, dept, shown, insee and bool(codes))


# ------------------------------------------------------------------------------- resolution


def _filter_dept(cands: tuple[Commune, ...] | list[Commune], dept: str | None) -> list[Commune]:
    if not dept:
        return list(cands)
    return [c for c in cands if c.departement == dept]


def _entries(idx: CommuneIndex, key: str) -> tuple[NameEntry | None, NameEntry | None]:
    return idx.by_name_key(key), idx.by_alias_key(key)


def _resolve_name(idx: CommuneIndex, words: list[str], dept: str | None, prefer_region: str | None,
                  shown: str) -> Resolution:
    key = "".join(words)
    if not key:
        return _not_found("")
    keys = [key]
    if words and words[0] in {"le", "la", "les", "l"} and len(words) > 1:
        keys.append("".join(words[1:]))  # "le quesnoy" ↔ "quesnoy"
    for k in keys:
        short = idx.short_name(k)
        if short is not None and (not dept or short.departement == dept):
            return _found(short)
    for k in keys:
        official, alias = _entries(idx, k)
        names = _filter_dept(official.communes, dept) if official else []
        others = _filter_dept(alias.communes, dept) if alias else []
        others = [c for c in others if c not in names]
        if prefer_region:
            local = [c for c in names if c.region == prefer_region]
            if not local:
                local_alias = [c for c in others if c.region == prefer_region]
                if len(local_alias) == 1:
                    return _found(local_alias[0])
        for group in (names, others):
            if group:
                chosen, ordered = pick(group, prefer_region)
                return _found(chosen) if chosen else _ambiguous_name(ordered, False)
    # The beginning of a longer name ("bruay" → Bruay-la-Buissière or Bruay-sur-l'Escaut).
    if len(key) >= 4:
        cands = []
        for k in idx.prefix_keys(words):
            entry = idx.by_name_key(k)
            if entry:
                cands.extend(c for c in _filter_dept(entry.communes, dept) if c not in cands)
        if cands:
            chosen, ordered = pick(cands, prefer_region)
            return _found(chosen, fuzzy=True) if chosen else _ambiguous_name(ordered, True)
    # Spelling mistakes.
    limit = fuzzy_limit(key)
    if limit:
        close = idx.fuzzy_keys(key, limit)
        if close:
            best = close[0][0]
            cands: list[Commune] = []
            for d, k in close:
                if d != best:
                    break
                entry = idx.lookup_key(k)
                if entry:
                    cands.extend(c for c in _filter_dept(entry.communes, dept) if c not in cands)
            if cands:
                chosen, ordered = pick(cands, prefer_region)
                return _found(chosen, fuzzy=True) if chosen else _ambiguous_name(ordered, True)
    return _not_found(shown)


def _name_fits(words: list[str], commune: Commune) -> bool:
    from bot.geo.normalize import name_key

    key = "".join(words)
    if not key:
        return False
    keys = {name_key(commune.nom)} | {name_key(n) for n in commune.autres_noms}
    bare = [name_key(commune.nom)]
    for k in list(keys) + bare:
        if key == k or (len(key) >= 4 and k.startswith(key)):
            return True
    limit = fuzzy_limit(key)
    if limit:
        from bot.geo.index import osa_distance

        return any(osa_distance(key, k, limit) <= limit for k in keys)
    return False


def resolve(text: str, prefer_region: str | None = "32") -> Resolution:
    """Recognise one commune in `text` (name, "name postcode", postcode or INSEE code).

    Homonyms are settled by `prefer_region`, then by a clearly larger population; otherwise the
    result is "ambiguous" with candidates (most populous first, at most MAX_CANDIDATES).
    """
    if prefer_region:
        # Most people live where the assistant works: the small regional index answers first, and
        # the national one (slower to load) only when the region has no exact answer.
        local = _resolve_in(regional_communes(prefer_region), text, prefer_region)
        if local.status == "ambiguous" or (local.status == "found" and not local.fuzzy):
            return local
    return _resolve_in(communes(), text, prefer_region)


def _resolve_in(idx: CommuneIndex, text: str, prefer_region: str | None) -> Resolution:
    query = _parse(text or "")
    if not query.codes:
        if query.insee:
            return _not_found(query.shown)
        return _resolve_name(idx, query.name_tokens, query.departement, prefer_region, query.shown)

    code = query.codes[0]
    by_insee = idx.get(code)
    if query.insee:
        if by_insee is None:
            return _not_found(query.shown)
        return _found(by_insee)
    cands = idx.by_postcode(code)
    # People type postcodes; a code that is no postcode is read as an INSEE code, and a postcode
    # that is also the INSEE code of a sizeable commune (59350: Saint-André-lez-Lille's postcode,
    # Lille's INSEE code) offers both.
    also_insee = (by_insee is not None and by_insee not in cands
                  and (not cands or (by_insee.population or 0) >= INSEE_ALTERNATIVE_MIN_POPULATION))
    if also_insee and by_insee is not None:
        cands = sorted([*cands, by_insee], key=population_order)
    if query.name_tokens:
        fitting = [c for c in cands if _name_fits(query.name_tokens, c)]
        if fitting:
            return _found(fitting[0])
        by_name = _resolve_name(idx, query.name_tokens, query.departement, prefer_region, query.shown)
        if by_name.status == "found" or not cands:
            return by_name
    if not cands:
        return _unknown_code(code)
    if len(cands) == 1:
        return _found(cands[0])
    return _ambiguous_postcode(code, cands, also_insee)
