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
    BND_MAX_CROSSINGS,
    BND_MAX_VERTICES_FEATURE,
    BND_MAX_VERTICES_TOTAL,
    BND_REPAIR_AREA_TOLERANCE,
)
from ingest.messages import Msg, Seq
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
        raise _Reject(Msg("bnd.no_geometry"))
    if empty.any():
        idx = np.flatnonzero(empty)
        notes.append(Msg("bnd.dropped_empty", n=len(idx), features=_list(idx, label)))

    # Only areas can be city boundaries.  Collections of polygons pass.
    kinds = {}
    for i in np.flatnonzero(~empty):
        t = _non_polygon_type(geoms[i])
        if t is not None:
            kinds.setdefault(t, []).append(i)
    if kinds:
        summary = Seq(tuple(Msg("bnd.type_count", n=len(v), type=t) for t, v in sorted(kinds.items())), "list")
        first = [v[0] for v in kinds.values()]
        raise _Reject(Msg("bnd.not_polygons", summary=summary, features=_list(first, label)))

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
        raise _Reject(Msg("bnd.not_in_guangdong", where=_where(tb), crs=_crs_label(gdf.crs), hint=_swap_hint(tb)))
    if not near.all():
        far = keep[~near]
        notes.append(Msg("bnd.dropped_far", n=len(far), features=_list(far, label, _MAX_LISTED)))
    keep, geoms = keep[near], geoms[near]

    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        attrs_all = gdf.drop(columns=gdf.geometry.name)
        _check_crossings(geoms[invalid], keep[invalid], label)
        _check_zero_area(geoms[invalid], keep[invalid], attrs_all, policy, label)
        repaired = [_polygonal(_repair(g)) for g in geoms[invalid]]
        _check_repairs(geoms[invalid], repaired, keep[invalid], attrs_all, policy, label)
        geoms = geoms.copy()
        geoms[invalid] = repaired
        notes.append(Msg("bnd.repaired", n=int(invalid.sum()), tolerance=BND_REPAIR_AREA_TOLERANCE,
                         features=_list(keep[invalid], label)))
        collapsed = np.array([g is None or g.is_empty for g in geoms], dtype=bool)
        if collapsed.any():
            notes.append(Msg("bnd.dropped_collapsed", n=int(collapsed.sum()), features=_list(keep[collapsed], label)))
            keep, geoms = keep[~collapsed], geoms[~collapsed]
    if len(keep) == 0:
        raise _Reject(Msg("bnd.nothing_left"))

    attrs = gdf.drop(columns=gdf.geometry.name).iloc[keep].reset_index(drop=True)
    out.cities, out.level = _match(attrs, list(geoms), keep, policy, label, notes, problems)


def _check_vertices(geoms, keep, label, per_feature: int, total: int) -> None:
    counts = shapely.get_num_coordinates(geoms)
    over = np.flatnonzero(counts > per_feature)
    if over.size:
        raise _Reject(Msg("bnd.vertices_feature", n=over.size, max=per_feature, features=_list(keep[over[:3]], label),
                          count=int(counts[over[0]])))
    if int(counts.sum()) > total:
        raise _Reject(Msg("bnd.vertices_total", n=int(counts.sum()), max=total))


def _check_finite(geoms, keep, label) -> None:
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    bad = np.unique(index[~np.isfinite(coords).all(axis=1)])
    if bad.size:
        raise _Reject(Msg("bnd.not_finite", n=bad.size, features=_list(keep[bad], label, _MAX_LISTED)))


def _repair(geom):
    """A valid version of `geom` that covers what was drawn. The "structure" method
    unions the areas its rings enclose: its cost grows with the crossings (bounded
    by `_check_crossings`), where GEOS' default "linework" method took minutes on a
    star of a few hundred vertices."""
    return shapely.make_valid(geom, method="structure", keep_collapsed=False)


def _crossings(geom, limit: int) -> int:
    """How many pairs of edges of `geom`'s rings meet other than at the vertex they
    share, counted up to just over `limit`: the work stops there, so a ring that
    crosses itself millions of times costs no more than one that crosses `limit`."""
    rings = shapely.get_rings(shapely.remove_repeated_points(geom))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    starts = np.flatnonzero(ring[1:] == ring[:-1])  # one edge from each vertex but a ring's last
    if starts.size < 2:
        return 0
    edges = shapely.linestrings(np.stack([coords[starts], coords[starts + 1]], axis=1))
    edge_ring = ring[starts]
    first = np.r_[0, np.flatnonzero(np.diff(edge_ring)) + 1]
    last = np.r_[first[1:] - 1, len(edges) - 1]
    own = np.searchsorted(first, np.arange(len(edges)), "right") - 1
    ring_first, ring_last = first[own], last[own]  # each edge's ring's first and last edge
    tree = shapely.STRtree(edges)
    # Queried from one edge at a time, twice as many while few pairs meet, so a star's
    # billions of pairs are never all looked at: the count stops at the first batch over `limit`.
    found, lo, step = 0, 0, 1
    while lo < len(edges) and found <= limit:
        a, b = tree.query(edges[lo:lo + step], predicate="intersects")
        a = a + lo
        later = a < b
        neighbours = (edge_ring[a] == edge_ring[b]) & ((b - a == 1) | ((a == ring_first[a]) & (b == ring_last[a])))
        found += int((later & ~neighbours).sum())
        lo += step
        if a.size < 100_000:
            step = min(2 * step, 4096)
    return found


def _check_crossings(geoms, rows, label) -> None:
    """Refuse outlines that cross themselves more than BND_MAX_CROSSINGS times in all
    before repairing anything: no boundary drawn by hand or exported from a GIS
    tangles so, and the repair's cost grows with every crossing."""
    left, counts = BND_MAX_CROSSINGS, []
    for g, row in zip(geoms, rows):
        n = _crossings(g, left)
        counts.append((n, int(row)))
        left -= n
        if left < 0:
            worst = sorted(counts, reverse=True)
            raise _Reject(Msg("bnd.crossings", max=BND_MAX_CROSSINGS, count=worst[0][0],
                              features=_list([r for n, r in worst if n], label, _MAX_LISTED)))


# A ring whose signed area is below this fraction of its bounding box's encloses
# nothing as drawn: its parts cancel out (a symmetric figure-eight) or it folds
# back on itself along a line.
_ZERO_AREA = 1e-9


def _check_zero_area(geoms, rows, attrs, policy, label) -> None:
    """Refuse a ring that encloses no area as drawn but would enclose some once
    repaired: the 1 % rule cannot weigh a change from nothing, and the repair would
    invent the shape. (A ring that stays empty, a line folded back, is dropped with
    the other collapsed parts.)"""
    rings, owner = shapely.get_rings(geoms, return_index=True)
    polys = shapely.polygons(rings)
    b = shapely.bounds(rings)
    box = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    # GEOS' area of a ring is the absolute shoelace sum: parts that wind the other way subtract.
    flat = np.flatnonzero((box > 0) & (shapely.area(polys) <= _ZERO_AREA * box))
    bad: dict[int, float] = {}
    for i in flat:
        after = float(shapely.area(_repair(polys[i])))
        if after > _ZERO_AREA * box[i]:
            bad.setdefault(int(rows[owner[i]]), after)
    if bad:
        items = list(bad.items())
        parts = [_zero_part(row, after, attrs, policy, label) for row, after in items[:_MAX_LISTED]]
        if len(items) > _MAX_LISTED:
            parts.append(Msg("bnd.and_more", n=len(items) - _MAX_LISTED))
        raise _Reject(Msg("bnd.zero_area", n=len(items), parts=Seq(tuple(parts))))


def _zero_part(row, after, attrs, policy, label) -> Msg:
    city = _city_of(attrs.iloc[row].tolist(), policy)
    if city:
        return Msg("bnd.zero_city", city=_city_label(city), feature=label(row), after=after)
    return Msg("bnd.zero_feature", feature=label(row), after=after)


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
    parts: list[Msg] = []
    for row, a0, a1 in bad[:_MAX_LISTED]:
        city = _city_of(attrs.iloc[int(row)].tolist(), policy)
        area = {"feature": label(int(row)), "before": a0, "after": a1, "change": (a1 - a0) / a0}
        parts.append(Msg("bnd.repair_city", city=_city_label(city), **area) if city else Msg("bnd.repair_feature", **area))
    if len(bad) > _MAX_LISTED:
        parts.append(Msg("bnd.and_more", n=len(bad) - _MAX_LISTED))
    raise _Reject(Msg("bnd.repair_refused", n=len(bad), tolerance=BND_REPAIR_AREA_TOLERANCE, parts=Seq(tuple(parts))))


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
        raise _Reject(Msg("bnd.some_not_finite"))
    tb = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    lonlat = -180 <= tb[0] and tb[2] <= 180 and -90 <= tb[1] and tb[3] <= 90
    gx0, gy0, gx1, gy1 = GUANGDONG_BOUNDS
    looks_gd = lonlat and tb[2] >= gx0 and tb[0] <= gx1 and tb[3] >= gy0 and tb[1] <= gy1
    if (crs is None or CRS.from_user_input(crs).is_geographic) and _swapped(tb):
        raise _Reject(Msg("bnd.swapped", span=_span(tb)))

    if crs is None:
        if looks_gd:
            notes.append(Msg("bnd.assumed_4326"))
            return geoms
        guess = Msg("bnd.guess_lonlat" if lonlat else "bnd.guess_projected")
        raise _Reject(Msg("bnd.no_crs", span=_span(tb), guess=guess))

    crs = CRS.from_user_input(crs)
    if crs.is_geographic and not lonlat:
        claim = _crs_label(crs)
        if geojson_crs_declared is False:
            claim = Msg("bnd.claim_geojson", crs=claim)
        raise _Reject(Msg("bnd.claims_degrees", span=_span(tb), claim=claim))
    if crs.equals("EPSG:4326", ignore_axis_order=True):
        return geoms

    try:
        series = gpd.GeoSeries(geoms, crs=crs).to_crs("EPSG:4326")
    except Exception as exc:
        raise _Reject(Msg("bnd.reproject_failed", crs=_crs_label(crs), detail=_clip(str(exc), 120))) from None
    out = np.asarray(series.values, dtype=object)
    ob = shapely.bounds(out)
    if not np.isfinite(ob).all():
        hint = Msg("bnd.hint_lonlat") if looks_gd and not crs.is_geographic else ""
        raise _Reject(Msg("bnd.outside_crs", span=_span(tb), crs=_crs_label(crs), hint=hint))
    otb = (ob[:, 0].min(), ob[:, 1].min(), ob[:, 2].max(), ob[:, 3].max())
    in_gd = otb[2] >= gx0 and otb[0] <= gx1 and otb[3] >= gy0 and otb[1] <= gy1
    if not in_gd and looks_gd and not crs.is_geographic:
        raise _Reject(Msg("bnd.lonlat_claims_projected", span=_span(tb), crs=_crs_label(crs), where=_where(otb)))
    notes.append(Msg("bnd.reprojected", crs=_crs_label(crs)))
    return out


