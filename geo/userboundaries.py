"""Load city boundaries supplied by a user ("bring your own boundaries").

:func:`load_user_boundaries` takes the raw bytes of an uploaded GeoJSON,
GeoPackage or zipped Shapefile and turns them into the same shape of data as
:func:`geo.boundaries.load_cities`: exactly the 21 cities of the policy data, in
EPSG:4326, with names and zones taken from the project's own tables.

The input is untrusted.  Nothing here raises for bad input: every reason the
file cannot be used goes to ``problems`` and everything that was changed on the
way goes to ``notes``, both written for the person who uploaded the file.
"""

from __future__ import annotations

import io
import json
import math
import re
import stat
import tempfile
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "GUANGDONG_BOUNDS",
    "UserBoundaries",
    "load_user_boundaries",
]

ACCEPTED_EXTENSIONS = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GeoPackage",
    ".zip": "zipped Shapefile",
}

#: Rough lon/lat box around the province (the real extent is about
#: 109.65-117.31 E, 20.21-25.52 N); data must overlap it to be Guangdong at all.
GUANGDONG_BOUNDS = (109.0, 20.0, 118.0, 26.0)

# A feature whose bounding box misses the box grown by this many degrees cannot
# be part of any Guangdong city: it is dropped instead of reported as unmatched,
# so a nationwide file is usable.
_FAR_MARGIN = 0.5

# A member that expands more than this from its compressed size is treated as a
# zip bomb, on top of the absolute cap.  Ratio alone cannot tell a bomb from a
# .dbf whose wide text columns are mostly blank (that deflates about 1000:1,
# like zeros), so only members big enough to matter are checked; a boundary
# table of at most a few thousand rows rarely reaches 10 MB.
_MAX_RATIO = 100
_RATIO_MIN_BYTES = 10_000_000

_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_SUPPORTED_COMPRESSION = {
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
}

# Column names are compared after _norm_col (lower case, no spaces, "_" or "-").
# They only break ties and tell a county file's "which city" column apart from
# the column naming each row; matching itself looks at the values.
_CODE_COLUMNS = (
    "adcode", "code", "gb", "gbcode", "行政区划代码", "区划代码", "行政代码", "代码",
    "citycode", "cityadcode", "adcode99", "pac", "dm",
)
_NAME_COLUMNS = (
    "namezh", "name", "名称", "市", "地名", "市名", "市名称", "cityname", "city",
    "nameen", "namechn", "cname", "ename", "fullname",
)
# Columns that say which city a row belongs to rather than what the row is.
_PARENT_COLUMNS = {
    "city", "cityname", "citynamezh", "citynameen", "cityzh", "cityen", "citycode",
    "cityadcode", "市", "地级市", "所属市", "所属地市", "地市", "市名", "市名称", "市代码",
    "parent", "parentcode", "parentadcode", "parentname", "prefecture",
}
# Columns that name or code each row itself.
_ROW_KEY_COLUMNS = {
    "adcode", "code", "gb", "gbcode", "行政区划代码", "区划代码", "行政代码", "代码",
    "namezh", "name", "名称", "nameen", "namechn", "cname", "ename", "fullname",
    "county", "countyname", "县", "区县", "县名", "县区", "地名",
}

# GeoJSON "crs" members GDAL resolves without touching the network or disk.
# Any other kind ("link", "url") would make GDAL fetch the given address.
_SAFE_CRS_NAME = re.compile(
    r"(?:urn:ogc:def:crs:[A-Za-z0-9.]+:[0-9.]*:[A-Za-z0-9._]+"
    r"|https?://www\.opengis\.net/def/crs/[A-Za-z0-9._]+/[0-9.]+/[A-Za-z0-9._]+"
    r"|[A-Za-z]+:[0-9]+)",
    re.IGNORECASE,
)

_MAX_LISTED = 10  # feature labels listed in notes about bulk drops


@dataclass
class UserBoundaries:
    """Outcome of :func:`load_user_boundaries`.

    ``cities`` is ``None`` whenever ``problems`` is non-empty.  ``level`` is the
    level the file was recognised at ("city" or "county"), ``None`` when the
    file could not be read far enough to tell.
    """

    cities: gpd.GeoDataFrame | None
    level: Literal["city", "county"] | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.cities is not None and not self.problems


class _Reject(Exception):
    """Stops processing; the message is a problem for the user."""


def load_user_boundaries(
    data: bytes,
    filename: str,
    policy,
    *,
    max_bytes: int = 20_000_000,
    max_zip_members: int = 50,
    max_unzipped_bytes: int = 100_000_000,
    max_features: int = 5_000,
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
        _load(out, data, filename, policy, max_bytes, max_zip_members, max_unzipped_bytes, max_features)
    except _Reject as exc:
        out.problems.append(str(exc))
    except MemoryError:
        out.problems.append("the file is too complex to process; simplify it and try again")
    except Exception as exc:  # last resort: user input must never crash the caller
        out.problems.append(f"the file could not be processed ({type(exc).__name__}: {_clip(str(exc), 200)})")
    if out.problems:
        out.cities = None
    return out


# --------------------------------------------------------------------------- #
# Reading
# --------------------------------------------------------------------------- #


def _load(out, data, filename, policy, max_bytes, max_zip_members, max_unzipped_bytes, max_features):
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise _Reject(f"expected the file's content as bytes, got {type(data).__name__}")
    name = str(filename or "")
    ext = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    accepted = ", ".join(f"{e} ({kind})" for e, kind in ACCEPTED_EXTENSIONS.items())
    if ext not in ACCEPTED_EXTENSIONS:
        what = f"'{ext}'" if ext else "no extension"
        hint = ""
        if ext in (".shp", ".shx", ".dbf", ".prj"):
            hint = " A Shapefile is several files: put the .shp, .shx, .dbf and .prj into one .zip and upload that."
        raise _Reject(f"unsupported file type: {_clip(name, 80)!r} has {what}; accepted are {accepted}.{hint}")
    if len(data) > max_bytes:
        raise _Reject(
            f"the file is too large: {len(data):,} bytes ({_mb(len(data))}); "
            f"the limit is {max_bytes:,} bytes ({_mb(max_bytes)})"
        )
    if not data:
        raise _Reject("the file is empty")

    geojson_crs_declared = None
    if ext == ".zip":
        members = _check_zip(data, max_zip_members, max_unzipped_bytes)
    elif ext == ".gpkg":
        if not data.startswith(b"SQLite format 3\x00"):
            raise _Reject("the file is not a GeoPackage (it does not start like an SQLite database)")
    else:
        geojson_crs_declared = _check_geojson(data)

    # mkdtemp-style directory: private to this user (mode 0700), removed on exit
    # whatever happens inside.
    with tempfile.TemporaryDirectory(prefix="gd-boundaries-", ignore_cleanup_errors=True) as tmp:
        root = Path(tmp)
        encoding = None
        if ext == ".zip":
            path, encoding = _extract_shapefile(data, members, root, max_unzipped_bytes, out.notes)
            expected = {"ESRI Shapefile"}
        elif ext == ".gpkg":
            path = _safe_join(root, "upload.gpkg")
            path.write_bytes(data)
            expected = {"GPKG"}
        else:
            path = _safe_join(root, "upload.geojson")
            path.write_bytes(data)
            expected = {"GeoJSON"}
        gdf = _read(path, ACCEPTED_EXTENSIONS[ext], expected, encoding, max_features)

    _process(out, gdf, policy, geojson_crs_declared)


def _check_geojson(data: bytes) -> bool:
    """Parse the JSON ourselves first: clearer errors, and a chance to refuse
    CRS references GDAL would otherwise fetch from the network.

    Returns whether the document declares a CRS of its own."""
    try:
        doc = json.loads(data)
    except UnicodeDecodeError as exc:
        raise _Reject(f"the file is not UTF-8 text, so it is not GeoJSON ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise _Reject(
            f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise _Reject("the file is not usable GeoJSON (nested too deeply)") from None
    types = {"FeatureCollection", "Feature", "Polygon", "MultiPolygon", "GeometryCollection",
             "Point", "MultiPoint", "LineString", "MultiLineString"}
    if not isinstance(doc, dict) or doc.get("type") not in types:
        raise _Reject("the file is JSON but not GeoJSON (expected a FeatureCollection)")

    declared = False
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(x for x in node if isinstance(x, (dict, list)))
            continue
        for key, value in node.items():
            k = key.lower() if isinstance(key, str) else key
            if k in ("coordinates", "properties"):
                continue
            if k == "crs":
                declared = True
                _check_crs_member(value)
            elif isinstance(value, (dict, list)):
                stack.append(value)
    return declared


def _check_crs_member(value) -> None:
    refuse = (
        "the GeoJSON 'crs' member refers to a CRS by link or URL, which is not followed; "
        'replace it with a named CRS such as {"type": "name", "properties": {"name": '
        '"urn:ogc:def:crs:EPSG::4547"}}, or reproject the data to EPSG:4326 and drop the member'
    )
    if value is None:
        return
    if not isinstance(value, dict):
        raise _Reject(refuse)
    kind = str(value.get("type", "")).lower()
    props = value.get("properties")
    if kind == "name" and isinstance(props, dict):
        crs_name = props.get("name")
        if isinstance(crs_name, str) and _SAFE_CRS_NAME.fullmatch(crs_name.strip()):
            return
    if kind == "epsg" and isinstance(props, dict) and isinstance(props.get("code"), int):
        return
    raise _Reject(refuse)


def _check_zip(data: bytes, max_members: int, max_unzipped: int) -> list[zipfile.ZipInfo]:
    """Inspect the archive's directory (nothing is decompressed) and return the
    Shapefile members to extract."""
    declared = _declared_zip_entries(data)
    if declared is not None and declared > max_members:
        raise _Reject(f"the zip has {declared:,} entries; at most {max_members} are accepted")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise _Reject(f"the file is not a readable zip archive ({_clip(str(exc), 120)})") from None
    with zf:
        infos = zf.infolist()
    if len(infos) > max_members:
        raise _Reject(f"the zip has {len(infos):,} entries; at most {max_members} are accepted")
    if not infos:
        raise _Reject("the zip archive is empty")

    total = 0
    for info in infos:
        name = info.filename
        if _unsafe_member_name(name):
            raise _Reject(
                f"the zip contains an unsafe path {_clip(name, 80)!r} (absolute, with '..' or a drive); "
                "nothing was extracted"
            )
        if info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):
            raise _Reject(f"the zip contains a symbolic link {_clip(name, 80)!r}; nothing was extracted")
        if info.flag_bits & 0x1:
            raise _Reject(
                f"the zip member {_clip(name, 80)!r} is encrypted (password-protected); "
                "zip the files again without a password"
            )
        if info.is_dir():
            continue
        if info.compress_type not in _SUPPORTED_COMPRESSION:
            raise _Reject(
                f"the zip member {_clip(name, 80)!r} uses an unsupported compression method "
                f"({info.compress_type}); use ordinary Deflate"
            )
        total += info.file_size
        if total > max_unzipped:
            raise _Reject(
                f"the zip would unpack to more than {max_unzipped:,} bytes ({_mb(max_unzipped)}), "
                "the limit; nothing was extracted"
            )
        if info.file_size >= _RATIO_MIN_BYTES and info.file_size > _MAX_RATIO * max(info.compress_size, 1):
            raise _Reject(
                f"the zip member {_clip(name, 80)!r} would expand {info.file_size:,} bytes from "
                f"{info.compress_size:,} (more than {_MAX_RATIO}:1); it looks like a zip bomb and "
                "nothing was extracted"
            )

    def relevant(info: zipfile.ZipInfo) -> bool:
        p = PurePosixPath(info.filename)
        # Mac archivers add resource-fork copies (__MACOSX/, ._name) beside the real files.
        return not info.is_dir() and "__MACOSX" not in p.parts and not p.name.startswith("._")

    files = [i for i in infos if relevant(i)]
    shps = [i for i in files if i.filename.lower().endswith(".shp")]
    if not shps:
        others = ", ".join(sorted({PurePosixPath(i.filename).suffix.lower() or "(none)" for i in files}))
        raise _Reject(f"the zip contains no .shp file (found: {others or 'nothing'}); it must hold one Shapefile")
    if len(shps) > 1:
        names = ", ".join(_clip(i.filename, 60) for i in shps)
        raise _Reject(f"the zip contains {len(shps)} .shp files ({names}); it must hold exactly one Shapefile")
    stem = shps[0].filename[:-4].lower()
    parts: dict[str, zipfile.ZipInfo] = {}
    for info in files:
        low = info.filename.lower()
        for ext in _SHAPEFILE_PARTS:
            if low == stem + ext:
                if ext in parts:
                    raise _Reject(f"the zip contains {_clip(stem + ext, 80)!r} twice")
                parts[ext] = info
    missing = [e for e in (".shx", ".dbf") if e not in parts]
    if missing:
        raise _Reject(
            f"the Shapefile {_clip(shps[0].filename, 80)!r} lacks its {' and '.join(missing)} "
            "file; zip all its files (.shp, .shx, .dbf, .prj) together"
        )
    return [parts[e] for e in _SHAPEFILE_PARTS if e in parts]


def _declared_zip_entries(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, so that an archive
    claiming millions of entries is refused before zipfile builds them all."""
    start = max(0, len(data) - 22 - 0xFFFF)
    i = data.rfind(b"PK\x05\x06", start)
    if i < 0 or len(data) < i + 22:
        return None
    total = int.from_bytes(data[i + 10 : i + 12], "little")
    return None if total == 0xFFFF else total  # 0xFFFF: the real count is in the zip64 record


def _unsafe_member_name(name: str) -> bool:
    if not name or "\x00" in name:
        return True
    unified = name.replace("\\", "/")
    if unified.startswith("/") or re.match(r"^[A-Za-z]:", unified):
        return True
    return any(part == ".." for part in unified.split("/"))


def _safe_join(root: Path, name: str) -> Path:
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()) or target == root.resolve():
        raise _Reject(f"refusing to write {_clip(name, 80)!r} outside the working folder")
    return target


def _extract_shapefile(data, members, root, max_unzipped, notes) -> tuple[Path, str | None]:
    written_total = 0
    paths: dict[str, Path] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in members:
            ext = info.filename[-4:].lower()
            # The member's own name never becomes a path: only a fixed one does.
            dest = _safe_join(root, "upload" + ext)
            written = 0
            try:
                with zf.open(info) as src, open(dest, "xb") as fh:
                    while chunk := src.read(1 << 16):
                        written += len(chunk)
                        # Headers can lie about sizes: trust the bytes that come out.
                        if written > info.file_size or written_total + written > max_unzipped:
                            raise _Reject(
                                f"the zip member {_clip(info.filename, 80)!r} unpacks to more than "
                                "its directory says; refusing it"
                            )
                        fh.write(chunk)
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
                raise _Reject(
                    f"the zip member {_clip(info.filename, 80)!r} is corrupt ({_clip(str(exc), 120)})"
                ) from None
            written_total += written
            paths[ext] = dest
    encoding = None
    if ".cpg" not in paths:
        encoding = _guess_dbf_encoding(paths[".dbf"].read_bytes())
        if encoding:
            notes.append(
                f"the Shapefile has no .cpg file naming its text encoding; its attributes were read as {encoding}"
            )
    return paths[".shp"], encoding


def _guess_dbf_encoding(dbf: bytes) -> str | None:
    """Encoding for a .dbf without .cpg, when its header does not say either.

    GDAL would fall back to ISO-8859-1, which garbles Chinese names; files from
    Chinese GIS software are GBK more often than not."""
    if len(dbf) < 32 or dbf[29] != 0:  # byte 29: language driver id, which GDAL honours
        return None
    header_len = int.from_bytes(dbf[8:10], "little")
    body = dbf[header_len:]
    if body.isascii():
        return None
    try:
        body.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        body.decode("gb18030")
        return "GB18030"
    except UnicodeDecodeError:
        return None


def _read(path: Path, kind: str, drivers: set[str], encoding, max_features: int) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            layers = pyogrio.list_layers(path)
            layer = _pick_layer(layers, kind)
            info = pyogrio.read_info(path, layer=layer, encoding=encoding)
        except _Reject:
            raise
        except Exception as exc:
            raise _Reject(
                f"the file could not be read as {kind}; it may be damaged ({_clip(_gdal_message(exc), 160)})"
            ) from None
        if info.get("driver") not in drivers:
            raise _Reject(f"the file is not {kind} (it was recognised as {info.get('driver')})")
        n = info.get("features", -1)
        if n is not None and n > max_features:
            raise _Reject(f"the file has {n:,} features; at most {max_features:,} are accepted")
        try:
            gdf = pyogrio.read_dataframe(
                path, layer=layer, encoding=encoding, force_2d=True, on_invalid="ignore",
                max_features=max_features + 1,
            )
        except Exception as exc:
            raise _Reject(
                f"the file could not be read as {kind}; it may be damaged ({_clip(_gdal_message(exc), 160)})"
            ) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise _Reject("the file has no geometry column")
    if len(gdf) > max_features:
        raise _Reject(f"the file has more than {max_features:,} features, the limit")
    if len(gdf) == 0:
        raise _Reject("the file has no features")
    return gdf.reset_index(drop=True)


def _pick_layer(layers, kind: str):
    if len(layers) == 0:
        raise _Reject(f"the {kind} contains no layers")
    if len(layers) == 1:
        return layers[0][0]
    polygonal = [str(n) for n, t in layers if t and "polygon" in str(t).lower()]
    if len(polygonal) == 1:
        return polygonal[0]
    names = ", ".join(_clip(str(n), 40) for n, _ in layers)
    raise _Reject(
        f"the {kind} has {len(layers)} layers ({names}) and it is not clear which holds the "
        "boundaries; keep only the city or county polygon layer"
    )


def _gdal_message(exc: Exception) -> str:
    # GDAL messages repeat the temporary file's path, which means nothing to the
    # user, and advise on driver prefixes, which the user cannot act on.
    text = re.sub(r"\S*gd-boundaries-\S*", "the file", str(exc))
    return re.sub(r"\s*It might help to specify the correct driver.*", "", text, flags=re.S).rstrip(" .;")


# --------------------------------------------------------------------------- #
# Geometry, CRS and matching
# --------------------------------------------------------------------------- #


def _process(out: UserBoundaries, gdf: gpd.GeoDataFrame, policy, geojson_crs_declared) -> None:
    notes, problems = out.notes, out.problems
    label = _labeller(gdf)
    geoms = np.asarray(gdf.geometry.values, dtype=object)

    empty = np.array([g is None or g.is_empty for g in geoms], dtype=bool)
    if empty.all():
        raise _Reject("none of the file's features has a geometry")
    if empty.any():
        idx = np.flatnonzero(empty)
        notes.append(f"dropped {len(idx)} feature(s) without a usable geometry: {_list(idx, label)}")

    # Only areas can be city boundaries.  Collections of polygons pass.
    kinds = {}
    for i in np.flatnonzero(~empty):
        t = _non_polygon_type(geoms[i])
        if t is not None:
            kinds.setdefault(t, []).append(i)
    if kinds:
        summary = ", ".join(f"{len(v)} {t}" for t, v in sorted(kinds.items()))
        first = [v[0] for v in kinds.values()]
        raise _Reject(
            f"boundaries must be polygons, but the file has {summary} feature(s) "
            f"(e.g. {_list(first, label)})"
        )

    keep = np.flatnonzero(~empty)
    geoms = geoms[keep]
    geoms = _to_wgs84(gdf.crs, geoms, notes, geojson_crs_declared)

    # Far outside the province: drop; nothing left: the CRS must be wrong.
    b = shapely.bounds(geoms)
    minx, miny, maxx, maxy = GUANGDONG_BOUNDS
    near = (
        (b[:, 2] >= minx - _FAR_MARGIN) & (b[:, 0] <= maxx + _FAR_MARGIN)
        & (b[:, 3] >= miny - _FAR_MARGIN) & (b[:, 1] <= maxy + _FAR_MARGIN)
    )
    overlaps = (b[:, 2] >= minx) & (b[:, 0] <= maxx) & (b[:, 3] >= miny) & (b[:, 1] <= maxy)
    if not overlaps.any():
        tb = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
        raise _Reject(
            f"after conversion to longitude/latitude the data lies at {_where(tb)}, not in Guangdong "
            f"(about lon 109–118, lat 20–26); the file's CRS ({_crs_label(gdf.crs)}) is probably wrong"
            + _swap_hint(tb)
        )
    if not near.all():
        far = keep[~near]
        notes.append(f"dropped {len(far)} feature(s) far outside Guangdong: {_list(far, label, _MAX_LISTED)}")
    keep, geoms = keep[near], geoms[near]

    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        repaired = [_polygonal(shapely.make_valid(g)) for g in geoms[invalid]]
        geoms = geoms.copy()
        geoms[invalid] = repaired
        notes.append(
            f"repaired {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} "
            f"(made valid, keeping only polygonal parts): {_list(keep[invalid], label)}"
        )
        collapsed = np.array([g is None or g.is_empty for g in geoms], dtype=bool)
        if collapsed.any():
            notes.append(
                f"dropped {int(collapsed.sum())} feature(s) whose geometry had no area left after "
                f"repair: {_list(keep[collapsed], label)}"
            )
            keep, geoms = keep[~collapsed], geoms[~collapsed]
    if len(keep) == 0:
        raise _Reject("no usable polygon is left in the file")

    attrs = gdf.drop(columns=gdf.geometry.name).iloc[keep].reset_index(drop=True)
    out.cities, out.level = _match(attrs, list(geoms), keep, policy, label, notes, problems)


def _non_polygon_type(geom) -> str | None:
    """None if the geometry is an area (or a collection of areas), else its type."""
    t = geom.geom_type
    if t in ("Polygon", "MultiPolygon"):
        return None
    if t == "GeometryCollection" and all(p.geom_type in ("Polygon", "MultiPolygon") for p in geom.geoms):
        return None
    return t


def _polygonal(geom):
    """The polygonal part of a geometry as a MultiPolygon (None if it has none)."""
    polys: list[Polygon] = []
    stack = [geom]
    while stack:
        g = stack.pop()
        if g is None or g.is_empty:
            continue
        if g.geom_type == "Polygon":
            polys.append(g)
        elif g.geom_type in ("MultiPolygon", "GeometryCollection"):
            stack.extend(g.geoms)
    if not polys:
        return None
    mp = MultiPolygon(polys)
    return mp if mp.is_valid else _as_multi(shapely.union_all(polys))


def _as_multi(geom):
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    return _polygonal(geom)


def _to_wgs84(crs, geoms: np.ndarray, notes: list[str], geojson_crs_declared) -> np.ndarray:
    b = shapely.bounds(geoms)
    if not np.isfinite(b).all():
        raise _Reject("some coordinates are not finite numbers")
    tb = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    lonlat = -180 <= tb[0] and tb[2] <= 180 and -90 <= tb[1] and tb[3] <= 90
    gx0, gy0, gx1, gy1 = GUANGDONG_BOUNDS
    looks_gd = lonlat and tb[2] >= gx0 and tb[0] <= gx1 and tb[3] >= gy0 and tb[1] <= gy1
    if (crs is None or CRS.from_user_input(crs).is_geographic) and _swapped(tb):
        raise _Reject(
            f"the coordinates ({_span(tb)}) look like latitude and longitude around Guangdong in the "
            "wrong order; export them with longitude as x and latitude as y"
        )

    if crs is None:
        if looks_gd:
            notes.append(
                "the file has no CRS; its coordinates look like longitude/latitude around Guangdong, "
                "so EPSG:4326 (WGS 84) was assumed"
            )
            return geoms
        guess = (
            "they look like projected coordinates (metres), e.g. EPSG:4547 or EPSG:3857"
            if not lonlat else "they are not longitude/latitude around Guangdong"
        )
        raise _Reject(
            f"the file has no CRS, and its coordinates ({_span(tb)}) cannot be placed: {guess}. "
            "Add the .prj file that belongs to the data (for a Shapefile, zip it with the other files), "
            "or set the layer's CRS in your GIS (e.g. QGIS: Layer ▸ Set CRS) and export again"
        )

    crs = CRS.from_user_input(crs)
    if crs.is_geographic and not lonlat:
        claim = _crs_label(crs)
        if geojson_crs_declared is False:
            claim = f"{claim} (GeoJSON without a 'crs' member is longitude/latitude by definition)"
        raise _Reject(
            f"the coordinates ({_span(tb)}) look projected (metres), but the file claims {claim}, "
            "which is longitude/latitude in degrees. Give the file its real CRS (e.g. EPSG:4547 or "
            "EPSG:3857), or reproject the data to EPSG:4326 before exporting"
        )
    if crs.equals("EPSG:4326", ignore_axis_order=True):
        return geoms

    try:
        series = gpd.GeoSeries(geoms, crs=crs).to_crs("EPSG:4326")
    except Exception as exc:
        raise _Reject(f"the data could not be reprojected from {_crs_label(crs)} ({_clip(str(exc), 120)})") from None
    out = np.asarray(series.values, dtype=object)
    ob = shapely.bounds(out)
    if not np.isfinite(ob).all():
        hint = (
            "; its coordinates look like longitude/latitude, so the CRS is probably wrong"
            if looks_gd and not crs.is_geographic else ""
        )
        raise _Reject(
            f"some coordinates ({_span(tb)}) lie outside the valid area of the file's CRS "
            f"{_crs_label(crs)} and cannot be reprojected{hint}"
        )
    otb = (ob[:, 0].min(), ob[:, 1].min(), ob[:, 2].max(), ob[:, 3].max())
    in_gd = otb[2] >= gx0 and otb[0] <= gx1 and otb[3] >= gy0 and otb[1] <= gy1
    if not in_gd and looks_gd and not crs.is_geographic:
        raise _Reject(
            f"the coordinates ({_span(tb)}) look like longitude/latitude around Guangdong, but the file "
            f"claims the projected CRS {_crs_label(crs)}; reprojected, they would lie at {_where(otb)}. "
            "Set the file's CRS to EPSG:4326"
        )
    notes.append(f"reprojected from {_crs_label(crs)} to EPSG:4326 (WGS 84)")
    return out


def _match(attrs, geoms, rows, policy, label, notes, problems):
    """Assign each feature to a city; returns (cities frame or None, level)."""
    columns = [c for c in attrs.columns if isinstance(c, str)]
    best = None
    for order, col in enumerate(columns):
        matches = [_classify(v, policy) for v in attrs[col].tolist()]
        score = sum(m is not None for m in matches)
        if not score:
            continue
        by_code = any(m[2] for m in matches if m)
        key = (score, by_code, -_priority(col), -order)
        if best is None or key > best[0]:
            best = (key, col, matches, by_code)
    if best is None:
        shown = ", ".join(_clip(c, 30) for c in columns[:12]) or "none"
        raise _Reject(
            "no column identifies the cities: expected adcodes (e.g. 440100, or county codes such as "
            "440106) or city names (广州, 广州市 or Guangzhou); the file's columns are: " + shown
        )
    _, col, matches, by_code = best
    notes.append(f"matched features to cities by {'adcode' if by_code else 'name'} (column {col!r})")

    unmatched = [i for i, m in enumerate(matches) if m is None]
    if unmatched:
        notes.append(
            f"ignored {len(unmatched)} feature(s) that match no Guangdong city: "
            + _list([rows[i] for i in unmatched], label)
        )

    by_city: dict[str, list[int]] = {}
    for i, m in enumerate(matches):
        if m is not None:
            by_city.setdefault(m[0], []).append(i)

    county_rows = any(m[1] == "county" for m in matches if m)
    repeats = any(len(v) > 1 for v in by_city.values())
    parent_column = (
        repeats
        and _norm_col(col) in _PARENT_COLUMNS
        and any(_norm_col(c) in _ROW_KEY_COLUMNS for c in columns if c != col)
    )
    level = "county" if county_rows or parent_column else "city"

    cities = policy.cities
    if level == "city":
        for adcode, idx in by_city.items():
            if len(idx) > 1:
                problems.append(
                    f"{_city_label(cities[adcode])} appears in {len(idx)} features: "
                    f"{_list([rows[i] for i in idx], label)}; keep one feature per city"
                )
    else:
        for adcode, idx in by_city.items():
            kinds = Counter(matches[i][1] for i in idx)
            if county_rows and kinds["city"] and kinds["county"]:
                problems.append(
                    f"{_city_label(cities[adcode])} appears both as a whole city and as counties: "
                    f"{_list([rows[i] for i in idx], label)}; keep either the city or its counties"
                )
            elif kinds["city"] > 1 and not parent_column:
                problems.append(
                    f"{_city_label(cities[adcode])} appears in {kinds['city']} features: "
                    f"{_list([rows[i] for i in idx], label)}; keep one feature per city"
                )
        codes = Counter(matches[i][3] for i in range(len(matches)) if matches[i] and matches[i][1] == "county")
        dup = sorted(c for c, n in codes.items() if n > 1)
        if dup:
            notes.append(
                f"{len(dup)} county code(s) occur in several features ({', '.join(dup)}); their parts were merged"
            )

    missing = [a for a in cities if a not in by_city]
    if missing:
        problems.append(
            f"{len(missing)} of the {len(cities)} cities are missing from the file: "
            + ", ".join(_city_label(cities[a]) for a in missing)
        )
    if problems:
        return None, level

    merged = {}
    for adcode, idx in by_city.items():
        parts = [geoms[i] for i in idx]
        merged[adcode] = _as_multi(parts[0] if len(parts) == 1 else shapely.union_all(parts))
        if merged[adcode] is None:
            problems.append(f"{_city_label(cities[adcode])} has no area left after merging its features")
    if problems:
        return None, level
    if level == "county":
        n = sum(len(v) for v in by_city.values())
        notes.append(f"dissolved {n} county-level features into {len(cities)} cities")

    order = list(cities)
    frame = gpd.GeoDataFrame(
        {
            "adcode": order,
            "name_zh": [cities[a].name_zh for a in order],
            "name_en": [cities[a].name_en for a in order],
            "zone": [cities[a].zone for a in order],
        },
        geometry=[merged[a] for a in order],
        crs="EPSG:4326",
    )
    frame.index = order  # same row labels as geo.boundaries.load_cities
    return frame, level


def _classify(value, policy):
    """(city adcode, "city"|"county", matched by code?, code) for a cell, or None."""
    code = _as_code(value)
    if code is not None:
        if code in policy.cities:
            return (code, "city", True, code)
        parent = code[:4] + "00"
        if code.startswith("44") and code[4:] != "00" and parent in policy.cities:
            return (parent, "county", True, code)
        return None
    if isinstance(value, str):
        city = _find_city(policy, value)
        if city is not None:
            return (city.adcode, "city", False, city.adcode)
    return None


def _as_code(value) -> str | None:
    if value is None or isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        s = str(int(value))
    elif isinstance(value, (float, np.floating)):
        if not math.isfinite(value) or value != int(value):
            return None
        s = str(int(value))
    elif isinstance(value, str):
        s = value.strip()
        m = re.fullmatch(r"(\d+)\.0*", s)
        if m:
            s = m.group(1)
    else:
        return None
    if re.fullmatch(r"\d{6}", s):
        return s
    # 12-digit statistical codes: 440100000000 is the city 440100.
    if re.fullmatch(r"\d{6}0{6}", s):
        return s[:6]
    return None


def _find_city(policy, raw: str):
    s = raw.strip()
    if not s:
        return None
    city = policy.find_city(s)
    if city is not None:
        return city
    s = re.sub(r"\s+", "", s) if re.search(r"[\u4e00-\u9fff]", s) else re.sub(r"\s+", " ", s)
    for prefix in ("广东省", "广东"):
        if s.startswith(prefix) and len(s) > len(prefix):
            city = policy.find_city(s[len(prefix):])
            if city is not None:
                return city
    low = s.lower()
    for suffix in (" city", " shi", " prefecture", "city", "shi"):
        if low.endswith(suffix) and len(low) > len(suffix):
            city = policy.find_city(low[: -len(suffix)].strip())
            if city is not None:
                return city
    return policy.find_city(low.replace(" ", ""))


def _norm_col(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


def _priority(col: str) -> int:
    n = _norm_col(col)
    for i, known in enumerate(_CODE_COLUMNS + _NAME_COLUMNS):
        if n == known:
            return i
    return len(_CODE_COLUMNS) + len(_NAME_COLUMNS)


# --------------------------------------------------------------------------- #
# Messages
# --------------------------------------------------------------------------- #


def _labeller(gdf: gpd.GeoDataFrame):
    """Describe feature i by its position and its code/name values."""
    cols = [c for c in gdf.columns if isinstance(c, str) and c != gdf.geometry.name]
    ranked = sorted(
        (c for c in cols if _priority(c) < len(_CODE_COLUMNS) + len(_NAME_COLUMNS)), key=_priority
    )
    show = ranked[:2]
    if not show:
        show = [c for c in cols if gdf[c].dtype == object or str(gdf[c].dtype).startswith("str")][:1]
    values = {c: gdf[c].tolist() for c in show}

    def label(i: int) -> str:
        parts = []
        for c in show:
            v = values[c][i]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            parts.append(f"{_clip(c, 20)}={_clip(str(v), 40)}")
        return f"#{i}" + (f" ({', '.join(parts)})" if parts else "")

    return label


def _list(indices, label, limit: int | None = None) -> str:
    indices = [int(i) for i in indices]
    shown = indices if limit is None else indices[:limit]
    text = "; ".join(label(i) for i in shown)
    if limit is not None and len(indices) > limit:
        text += f"; and {len(indices) - limit} more"
    return text


def _city_label(city) -> str:
    return f"{city.name_zh} ({city.adcode}, {city.name_en})"


def _crs_label(crs) -> str:
    if crs is None:
        return "none"
    crs = CRS.from_user_input(crs)
    epsg = crs.to_epsg()
    if epsg is not None:
        return f"EPSG:{epsg}" + (f" ({crs.name})" if crs.name and epsg != 4326 else "")
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]}" if auth else (crs.name or "an unnamed CRS")


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def _span(tb) -> str:
    return f"x {_fmt(tb[0])} to {_fmt(tb[2])}, y {_fmt(tb[1])} to {_fmt(tb[3])}"


def _where(tb) -> str:
    return f"lon {tb[0]:.2f} to {tb[2]:.2f}, lat {tb[1]:.2f} to {tb[3]:.2f}"


def _swapped(tb) -> bool:
    gx0, gy0, gx1, gy1 = GUANGDONG_BOUNDS
    return tb[0] >= gy0 - 1 and tb[2] <= gy1 + 1 and tb[1] >= gx0 - 1 and tb[3] <= gx1 + 1


def _swap_hint(tb) -> str:
    return "; the x and y values look swapped (latitude first)" if _swapped(tb) else ""


def _clip(text: str, n: int) -> str:
    text = re.sub(r"[\x00-\x1f\x7f]", " ", str(text))
    return text if len(text) <= n else text[: n - 1] + "…"


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"
