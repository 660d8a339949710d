"""Load city boundaries supplied by a user ("bring your own boundaries").

:func:`load_user_boundaries` takes the raw bytes of an uploaded GeoJSON,
GeoPackage or zipped Shapefile and turns them into the same shape of data as
:func:`geo.boundaries.load_cities`: exactly the 21 cities of the policy data, in
EPSG:4326, with names and zones taken from the project's own tables.

The input is untrusted.  Nothing here raises for bad input: every reason the
file cannot be used goes to ``problems`` and everything that was changed on the
way goes to ``notes``, both written for the person who uploaded the file (each an
``ingest.messages.Msg``: English text that renders in Chinese on demand).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

import geopandas as gpd
import shapely
from pyproj import CRS

from geo.upload_common import GUANGDONG_BOUNDS, _Reject
from geo.upload_geometry import _process
from geo.upload_read import (
    _check_geojson,
    _check_zip,
    _extract_shapefile,
    _read,
    _safe_join,
    unreadable_prj,
)
from ingest.caps import (
    BND_MAX_BYTES,
    BND_MAX_FEATURES,
    BND_MAX_VERTICES_FEATURE,
    BND_MAX_VERTICES_TOTAL,
    ZIP_MAX_MEMBERS,
    ZIP_MAX_UNZIPPED,
)
from ingest.messages import Msg, Seq
from ingest.report import Report
from ingest.text import clip as _clip

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "GUANGDONG_BOUNDS",
    "UserBoundaries",
    "load_user_boundaries",
]

ACCEPTED_EXTENSIONS = {
    ".geojson": Msg("bnd.kind.geojson"),
    ".json": Msg("bnd.kind.geojson"),
    ".gpkg": Msg("bnd.kind.gpkg"),
    ".zip": Msg("bnd.kind.zip"),
}


@dataclass
class UserBoundaries:
    """Outcome of :func:`load_user_boundaries`.

    ``cities`` is ``None`` whenever ``problems`` is non-empty.  ``level`` is the
    level the file was recognised at ("city" or "county"), ``None`` when the
    file could not be read far enough to tell.
    """

    cities: gpd.GeoDataFrame | None
    level: Literal["city", "county"] | None
    # Msg: English as text, render(lang) for others
    problems: list[Msg] = field(default_factory=list)
    notes: list[Msg] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.cities is not None and not self.problems


def load_user_boundaries(
    data: bytes,
    filename: str,
    policy,
    *,
    max_bytes: int = BND_MAX_BYTES,
    max_zip_members: int = ZIP_MAX_MEMBERS,
    max_unzipped_bytes: int = ZIP_MAX_UNZIPPED,
    max_features: int = BND_MAX_FEATURES,
    max_vertices_feature: int = BND_MAX_VERTICES_FEATURE,
    max_vertices_total: int = BND_MAX_VERTICES_TOTAL,
) -> UserBoundaries:
    """Read a user's boundary file and fit it to the 21 cities of ``policy``.

    ``data`` is the file's content and ``filename`` its name as uploaded (only
    its extension is used).  Accepted: GeoJSON (``.geojson``/``.json``),
    GeoPackage (``.gpkg``) and a zipped Shapefile (``.zip``).  City or county
    features are matched by an adcode column or by city names; counties are
    dissolved into their cities.  Never raises for bad input.
    """
    out = UserBoundaries(cities=None, level=None)
    try:
        _load(out, data, filename, policy, max_bytes, max_zip_members, max_unzipped_bytes, max_features,
              max_vertices_feature, max_vertices_total)
    except _Reject as exc:
        out.problems.append(exc.msg)
    except MemoryError:
        out.problems.append(Msg("bnd.too_complex"))
    except shapely.errors.GEOSException as exc:
        # GEOS reports running out of memory (the worker's limit) as an exception of its own.
        out.problems.append(Msg("bnd.too_complex") if "bad_alloc" in str(exc)
                            else Msg("bnd.geos_failed", detail=_clip(str(exc), 120)))
    except Exception as exc:  # last resort: user input must never crash the caller
        out.problems.append(Msg("bnd.failed", kind=type(exc).__name__, detail=_clip(str(exc), 200)))
    # The toolkit's one report: each problem once, the list capped with "and N more".
    rep = Report()
    for p in out.problems:
        rep.add(None, None, p)
    out.problems = rep.messages()
    if out.problems:
        out.cities = None
    return out


def _load(out, data, filename, policy, max_bytes, max_zip_members, max_unzipped_bytes, max_features,
          max_vertices_feature, max_vertices_total):
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise _Reject(Msg("bnd.not_bytes", kind=type(data).__name__))
    name = str(filename or "")
    ext = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    accepted = Seq(tuple(Msg("bnd.accepted", ext=e, kind=kind) for e, kind in ACCEPTED_EXTENSIONS.items()), "list")
    if ext not in ACCEPTED_EXTENSIONS:
        shown = repr(_clip(name, 80))
        if not ext:
            raise _Reject(Msg("bnd.no_extension", name=shown, accepted=accepted))
        if ext in (".shp", ".shx", ".dbf", ".prj"):
            raise _Reject(Msg("bnd.shapefile_part", name=shown, ext=f"'{ext}'", accepted=accepted))
        raise _Reject(Msg("bnd.extension", name=shown, ext=f"'{ext}'", accepted=accepted))
    if len(data) > max_bytes:
        raise _Reject(Msg("bnd.too_large", size=len(data), mb=len(data) / 1e6, max=max_bytes, max_mb=max_bytes / 1e6))
    if not data:
        raise _Reject(Msg("file.empty"))

    geojson_crs_declared = None
    if ext == ".zip":
        members = _check_zip(data, max_zip_members, max_unzipped_bytes)
    elif ext == ".gpkg":
        if not data.startswith(b"SQLite format 3\x00"):
            raise _Reject(Msg("bnd.not_gpkg"))
    else:
        geojson_crs_declared = _check_geojson(data)

    # mkdtemp-style directory: private to this user (mode 0700), removed on exit
    # whatever happens inside.
    with tempfile.TemporaryDirectory(prefix="gd-boundaries-", ignore_cleanup_errors=True) as tmp:
        root = Path(tmp)
        encoding = prj = None
        if ext == ".zip":
            path, encoding, prj = _extract_shapefile(data, members, root, max_unzipped_bytes, out.notes)
            expected = {"ESRI Shapefile"}
        elif ext == ".gpkg":
            path = _safe_join(root, "upload.gpkg")
            path.write_bytes(data)
            expected = {"GPKG"}
        else:
            path = _safe_join(root, "upload.geojson")
            path.write_bytes(data)
            expected = {"GeoJSON"}
        try:
            gdf = _read(path, ACCEPTED_EXTENSIONS[ext], expected, encoding, max_features)
        except _Reject:
            # GDAL refuses a whole Shapefile over a bad .prj; say that, not "damaged".
            if prj is not None and not _parses_as_crs(prj):
                raise _Reject(unreadable_prj(prj)) from None
            raise
    if prj is not None and gdf.crs is None:
        raise _Reject(unreadable_prj(prj))

    _process(out, gdf, policy, geojson_crs_declared, max_vertices_feature=max_vertices_feature,
             max_vertices_total=max_vertices_total)


def _parses_as_crs(text: str) -> bool:
    try:
        CRS.from_user_input(text)
    except Exception:  # pyproj raises CRSError, or others for odd input
        return False
    return True


