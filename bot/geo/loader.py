"""Fill the `commune` and `commune_postcode` tables from the committed communes file."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import delete, insert, text
from sqlalchemy.orm import Session

from bot.catalogue.build import Part
from bot.catalogue.models import Commune as CommuneRow
from bot.catalogue.models import CommunePostcode
from bot.geo.index import DATA_FILE, Commune, communes
from bot.geo.normalize import fold

__all__ = ["BATCH_SIZE", "COMMUNES", "load_communes"]

log = logging.getLogger(__name__)

#: Rows per INSERT … VALUES batch (executemany); PostgreSQL and SQLite both handle it well.
BATCH_SIZE = 5_000


def _normalised(nom: str) -> str:
    """Folded name stored in `commune.nom_normalise` ("Marcq-en-Barœul" → "marcq en baroeul")."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in fold(nom)).split())


def _batches(rows: Iterable[dict], size: int) -> Iterable[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_communes(session: Session, items: Iterable[Commune] | None = None) -> int:
    """Replace the contents of both tables with every commune (or `items`); returns the commune count.

    Runs inside the caller's transaction (the caller commits), with bulk multi-row inserts.
    """
    data = list(items) if items is not None else communes().all()
    if session.get_bind().dialect.name == "postgresql":
        # DELETE would check the foreign key row by row against a table full of dead rows.
        session.execute(text(f"TRUNCATE TABLE {CommunePostcode.__tablename__}, {CommuneRow.__tablename__}"))
    else:
        session.execute(delete(CommunePostcode))
        session.execute(delete(CommuneRow))
    commune_rows = ({
        "code_insee": c.code_insee, "nom": c.nom, "nom_normalise": _normalised(c.nom),
        "departement": c.departement, "region": c.region, "epci": c.epci,
        "codes_postaux": list(c.codes_postaux), "population": c.population,
        "lat": c.lat, "lon": c.lon, "coord_source": c.coord_source,
    } for c in data)
    for batch in _batches(commune_rows, BATCH_SIZE):
        session.execute(insert(CommuneRow), batch)
    postcode_rows = ({"code_postal": cp, "code_insee": c.code_insee}
                     for c in data for cp in dict.fromkeys(c.codes_postaux))
    n_postcodes = 0
    for batch in _batches(postcode_rows, BATCH_SIZE):
        session.execute(insert(CommunePostcode), batch)
        n_postcodes += len(batch)
    session.flush()
    log.info("loaded %d communes and %d postcode links", len(data), n_postcodes)
    return len(data)


#: This area's part of the knowledge base (registered in `bot.knowledge.PARTS`).
COMMUNES = Part("communes", lambda: [DATA_FILE], load_communes)
