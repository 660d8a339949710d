"""Reading a boundary upload: GeoJSON checks, zipped Shapefile extraction, GDAL reads."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import warnings
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import pyogrio

from geo.upload_common import _Reject
from ingest.caps import BND_MAX_LAYERS
from ingest.messages import Msg, Seq
from ingest.text import clip as _clip
from ingest.text import guess_encoding
from ingest.zipguard import ZipRefused, check_zip, read_member

_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")

# GeoJSON "crs" members GDAL resolves without touching the network or disk.
# Any other kind ("link", "url") would make GDAL fetch the given address.
_SAFE_CRS_NAME = re.compile(
    r"(?:urn:ogc:def:crs:[A-Za-z0-9.]+:[0-9.]*:[A-Za-z0-9._]+"
    r"|https?://www\.opengis\.net/def/crs/[A-Za-z0-9._]+/[0-9.]+/[A-Za-z0-9._]+"
    # authority:code, the code a number (EPSG:4547) or a name (IGNF:LAMB93)
    r"|(?:EPSG|ESRI|IGNF|OGC|CRS|IAU_2015|NKG|PROJ):[A-Za-z0-9._]+)",
    re.IGNORECASE,
)


def _check_geojson(data: bytes) -> bool:
    """Parse the JSON ourselves first: clearer errors, and a chance to refuse
    CRS references GDAL would otherwise fetch from the network.

    Returns whether the document declares a CRS of its own."""
    try:
        doc = json.loads(data)
    except UnicodeDecodeError as exc:
        raise _Reject(Msg("bnd.not_utf8", reason=exc.reason)) from None
    except json.JSONDecodeError as exc:
        raise _Reject(Msg("bnd.bad_json", line=exc.lineno, column=exc.colno, detail=exc.msg)) from None
    except RecursionError:
        raise _Reject(Msg("bnd.json_deep")) from None
    types = {"FeatureCollection", "Feature", "Polygon", "MultiPolygon", "GeometryCollection",
             "Point", "MultiPoint", "LineString", "MultiLineString"}
    if not isinstance(doc, dict) or doc.get("type") not in types:
        raise _Reject(Msg("bnd.not_geojson"))

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
    example = '{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}'
    if value is None:
        return
    if not isinstance(value, dict):
        raise _Reject(Msg("bnd.crs_member_type", example=example))
    kind = str(value.get("type", "")).lower()
    props = value.get("properties")
    if kind == "name" and isinstance(props, dict):
        crs_name = props.get("name")
        if isinstance(crs_name, str) and _SAFE_CRS_NAME.fullmatch(crs_name.strip()):
            return
        if isinstance(crs_name, str) and "://" not in crs_name and not crs_name.lower().startswith("www."):
            raise _Reject(Msg("bnd.crs_member_name", name=repr(_clip(crs_name, 60))))
    if kind == "epsg" and isinstance(props, dict) and isinstance(props.get("code"), int):
        return
    raise _Reject(Msg("bnd.crs_member_link", example=example))


def _check_zip(data: bytes, max_members: int, max_unzipped: int) -> list[zipfile.ZipInfo]:
    """Inspect the archive's directory (nothing is decompressed) and return the
    Shapefile members to extract."""
    try:
        infos = check_zip(data, max_members=max_members, max_unzipped=max_unzipped)
    except ZipRefused as exc:
        raise _Reject(exc.msg) from None

    def relevant(info: zipfile.ZipInfo) -> bool:
        p = PurePosixPath(info.filename)
        # Mac archivers add resource-fork copies (__MACOSX/, ._name) beside the real files.
        return not info.is_dir() and "__MACOSX" not in p.parts and not p.name.startswith("._")

    files = [i for i in infos if relevant(i)]
    shps = [i for i in files if i.filename.lower().endswith(".shp")]
    if not shps:
        suffixes = sorted({PurePosixPath(i.filename).suffix.lower() for i in files})
        found = Seq(tuple(x or Msg("bnd.no_suffix") for x in suffixes), "list") if suffixes else Msg("word.nothing")
        raise _Reject(Msg("bnd.zip_no_shp", found=found))
    if len(shps) > 1:
        names = ", ".join(_clip(i.filename, 60) for i in shps)
        raise _Reject(Msg("bnd.zip_many_shp", n=len(shps), names=names))
    stem = shps[0].filename[:-4].lower()
    parts: dict[str, zipfile.ZipInfo] = {}
    for info in files:
        low = info.filename.lower()
        for ext in _SHAPEFILE_PARTS:
            if low == stem + ext:
                if ext in parts:
                    raise _Reject(Msg("bnd.zip_twice", name=repr(_clip(stem + ext, 80))))
                parts[ext] = info
    missing = [e for e in (".shx", ".dbf") if e not in parts]
    if missing:
        raise _Reject(Msg("bnd.shp_lacks", name=repr(_clip(shps[0].filename, 80)), missing=Seq(tuple(missing), "and")))
    return [parts[e] for e in _SHAPEFILE_PARTS if e in parts]


def _safe_join(root: Path, name: str) -> Path:
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()) or target == root.resolve():
        raise _Reject(Msg("bnd.outside", name=repr(_clip(name, 80))))
    return target


def _extract_shapefile(data, members, root, max_unzipped, notes) -> tuple[Path, str | None, str | None]:
    """(path of the .shp, encoding of the .dbf or None, text of the .prj or None)."""
    written_total = 0
    paths: dict[str, Path] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in members:
            ext = info.filename[-4:].lower()
            # The member's own name never becomes a path: only a fixed one does.
            dest = _safe_join(root, "upload" + ext)
            try:
                with open(dest, "xb") as fh:
                    written_total += read_member(zf, info, fh, max_unzipped - written_total)
            except ZipRefused as exc:
                raise _Reject(exc.msg) from None
            paths[ext] = dest
    encoding = None
    if ".cpg" not in paths:
        encoding = _guess_dbf_encoding(paths[".dbf"].read_bytes())
        if encoding:
            notes.append(Msg("bnd.no_cpg", encoding=encoding))
    prj = None
    if ".prj" in paths:
        prj = paths[".prj"].read_bytes()[:65536].decode("utf-8", errors="replace")
    return paths[".shp"], encoding, prj


def _guess_dbf_encoding(dbf: bytes) -> str | None:
    """Encoding for a .dbf without .cpg, when its header does not say either.

    GDAL would fall back to ISO-8859-1, which garbles Chinese names; files from
    Chinese GIS software are GBK more often than not."""
    if len(dbf) < 32 or dbf[29] != 0:  # byte 29: language driver id, which GDAL honours
        return None
    header_len = int.from_bytes(dbf[8:10], "little")
    return guess_encoding(dbf[header_len:])


def unreadable_prj(prj: str) -> Msg:
    """The problem for a .prj GDAL could not turn into a CRS: say what was found."""
    text = " ".join(prj.split())
    return Msg("bnd.prj_unreadable", start=repr(_clip(text, 60))) if text else Msg("bnd.prj_empty")


def _gpkg_tables(path: Path, max_layers: int) -> list[tuple[str, str]]:
    """(table name, geometry type) of the GeoPackage's real feature tables.

    Read with sqlite3 before GDAL sees the file: GDAL counts a layer's rows to
    describe it, and a layer may be a view over an endless recursive query. A
    view or an attribute table is never read; too many layers are refused. A
    progress handler stops any query of ours that runs too long."""
    uri = f"file:{path}?mode=ro&immutable=1"
    try:
        con = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise _Reject(Msg("bnd.gpkg_open", detail=_clip(exc, 120))) from None
    steps = [0]

    def guard() -> int:
        steps[0] += 1
        return 1 if steps[0] > 10_000 else 0  # x1000 virtual machine instructions

    con.set_progress_handler(guard, 1000)
    try:
        con.execute("PRAGMA trusted_schema=OFF")
        n_objects = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if n_objects > 20 * max_layers + 200:
            raise _Reject(Msg("bnd.gpkg_objects", n=n_objects, max=max_layers))
        kinds = dict(con.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')"))
        contents = con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall()
        geom_types = dict(con.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise _Reject(Msg("bnd.gpkg_slow")) from None
        raise _Reject(Msg("bnd.gpkg_bad", detail=_clip(exc, 120))) from None
    except sqlite3.Error as exc:
        raise _Reject(Msg("bnd.gpkg_bad", detail=_clip(exc, 120))) from None
    finally:
        con.close()
    if len(contents) > max_layers:
        raise _Reject(Msg("bnd.layers", kind=Msg("bnd.kind.gpkg"), n=len(contents), max=max_layers))
    features = [(str(t), str(geom_types.get(t, ""))) for t, kind in contents if str(kind).lower() == "features"]
    tables = [(t, g) for t, g in features if kinds.get(t) == "table"]
    views = [t for t, _ in features if kinds.get(t) == "view"]
    if not tables:
        if views:
            raise _Reject(Msg("bnd.gpkg_views", names=", ".join(_clip(v, 40) for v in views[:5])))
        raise _Reject(Msg("bnd.gpkg_no_table"))
    return tables


def _read(path: Path, kind: Msg, drivers: set[str], encoding, max_features: int,
          max_layers: int = BND_MAX_LAYERS) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if "GPKG" in drivers:
                layers = _gpkg_tables(path, max_layers)
            else:
                layers = pyogrio.list_layers(path)
                if len(layers) > max_layers:
                    raise _Reject(Msg("bnd.layers", kind=kind, n=len(layers), max=max_layers))
            layer = _pick_layer(layers, kind)
            info = pyogrio.read_info(path, layer=layer, encoding=encoding)
        except _Reject:
            raise
        except Exception as exc:
            raise _Reject(Msg("bnd.unreadable", kind=kind, detail=_clip(_gdal_message(exc), 160))) from None
        if info.get("driver") not in drivers:
            raise _Reject(Msg("bnd.wrong_driver", kind=kind, driver=str(info.get("driver"))))
        n = info.get("features", -1)
        if n is not None and n > max_features:
            raise _Reject(Msg("bnd.features", n=n, max=max_features))
        try:
            gdf = pyogrio.read_dataframe(
                path, layer=layer, encoding=encoding, force_2d=True, on_invalid="ignore",
                max_features=max_features + 1,
            )
        except Exception as exc:
            raise _Reject(Msg("bnd.unreadable", kind=kind, detail=_clip(_gdal_message(exc), 160))) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise _Reject(Msg("bnd.no_geometry_column"))
    if len(gdf) > max_features:
        raise _Reject(Msg("bnd.features_more", max=max_features))
    if len(gdf) == 0:
        raise _Reject(Msg("bnd.no_features"))
    return gdf.reset_index(drop=True)


def _pick_layer(layers, kind: Msg):
    if len(layers) == 0:
        raise _Reject(Msg("bnd.no_layers", kind=kind))
    if len(layers) == 1:
        return layers[0][0]
    polygonal = [str(n) for n, t in layers if t and "polygon" in str(t).lower()]
    if len(polygonal) == 1:
        return polygonal[0]
    names = ", ".join(_clip(str(n), 40) for n, _ in layers)
    raise _Reject(Msg("bnd.which_layer", kind=kind, n=len(layers), names=names))


def _gdal_message(exc: Exception) -> str:
    # GDAL messages repeat the temporary file's path, which means nothing to the
    # user, and advise on driver prefixes, which the user cannot act on.
    text = re.sub(r"\S*gd-boundaries-\S*", "the file", str(exc))
    return re.sub(r"\s*It might help to specify the correct driver.*", "", text, flags=re.S).rstrip(" .;")


