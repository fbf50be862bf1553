"""Names of the schemes (dispositifs): the rule files' aliases and titles, plus spoken variants.

The table is built on first use from `bot/eligibility/rules/*.yml` (`aliases`, `title`,
`short_title`) and the extra variants below, minus aliases too ordinary to be taken alone in a
free sentence ("bilan", "initiative"). France Travail and the RQTH are matched by
`bot.understanding.lexical` (they are also facts about the person).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from bot.understanding.normalize import normalize

__all__ = ["alias_table", "dispositif_re"]

RULES_DIR = Path(__file__).resolve().parent.parent / "eligibility" / "rules"

#: Variants people type, on top of the rule files (folded text).
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "transitions_pro_hdf": ("transition pro", "transitions pro", "transitions professionnelles",
                            "transitions pro hauts de france", "fongecif", "fongecifs", "fongesif",
                            "fongecif hauts de france"),
    "ptp": ("cif", "cpf de transition", "cpf transition", "cpf de transition professionnelle",
            "projet de transition pro", "projet de transition professionnelle", "ptp",
            "conge individuel de formation"),
    "pro_a": ("pro a", "pro-a", "proa"),
    "apprentissage": ("alternance", "apprentissage", "apprenti", "apprentie", "cfa"),
    "mon_cep_hdf": ("mon cep", "cep", "conseil en evolution professionnelle", "conseil en evolution pro",
                    "conseiller en evolution professionnelle", "avenir actifs"),
    "poei": ("poe", "poei", "afpr", "preparation operationnelle a l'emploi"),
    "poec": ("poec", "poe collective"),
    "vae": ("vae", "validation des acquis", "validation des acquis de l'experience", "france vae"),
    "bilan_competences": ("bilan de competences", "bilan de competence", "bilan pro",
                          "bilan professionnel", "bilans de competences"),
    "cpf": ("cpf", "compte personnel de formation", "mon compte formation", "compte formation",
            "moncompteformation", "dif"),
    "demission_reconversion": ("demission reconversion", "demission pour reconversion",
                               "demission-reconversion", "demission pour projet de reconversion"),
    "contrat_pro": ("contrat pro", "contrat de pro", "contrat de professionnalisation", "contrats pro",
                    "contrat professionnalisation"),
    "mission_locale": ("mission locale", "missions locales"),
    "reseaux_creation": ("bge", "initiative france", "reseau initiative", "france active", "adie",
                         "reseau entreprendre", "cci", "cma", "pret d'honneur",
                         "chambre de commerce", "chambre des metiers", "boutique de gestion"),
    "cej": ("cej", "contrat d'engagement jeune", "contrat engagement jeune", "garantie jeune",
            "garantie jeunes"),
    "arce": ("arce", "chomage en capital", "capital chomage", "capital de mon chomage"),
    "acre": ("acre", "accre"),
    "prf_hdf": ("prf", "programme regional de formation", "formations de la region",
                "formation de la region"),
    "cheque_pass_formation_hdf": ("cheque pass formation", "pass formation"),
    "cheque_pass_vae_hdf": ("cheque pass vae", "pass vae"),
    "periode_reconversion": ("periode de reconversion", "periode reconversion"),
    "transco": ("transco", "transitions collectives", "transition collective"),
    "aif": ("aif", "aide individuelle a la formation"),
    "prepa_competences": ("prepa competences", "prepa competence"),
    "proch_emploi": ("proch'emploi", "proch emploi", "prochemploi"),
    "cap_emploi": ("cap emploi", "cap'emploi", "capemploi"),
    "e2c": ("e2c", "ecole de la deuxieme chance", "ecole de la 2e chance", "ecole de la seconde chance",
            "ecole de la 2eme chance"),
    "cfp_fonction_publique": ("conge de formation professionnelle", "cfp", "conge formation"),
    "agefiph": ("agefiph",),
    "epide": ("epide",),
    "apec": ("apec",),
    "la_turbine_dunkerque": ("turbine", "turbine dunkerque"),
    "sanitaire_social_hdf": ("formations sanitaires et sociales", "formation sanitaire et sociale",
                             "formations sanitaires et sociales gratuites"),
}

#: Aliases of the rule files not taken in free text (too ordinary), or handled elsewhere.
SKIPPED_ALIASES = frozenset({
    "bilan", "initiative", "ml", "france travail", "pole emploi", "anpe", "rqth", "la pro a",
    "contrat d'apprentissage", "aides de l'agefiph", "la turbine", "cap reconversion",
    "travailleur handicape", "reconnaissance handicap", "mdph",
})
#: Ids matched by `bot.understanding.lexical` (their mentions are also facts about the person).
SPECIAL_IDS = frozenset({"france_travail", "rqth"})

_lock = threading.Lock()
_table: dict[str, str] | None = None
_regex: re.Pattern[str] | None = None


def _folded(text: str) -> str:
    return " ".join(normalize(text).text.split())


def _title_names(title: str) -> list[str]:
    """"Compte personnel de formation (CPF)" → the main part, and an acronym in brackets."""
    names = [title.split("(")[0].strip()]
    for inner in re.findall(r"\(([^()]*)\)", title):
        inner = inner.strip()
        if re.fullmatch(r"[A-Z0-9][A-Z0-9'-]{1,7}", inner):
            names.append(inner)
    return [n for n in names if n]


def _load() -> dict[str, str]:
    import yaml

    table: dict[str, str] = {}
    for path in sorted(RULES_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        rid = data.get("id") or path.stem
        if rid in SPECIAL_IDS:
            continue
        names: list[str] = [str(a) for a in data.get("aliases") or []]
        for key in ("short_title", "title"):
            if data.get(key):
                names.extend(_title_names(str(data[key])))
        for name in names:
            folded = _folded(name)
            if folded and folded not in SKIPPED_ALIASES and len(folded) >= 2:
                table.setdefault(folded, rid)
    for rid, names in EXTRA_ALIASES.items():
        for name in names:
            table[_folded(name)] = rid
    return table


def alias_table() -> dict[str, str]:
    """Folded alias → dispositif id (built once)."""
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                _table = _load()
    return _table


def _alias_pattern(alias: str) -> str:
    parts = re.findall(r"[a-z0-9]+", alias)
    return r"[\s'\-]*".join(re.escape(p) for p in parts)


def dispositif_re() -> re.Pattern[str]:
    """One regex matching every alias (longest first); `lastgroup` is not used, look the text up."""
    global _regex
    if _regex is None:
        table = alias_table()
        with _lock:
            if _regex is None:
                pats = sorted({_alias_pattern(a) for a in table}, key=len, reverse=True)
                _regex = re.compile(r"(?<![a-z0-9])(?:" + "|".join(pats) + r")s?(?![a-z0-9])")
    return _regex


def lookup(matched: str) -> str | None:
    """The id of a matched alias text (folded, separators ignored)."""
    key = "".join(re.findall(r"[a-z0-9]+", matched))
    index = _compact_index()
    return index.get(key) or (index.get(key[:-1]) if key.endswith("s") else None)


_compact: dict[str, str] | None = None


def _compact_index() -> dict[str, str]:
    global _compact
    if _compact is None:
        _compact = {"".join(re.findall(r"[a-z0-9]+", a)): rid for a, rid in alias_table().items()}
    return _compact
