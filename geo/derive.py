"""Geometry derived from the city coverage: zone outlines, label points, compact web encoding."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.ops import polylabel


def dissolve(cities: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    """Union cities by a column (e.g. zone). The cities form a coverage, so
    shapely's coverage union is exact and fast."""
    parts = []
    for key, group in cities.groupby(by, sort=False):
        try:
            geom = shapely.coverage_union_all(group.geometry.values)
        except shapely.errors.GEOSException:
            # Not a clean coverage (e.g. boundaries from elsewhere): the general union still works.
            geom = shapely.union_all(group.geometry.values)
        parts.append({by: key, "geometry": geom})
    return gpd.GeoDataFrame(parts, geometry="geometry", crs=cities.crs)


def label_point(geom) -> tuple[float, float]:
    """(lon, lat) inside the largest part, far from its edges (pole of inaccessibility)."""
    largest = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    p = polylabel(largest, tolerance=0.005)
    return (p.x, p.y)


def encode_geometry(geom, digits: int = 4) -> list:
    """A (Multi)Polygon as [[ring, ...], ...] with each ring a flat list of integer
    deltas [x0, y0, dx1, dy1, ...] in units of 10**-digits degrees.

    About a third of the size of GeoJSON text for the same vertices, decoded by
    `gdDecode` in the page. Shared borders stay identical because identical
    vertices quantize identically; 4 digits is about 11 m."""
    scale = 10**digits
    polys = []
    for poly in getattr(geom, "geoms", [geom]):
        rings = []
        for ring in (poly.exterior, *poly.interiors):
            q = np.rint(np.asarray(ring.coords)[:, :2] * scale).astype(np.int64)
            deltas = np.vstack([q[:1], np.diff(q, axis=0)])
            rings.append(deltas.ravel().tolist())
        polys.append(rings)
    return polys


def decode_geometry(polys: list, digits: int = 4) -> dict:
    """Inverse of encode_geometry, as a GeoJSON MultiPolygon (for tests and tools)."""
    scale = 10**digits
    out = []
    for rings in polys:
        dec = []
        for r in rings:
            xy = np.cumsum(np.asarray(r, dtype=np.int64).reshape(-1, 2), axis=0) / scale
            dec.append(xy.tolist())
        out.append(dec)
    return {"type": "MultiPolygon", "coordinates": out}


MIN_OUTLINED_M2 = 30e6  # islands (and holes) under 30 km² get no zone outline of their own


def without_small_holes(part, min_area: float):
    """`part` (a Polygon) without the holes smaller than `min_area`."""
    holes = [h for h in part.interiors if shapely.area(shapely.Polygon(h)) >= min_area]
    return part if len(holes) == len(part.interiors) else shapely.Polygon(part.exterior, holes)


def inset_outlines(zones: gpd.GeoDataFrame, metres: float, crs: str | None = None) -> gpd.GeoSeries:
    """Each zone's outline moved `metres` inside it, as closed polygons.

    Zones that share a border would otherwise draw their outlines on the same line,
    where dashes of two styles mix and neither zone reads as closed; inset, each
    zone's outline runs just inside its own edge. Buffered in a metric CRS
    (`crs`, default the Guangdong CRS) and returned in the zones' CRS. A part
    thinner than twice `metres` keeps its own outline instead of vanishing.
    Small holes are closed first: inset, each would grow into a ring `metres`
    wide around a hole that the map cannot show, and ten thousand of them made
    this buffer take half a minute and gigabytes."""
    from geo.crs import GUANGDONG_CRS

    metric = zones.geometry.to_crs(crs or GUANGDONG_CRS)
    out = []
    for geom in metric:
        parts = []
        for part in getattr(geom, "geoms", [geom]):
            if part.area < MIN_OUTLINED_M2:
                continue  # a heavy outline turns a small island into a dark blob
            part = without_small_holes(part, MIN_OUTLINED_M2)
            shrunk = part.buffer(-metres, join_style="mitre", mitre_limit=3.0)
            parts.append(shrunk if not shrunk.is_empty and shrunk.area > 0.2 * part.area else part)
        out.append(shapely.union_all(parts) if parts else geom)
    return gpd.GeoSeries(out, index=zones.index, crs=metric.crs).to_crs(zones.crs)
