"""Geometry derived from the city coverage: zone outlines, label points, GeoJSON for the web."""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry import mapping
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


def _round(coords, ndigits: int):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], ndigits), round(coords[1], ndigits)]
    return [_round(c, ndigits) for c in coords]


def web_geometry(geom, ndigits: int = 4) -> dict:
    """GeoJSON geometry rounded for the browser. Shared borders stay identical
    because identical vertices round identically; 4 decimals is about 11 m."""
    g = mapping(geom)
    return {"type": g["type"], "coordinates": _round(g["coordinates"], ndigits)}
