"""Boundary files for the tests, built from the bundled boundaries in a temporary folder (no
binary test data in the repository), and the checks of a loader's result."""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.boundaries import load_cities, load_counties
from geo.crs import GUANGDONG_CRS
from geo.userboundaries import UserBoundaries

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
