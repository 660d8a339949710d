"""geo.userboundaries: user-supplied boundary files, read safely and fitted to the 21 cities.

Every fixture is built in tmp_path from the bundled boundaries, so no binary
test data lives in the repository.
"""

from __future__ import annotations

import http.server
import io
import json
import threading
import zipfile

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon

from geo.boundaries import load_context
from geo.userboundaries import load_user_boundaries
from testing import boundary_files
from testing.boundary_files import (
    assert_rejected,
    assert_usable,
    max_deviation_m,
    metric,
    plain,
    shapefile_zip,
    write,
)

# The shared fixtures (the bundled boundaries; every loader's scratch folder kept inspectable).
cities = boundary_files.cities
counties = boundary_files.counties
scratch = boundary_files.scratch

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
