"""SQLAlchemy models of the knowledge base (dispositifs, structures, communes)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Float, ForeignKey, Index, Integer, String, Text

from bot.catalogue.db import Base


class Dispositif(Base):
    """A scheme, support service or aid, loaded from its rule file."""

    __tablename__ = "dispositif"

    id = Column(String(64), primary_key=True)
    title = Column(String(200), nullable=False)
    kind = Column(String(32), nullable=False)
    state = Column(String(16), nullable=False)
    region = Column(String(16))
    valid_from = Column(Date)
    valid_until = Column(Date)
    replaced_by = Column(String(64))
    checked_on = Column(Date, nullable=False)
    summary = Column(Text, nullable=False)
    provides = Column(Text)
    first_step = Column(Text)
    first_step_url = Column(String(500))
    rule = Column(JSON, nullable=False)  # the whole rule file, for explain/counsellor views
    content_hash = Column(String(64), nullable=False)


class DispositifSource(Base):
    """An official source backing a dispositif rule."""

    __tablename__ = "dispositif_source"

    id = Column(Integer, primary_key=True, autoincrement=True)
    dispositif_id = Column(String(64), ForeignKey("dispositif.id", ondelete="CASCADE"), nullable=False, index=True)
    title = Column(String(300), nullable=False)
    url = Column(String(500), nullable=False)
    article = Column(String(200))


class Commune(Base):
    """A current commune of France (INSEE COG)."""

    __tablename__ = "commune"

    code_insee = Column(String(5), primary_key=True)
    nom = Column(String(120), nullable=False)
    nom_normalise = Column(String(120), nullable=False, index=True)
    departement = Column(String(3), nullable=False, index=True)
    region = Column(String(2), nullable=False, index=True)
    epci = Column(String(9), index=True)
    codes_postaux = Column(JSON, nullable=False)
    population = Column(Integer)
    lat = Column(Float)
    lon = Column(Float)
    coord_source = Column(String(32))


class CommunePostcode(Base):
    """Postcode → commune (many-to-many)."""

    __tablename__ = "commune_postcode"

    code_postal = Column(String(5), primary_key=True)
    code_insee = Column(String(5), ForeignKey("commune.code_insee", ondelete="CASCADE"), primary_key=True)


class Structure(Base):
    """Somebody a person can go to: CEP operator, France Travail agency, Mission locale, network…"""

    __tablename__ = "structure"

    id = Column(String(100), primary_key=True)
    name = Column(String(200), nullable=False)
    type = Column(String(40), nullable=False, index=True)
    description = Column(Text)
    street = Column(String(200))
    postcode = Column(String(5))
    commune = Column(String(120))
    code_insee = Column(String(5), index=True)
    lat = Column(Float)
    lon = Column(Float)
    coord_source = Column(String(32))
    audiences = Column(JSON, nullable=False)
    dispositifs = Column(JSON, nullable=False)
    zone = Column(JSON)  # {"departements": [...]} / {"communes": [...]} / {"region": "32"}
    phone = Column(String(40))
    email = Column(String(200))
    website = Column(String(500))
    contact_url = Column(String(500))
    source_title = Column(String(300), nullable=False)
    source_url = Column(String(500), nullable=False)
    more_sources = Column(JSON)
    field_sources = Column(JSON)  # which source backs each street / phone / email
    to_verify = Column(JSON)  # fields from old or third-party sources: shown « à vérifier »
    notes = Column(Text)
    licence = Column(String(100))
    checked_on = Column(Date, nullable=False)

    __table_args__ = (Index("ix_structure_latlon", "lat", "lon"),)


class StructureDispositif(Base):
    """Which dispositifs a structure serves (for `structures --for ID`)."""

    __tablename__ = "structure_dispositif"

    structure_id = Column(String(100), ForeignKey("structure.id", ondelete="CASCADE"), primary_key=True)
    dispositif_id = Column(String(64), primary_key=True, index=True)


class BuildInfo(Base):
    """What each loader last loaded (content hash), so `db build` is idempotent and cheap."""

    __tablename__ = "build_info"

    name = Column(String(64), primary_key=True)
    content_hash = Column(String(64), nullable=False)
    rows = Column(Integer, nullable=False)
    built_at = Column(String(32), nullable=False)
