"""Writing the catalogue: row builders, batched upserts, staging and the atomic swap."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from bot.trainings.models import (
    BodyCode,
    BodyCodeStage,
    Training,
    TrainingBody,
    TrainingBodyStage,
    TrainingCode,
    TrainingCodeStage,
    TrainingStage,
)

LIVE_STAGE = (
    (TrainingBody.__table__, TrainingBodyStage),
    (BodyCode.__table__, BodyCodeStage),
    (Training.__table__, TrainingStage),
    (TrainingCode.__table__, TrainingCodeStage),
)

CODE_KINDS = (("rome", "romes"), ("nsf", "nsf"), ("formacode", "formacodes"))


def training_codes(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Search-index rows of a training row (one per code, carrying its position)."""
    out: dict[str, dict[str, Any]] = {}
    for kind, column in CODE_KINDS:
        for code in row.get(column) or ():
            key = f"{kind}:{code}"
            out[key] = {"training_id": row["id"], "code": key, "source": row["source"],
                        "lat": row.get("lat"), "lon": row.get("lon")}
    return list(out.values())


def body_codes(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Search-index rows of a body row (its NSF specialities)."""
    out: dict[str, dict[str, Any]] = {}
    for item in row.get("nsf") or ():
        key = f"nsf:{item['code']}"
        out[key] = {"body_id": row["id"], "code": key, "source": row["source"],
                    "lat": row.get("lat"), "lon": row.get("lon")}
    return list(out.values())


def upsert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert-or-replace `rows` by primary key, in one statement (SQLite / PostgreSQL)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:  # pragma: no cover - other engines: delete then insert
        pk = [c for c in table.primary_key.columns]
        for row in rows:
            session.execute(delete(table).where(*[c == row[c.name] for c in pk]))
        session.execute(insert(table), list(rows))
        return
    # De-duplicate within the batch (last one wins), as ON CONFLICT cannot touch a row twice.
    pk_names = [c.name for c in table.primary_key.columns]
    unique = {tuple(r[n] for n in pk_names): r for r in rows}
    stmt = dialect_insert(table)
    update_cols = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in pk_names}
    stmt = stmt.on_conflict_do_update(index_elements=pk_names, set_=update_cols)
    session.execute(stmt, list(unique.values()))


def clear_stage(session: Session, source: str, *, tables: Iterable[tuple[Table, Table]] = LIVE_STAGE) -> None:
    """Forget whatever an earlier, interrupted sync left in staging for `source`."""
    for _live, stage in tables:
        session.execute(delete(stage).where(stage.c.source == source))


def swap_in(session: Session, source: str, *, tables: Iterable[tuple[Table, Table]] = LIVE_STAGE) -> None:
    """Replace the live rows of `source` by the staged ones (call inside one transaction)."""
    for live, stage in tables:
        session.execute(delete(live).where(live.c.source == source))
        cols = [c.name for c in live.columns]
        session.execute(insert(live).from_select(cols, select(*[stage.c[n] for n in cols])
                                                 .where(stage.c.source == source)))
        session.execute(delete(stage).where(stage.c.source == source))
