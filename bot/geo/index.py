"""The communes of France: `Commune` records and the cached `CommuneIndex` (loaded on first use)."""

from __future__ import annotations

import csv
import gzip
import io
import logging
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.geo.normalize import ARTICLES, name_key, name_tokens

__all__ = ["Commune", "CommuneIndex", "DATA_FILE", "communes", "read_rows"]

log = logging.getLogger(__name__)

DATA_FILE = Path(__file__).resolve().parent / "data" / "communes.csv.gz"

# Short forms people use for Hauts-de-France communes whose full name is long (short → full name).
SHORT_NAMES = {
    "Boulogne": "Boulogne-sur-Mer",
    "Le Touquet": "Le Touquet-Paris-Plage",
    "Touquet": "Le Touquet-Paris-Plage",
    "Hénin": "Hénin-Beaumont",
    "Le Cateau": "Le Cateau-Cambrésis",
    "Saint-Amand": "Saint-Amand-les-Eaux",
    "Marcq": "Marcq-en-Barœul",
    "VDA": "Villeneuve-d'Ascq",
    "Hellemmes": "Lille",
}


@dataclass(frozen=True)
class Commune:
    """A current commune of France (INSEE COG), with a representative point."""

    code_insee: str
    nom: str
    departement: str
    region: str
    epci: str | None
    codes_postaux: tuple[str, ...]
    population: int | None
    lat: float | None
    lon: float | None
    coord_source: str | None
    autres_noms: tuple[str, ...] = ()
    anciens_codes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Name and département, for people ("Saint-Quentin (02)")."""
        return f"{self.nom} ({self.departement})"

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        data = asdict(self)
        data["codes_postaux"] = list(self.codes_postaux)
        data["autres_noms"] = list(self.autres_noms)
        data["anciens_codes"] = list(self.anciens_codes)
        return data


def _split(value: str) -> tuple[str, ...]:
    return tuple(value.split("|")) if value else ()


def read_rows(path: Path = DATA_FILE, region: str | None = None) -> Iterator[Commune]:
    """Parse the committed gzip CSV into `Commune` records (only `region`'s when given)."""
    with gzip.open(path, "rb") as fh:
        reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8", newline=""))
        header = next(reader)
        col = {name: i for i, name in enumerate(header)}
        i_code, i_nom, i_dep, i_reg, i_epci, i_cp, i_pop, i_lat, i_lon, i_src = (
            col[n] for n in ("code_insee", "nom", "departement", "region", "epci", "codes_postaux",
                             "population", "lat", "lon", "coord_source"))
        i_other, i_old = col.get("autres_noms"), col.get("anciens_codes")
        for row in reader:
            if region is not None and row[i_reg] != region:
                continue
            yield Commune(
                code_insee=row[i_code],
                nom=row[i_nom],
                departement=row[i_dep],
                region=row[i_reg],
                epci=row[i_epci] or None,
                codes_postaux=_split(row[i_cp]),
                population=int(row[i_pop]) if row[i_pop] else None,
                lat=float(row[i_lat]) if row[i_lat] else None,
                lon=float(row[i_lon]) if row[i_lon] else None,
                coord_source=row[i_src] or None,
                autres_noms=_split(row[i_other]) if i_other is not None else (),
                anciens_codes=_split(row[i_old]) if i_old is not None else (),
            )


def population_order(commune: Commune) -> tuple[int, str]:
    """Sort key: most populous first, then by INSEE code (stable)."""
    return (-(commune.population or 0), commune.code_insee)


@dataclass(frozen=True)
class NameEntry:
    """Communes sharing one matching key, and how the key was made."""

    communes: tuple[Commune, ...]
    content: tuple[str, ...]  # the name's tokens without articles/prepositions
    kind: str  # "nom" (official name) or "alias" (commune déléguée, former name, short form)
    ntokens: int = 1  # the most words a name with this key has ("villeneuve d ascq": 3)


class CommuneIndex:
    """Look-ups by INSEE code, postcode, EPCI and name (built once, read-only afterwards)."""

    def __init__(self, rows: Iterable[Commune]) -> None:
        self._all = tuple(sorted(rows, key=lambda c: c.code_insee))
        self._by_code = {c.code_insee: c for c in self._all}
        self._old_codes: dict[str, Commune] = {}
        by_cp: dict[str, list[Commune]] = defaultdict(list)
        by_epci: dict[str, list[Commune]] = defaultdict(list)
        names: dict[str, list[Commune]] = defaultdict(list)
        aliases: dict[str, list[Commune]] = defaultdict(list)
        content: dict[str, tuple[str, ...]] = {}
        ntokens: dict[str, int] = defaultdict(lambda: 1)
        max_tokens = 1
        for c in self._all:
            for old in c.anciens_codes:
                self._old_codes.setdefault(old, c)
            for cp in c.codes_postaux:
                by_cp[cp].append(c)
            if c.epci:
                by_epci[c.epci].append(c)
            tokens = name_tokens(c.nom)
            max_tokens = max(max_tokens, len(tokens))
            key = "".join(tokens)
            names[key].append(c)
            ntokens[key] = max(ntokens[key], len(tokens))
            if key not in content:
                content[key] = _content_of(tokens)
            for other in c.autres_noms:
                akey = name_key(other)
                aliases[akey].append(c)
                ntokens[akey] = max(ntokens[akey], len(name_tokens(other)))
                content.setdefault(akey, _content(other))
            # "Le Quesnoy" is often written "Quesnoy": index the name without its leading article.
            if len(tokens) > 1 and tokens[0] in {"le", "la", "les", "l"}:
                bare = "".join(tokens[1:])
                aliases[bare].append(c)
                ntokens[bare] = max(ntokens[bare], len(tokens) - 1)
                content.setdefault(bare, content[key])
        short_names: dict[str, Commune] = {}
        for short, full in SHORT_NAMES.items():
            for c in names.get(name_key(full), []):
                if c.region == "32":
                    short_names[name_key(short)] = c
                    aliases[name_key(short)].append(c)
                    ntokens[name_key(short)] = max(ntokens[name_key(short)], len(name_tokens(short)))
                    content.setdefault(name_key(short), _content(short))
        self._by_cp = {k: _by_population(v) for k, v in by_cp.items()}
        self._by_epci = {k: _by_population(v) for k, v in by_epci.items()}
        self._names: dict[str, NameEntry] = {}
        for key, found in names.items():
            self._names[key] = NameEntry(_by_population(found), content[key], "nom", ntokens[key])
        self._aliases: dict[str, NameEntry] = {}
        for key, found in aliases.items():
            unique = _by_population(list(dict.fromkeys(found)))
            self._aliases[key] = NameEntry(unique, content[key], "alias", ntokens[key])
        self._fuzzy_buckets: dict[str, list[tuple[str, frozenset[str]]]] | None = None
        self._prefix: dict[str, list[tuple[tuple[str, ...], str]]] | None = None
        self._short: dict[str, Commune] = {}
        self._sorted_keys: list[str] | None = None
        self._max_tokens = max_tokens
        self._short = short_names

    # -- public look-ups -------------------------------------------------------------------------

    def get(self, code_insee: str) -> Commune | None:
        """The commune with this INSEE code (current or former), or None."""
        code = (code_insee or "").strip().upper()
        return self._by_code.get(code) or self._old_codes.get(code)

    def by_postcode(self, code_postal: str) -> list[Commune]:
        """Communes served by this postcode, most populous first."""
        return list(self._by_cp.get((code_postal or "").strip(), ()))

    def in_epci(self, siren: str) -> list[Commune]:
        """Member communes of this EPCI (SIREN), most populous first."""
        return list(self._by_epci.get((siren or "").strip(), ()))

    def all(self) -> list[Commune]:
        """Every commune, sorted by INSEE code."""
        return list(self._all)

    def __len__(self) -> int:
        return len(self._all)

    # -- name look-ups (used by resolve and find_communes_in_text) --------------------------------

    def by_name_key(self, key: str) -> NameEntry | None:
        """Communes whose official name has this key."""
        return self._names.get(key)

    def by_alias_key(self, key: str) -> NameEntry | None:
        """Communes known under this other name (commune déléguée, name without article, short form)."""
        return self._aliases.get(key)

    def short_name(self, key: str) -> Commune | None:
        """The Hauts-de-France commune a curated short form stands for ("boulogne"), if any."""
        return self._short.get(key)

    def lookup_key(self, key: str) -> NameEntry | None:
        """Official name first, then other names."""
        return self._names.get(key) or self._aliases.get(key)

    def has_key_prefix(self, prefix: str) -> bool:
        """True when some name key starts with `prefix` (lets text scanning stop early)."""
        keys = self._sorted_keys
        if keys is None:
            keys = self._sorted_keys = sorted(set(self._names) | set(self._aliases))
        pos = bisect_left(keys, prefix)
        return pos < len(keys) and keys[pos].startswith(prefix)

    @property
    def max_name_tokens(self) -> int:
        """The most tokens a commune name has (bounds text scanning)."""
        return self._max_tokens

    def fuzzy_keys(self, key: str, max_distance: int) -> list[tuple[int, str]]:
        """Name keys within `max_distance` edits (Damerau/OSA) of `key`, sharing its first letter."""
        if not key:
            return []
        buckets = self._fuzzy_index()
        qgrams = _bigrams(key)
        need = len(qgrams) - 3 * max_distance  # one edit breaks at most three bigrams
        n = len(key)
        out = []
        for candidate, grams in buckets.get(key[0], ()):
            if abs(len(candidate) - n) > max_distance or len(qgrams & grams) < need:
                continue
            d = osa_distance(key, candidate, max_distance)
            if d <= max_distance:
                out.append((d, candidate))
        out.sort()
        return out

    def prefix_keys(self, tokens: list[str]) -> list[str]:
        """Keys of names whose tokens start with `tokens` ("bruay" → Bruay-la-Buissière, …)."""
        if not tokens:
            return []
        if self._prefix is None:
            prefix: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
            for c in self._all:
                toks = tuple(name_tokens(c.nom))
                if len(toks) > 1:
                    prefix[toks[0]].append((toks, "".join(toks)))
            self._prefix = dict(prefix)
        want = tuple(tokens)
        n = len(want)
        return sorted({key for toks, key in self._prefix.get(want[0], ())
                       if len(toks) > n and toks[:n] == want})

    def _fuzzy_index(self) -> dict[str, list[tuple[str, frozenset[str]]]]:
        if self._fuzzy_buckets is None:
            buckets: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
            for k in dict.fromkeys(list(self._names) + list(self._aliases)):
                buckets[k[0]].append((k, _bigrams(k)))
            self._fuzzy_buckets = dict(buckets)
        return self._fuzzy_buckets


def _bigrams(key: str) -> frozenset[str]:
    return frozenset(key[i:i + 2] for i in range(len(key) - 1))


def _by_population(found: list[Commune]) -> tuple[Commune, ...]:
    return tuple(found) if len(found) == 1 else tuple(sorted(found, key=population_order))


def _content(name: str) -> tuple[str, ...]:
    return _content_of(name_tokens(name))


def _content_of(tokens: list[str]) -> tuple[str, ...]:
    return tuple(t for t in tokens if t not in ARTICLES) or tuple(tokens)


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (Damerau with adjacent swaps), capped at `limit + 1`."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        ai = a[i - 1]
        best = cur[0]
        for j in range(1, lb + 1):
            cost = 0 if ai == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            if v < best:
                best = v
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[lb], limit + 1)


_lock = threading.Lock()
_index: CommuneIndex | None = None
_regional: dict[str, CommuneIndex] = {}


def communes() -> CommuneIndex:
    """The index of all communes, loaded from the committed data file on first call."""
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = CommuneIndex(read_rows())
                log.info("loaded %d communes", len(_index))
    return _index


def regional_communes(region: str) -> CommuneIndex:
    """The communes of one region only (ten times faster to load: what short-lived commands use first)."""
    index = _regional.get(region)
    if index is None:
        with _lock:
            index = _regional.get(region)
            if index is None:
                index = _regional[region] = CommuneIndex(read_rows(region=region))
    return index
