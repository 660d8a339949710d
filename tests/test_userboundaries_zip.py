"""geo.userboundaries: archives (zip bombs, escaping paths, symlinks, encrypted or corrupt zips,
several shapefiles), unknown and garbage input, caps, and temporary files removed."""

from __future__ import annotations

import io
import struct
import zipfile

import numpy as np
import pytest
from shapely.geometry import MultiPolygon

from geo.boundaries import load_context
from geo.userboundaries import load_user_boundaries
from testing import boundary_files
from testing.boundary_files import (
    ZIP_BOMB_BYTES,
    assert_rejected,
    assert_usable,
    plain,
    shapefile_zip,
    write,
    zip_of,
)

# The shared fixtures (the bundled boundaries; every loader's scratch folder kept inspectable).
cities = boundary_files.cities
counties = boundary_files.counties
scratch = boundary_files.scratch

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
