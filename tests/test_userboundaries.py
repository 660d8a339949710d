"""geo.userboundaries: user-supplied boundary files, read safely and fitted to the 21 cities.

Every fixture is built in tmp_path from the bundled boundaries, so no binary
test data lives in the repository.
"""

from __future__ import annotations

import http.server
import io
import json
import struct
import tempfile
import threading
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from geo.boundaries import load_cities, load_context, load_counties
from geo.crs import GUANGDONG_CRS
from geo.userboundaries import UserBoundaries, load_user_boundaries

ZIP_BOMB_BYTES = 120_000_000  # past the default 100 MB unzipped cap


@pytest.fixture(scope="module")
def cities():
    return load_cities()


@pytest.fixture(scope="module")
def counties():
    return load_counties()


@pytest.fixture(autouse=True)
def scratch(tmp_path, monkeypatch):
    """Route the loader's temporary directories into a folder the test can inspect."""
    root = tmp_path / "scratch"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


# --------------------------------------------------------------------------- #
# Fixture builders
# --------------------------------------------------------------------------- #


def plain(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop the adcode row labels so they are not written as an extra column."""
    return gdf.reset_index(drop=True)


def write(gdf: gpd.GeoDataFrame, path: Path, **kwargs) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "crs was not provided" for the no-CRS fixtures
        gdf.to_file(path, **kwargs)
    return path.read_bytes()


def shapefile_zip(gdf, tmp_path: Path, *, prj: bool = True, cpg: bool = True, folder: str = "data/", **kwargs) -> bytes:
    src = tmp_path / "shp"
    src.mkdir(exist_ok=True)
    write(gdf, src / "boundaries.shp", **kwargs)
    if not prj:
        (src / "boundaries.prj").unlink(missing_ok=True)
    if not cpg:
        (src / "boundaries.cpg").unlink(missing_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(src.iterdir()):
            zf.write(f, folder + f.name)
    return buf.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def metric(gdf):
    return gdf.to_crs(GUANGDONG_CRS)


def max_deviation_m(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> float:
    a, b = metric(a), metric(b)
    return max(shapely.hausdorff_distance(a.geometry[k], b.geometry[k]) for k in b.index)


def assert_usable(result: UserBoundaries, policy, level="city"):
    assert result.problems == []
    assert result.ok
    assert result.level == level
    gdf = result.cities
    assert list(gdf.columns) == ["adcode", "name_zh", "name_en", "zone", "geometry"]
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf["adcode"]) == list(policy.cities) == list(gdf.index)
    assert list(gdf["name_zh"]) == [c.name_zh for c in policy.cities.values()]
    assert list(gdf["name_en"]) == [c.name_en for c in policy.cities.values()]
    assert list(gdf["zone"]) == [c.zone for c in policy.cities.values()]
    assert set(gdf.geom_type) == {"MultiPolygon"}
    assert gdf.is_valid.all() and not gdf.is_empty.any()


def assert_rejected(result: UserBoundaries, *fragments: str):
    assert result.cities is None
    assert not result.ok
    assert result.problems, "expected a problem"
    text = " ".join(result.problems)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {result.problems}"


# --------------------------------------------------------------------------- #
# Formats and CRS
# --------------------------------------------------------------------------- #


def test_geojson_in_wgs84(tmp_path, cities, policy):
    src = plain(cities).assign(name_zh="别的名字", name_en="Other", zone="nowhere")
    result = load_user_boundaries(write(src, tmp_path / "c.geojson"), "城市.geojson", policy)
    assert_usable(result, policy)
    # Rendering text comes from the project's tables, never from the upload.
    assert result.cities.loc["440100", "name_zh"] == "广州"
    assert result.cities.loc["440100", "zone"] == "prd_core"
    assert max_deviation_m(result.cities, cities) < 0.01
    assert not any("reprojected" in n for n in result.notes)


def test_json_extension_is_geojson(tmp_path, cities, policy):
    result = load_user_boundaries(write(plain(cities), tmp_path / "c.geojson"), "cities.JSON", policy)
    assert_usable(result, policy)


def test_geopackage_in_cgcs2000_gauss_kruger_is_reprojected_back(tmp_path, cities, policy):
    data = write(plain(cities).to_crs("EPSG:4547"), tmp_path / "c.gpkg")
    result = load_user_boundaries(data, "c.gpkg", policy)
    assert_usable(result, policy)
    assert any("reprojected from EPSG:4547" in n for n in result.notes)
    assert max_deviation_m(result.cities, cities) < 3.0


def test_zipped_shapefile_in_web_mercator_with_prj(tmp_path, cities, policy):
    data = shapefile_zip(plain(cities).to_crs("EPSG:3857"), tmp_path)
    assert "data/boundaries.prj" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    result = load_user_boundaries(data, "c.zip", policy)
    assert_usable(result, policy)
    assert any("reprojected from EPSG:3857" in n for n in result.notes)
    assert max_deviation_m(result.cities, cities) < 3.0


def test_no_crs_but_lon_lat_around_guangdong_is_assumed_wgs84(tmp_path, cities, policy):
    data = shapefile_zip(plain(cities).set_crs(None, allow_override=True), tmp_path, prj=False)
    assert not any(n.endswith(".prj") for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    result = load_user_boundaries(data, "c.zip", policy)
    assert_usable(result, policy)
    assert any("no CRS" in n and "EPSG:4326" in n and "assumed" in n for n in result.notes)
    assert max_deviation_m(result.cities, cities) < 0.01


def test_no_crs_in_metres_is_a_problem(tmp_path, cities, policy):
    projected = plain(cities).to_crs("EPSG:4547").set_crs(None, allow_override=True)
    result = load_user_boundaries(shapefile_zip(projected, tmp_path, prj=False), "c.zip", policy)
    assert_rejected(result, "no CRS", ".prj", "set the layer's CRS")


def test_geopackage_without_crs_in_metres_is_a_problem(tmp_path, cities, policy):
    projected = plain(cities).to_crs("EPSG:3857").set_crs(None, allow_override=True)
    result = load_user_boundaries(write(projected, tmp_path / "c.gpkg"), "c.gpkg", policy)
    assert_rejected(result, "no CRS")


def test_claims_wgs84_but_holds_metres_is_a_wrong_crs(tmp_path, cities, policy):
    lying = plain(cities).to_crs("EPSG:3857").set_crs("EPSG:4326", allow_override=True)
    for name in ("c.geojson", "c.gpkg"):
        result = load_user_boundaries(write(lying, tmp_path / name), name, policy)
        assert_rejected(result, "look projected", "claims EPSG:4326")


def test_wrong_projected_crs_says_where_the_data_lies(tmp_path, cities, policy):
    # Gauss-Kruger metres labelled as Web Mercator land near the equator off Africa.
    lying = plain(cities).to_crs("EPSG:4547").set_crs("EPSG:3857", allow_override=True)
    result = load_user_boundaries(write(lying, tmp_path / "c.gpkg"), "c.gpkg", policy)
    assert_rejected(result, "lies at lon", "not in Guangdong", "EPSG:3857")


def test_lon_lat_labelled_as_projected_is_a_wrong_crs(tmp_path, cities, policy):
    lying = plain(cities).set_crs("EPSG:4547", allow_override=True)
    result = load_user_boundaries(write(lying, tmp_path / "c.gpkg"), "c.gpkg", policy)
    assert_rejected(result, "look like longitude/latitude", "EPSG:4547")


def test_swapped_lat_lon_is_a_problem(tmp_path, cities, policy):
    swapped = plain(cities).assign(geometry=shapely.transform(cities.geometry.values, lambda xy: xy[:, ::-1]))
    result = load_user_boundaries(write(swapped, tmp_path / "s.geojson"), "s.geojson", policy)
    assert_rejected(result, "wrong order")


def test_geojson_crs_link_is_refused_without_fetching(tmp_path, cities, policy):
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # pragma: no cover - reached only if the loader fetches
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        doc = json.loads(plain(cities).to_json())
        url = f"http://127.0.0.1:{server.server_address[1]}/crs.wkt"
        for member in ({"type": "link", "properties": {"href": url, "type": "ogcwkt"}},
                       {"type": "URL", "properties": {"url": url}},
                       {"type": "name", "properties": {"name": url}}):
            doc["crs"] = member
            result = load_user_boundaries(json.dumps(doc).encode(), "c.geojson", policy)
            assert_rejected(result, "'crs' member")
    finally:
        server.shutdown()
        server.server_close()
    assert hits == []


def test_geojson_with_named_legacy_crs_is_reprojected(tmp_path, cities, policy):
    doc = json.loads(plain(cities).to_crs("EPSG:4547").to_json())
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}
    result = load_user_boundaries(json.dumps(doc).encode(), "c.geojson", policy)
    assert_usable(result, policy)
    assert any("EPSG:4547" in n for n in result.notes)
    assert max_deviation_m(result.cities, cities) < 3.0


# --------------------------------------------------------------------------- #
# Matching
# --------------------------------------------------------------------------- #


def test_counties_are_dissolved_into_cities(tmp_path, cities, counties, policy):
    result = load_user_boundaries(write(plain(counties), tmp_path / "k.geojson"), "k.geojson", policy)
    assert_usable(result, policy, level="county")
    assert any("dissolved 124 county-level features into 21 cities" in n for n in result.notes)
    out = metric(result.cities)
    expected = metric(counties).dissolve("city_adcode")
    ref = metric(cities)
    for adcode in policy.cities:
        got = out.geometry[adcode]
        assert got.symmetric_difference(expected.geometry[adcode]).area < 1e-6 * got.area
        # The county file is simplified on its own, so it only nearly matches the city file.
        assert got.symmetric_difference(ref.geometry[adcode]).area < 0.02 * got.area


def test_county_codes_as_numbers_and_floats(tmp_path, counties, policy):
    src = plain(counties)[["adcode", "geometry"]].rename(columns={"adcode": "GB"})
    as_int = src.assign(GB=src["GB"].astype(int))
    result = load_user_boundaries(write(as_int, tmp_path / "i.gpkg"), "i.gpkg", policy)
    assert_usable(result, policy, level="county")
    as_float = src.assign(GB=src["GB"].astype(float))
    result = load_user_boundaries(write(as_float, tmp_path / "f.geojson"), "f.geojson", policy)
    assert_usable(result, policy, level="county")


def test_county_rows_with_a_city_name_column(tmp_path, counties, policy):
    src = plain(counties)[["name_zh", "city_adcode", "geometry"]]
    src = src.assign(所属市=[policy.cities[a].full_name_zh for a in src["city_adcode"]])
    src = src.drop(columns="city_adcode").rename(columns={"name_zh": "名称"})
    result = load_user_boundaries(write(src, tmp_path / "k.geojson"), "k.geojson", policy)
    assert_usable(result, policy, level="county")
    assert any("by name" in n and "所属市" in n for n in result.notes)
    assert any("dissolved 124" in n for n in result.notes)


@pytest.mark.parametrize(
    "column, names",
    [
        ("名称", lambda c: c.full_name_zh),  # 广州市
        ("name", lambda c: c.name_zh),  # 广州
        ("NAME", lambda c: c.name_en.upper()),  # GUANGZHOU
        ("name_en", lambda c: f"{c.name_en} City"),  # Guangzhou City
    ],
)
def test_match_by_name_only(tmp_path, cities, policy, column, names):
    src = gpd.GeoDataFrame(
        {column: [names(policy.cities[a]) for a in cities.index]},
        geometry=list(cities.geometry), crs="EPSG:4326",
    ).iloc[::-1]  # order must not matter
    result = load_user_boundaries(write(src, tmp_path / "n.geojson"), "n.geojson", policy)
    assert_usable(result, policy)
    assert any("by name" in n and column in n for n in result.notes)
    assert max_deviation_m(result.cities, cities) < 0.01


def test_missing_cities_are_named(tmp_path, cities, policy):
    src = plain(cities[~cities["adcode"].isin(["440100", "440300"])])
    result = load_user_boundaries(write(src, tmp_path / "m.geojson"), "m.geojson", policy)
    assert_rejected(result, "2 of the 21 cities are missing", "广州 (440100, Guangzhou)", "深圳 (440300, Shenzhen)")


def test_duplicated_city_is_a_problem(tmp_path, cities, policy):
    src = plain(gpd.GeoDataFrame(
        gpd.pd.concat([cities, cities.loc[["440400"]]]), crs=cities.crs
    ))
    result = load_user_boundaries(write(src, tmp_path / "d.geojson"), "d.geojson", policy)
    assert_rejected(result, "珠海 (440400, Zhuhai) appears in 2 features")
    assert result.level == "city"


def test_city_and_its_counties_together_is_a_problem(tmp_path, cities, counties, policy):
    both = gpd.pd.concat([plain(counties)[["adcode", "geometry"]], plain(cities.loc[["440100"]])[["adcode", "geometry"]]])
    src = gpd.GeoDataFrame(both, crs="EPSG:4326")
    result = load_user_boundaries(write(src, tmp_path / "b.geojson"), "b.geojson", policy)
    assert_rejected(result, "广州 (440100, Guangzhou) appears both as a whole city and as counties")


def test_unmatched_and_far_away_features_are_reported_not_fatal(tmp_path, cities, policy):
    hong_kong = load_context().loc[["810000"]][["adcode", "name_zh", "geometry"]]
    far = gpd.GeoDataFrame({"adcode": ["110000"], "name_zh": ["北京市"]}, geometry=[shapely.box(116, 39.5, 117, 40.5)], crs="EPSG:4326")
    src = plain(gpd.GeoDataFrame(gpd.pd.concat([cities[["adcode", "name_zh", "geometry"]], hong_kong, far]), crs="EPSG:4326"))
    result = load_user_boundaries(write(src, tmp_path / "u.geojson"), "u.geojson", policy)
    assert_usable(result, policy)
    notes = " ".join(result.notes)
    assert "match no Guangdong city" in notes and "adcode=810000" in notes
    assert "far outside Guangdong" in notes and "北京市" in notes


def test_no_identifying_column_is_a_problem(tmp_path, cities, policy):
    src = gpd.GeoDataFrame({"id": range(21)}, geometry=list(cities.geometry), crs="EPSG:4326")
    result = load_user_boundaries(write(src, tmp_path / "x.geojson"), "x.geojson", policy)
    assert_rejected(result, "no column identifies the cities")


def test_gbk_shapefile_without_cpg(tmp_path, cities, policy):
    src = gpd.GeoDataFrame(
        {"名称": [c.full_name_zh for c in policy.cities.values()]}, geometry=list(cities.geometry), crs="EPSG:4326"
    )
    result = load_user_boundaries(shapefile_zip(src, tmp_path, cpg=False, encoding="GBK"), "g.zip", policy)
    assert_usable(result, policy)
    assert any("GB18030" in n for n in result.notes)


# --------------------------------------------------------------------------- #
# Geometry
# --------------------------------------------------------------------------- #


def test_symmetric_bow_tie_is_refused_not_repaired(tmp_path, cities, policy):
    """Its two triangles cancel out: 0 deg² as drawn, so the 1 % rule cannot weigh the
    2·d² a repair would give it, and the repair is not made."""
    x, y = cities.geometry["440400"].representative_point().coords[0]
    d = 0.02
    bow_tie = Polygon([(x - d, y - d), (x + d, y + d), (x + d, y - d), (x - d, y + d), (x - d, y - d)])
    assert not bow_tie.is_valid and bow_tie.area == pytest.approx(0, abs=1e-15)
    src = plain(cities).copy()
    src.loc[src["adcode"] == "440400", "geometry"] = bow_tie
    result = load_user_boundaries(write(src, tmp_path / "b.geojson"), "b.geojson", policy)
    assert result.cities is None and not result.ok
    (p,) = result.problems
    assert "encloses no area as drawn" in p and "it was not repaired" in p
    assert "珠海 (440400, Zhuhai)" in p and f"{2 * d * d:.4g} deg² if repaired" in p
    assert "area changed by at most" not in " ".join(result.notes)
    zh = p.render("zh")
    assert "不围成任何面积" in zh and "未予修复" in zh and "珠海 (440400, Zhuhai)" in zh


def test_empty_geometries_are_dropped_with_a_note(tmp_path, cities, policy):
    extra = gpd.GeoDataFrame({"adcode": ["440100"]}, geometry=[None], crs="EPSG:4326")
    src = plain(gpd.GeoDataFrame(gpd.pd.concat([cities[["adcode", "geometry"]], extra]), crs="EPSG:4326"))
    result = load_user_boundaries(write(src, tmp_path / "e.geojson"), "e.geojson", policy)
    assert_usable(result, policy)
    assert any("without a usable geometry" in n and "#21" in n for n in result.notes)


def test_points_are_a_problem(tmp_path, cities, policy):
    src = plain(cities).assign(geometry=cities.geometry.representative_point().values)
    result = load_user_boundaries(write(src, tmp_path / "p.geojson"), "p.geojson", policy)
    assert_rejected(result, "must be polygons", "21 Point")


# --------------------------------------------------------------------------- #
# Hostile and broken input
# --------------------------------------------------------------------------- #


def shapefile_parts(tmp_path, cities) -> dict[str, bytes]:
    src = tmp_path / "parts"
    src.mkdir(exist_ok=True)
    write(plain(cities), src / "c.shp")
    return {f.suffix: f.read_bytes() for f in src.iterdir()}


def record_opened_members(monkeypatch) -> list[str]:
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return opened


def test_zip_bomb_is_refused_before_extraction(tmp_path, cities, policy, scratch, monkeypatch):
    parts = shapefile_parts(tmp_path, cities)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("c.shx", parts[".shx"])
        zf.writestr("c.dbf", parts[".dbf"])
        zf.writestr("c.prj", parts[".prj"])
        with zf.open("c.shp", "w", force_zip64=True) as fh:
            chunk = bytes(1_000_000)
            for _ in range(ZIP_BOMB_BYTES // len(chunk)):
                fh.write(chunk)
    data = buf.getvalue()
    assert len(data) < 1_000_000  # small enough to pass the upload size cap
    opened = record_opened_members(monkeypatch)

    result = load_user_boundaries(data, "bomb.zip", policy)

    assert_rejected(result, "100,000,000 bytes", "nothing was extracted")
    assert opened == []
    assert list(scratch.iterdir()) == []


def test_highly_compressed_member_is_refused_as_a_zip_bomb(tmp_path, cities, policy, scratch, monkeypatch):
    parts = shapefile_parts(tmp_path, cities)
    data = zip_of({"c.shp": bytes(30_000_000), "c.shx": parts[".shx"], "c.dbf": parts[".dbf"]})
    opened = record_opened_members(monkeypatch)
    result = load_user_boundaries(data, "ratio.zip", policy)
    assert_rejected(result, "zip bomb")
    assert opened == []
    assert list(scratch.iterdir()) == []


def test_member_bigger_than_its_header_says_is_refused(tmp_path, cities, policy, scratch):
    parts = shapefile_parts(tmp_path, cities)
    data = bytearray(zip_of({"c.dbf": bytes(2_000_000), "c.shp": parts[".shp"], "c.shx": parts[".shx"]}))
    # Shrink c.dbf's declared size in its local header (offset 22) and its
    # central directory entry (offset 24) so that the up-front checks pass.
    assert data[:4] == b"PK\x03\x04"
    struct.pack_into("<I", data, 22, 1_000)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1_000)
    result = load_user_boundaries(bytes(data), "liar.zip", policy)
    assert_rejected(result, "c.dbf")
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("evil", ["../evil.shp", "/evil.shp", "a/../../evil.shp", "..\\evil.shp", "C:/evil.shp"])
def test_zip_with_escaping_path_is_refused(tmp_path, cities, policy, scratch, monkeypatch, evil):
    parts = shapefile_parts(tmp_path, cities)
    stem = evil[:-4]
    data = zip_of({evil: parts[".shp"], stem + ".shx": parts[".shx"], stem + ".dbf": parts[".dbf"]})
    opened = record_opened_members(monkeypatch)
    result = load_user_boundaries(data, "evil.zip", policy)
    assert_rejected(result, "unsafe path")
    assert opened == []
    assert list(scratch.iterdir()) == []
    assert not (scratch.parent / "evil.shp").exists()
    assert not (tmp_path.parent / "evil.shp").exists()


def test_zip_with_symlink_is_refused(tmp_path, cities, policy, scratch, monkeypatch):
    parts = shapefile_parts(tmp_path, cities)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        link = zipfile.ZipInfo("c.dbf")
        link.create_system = 3
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "/etc/passwd")
        zf.writestr("c.shp", parts[".shp"])
        zf.writestr("c.shx", parts[".shx"])
    opened = record_opened_members(monkeypatch)
    result = load_user_boundaries(buf.getvalue(), "link.zip", policy)
    assert_rejected(result, "symbolic link")
    assert opened == []
    assert list(scratch.iterdir()) == []


def test_mac_resource_forks_are_ignored(tmp_path, cities, policy):
    data = shapefile_zip(plain(cities), tmp_path)
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("__MACOSX/data/._boundaries.shp", b"\0\5\26\7 resource fork")
        zf.writestr("data/._boundaries.dbf", b"\0\5\26\7 resource fork")
    assert_usable(load_user_boundaries(buf.getvalue(), "mac.zip", policy), policy)


def test_damaged_shapefile_inside_a_sound_zip(policy, scratch):
    data = zip_of({"c.shp": b"garbage" * 50, "c.shx": b"garbage" * 50, "c.dbf": b"garbage" * 50})
    result = load_user_boundaries(data, "c.zip", policy)
    assert_rejected(result, "could not be read as zipped Shapefile")
    assert "gd-boundaries" not in result.problems[0]  # no temporary paths in messages
    assert list(scratch.iterdir()) == []


def test_zip_with_two_shapefiles_is_refused(tmp_path, cities, policy):
    parts = shapefile_parts(tmp_path, cities)
    members = {f"{stem}{ext}": content for stem in ("a", "b") for ext, content in parts.items()}
    result = load_user_boundaries(zip_of(members), "two.zip", policy)
    assert_rejected(result, "2 .shp files", "exactly one")


def test_zip_without_shapefile_parts_is_refused(tmp_path, cities, policy):
    parts = shapefile_parts(tmp_path, cities)
    assert_rejected(load_user_boundaries(zip_of({"readme.txt": b"hi"}), "x.zip", policy), "no .shp")
    assert_rejected(load_user_boundaries(zip_of({"c.shp": parts[".shp"], "c.shx": parts[".shx"]}), "x.zip", policy), ".dbf")


def test_encrypted_zip_is_refused(tmp_path, cities, policy, scratch, monkeypatch):
    data = bytearray(shapefile_zip(plain(cities), tmp_path, folder=""))
    # Set the "encrypted" flag (bit 0 of the general purpose flags) on every
    # local header (offset 6) and central directory entry (offset 8).
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(signature)
        while pos >= 0:
            data[pos + offset] |= 0x01
            pos = data.find(signature, pos + 4)
    opened = record_opened_members(monkeypatch)
    result = load_user_boundaries(bytes(data), "locked.zip", policy)
    assert_rejected(result, "password-protected")
    assert opened == []
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_zip_is_a_problem(tmp_path, cities, policy, damage):
    data = shapefile_zip(plain(cities), tmp_path)
    data = b"PK\x03\x04 not really a zip" * 100 if damage == "garbage" else data[: len(data) // 2]
    assert_rejected(load_user_boundaries(data, "broken.zip", policy))


def test_too_many_zip_members(tmp_path, policy):
    data = zip_of({f"f{i}.txt": b"x" for i in range(60)})
    assert_rejected(load_user_boundaries(data, "many.zip", policy), "60 entries", "at most 50")


@pytest.mark.parametrize("name", ["cities.kml", "cities.shp", "cities", "cities.geojson.exe"])
def test_unknown_extension(policy, name):
    result = load_user_boundaries(b"{}", name, policy)
    assert_rejected(result, ".geojson", ".gpkg", ".zip")
    assert result.level is None


def test_bare_shp_gets_a_hint(policy):
    assert_rejected(load_user_boundaries(b"\0" * 100, "c.shp", policy), "into one .zip")


def test_oversize_input(policy, tmp_path, cities):
    data = write(plain(cities), tmp_path / "c.geojson")
    result = load_user_boundaries(data, "c.geojson", policy, max_bytes=len(data) - 1)
    assert_rejected(result, f"{len(data):,} bytes", f"{len(data) - 1:,} bytes")


def test_too_many_features(tmp_path, counties, policy):
    data = write(plain(counties), tmp_path / "k.geojson")
    assert_rejected(load_user_boundaries(data, "k.geojson", policy, max_features=100), "124 features", "100")


def test_geopackage_with_several_polygon_layers(tmp_path, cities, counties, policy):
    path = tmp_path / "two.gpkg"
    write(plain(cities), path, layer="cities")
    write(plain(counties), path, layer="counties")
    assert_rejected(load_user_boundaries(path.read_bytes(), "two.gpkg", policy), "2 layers", "cities", "counties")


@pytest.mark.parametrize(
    "data, name, fragment",
    [
        (bytes(range(256)) * 40, "x.geojson", "not"),
        (b"\x89PNG\r\n\x1a\n" + bytes(500), "x.geojson", "not"),
        (b'{"type": "FeatureCollection", "features": [', "x.geojson", "not valid JSON"),
        (b"[1, 2, 3]", "x.json", "not GeoJSON"),
        (b'{"type": "FeatureCollection", "features": []}', "x.geojson", ""),
        (b"[" * 100_000, "x.geojson", ""),
        (b"SQLite format 3\x00" + bytes(2000), "x.gpkg", "GeoPackage"),
        (b"not a database", "x.gpkg", "not a GeoPackage"),
        (b"", "x.geojson", "empty"),
    ],
)
def test_garbage_gives_problems_not_exceptions(policy, scratch, data, name, fragment):
    result = load_user_boundaries(data, name, policy)
    assert_rejected(result, fragment)
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("data", [None, "text", 42])
def test_non_bytes_input_is_a_problem(policy, data):
    assert_rejected(load_user_boundaries(data, "x.geojson", policy), "bytes")


def test_temporary_files_are_removed_after_success(tmp_path, cities, policy, scratch):
    result = load_user_boundaries(shapefile_zip(plain(cities), tmp_path), "c.zip", policy)
    assert result.ok
    assert list(scratch.iterdir()) == []


def test_result_feeds_the_map(tmp_path, cities, policy):
    from layers.map import MapData

    result = load_user_boundaries(write(plain(cities).to_crs("EPSG:4547"), tmp_path / "c.gpkg"), "c.gpkg", policy)
    data = MapData.build(result.cities, load_context())
    assert set(data.wgs84.cities) == set(policy.cities)
    assert np.allclose(data.wgs84.bounds, [[cities.total_bounds[1], cities.total_bounds[0]],
                                           [cities.total_bounds[3], cities.total_bounds[2]]], atol=1e-5)


def test_multipolygon_helper_output_is_always_multi(tmp_path, cities, policy):
    single = plain(cities).assign(geometry=[max(g.geoms, key=lambda p: p.area) for g in cities.geometry])
    assert set(single.geom_type) == {"Polygon"}
    result = load_user_boundaries(write(single, tmp_path / "s.geojson"), "s.geojson", policy)
    assert_usable(result, policy)
    assert all(isinstance(g, MultiPolygon) for g in result.cities.geometry)
