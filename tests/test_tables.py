"""Data downloads: CSV with BOM, JSON, GeoJSON with counts — the same columns as the CLI."""

import csv
import io
import json

from policy import tables
from policy.coverage import city_coverage


def test_csv_has_bom_and_round_trips(policy, rows):
    recs, fields = tables.table("coverage", policy, rows, basis="all")
    data = tables.csv_bytes(recs, fields)
    assert data.startswith(b"\xef\xbb\xbf")
    back = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(back[0]) == tables.COVERAGE_FIELDS and len(back) == 21
    assert {r["city_zh"] for r in back} >= {"广州", "梅州"}


def test_json_matches_table(policy, rows):
    recs, fields = tables.table("zones", policy, rows)
    data = json.loads(tables.json_bytes(recs, fields))
    assert [r["zone"] for r in data] == ["prd_core", "coastal_belt", "northern_eco"]
    assert list(data[0]) == tables.ZONE_FIELDS


def test_designations_keep_basis(policy, rows):
    recs, fields = tables.table("designations", policy, rows)
    assert {r["basis"] for r in recs} == {"explicit", "region"}
    assert len(recs) == len(rows)


def test_cities_geojson_counts(policy, rows):
    from geo.boundaries import load_cities

    doc = json.loads(tables.cities_geojson(policy, rows, load_cities(), "explicit", "pillar"))
    assert len(doc["features"]) == 21
    cov = city_coverage(policy, rows, "explicit", "pillar").set_index("adcode")
    for f in doc["features"]:
        p = f["properties"]
        assert p["clusters"] == cov.loc[f["id"], "clusters"] and p["tier"] == "pillar"
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
