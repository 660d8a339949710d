"""The data tables as records and their CSV/JSON/GeoJSON serialisations, shared
by the command line and the app's downloads so both write the same columns
(CSV through `policy.spreadsheet`, which guards every cell)."""

from __future__ import annotations

import io
import json

import pandas as pd

from policy.coverage import city_coverage, designation_rows, zone_coverage
from policy.model import Policy

# Re-exported: callers write CSV through the tables module, every cell guarded there.
from policy.spreadsheet import csv_bytes as csv_bytes
from policy.spreadsheet import write_csv as write_csv

DESIGNATION_FIELDS = [
    "cluster_id", "cluster_zh", "cluster_en", "tier", "place_zh", "city_zh", "adcode",
    "role_zh", "role", "basis", "quote",
]
COVERAGE_FIELDS = [
    "adcode", "city_zh", "city_en", "zone", "clusters", "pillar", "emerging", "designations", "cluster_ids",
]
ZONE_FIELDS = [
    "zone", "zone_zh", "zone_en", "cities", "cities_covered", "clusters", "pillar", "emerging",
    "designations", "city_designations", "share", "cluster_ids",
]


def records(df: pd.DataFrame) -> list[dict]:
    # to_dict keeps numpy scalars; json needs plain ints/floats.
    return json.loads(df.to_json(orient="records", force_ascii=False))


def table(kind: str, policy: Policy, rows: pd.DataFrame | None = None, basis: str = "explicit",
          tier: str = "all") -> tuple[list[dict], list[str]]:
    """kind: designations | coverage | zones."""
    rows = designation_rows(policy) if rows is None else rows
    if kind == "designations":
        return records(rows), DESIGNATION_FIELDS
    if kind == "coverage":
        return records(city_coverage(policy, rows, basis, tier)), COVERAGE_FIELDS
    if kind == "zones":
        return records(zone_coverage(policy, rows, basis, tier)), ZONE_FIELDS
    raise ValueError(f"table {kind!r} is not one of: designations, coverage, zones")


def write_json(recs: list[dict], fields: list[str], out) -> None:
    json.dump([{k: r[k] for k in fields} for r in recs], out, ensure_ascii=False, indent=1)
    out.write("\n")


def json_bytes(recs: list[dict], fields: list[str]) -> bytes:
    buf = io.StringIO()
    write_json(recs, fields, buf)
    return buf.getvalue().encode("utf-8")


def cities_geojson(policy: Policy, rows: pd.DataFrame, cities, basis: str = "explicit", tier: str = "all") -> bytes:
    """The 21 city polygons (WGS-84) with their coverage counts as properties."""
    cov = {r["adcode"]: r for r in records(city_coverage(policy, rows, basis, tier))}
    features = []
    for c in cities.itertuples():
        props = {k: cov[c.adcode][k] for k in COVERAGE_FIELDS}
        props.update(basis=basis, tier=tier)
        features.append({"type": "Feature", "id": c.adcode, "properties": props,
                         "geometry": c.geometry.__geo_interface__})
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
