"""Fixtures for trainings tests: a temp SQLite catalogue, a small FAKE communes index, settings.

TEST DATA: the communes below use real INSEE codes and names but APPROXIMATE centres typed for
tests; "Villetest" (02999) is invented. They implement the `bot.geo` Protocol (get/by_postcode,
resolve) so tests do not depend on the real communes file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.catalogue.db import Base, make_engine, make_sessionmaker
from bot.config import Settings
from bot.trainings.fields import normalise
from bot.trainings.models import TABLES
from tests.fakes.opendata_server import FakeOpenDataServer


@dataclass(frozen=True)
class FakeCommune:
    code_insee: str
    nom: str
    departement: str
    codes_postaux: tuple[str, ...]
    population: int
    lat: float
    lon: float
    region: str = "32"
    epci: str | None = None
    coord_source: str = "test"


_ROWS = [
    ("62498", "Lens", "62", ("62300",), 32920, 50.4323, 2.8319),
    ("59350", "Lille", "59", ("59000", "59160", "59260", "59777", "59800"), 238246, 50.6311, 3.0468),
    ("62041", "Arras", "62", ("62000",), 42875, 50.2910, 2.7775),
    ("80021", "Amiens", "80", ("80000", "80080", "80090"), 136449, 49.8941, 2.2958),
    ("02691", "Saint-Quentin", "02", ("02100",), 52813, 49.8465, 3.2876),
    ("02999", "Villetest", "02", ("02100",), 120, 49.8600, 3.3000),
    ("02408", "Laon", "02", ("02000",), 24220, 49.5640, 3.6199),
    ("60057", "Beauvais", "60", ("60000",), 55550, 49.4300, 2.0800),
    ("62193", "Calais", "62", ("62100",), 67571, 50.9513, 1.8587),
    ("59606", "Valenciennes", "59", ("59300",), 43468, 50.3570, 3.5235),
    ("59512", "Roubaix", "59", ("59100",), 98286, 50.6901, 3.1817),
    ("62160", "Boulogne-sur-Mer", "62", ("62200",), 40539, 50.7264, 1.6147),
    ("62427", "Hénin-Beaumont", "62", ("62110",), 25688, 50.4217, 2.9508),
    ("59653", "Wavrin", "59", ("59136",), 7758, 50.5741, 2.9349),
    ("59036", "Avesnes-sur-Helpe", "59", ("59440",), 4012, 50.1235, 3.9279),
    ("80489", "Longueau", "80", ("80330",), 5680, 49.8720, 2.3590),
    ("59368", "La Madeleine", "59", ("59110",), 21790, 50.6546, 3.0707),
    ("59172", "Denain", "59", ("59220",), 20665, 50.3290, 3.3950),
    ("59122", "Cambrai", "59", ("59400",), 31134, 50.1750, 3.2346),
    ("59212", "Estaires", "59", ("59940",), 6525, 50.6458, 2.7233),
    ("59663", "Wormhout", "59", ("59470",), 5584, 50.8808, 2.4676),
    ("62767", "Saint-Pol-sur-Ternoise", "62", ("62130",), 4677, 50.3813, 2.3346),
    ("60395", "Méru", "60", ("60110",), 13897, 49.2364, 2.1339),
    ("02381", "Hirson", "02", ("02500",), 8469, 49.9217, 4.0839),
    ("80410", "Ham", "80", ("80400",), 4378, 49.7469, 3.0731),
    ("59392", "Maubeuge", "59", ("59600",), 28767, 50.2775, 3.9734),
    ("59178", "Douai", "59", ("59500",), 40250, 50.3714, 3.0800),
]
COMMUNES = {r[0]: FakeCommune(*r) for r in _ROWS}


class FakeIndex:
    """Same Protocol as `bot.geo.communes()`: get(code) and by_postcode(cp)."""

    def get(self, code_insee: str) -> FakeCommune | None:
        return COMMUNES.get(code_insee)

    def by_postcode(self, postcode: str) -> list[FakeCommune]:
        return [c for c in COMMUNES.values() if postcode in c.codes_postaux]


@dataclass(frozen=True)
class FakeResolution:
    status: str
    commune: FakeCommune | None
    candidates: tuple[FakeCommune, ...]
    message_fr: str


def fake_resolve(text: str) -> FakeResolution:
    """Same shape as `bot.geo.resolve`: by exact normalised name or postcode."""
    key = normalise(text)
    found = [c for c in COMMUNES.values() if normalise(c.nom) == key or text.strip() in c.codes_postaux]
    if len(found) == 1:
        return FakeResolution("found", found[0], (found[0],), "")
    if found:
        names = ", ".join(c.nom for c in found)
        return FakeResolution("ambiguous", None, tuple(found), f"Plusieurs communes correspondent : {names}.")
    return FakeResolution("not_found", None, (), "Je ne trouve pas cette commune.")


@pytest.fixture
def index() -> FakeIndex:
    return FakeIndex()


@pytest.fixture
def db(tmp_path):
    """A session factory on a fresh SQLite file with this package's tables."""
    engine = make_engine(f"sqlite:///{tmp_path / 'catalogue.db'}")
    from bot.catalogue.models import Structure  # noqa: F401 - the support merge reads it

    Base.metadata.create_all(engine, tables=[*TABLES, Base.metadata.tables["structure"]])
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def server() -> Iterator[FakeOpenDataServer]:
    with FakeOpenDataServer() as srv:
        yield srv


@pytest.fixture
def settings(tmp_path, server) -> Settings:
    """Settings whose every base URL points at the local fake server."""
    base = Settings(var_dir=tmp_path / "var", database_url=f"sqlite:///{tmp_path / 'catalogue.db'}")
    return dataclasses.replace(
        base, http_timeout_s=2.0, live_search_budget_s=1.0, geo_api_url=server.url, mcf_api_url=server.url,
        of_list_url=server.url + "/fr/datasets/r/ac59a0f5-fa83-4b82-bf12-3c5806d4f19f",
        data_inclusion_url=server.url, data_inclusion_token="test-token-invented", lba_api_url=server.url + "/api")
