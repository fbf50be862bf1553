"""Alembic environment for the workspace tables (run through `bot.counsel.store.migrate`)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot.counsel.models import metadata

VERSION_TABLE = "counsel_alembic_version"


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # pragma: no cover - `alembic` command line with sqlalchemy.url set
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"), future=True)
    with engine.begin() as conn:
        _run(conn)
