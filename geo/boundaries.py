"""Load the simplified Guangdong boundary files from ``data/boundaries/``.

The files are plain GeoJSON in WGS-84, produced by ``scripts/build_boundaries.py``
(see ``data/boundaries/README.md`` for source, licence and method).  They are
read with ``json`` + ``shapely`` only, so no GDAL is needed at run time.

Any problem with a file -- missing, unreadable, not JSON, wrong structure, bad
geometry, wrong feature set -- raises :class:`BoundaryDataError`, whose message
names the file and the command that rebuilds it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import shape

__all__ = [
    "BOUNDARIES_DIR",
    "BoundaryDataError",
    "BoundarySource",
    "CITIES_FILE",
    "CONTEXT_FILE",
    "COUNTIES_FILE",
    "REBUILD_COMMAND",
    "load_cities",
    "load_context",
    "load_counties",
    "load_source",
]

BOUNDARIES_DIR = Path(__file__).resolve().parent.parent / "data" / "boundaries"
CITIES_FILE = "guangdong_cities.geojson"
CONTEXT_FILE = "context.geojson"
COUNTIES_FILE = "guangdong_counties.geojson"
SOURCE_FILE = "source.yaml"
SOURCE_FIELDS = ("cite_zh", "cite_en", "origin_zh", "origin_en")

REBUILD_COMMAND = (
    "pip install -r requirements-build.txt && python scripts/build_boundaries.py"
)

N_CITIES = 21
CONTEXT_KINDS = {"guangdong", "province", "sar"}


class BoundaryDataError(RuntimeError):
    """A boundary data file is missing, corrupt or inconsistent."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(
            f"boundary data file {self.path}: {problem}. "
            f"Restore it from version control or rebuild it with `{REBUILD_COMMAND}` "
            "(run from the repository root)."
        )


def _resolve(path: Path | str | None, default_name: str) -> Path:
    return Path(path) if path is not None else BOUNDARIES_DIR / default_name


def _read_feature_collection(path: Path) -> list[dict[str, Any]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BoundaryDataError(path, "file not found") from None
    except OSError as exc:
        raise BoundaryDataError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BoundaryDataError(path, f"is not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise BoundaryDataError(
            path, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise BoundaryDataError(path, "is not a GeoJSON FeatureCollection")
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryDataError(path, "has no features")
    return features


def _to_frame(
    path: Path,
    features: list[dict[str, Any]],
    columns: Iterable[str],
) -> gpd.GeoDataFrame:
    columns = list(columns)
    records = []
    geometries = []
    for i, feature in enumerate(features):
        where = f"feature #{i}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise BoundaryDataError(path, f"{where} is not a GeoJSON Feature")
        props = feature.get("properties")
        if not isinstance(props, dict):
            raise BoundaryDataError(path, f"{where} has no properties")
        missing = [c for c in columns if c not in props]
        if missing:
            raise BoundaryDataError(path, f"{where} lacks properties {missing}")
        adcode = props.get("adcode")
        if not (isinstance(adcode, str) and len(adcode) == 6 and adcode.isdigit()):
            raise BoundaryDataError(path, f"{where} has a malformed adcode {adcode!r}")
        where = f"feature {adcode}"
        try:
            geom = shape(feature["geometry"])
        except Exception as exc:  # KeyError, TypeError, GeometryTypeError, ...
            raise BoundaryDataError(path, f"{where} has an unreadable geometry ({exc!r})") from None
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise BoundaryDataError(path, f"{where} is a {geom.geom_type}, not a polygon")
        if geom.is_empty or not geom.is_valid:
            reason = "empty" if geom.is_empty else shapely.is_valid_reason(geom)
            raise BoundaryDataError(path, f"{where} has an invalid geometry ({reason})")
        records.append({c: props[c] for c in columns})
        geometries.append(geom)

    adcodes = [r["adcode"] for r in records]
    if len(set(adcodes)) != len(adcodes):
        dupes = sorted({a for a in adcodes if adcodes.count(a) > 1})
        raise BoundaryDataError(path, f"has duplicate adcodes {dupes}")

    gdf = gpd.GeoDataFrame(records, columns=columns, geometry=geometries, crs="EPSG:4326")
    # adcode stays a column (for joins / key_on) and also labels the rows, so
    # gdf.loc["440100"] works; the index is left unnamed to avoid pandas'
    # "both an index level and a column label" ambiguity.
    gdf.index = gdf["adcode"].to_list()
    return gdf


def load_cities(path: Path | str | None = None) -> gpd.GeoDataFrame:
    """Guangdong's 21 prefecture-level cities.

    Returns a GeoDataFrame in EPSG:4326 with columns ``adcode`` (6-digit string,
    also the row label), ``name_zh`` (short name, e.g. 广州), ``name_en``,
    ``zone`` (id from data/zoning.yaml) and ``geometry`` (MultiPolygon),
    sorted by adcode.
    """
    path = _resolve(path, CITIES_FILE)
    gdf = _to_frame(path, _read_feature_collection(path), ["adcode", "name_zh", "name_en", "zone"])
    if len(gdf) != N_CITIES:
        raise BoundaryDataError(path, f"has {len(gdf)} features, expected {N_CITIES} cities")
    if not all(a.startswith("44") for a in gdf["adcode"]):
        raise BoundaryDataError(path, "contains features outside Guangdong (adcode not 44xxxx)")
    return gdf.sort_index()


def load_context(path: Path | str | None = None) -> gpd.GeoDataFrame:
    """Backdrop polygons: Guangdong's outline, neighbouring provinces, Hong Kong and Macao.

    Columns ``adcode``, ``name_zh``, ``name_en``, ``kind`` (``guangdong``,
    ``province`` or ``sar``) and ``geometry``; EPSG:4326.  Neighbours are clipped
    to a box around Guangdong and more coarsely simplified; the Guangdong
    outline is the exact dissolve of the city polygons.
    """
    path = _resolve(path, CONTEXT_FILE)
    gdf = _to_frame(path, _read_feature_collection(path), ["adcode", "name_zh", "name_en", "kind"])
    bad = sorted(set(gdf["kind"]) - CONTEXT_KINDS)
    if bad:
        raise BoundaryDataError(path, f"has unknown kind values {bad}")
    if (gdf["kind"] == "guangdong").sum() != 1:
        raise BoundaryDataError(path, "must contain exactly one 'guangdong' feature")
    return gdf.sort_index()


def load_counties(path: Path | str | None = None) -> gpd.GeoDataFrame:
    """Guangdong's county-level units (区/县/县级市; 东莞 and 中山 as themselves).

    Columns ``adcode``, ``name_zh``, ``name_en`` (may be empty), ``city_adcode``
    and ``geometry``; EPSG:4326.  Intended for benchmarks and finer maps.
    """
    path = _resolve(path, COUNTIES_FILE)
    gdf = _to_frame(
        path, _read_feature_collection(path), ["adcode", "name_zh", "name_en", "city_adcode"]
    )
    return gdf.sort_index()


@dataclass(frozen=True)
class BoundarySource:
    """Where a map's boundaries come from: the bundled data set (its credit and origin
    as `source.yaml` words them) or a user's file (`user_file`, its name as given)."""

    cite_zh: str
    cite_en: str
    origin_zh: str
    origin_en: str
    user_file: str = ""

    @property
    def user(self) -> bool:
        return bool(self.user_file)

    def cite(self, lang: str) -> str:
        return self.cite_zh if lang == "zh" else self.cite_en

    def origin(self, lang: str) -> str:
        return self.origin_zh if lang == "zh" else self.origin_en

    @classmethod
    def for_user_file(cls, name: str) -> BoundarySource:
        """The source of boundaries read from a user's file called `name`."""
        return cls("", "", "", "", user_file=str(name))


@lru_cache(maxsize=4)
def load_source(path: Path | str | None = None) -> BoundarySource:
    """The bundled boundaries' source (data/boundaries/source.yaml)."""
    import yaml

    path = _resolve(path, SOURCE_FILE)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BoundaryDataError(path, "file not found") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BoundaryDataError(path, f"cannot be read as UTF-8 YAML ({' '.join(str(exc).split())})") from None
    if not isinstance(doc, dict):
        raise BoundaryDataError(path, "is not a YAML mapping")
    bad = [k for k in SOURCE_FIELDS if not isinstance(doc.get(k), str) or not doc[k].strip()]
    if bad:
        raise BoundaryDataError(path, f"lacks {', '.join(bad)}")
    return BoundarySource(*(doc[k].strip() for k in SOURCE_FIELDS))
