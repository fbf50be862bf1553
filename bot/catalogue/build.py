"""`python -m bot db build`: (re)build the knowledge base from the versioned files. Idempotent.

Each part (dispositifs, communes, structures, embedded trainings) is reloaded only when its
source files changed (content hash kept in `build_info`), each in its own transaction, so an
interrupted build leaves the previous content of that part in place.
"""

from __future__ import annotations

import hashlib
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


@dataclass(frozen=True)
class Part:
    """One part of the knowledge base."""

    name: str
    files: Callable[[], list[Path]]
    load: Callable[[Session], int]


def _parts() -> list[Part]:
    from bot.catalogue.structures import STRUCTURES_FILE, load_structures
    from bot.eligibility.rules import RULES_DIR
    from bot.geo.index import DATA_FILE as COMMUNES_FILE
    from bot.geo.loader import load_communes
    from bot.trainings.loader import CATALOGUE_FILE, load_embedded

    return [
        Part("dispositifs", lambda: list(RULES_DIR.glob("*.yml")), load_dispositifs),
        Part("communes", lambda: [COMMUNES_FILE], load_communes),
        # structures and trainings take their coordinates from the communes: rebuild them with it
        Part("structures", lambda: [STRUCTURES_FILE, COMMUNES_FILE], load_structures),
        Part("trainings_embedded", lambda: [CATALOGUE_FILE, COMMUNES_FILE], load_embedded),
    ]


def build_database(url: str | None = None, *, force: bool = False, engine: Engine | None = None) -> dict[str, str]:
    """Create the schema and (re)load every part whose sources changed; returns part → status."""
    import bot.directory.models  # noqa: F401  (register the tables on Base; filled by `sync`)
    import bot.trainings.models  # noqa: F401  (register the tables on Base)
    from bot.config import get_settings

    engine = engine or make_engine(url or get_settings().database_url)
    Base.metadata.create_all(engine)
    factory = make_sessionmaker(engine)
    report: dict[str, str] = {}
    for part in _parts():
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
