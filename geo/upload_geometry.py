"""Geometry of a boundary upload: polygons only, finite coordinates, bounded
vertex counts, CRS to WGS-84, and repairs that must not change a city's area."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from geo.upload_common import (
    _MAX_LISTED,
    GUANGDONG_BOUNDS,
    _city_label,
    _crs_label,
    _list,
    _polygonal,
    _Reject,
    _span,
    _swap_hint,
    _swapped,
    _where,
)
from geo.upload_match import _classify, _labeller, _match
from ingest.caps import (
    BND_MAX_VERTICES_FEATURE,
    BND_MAX_VERTICES_TOTAL,
    BND_REPAIR_AREA_TOLERANCE,
)
from ingest.text import clip as _clip

# A feature whose bounding box misses the box grown by this many degrees cannot
# be part of any Guangdong city: it is dropped instead of reported as unmatched,
# so a nationwide file is usable.
_FAR_MARGIN = 0.5


def _process(out, gdf: gpd.GeoDataFrame, policy, geojson_crs_declared, *,
             max_vertices_feature: int = BND_MAX_VERTICES_FEATURE,
             max_vertices_total: int = BND_MAX_VERTICES_TOTAL) -> None:
    """Fill `out` (a UserBoundaries) from the features read; raises _Reject."""
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
    # Before anything costly: validity checks and repairs grow worse than linearly
    # with a feature's vertices, and shapely.bounds would skip NaN silently.
    _check_vertices(geoms, keep, label, max_vertices_feature, max_vertices_total)
    _check_finite(geoms, keep, label)
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
        attrs_all = gdf.drop(columns=gdf.geometry.name)
        repaired = [_polygonal(shapely.make_valid(g)) for g in geoms[invalid]]
        _check_repairs(geoms[invalid], repaired, keep[invalid], attrs_all, policy, label)
        geoms = geoms.copy()
        geoms[invalid] = repaired
        notes.append(
            f"repaired {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} "
            f"(made valid, keeping only polygonal parts; area changed by at most "
            f"{BND_REPAIR_AREA_TOLERANCE:.0%}): {_list(keep[invalid], label)}"
        )
        collapsed = np.array([g is None or g.is_empty for g in geoms], dtype=bool)
        if collapsed.any():
            notes.append(
                f"dropped {int(collapsed.sum())} feature(s) whose geometry had no area before or after "
                f"repair: {_list(keep[collapsed], label)}"
            )
            keep, geoms = keep[~collapsed], geoms[~collapsed]
    if len(keep) == 0:
        raise _Reject("no usable polygon is left in the file")

    attrs = gdf.drop(columns=gdf.geometry.name).iloc[keep].reset_index(drop=True)
    out.cities, out.level = _match(attrs, list(geoms), keep, policy, label, notes, problems)


def _check_vertices(geoms, keep, label, per_feature: int, total: int) -> None:
    counts = shapely.get_num_coordinates(geoms)
    over = np.flatnonzero(counts > per_feature)
    if over.size:
        raise _Reject(
            f"{over.size} feature(s) have more than {per_feature:,} vertices (e.g. {_list(keep[over[:3]], label)} "
            f"with {int(counts[over[0]]):,}); simplify the boundaries (e.g. QGIS: Vector ▸ Geometry ▸ Simplify) "
            "and upload again"
        )
    if int(counts.sum()) > total:
        raise _Reject(
            f"the file has {int(counts.sum()):,} vertices in all; at most {total:,} are accepted; simplify the "
            "boundaries (e.g. QGIS: Vector ▸ Geometry ▸ Simplify) and upload again"
        )


def _check_finite(geoms, keep, label) -> None:
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    bad = np.unique(index[~np.isfinite(coords).all(axis=1)])
    if bad.size:
        raise _Reject(
            f"{bad.size} feature(s) have coordinates that are not finite numbers (NaN or Infinity): "
            f"{_list(keep[bad], label, _MAX_LISTED)}; nothing was repaired, fix the data and upload again"
        )


def _check_repairs(before, after, rows, attrs, policy, label) -> None:
    """Refuse a repair that changes a feature's area more than the tolerance,
    naming the city the feature belongs to when its attributes say so."""
    bad = []
    for g, r, row in zip(before, after, rows):
        a0 = abs(float(shapely.area(g)))
        a1 = 0.0 if r is None else float(r.area)
        if a0 > 0 and abs(a1 - a0) > BND_REPAIR_AREA_TOLERANCE * a0:
            bad.append((row, a0, a1))
    if not bad:
        return
    parts = []
    for row, a0, a1 in bad[:_MAX_LISTED]:
        city = _city_of(attrs.iloc[int(row)].tolist(), policy)
        who = f"{_city_label(city)}, feature {label(int(row))}" if city else f"feature {label(int(row))}"
        parts.append(f"{who}: {a0:.4g} → {a1:.4g} deg² ({(a1 - a0) / a0:+.1%})")
    more = f"; and {len(bad) - _MAX_LISTED} more" if len(bad) > _MAX_LISTED else ""
    raise _Reject(
        f"{len(bad)} invalid geometr{'y' if len(bad) == 1 else 'ies'} could only be repaired by changing the area "
        f"by more than {BND_REPAIR_AREA_TOLERANCE:.0%}: " + "; ".join(parts) + more
        + "; fix the geometry in your GIS (e.g. QGIS: Vector ▸ Geometry ▸ Check Validity) and upload again"
    )


def _city_of(values, policy):
    for v in values:
        m = _classify(v, policy)
        if m is not None:
            return policy.cities[m[0]]
    return None


def _non_polygon_type(geom) -> str | None:
    """None if the geometry is an area (or a collection of areas), else its type."""
    t = geom.geom_type
    if t in ("Polygon", "MultiPolygon"):
        return None
    if t == "GeometryCollection" and all(p.geom_type in ("Polygon", "MultiPolygon") for p in geom.geoms):
        return None
    return t


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


