"""SQLAlchemy tables of the directory of services (data·inclusion structures and services).

Written only by `python -m bot sync --only data-inclusion` through the shared sync runner: rows go to
the `*_stage` twins, then replace the live rows of the source in one transaction.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, Float, Index, String, Text

from bot.catalogue.db import Base
from bot.trainings.models import _stage_twin


class DirectoryStructure(Base):
    """A structure of the directory (who runs the services)."""

    __tablename__ = "directory_structure"

    id = Column(String(200), primary_key=True)  # data·inclusion id ("dora--…")
    source = Column(String(40), nullable=False, index=True)  # "data-inclusion" (the sync source)
    producer = Column(String(80))  # data·inclusion's own source ("dora", "france-travail"…)
    name = Column(String(250), nullable=False)
    siret = Column(String(14))
    address = Column(String(300))
    postcode = Column(String(5))
    commune = Column(String(120))
    code_insee = Column(String(5))
    departement = Column(String(3), index=True)
    lat = Column(Float)
    lon = Column(Float)
    phone = Column(String(40))
    email = Column(String(200))
    website = Column(String(500))
    opening_hours = Column(String(500))
    networks = Column(JSON, nullable=False, default=list)
    updated_on = Column(Date)
    fetched_at = Column(DateTime)


class DirectoryService(Base):
    """A service of the directory, with what a person needs to go there."""

    __tablename__ = "directory_service"

    id = Column(String(200), primary_key=True)
    source = Column(String(40), nullable=False, index=True)
    producer = Column(String(80))
    structure_id = Column(String(200), index=True)
    name = Column(String(250), nullable=False)
    description = Column(Text)
    thematiques = Column(JSON, nullable=False, default=list)
    publics = Column(JSON, nullable=False, default=list)
    modes_accueil = Column(JSON, nullable=False, default=list)
    zone = Column(JSON)  # zone_eligibilite (v1) / zone_diffusion (v0): INSEE codes, "france"
    address = Column(String(300))
    postcode = Column(String(5))
    commune = Column(String(120))
    code_insee = Column(String(5))
    departement = Column(String(3), index=True)
    lat = Column(Float)
    lon = Column(Float)
    coord_source = Column(String(20))  # "service" | "structure" | "commune"
    phone = Column(String(40))
    email = Column(String(200))
    opening_hours = Column(String(500))
    fees = Column(String(80))
    fees_details = Column(Text)
    apply_modes = Column(JSON, nullable=False, default=list)
    apply_url = Column(String(500))
    apply_details = Column(Text)
    conditions = Column(Text)
    url = Column(String(500))
    updated_on = Column(Date)
    fetched_at = Column(DateTime)

    __table_args__ = (Index("ix_directory_service_latlon", "lat", "lon"),)


DirectoryStructureStage = _stage_twin(DirectoryStructure.__table__)
DirectoryServiceStage = _stage_twin(DirectoryService.__table__)

#: (live, stage) pairs swapped by the sync runner.
LIVE_STAGE = (
    (DirectoryStructure.__table__, DirectoryStructureStage),
    (DirectoryService.__table__, DirectoryServiceStage),
)
TABLES = (DirectoryStructure.__table__, DirectoryService.__table__, DirectoryStructureStage, DirectoryServiceStage)
