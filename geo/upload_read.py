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
    example = ('{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}, or reproject the data '
               "to EPSG:4326 and drop the member")
    link = ("the GeoJSON 'crs' member refers to a CRS by link or URL, which is not followed; replace it with a "
            "named CRS such as " + example)
    if value is None:
        return
    if not isinstance(value, dict):
        raise _Reject(f"the GeoJSON 'crs' member is not an object; give a named CRS such as {example}")
    kind = str(value.get("type", "")).lower()
    props = value.get("properties")
    if kind == "name" and isinstance(props, dict):
        crs_name = props.get("name")
        if isinstance(crs_name, str) and _SAFE_CRS_NAME.fullmatch(crs_name.strip()):
            return
        if isinstance(crs_name, str) and "://" not in crs_name and not crs_name.lower().startswith("www."):
            raise _Reject(f"the GeoJSON 'crs' member names {_clip(crs_name, 60)!r}, which is not an "
                          "authority:code name such as EPSG:4547, IGNF:LAMB93 or urn:ogc:def:crs:EPSG::4547; "
                          "give such a name, or reproject the data to EPSG:4326 and drop the member")
    if kind == "epsg" and isinstance(props, dict) and isinstance(props.get("code"), int):
        return
    raise _Reject(link)


def _check_zip(data: bytes, max_members: int, max_unzipped: int) -> list[zipfile.ZipInfo]:
    """Inspect the archive's directory (nothing is decompressed) and return the
    Shapefile members to extract."""
    try:
        infos = check_zip(data, max_members=max_members, max_unzipped=max_unzipped)
    except ZipRefused as exc:
        raise _Reject(str(exc)) from None

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


def _safe_join(root: Path, name: str) -> Path:
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()) or target == root.resolve():
        raise _Reject(f"refusing to write {_clip(name, 80)!r} outside the working folder")
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
                raise _Reject(str(exc)) from None
            paths[ext] = dest
    encoding = None
    if ".cpg" not in paths:
        encoding = _guess_dbf_encoding(paths[".dbf"].read_bytes())
        if encoding:
            notes.append(
                f"the Shapefile has no .cpg file naming its text encoding; its attributes were read as {encoding}"
            )
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


def unreadable_prj(prj: str) -> str:
    """The problem for a .prj GDAL could not turn into a CRS: say what was found."""
    text = " ".join(prj.split())
    found = f"it starts with {_clip(text, 60)!r}" if text else "it is empty"
    return (f"the Shapefile's .prj file could not be understood as a coordinate reference system ({found}); "
            "export the layer again from your GIS so that it writes a valid .prj (WKT), or reproject the data "
            "to EPSG:4326")


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
        raise _Reject(f"the GeoPackage cannot be opened as an SQLite database ({_clip(exc, 120)})") from None
    steps = [0]

    def guard() -> int:
        steps[0] += 1
        return 1 if steps[0] > 10_000 else 0  # x1000 virtual machine instructions

    con.set_progress_handler(guard, 1000)
    try:
        con.execute("PRAGMA trusted_schema=OFF")
        n_objects = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if n_objects > 20 * max_layers + 200:
            raise _Reject(f"the GeoPackage defines {n_objects:,} tables, views and indexes; a boundary file "
                          f"needs a handful (at most {max_layers} layers are read)")
        kinds = dict(con.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')"))
        contents = con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall()
        geom_types = dict(con.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise _Reject("the GeoPackage's catalogue could not be read in reasonable time; it was refused") from None
        raise _Reject(f"the file is not a usable GeoPackage ({_clip(exc, 120)})") from None
    except sqlite3.Error as exc:
        raise _Reject(f"the file is not a usable GeoPackage ({_clip(exc, 120)})") from None
    finally:
        con.close()
    if len(contents) > max_layers:
        raise _Reject(f"the GeoPackage has {len(contents):,} layers; at most {max_layers} are accepted")
    features = [(str(t), str(geom_types.get(t, ""))) for t, kind in contents if str(kind).lower() == "features"]
    tables = [(t, g) for t, g in features if kinds.get(t) == "table"]
    views = [t for t, _ in features if kinds.get(t) == "view"]
    if not tables:
        if views:
            raise _Reject(f"the GeoPackage's feature layers ({', '.join(_clip(v, 40) for v in views[:5])}) are "
                          "views (stored queries), which are not read; save the boundaries as a feature table")
        raise _Reject("the GeoPackage contains no feature table")
    return tables


def _read(path: Path, kind: str, drivers: set[str], encoding, max_features: int,
          max_layers: int = BND_MAX_LAYERS) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if "GPKG" in drivers:
                layers = _gpkg_tables(path, max_layers)
            else:
                layers = pyogrio.list_layers(path)
                if len(layers) > max_layers:
                    raise _Reject(f"the {kind} has {len(layers):,} layers; at most {max_layers} are accepted")
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


