"""Hostile and heavy boundary files, for the tests and the benchmarks.

Each is built from the bundled city boundaries, so it is a valid file of the 21
cities (unless it is meant not to be) that stays within the upload caps:

    holes_geojson(10_000)   # 广州 with 10,000 small square holes (valid, ~2 MB)
    dense_geojson(200_000)  # every border densified to ~200,000 vertices in all (valid)
    dense_shapefile_zip(1_600_000)  # the same as a zipped Shapefile (~19 MB: the densest within 20 MB)
    star(301)               # one ring that crosses itself n(n-3)/2 times (invalid)
"""

from __future__ import annotations

import json

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon


def _cities():
    from geo.boundaries import load_cities

    return load_cities().reset_index(drop=True)


def holes_geojson(n: int, adcode: str = "440100", side: float = 0.0004) -> bytes:
    """The 21 cities, the largest part of `adcode` pierced by `n` square holes `side`
    degrees wide (about 40 m), on a grid well inside it."""
    cities = _cities()
    i = int(np.flatnonzero(cities["adcode"] == adcode)[0])
    parts = list(getattr(cities.geometry[i], "geoms", [cities.geometry[i]]))
    k = max(range(len(parts)), key=lambda j: parts[j].area)
    poly = parts[k]
    x0, y0, x1, y1 = poly.bounds
    step = int(np.ceil(np.sqrt(4 * n)))
    xs, ys = np.meshgrid(np.linspace(x0, x1, step)[1:-1], np.linspace(y0, y1, step)[1:-1])
    points = shapely.points(xs.ravel(), ys.ravel())
    points = points[shapely.contains(poly.buffer(-0.01), points)][:n]
    if len(points) < n:
        raise ValueError(f"only {len(points)} holes fit")
    h = side / 2
    holes = [[(p.x - h, p.y - h), (p.x + h, p.y - h), (p.x + h, p.y + h), (p.x - h, p.y + h), (p.x - h, p.y - h)]
             for p in points]
    parts[k] = Polygon(poly.exterior.coords, holes)
    cities.loc[i, "geometry"] = MultiPolygon(parts)
    return cities.to_json().encode()


def dense_geojson(vertices: int) -> bytes:
    """The 21 cities with every edge split so that they have about `vertices` in all
    (shared borders split alike on both sides)."""
    cities = _cities()
    length = float(shapely.length(cities.geometry.values).sum())
    return cities.assign(geometry=shapely.segmentize(cities.geometry.values, length / vertices)).to_json().encode()


def dense_shapefile_zip(vertices: int) -> bytes:
    """`dense_geojson`'s cities as a zipped Shapefile (binary: more vertices fit the upload cap)."""
    import io
    import tempfile
    import warnings
    import zipfile
    from pathlib import Path

    import geopandas as gpd

    cities = gpd.read_file(io.BytesIO(dense_geojson(vertices)))[["adcode", "geometry"]]
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # column names shortened for the .dbf
            cities.to_file(Path(tmp) / "cities.shp", encoding="utf-8")
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(Path(tmp).iterdir()):
                zf.write(f, f.name)
    return buf.getvalue()


def star(n: int, x0: float = 113.4, y0: float = 23.2, r: float = 0.15) -> Polygon:
    """One ring through n points of a circle, each joined to the one nearly opposite:
    every edge crosses almost every other, n(n-3)/2 crossings in all."""
    idx = (np.arange(n + 1) * ((n - 1) // 2)) % n
    a = 2 * np.pi * idx / n
    return Polygon(np.c_[x0 + r * np.cos(a), y0 + r * np.sin(a)])


def star_geojson(n: int, adcode: str = "440100") -> bytes:
    """A file of one feature: a star of `n` vertices (a few KB for a few hundred)."""
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adcode": adcode}, "geometry": shapely.geometry.mapping(star(n))}]}
    return json.dumps(doc).encode()
