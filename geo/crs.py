"""Coordinate reference systems used by the map.

The boundary files in ``data/boundaries/`` are in WGS-84 (EPSG:4326).  Basemap
tiles from 高德 (Amap) are drawn in GCJ-02, the obfuscated datum mandated for
published maps of mainland China, which is offset from WGS-84 by a few hundred
metres in Guangdong.  Vector layers laid over such tiles must be shifted to
GCJ-02 first; the helpers below do that with the ``prcoords`` library (no
hand-written GCJ formulas here).

``GUANGDONG_CRS`` is the metric projection used to simplify the boundaries and
to measure their deviation; use it for static rendering and for distances or
areas in the province.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import prcoords
import shapely

__all__ = [
    "GUANGDONG_CRS",
    "WGS84",
    "gcj02_to_wgs84",
    "gdf_gcj02_to_wgs84",
    "gdf_wgs84_to_gcj02",
    "wgs84_to_gcj02",
]

#: CGCS2000 / 3-degree Gauss-Kruger CM 114E (false easting 500 km, metres).
#: Guangdong spans roughly 109.6-117.3E, so no point is more than ~4.4 degrees
#: from the central meridian (scale error below 0.3 %).
GUANGDONG_CRS = "EPSG:4547"

#: Geographic WGS-84, the CRS of every file in data/boundaries/.
WGS84 = "EPSG:4326"


def _pointwise(fn: Callable) -> Callable[[np.ndarray], np.ndarray]:
    """Wrap a prcoords ``(lat, lon) -> (lat, lon)`` function for shapely.transform.

    shapely hands over all vertices as one ``(N, 2)`` array of ``(x=lon, y=lat)``.
    prcoords works on scalars, so each distinct vertex is converted once and the
    result is scattered back; vertices shared by neighbouring polygons therefore
    stay bit-for-bit identical.
    """

    def transform(xy: np.ndarray) -> np.ndarray:
        if len(xy) == 0:
            return xy
        unique, inverse = np.unique(xy, axis=0, return_inverse=True)
        out = np.empty_like(unique)
        for i, (lon, lat) in enumerate(unique.tolist()):
            new_lat, new_lon = fn((lat, lon))
            out[i, 0] = new_lon
            out[i, 1] = new_lat
        return out[inverse.reshape(-1)]

    return transform


_TO_GCJ = _pointwise(prcoords.wgs_gcj)
# gcj_wgs_bored is prcoords' iterative ("precise") inverse, sub-millimetre.
_TO_WGS = _pointwise(prcoords.gcj_wgs_bored)


def wgs84_to_gcj02(geom):
    """Shift a shapely geometry (or array of geometries) from WGS-84 to GCJ-02.

    Coordinates are ``(lon, lat)``.  Points outside prcoords' rough China box
    are returned unchanged (prcoords warns about them).
    """
    return shapely.transform(geom, _TO_GCJ)


def gcj02_to_wgs84(geom):
    """Shift a shapely geometry (or array of geometries) from GCJ-02 to WGS-84.

    Uses prcoords' iterative inverse, so ``gcj02_to_wgs84(wgs84_to_gcj02(g))``
    reproduces ``g`` to well under a metre.
    """
    return shapely.transform(geom, _TO_WGS)


def _check_geographic(gdf) -> None:
    if gdf.crs is None:
        raise ValueError("GeoDataFrame has no CRS; expected EPSG:4326 (lon/lat)")
    if gdf.crs.to_epsg() != 4326:
        raise ValueError(f"expected a GeoDataFrame in EPSG:4326, got {gdf.crs}")


def _replace_geometry(gdf, fn):
    import geopandas as gpd

    _check_geographic(gdf)
    geoms = fn(np.asarray(gdf.geometry.values))
    name = gdf.geometry.name
    out = gdf.copy()
    out[name] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return out


def gdf_wgs84_to_gcj02(gdf):
    """Return a copy of an EPSG:4326 GeoDataFrame shifted onto GCJ-02.

    GCJ-02 has no EPSG code, so the result keeps the EPSG:4326 label: it is
    meant only for drawing over GCJ-02 (高德) tiles, never for analysis.
    """
    return _replace_geometry(gdf, wgs84_to_gcj02)


def gdf_gcj02_to_wgs84(gdf):
    """Inverse of :func:`gdf_wgs84_to_gcj02`."""
    return _replace_geometry(gdf, gcj02_to_wgs84)
