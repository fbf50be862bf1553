"""`python -m bot db build`: (re)build the knowledge base from the versioned files. Idempotent.

Each part (dispositifs, communes, structures, embedded trainings: the registry `bot.knowledge.PARTS`)
is reloaded only when its source files changed (content hash kept in `build_info`), each in its own
transaction, so an interrupted build leaves the previous content of that part in place. Each area
declares its own `Part` (files + loader) next to its loader (the dispositifs part is declared here: its
rows are catalogue tables); the build itself only reads the registry.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.catalogue.db import Base, make_engine, make_sessionmaker
from bot.catalogue.models import BuildInfo, Dispositif, DispositifSource

log = logging.getLogger(__name__)

#: Bump when a loader's code changes the rows it writes (forces a reload).
LOADER_VERSION = "3"


def _hash_files(paths: list[Path]) -> str:
    h = hashlib.sha256(LOADER_VERSION.encode())
    for path in sorted(paths):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Part:
    """One part of the knowledge base: its source files (hashed) and its loader (returns rows)."""

    name: str
    files: Callable[[], list[Path]]
    load: Callable[[Session], int]


def load_dispositifs(session: Session) -> int:
    """Replace the dispositif rows with the compiled rule files."""
    from bot.eligibility.rules import load_rules

    rules = load_rules()
    session.execute(delete(DispositifSource))
    session.execute(delete(Dispositif))
    for rule in rules.values():
        session.add(Dispositif(
            id=rule.id, title=rule.title, kind=rule.kind, state=rule.state, region=rule.region,
            valid_from=rule.valid_from, valid_until=rule.valid_until, replaced_by=rule.replaced_by,
            checked_on=rule.checked_on, summary=rule.summary, provides=rule.provides,
            first_step=rule.first_step["text"], first_step_url=rule.first_step.get("url"),
            rule=_jsonable(rule.raw), content_hash=rule.content_hash,
        ))
        for src in rule.sources:
            session.add(DispositifSource(dispositif_id=rule.id, title=src["title"], url=src["url"],
                                         article=src.get("article")))
    session.flush()
    return len(rules)


def _jsonable(value: object) -> object:
    import json

    return json.loads(json.dumps(value, default=str))


def _rule_files() -> list[Path]:
    from bot.eligibility.rules import RULES_DIR

    return list(RULES_DIR.glob("*.yml"))


DISPOSITIFS = Part("dispositifs", _rule_files, load_dispositifs)


def _parts() -> list[Part]:
    """The registered parts, in build order (importing them also registers their tables on Base)."""
    from bot.knowledge import PARTS, SYNCED_TABLES

    for module in SYNCED_TABLES:
        importlib.import_module(module)  # tables filled by `sync` only: created empty by the build
    parts = []
    for entry in PARTS:
        module, _, attribute = entry.partition(":")
        parts.append(getattr(importlib.import_module(module), attribute))
    return parts


def build_database(url: str | None = None, *, force: bool = False, engine: Engine | None = None) -> dict[str, str]:
    """Create the schema and (re)load every part whose sources changed; returns part → status."""
    from bot.config import get_settings

    parts = _parts()  # before create_all: importing each area's part registers its tables
    engine = engine or make_engine(url or get_settings().database_url)
    Base.metadata.create_all(engine)
    factory = make_sessionmaker(engine)
    report: dict[str, str] = {}
    for part in parts:
        digest = _hash_files(part.files())
        with factory() as session:
            info = session.get(BuildInfo, part.name)
            if info is not None and info.content_hash == digest and not force:
                report[part.name] = f"à jour ({info.rows} lignes)"
                continue
        with factory.begin() as session:  # one transaction per part: all or nothing
            rows = part.load(session)
            session.merge(BuildInfo(name=part.name, content_hash=digest, rows=rows,
                                    built_at=datetime.now(timezone.utc).isoformat(timespec="seconds")))
        report[part.name] = f"chargé ({rows} lignes)"
        log.info("db build: %s loaded (%d rows)", part.name, rows)
    return report


def is_built(engine: Engine) -> bool:
    """Whether every part has been loaded at least once."""
    from sqlalchemy import inspect

    if not inspect(engine).has_table("build_info"):
        return False
    with make_sessionmaker(engine)() as session:
        names = set(session.execute(select(BuildInfo.name)).scalars())
    return {p.name for p in _parts()} <= names
