"""SQLAlchemy models of the trainings catalogue: bodies, trainings, their codes, sync state.

Search reads `training_code` / `body_code`: one row per (item, code) carrying the item's lat/lon,
indexed on (code, lat, lon) so a field + bounding-box query is an index range scan.
Every sync writes into `*_stage` twins, then swaps them in for its source in one transaction, so
the live catalogue stays complete and usable while a sync runs or if it is interrupted.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from bot.catalogue.db import Base


class TrainingBody(Base):
    """A training body (organisme de formation), from the embedded extract or the OF list."""

    __tablename__ = "training_body"

    id = Column(String(80), primary_key=True)  # "<source>:<key>"
    source = Column(String(40), nullable=False, index=True)
    nda = Column(String(11))
    siret = Column(String(14), index=True)
    siren = Column(String(9))
    name = Column(String(250), nullable=False)
    name_normalised = Column(String(250), nullable=False, index=True)
    kind = Column(String(40))
    street = Column(String(250))
    postcode = Column(String(5))
    commune = Column(String(120))
    code_insee = Column(String(5), index=True)
    departement = Column(String(3), index=True)
    lat = Column(Float)
    lon = Column(Float)
    coord_source = Column(String(32))
    qualiopi = Column(Boolean)
    qualiopi_training = Column(Boolean)
    qualiopi_assessment = Column(Boolean)
    qualiopi_vae = Column(Boolean)
    qualiopi_apprenticeship = Column(Boolean)
    nsf = Column(JSON, nullable=False, default=list)  # [{"code": "326", "label": "..."}]
    multidisciplinary = Column(Boolean, nullable=False, default=False)
    website = Column(String(500))
    note = Column(Text)
    source_title = Column(String(300), nullable=False)
    source_url = Column(String(500), nullable=False)
    licence = Column(String(120))
    checked_on = Column(Date)
    fetched_at = Column(DateTime)

    __table_args__ = (Index("ix_training_body_latlon", "lat", "lon"),)


class Training(Base):
    """A training (formation) offered somewhere, with what a person needs to decide."""

    __tablename__ = "training"

    id = Column(String(160), primary_key=True)  # "<source>:<key>"
    source = Column(String(40), nullable=False, index=True)
    title = Column(String(300), nullable=False)
    certification = Column(String(300))
    level = Column(String(120))
    code_rncp = Column(String(20))
    code_rs = Column(String(20))
    body_id = Column(String(80))
    body_name = Column(String(250))
    body_siret = Column(String(14))
    commune = Column(String(120))
    code_insee = Column(String(5))
    departement = Column(String(3), index=True)
    lat = Column(Float)
    lon = Column(Float)
    coord_source = Column(String(32))  # "commune" | "organisme" | "departement"
    cpf_eligible = Column(Boolean)
    remote = Column(Boolean)
    apprenticeship = Column(Boolean)
    price_min = Column(Float)
    price_max = Column(Float)
    hours_min = Column(Float)
    hours_max = Column(Float)
    romes = Column(JSON, nullable=False, default=list)
    nsf = Column(JSON, nullable=False, default=list)
    formacodes = Column(JSON, nullable=False, default=list)
    url = Column(String(500))
    note = Column(Text)
    source_title = Column(String(300), nullable=False)
    source_url = Column(String(500), nullable=False)
    licence = Column(String(120))
    checked_on = Column(Date)
    fetched_at = Column(DateTime)

    # Named explicitly: the default name would clash with training_body.siret's index.
    __table_args__ = (Index("ix_training_by_body_siret", "body_siret"),)


class TrainingCode(Base):
    """Search index row: one per (training, code), with the training's position."""

    __tablename__ = "training_code"

    training_id = Column(String(160), primary_key=True)
    code = Column(String(24), primary_key=True)  # "rome:M1805", "nsf:326", "formacode:31054"
    source = Column(String(40), nullable=False, index=True)
    lat = Column(Float)
    lon = Column(Float)

    __table_args__ = (Index("ix_training_code_geo", "code", "lat", "lon", "training_id"),)


class BodyCode(Base):
    """Search index row: one per (body, NSF code), with the body's position."""

    __tablename__ = "body_code"

    body_id = Column(String(80), primary_key=True)
    code = Column(String(24), primary_key=True)
    source = Column(String(40), nullable=False, index=True)
    lat = Column(Float)
    lon = Column(Float)

    __table_args__ = (Index("ix_body_code_geo", "code", "lat", "lon", "body_id"),)


class CatalogueSource(Base):
    """What each source last gave us: conditional-request validators, counts, dates."""

    __tablename__ = "catalogue_source"

    name = Column(String(40), primary_key=True)
    title = Column(String(300))
    url = Column(String(500))
    licence = Column(String(120))
    etag = Column(String(300))
    last_modified = Column(String(100))
    fetched_at = Column(DateTime)  # last time new content was loaded
    checked_at = Column(DateTime)  # last time the source was asked (even if unchanged)
    rows = Column(Integer, nullable=False, default=0)
    rejected = Column(Integer, nullable=False, default=0)
    status = Column(String(20), nullable=False, default="never")  # ok | unchanged | failed | never
    detail = Column(Text)


def _stage_twin(table: Table) -> Table:
    """Same columns, no secondary indexes: a write-only staging area for syncs."""
    return Table(
        f"{table.name}_stage", Base.metadata,
        *[Column(c.name, c.type, primary_key=c.primary_key) for c in table.columns],
        extend_existing=True,
    )


TrainingBodyStage = _stage_twin(TrainingBody.__table__)
TrainingStage = _stage_twin(Training.__table__)
TrainingCodeStage = _stage_twin(TrainingCode.__table__)
BodyCodeStage = _stage_twin(BodyCode.__table__)

#: Every table this package owns (for `create_all(tables=...)`).
TABLES = (
    TrainingBody.__table__, Training.__table__, TrainingCode.__table__, BodyCode.__table__,
    CatalogueSource.__table__, TrainingBodyStage, TrainingStage, TrainingCodeStage, BodyCodeStage,
)
