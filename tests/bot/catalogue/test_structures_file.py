"""Checks of bot/catalogue/data/structures.yml: shape, provenance, ids, places, coverage.

The file is hand-curated from public sources; these tests make sure every precise fact (street, phone,
email) names its source, that the ids and places are real, and that the bot always has somebody to
point to for each scheme it recommends in Hauts-de-France.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "bot" / "catalogue" / "data" / "structures.yml"
SCHEMA = ROOT / "bot" / "catalogue" / "schemas" / "structures.schema.json"
COMMUNES_CSV = ROOT / "bot" / "geo" / "data" / "communes.csv.gz"
# Contract ids: the vendored copy when it exists, else the shared reference.
CONTRACT_CANDIDATES = (
    ROOT / "bot" / "contract" / "dispositifs.yml",
    Path("/work/shared/contract/dispositifs.yml"),
)
HDF_DEPARTEMENTS = {"02", "59", "60", "62", "80"}
PRECISE_FACTS = ("address.street", "contact.phone", "contact.email")

# Schemes for which the bot must always have at least one structure to point to.
REQUIRED_COVERAGE = (
    "mon_cep_hdf", "transitions_pro_hdf", "france_travail", "mission_locale", "cap_emploi", "e2c",
    "epide", "reseaux_creation", "la_turbine_dunkerque", "entreprendre_ensemble_dunkerque",
    # also expected by the brief and sourced today
    "ptp", "demission_reconversion", "cej", "apec", "agefiph", "rqth", "vae", "proch_emploi",
)


def _plain(value):
    """YAML dates → ISO strings, recursively (JSON Schema sees strings)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def raw():
    with DATA.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def structures(raw):
    return raw["structures"]


@pytest.fixture(scope="module")
def contract_ids():
    for path in CONTRACT_CANDIDATES:
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                return {d["id"]: d for d in yaml.safe_load(fh)["dispositifs"]}
    pytest.skip("no contract dispositifs.yml available")


@pytest.fixture(scope="module")
def communes_table():
    """code_insee → row of the committed communes table (bot/geo/data/communes.csv.gz)."""
    if not COMMUNES_CSV.exists():
        pytest.skip("bot/geo/data/communes.csv.gz not built yet")
    with gzip.open(COMMUNES_CSV, "rb") as fh:
        reader = csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", newline=""))
        return {row["code_insee"]: row for row in reader}


def _get(entry: dict, path: str):
    value = entry
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _source_urls(entry: dict) -> set[str]:
    urls = {entry["source"]["url"]}
    urls.update(s["url"] for s in entry.get("more_sources", []))
    return urls


# ---------------------------------------------------------------------------- shape


def test_file_matches_schema(raw):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(_plain(raw)), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:20])


def test_ids_are_unique(structures):
    ids = [s["id"] for s in structures]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, duplicates


def test_checked_on_is_a_real_date_not_in_the_future(structures):
    today = dt.date.today()
    for s in structures:
        checked = s["checked_on"]
        assert isinstance(checked, dt.date), f"{s['id']}: checked_on must be a YAML date"
        assert checked <= today, f"{s['id']}: checked_on {checked} is in the future"


# ---------------------------------------------------------------------------- ids


def test_every_dispositif_id_exists_and_is_active(structures, contract_ids):
    for s in structures:
        for d in s["dispositifs"]:
            assert d in contract_ids, f"{s['id']}: unknown dispositif id {d!r}"
            assert contract_ids[d].get("state") != "supprime", f"{s['id']}: {d!r} is abolished"


def test_only_inclusion_partners_may_have_no_dispositif(structures):
    for s in structures:
        if not s["dispositifs"]:
            assert s["type"] == "inclusion", f"{s['id']}: no dispositif"


# ---------------------------------------------------------------------------- provenance


def test_every_entry_has_an_https_main_source(structures):
    """https, except the organisation's own official page when its site only serves http."""
    for s in structures:
        url = s["source"]["url"]
        if not url.startswith("https://"):
            own_site = urlsplit(s["contact"].get("website") or "").netloc
            assert s["source"]["kind"] == "official" and own_site and urlsplit(url).netloc == own_site, s["id"]
        assert s["source"]["title"].strip(), s["id"]


def test_no_precise_fact_without_its_source(structures):
    """A street, phone or email is shown to people: each one names the source it was read in."""
    for s in structures:
        field_sources = s.get("field_sources", {})
        urls = _source_urls(s)
        for path in PRECISE_FACTS:
            if _get(s, path) is not None:
                assert path in field_sources, f"{s['id']}: {path} has no field_sources entry"
        for path, url in field_sources.items():
            assert _get(s, path) is not None, f"{s['id']}: field_sources names {path}, which is empty"
            assert url in urls, f"{s['id']}: field_sources[{path}] is not one of the entry's sources"


def test_to_verify_points_at_facts_that_are_present(structures):
    for s in structures:
        for path in s.get("to_verify", []):
            assert _get(s, path) is not None, f"{s['id']}: to_verify names {path}, which is empty"


def test_no_placeholder_values(structures):
    text = yaml.safe_dump(structures, allow_unicode=True).lower()
    for marker in ("exemple.invalid", "example.com", "todo", "xxx", "lorem", "00 00 00 00"):
        assert marker not in text, marker


def test_phones_are_not_shared_between_unrelated_structures(structures):
    """The same number on two structures is allowed only for sites of one organisation."""
    seen: dict[str, str] = {}
    for s in structures:
        phone = s["contact"]["phone"]
        if phone is None:
            continue
        owner = s["id"].split("-")[0]
        assert seen.setdefault(phone, owner) == owner, f"{s['id']}: phone {phone} also used by {seen[phone]}"


# ---------------------------------------------------------------------------- places


def test_address_insee_codes_are_hauts_de_france_communes(structures, communes_table):
    for s in structures:
        address = s["address"]
        code = address["code_insee"]
        if code is None:
            continue
        row = communes_table.get(code)
        assert row is not None, f"{s['id']}: {code} is not a current commune"
        assert row["region"] == "32", f"{s['id']}: {code} is outside Hauts-de-France"
        assert row["nom"] == address["commune"], f"{s['id']}: {code} is {row['nom']}, not {address['commune']}"
        if address["postcode"] is not None:
            assert address["postcode"] in row["codes_postaux"].split("|"), f"{s['id']}: postcode/commune mismatch"


def test_zones_are_in_hauts_de_france(structures, communes_table):
    for s in structures:
        zone = s["zone"]
        if zone is None or "region" in zone:
            continue
        for dep in zone.get("departements", []):
            assert dep in HDF_DEPARTEMENTS, f"{s['id']}: département {dep}"
        for code in zone.get("communes", []):
            row = communes_table.get(code)
            assert row is not None and row["region"] == "32", f"{s['id']}: zone commune {code}"


def test_places_agree_with_bot_geo(structures):
    """Same check through the bot's own commune index, once bot.geo exposes `communes()`."""
    geo = pytest.importorskip("bot.geo")
    if not hasattr(geo, "communes"):
        pytest.skip("bot.geo.communes() not available yet")
    index = geo.communes()
    for s in structures:
        address = s["address"]
        if address["code_insee"] is None:
            continue
        commune = index.get(address["code_insee"])
        assert commune is not None, f"{s['id']}: bot.geo does not know {address['code_insee']}"
        assert commune.nom == address["commune"], s["id"]
        if address["postcode"] is not None:
            assert address["postcode"] in commune.codes_postaux, s["id"]


# ---------------------------------------------------------------------------- coverage


@pytest.mark.parametrize("dispositif", REQUIRED_COVERAGE)
def test_coverage_of_each_key_dispositif(structures, dispositif):
    assert any(dispositif in s["dispositifs"] for s in structures), f"nobody to go to for {dispositif}"


def test_one_mdph_per_departement(structures):
    covered = {dep for s in structures if s["type"] == "mdph" for dep in (s["zone"] or {}).get("departements", [])}
    assert covered == HDF_DEPARTEMENTS


def test_a_cap_emploi_is_named_for_each_departement(structures, communes_table):
    """By zone or by the name (« … Nord/Grand Lille/Grand Hainaut », « Pas-de-Calais », « Somme »…)."""
    names = {"59": ("Grand Lille", "Grand Hainaut", "Nord"), "62": ("Pas-de-Calais",), "80": ("Somme",),
             "02": ("Aisne",), "60": ("Oise",)}
    caps = [s for s in structures if s["type"] == "cap_emploi"]
    for dep, words in names.items():
        assert any(dep in (s["zone"] or {}).get("departements", []) or any(w in s["name"] for w in words)
                   for s in caps), f"no Cap emploi for {dep}"
