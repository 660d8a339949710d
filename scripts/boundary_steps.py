"""The geometry steps of the boundary build (scripts/build_boundaries.py): projection to and
from EPSG:4547, the coverage checks, coverage-preserving simplification, and the Hausdorff
deviation. The build's parameters (tolerances, decimals, steps) stay at the top of
build_boundaries.py and reach these functions as arguments.

Like build_boundaries.py, this module is loaded by file path: `python scripts/build_boundaries.py`
puts scripts/, not the repository, on sys.path.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pyproj
import shapely

REPO_ROOT = Path(__file__).resolve().parent.parent


class BuildError(RuntimeError):
    pass


def _load_geo_crs():
    """geo/crs.py, loaded from its file.

    The build needs only this one module of the project, and it imports nothing else from it,
    so it is loaded by path rather than by editing sys.path."""
    spec = importlib.util.spec_from_file_location("_build_geo_crs", REPO_ROOT / "geo" / "crs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_crs = _load_geo_crs()
GUANGDONG_CRS, WGS84, gcj02_to_wgs84 = _crs.GUANGDONG_CRS, _crs.WGS84, _crs.gcj02_to_wgs84

_TO_METRIC = pyproj.Transformer.from_crs(WGS84, GUANGDONG_CRS, always_xy=True)
_TO_WGS84 = pyproj.Transformer.from_crs(GUANGDONG_CRS, WGS84, always_xy=True)


def _project(xy: np.ndarray) -> np.ndarray:
    x, y = _TO_METRIC.transform(xy[:, 0], xy[:, 1], errcheck=True)
    return np.column_stack([x, y])


def _unproject_and_round(xy: np.ndarray, decimals: int) -> np.ndarray:
    lon, lat = _TO_WGS84.transform(xy[:, 0], xy[:, 1], errcheck=True)
    return np.round(np.column_stack([lon, lat]), decimals)


def to_metric(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, _project)


def to_wgs84_rounded(geoms: np.ndarray, decimals: int) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: _unproject_and_round(xy, decimals))


def check_coverage(geoms: np.ndarray, labels: list[str], what: str, gap_width: float = 0.0) -> None:
    """Raise BuildError unless ``geoms`` is a valid polygonal coverage."""
    bad = [name for name, g in zip(labels, geoms) if not g.is_valid or g.is_empty]
    if bad:
        raise BuildError(f"{what}: invalid or empty geometries for {bad}")
    if not shapely.coverage_is_valid(geoms, gap_width=gap_width):
        edges = shapely.coverage_invalid_edges(geoms, gap_width=gap_width)
        detail = [
            f"{name} ({shapely.get_num_geometries(e)} edges, length {e.length:.6g})"
            for name, e in zip(labels, edges)
            if not e.is_empty
        ]
        raise BuildError(
            f"{what}: not a valid polygonal coverage (overlaps, unmatched edges or gaps "
            f"narrower than {gap_width:g}); invalid edges in: {', '.join(detail)}"
        )


def union_holes(geoms: np.ndarray) -> list[shapely.Polygon]:
    union = shapely.coverage_union_all(geoms)
    return [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]


def _coverage_edges(polys: np.ndarray) -> np.ndarray:
    """The coverage's edge network: each shared border / free boundary once,
    merged into maximal lines between nodes."""
    noded = shapely.union_all(shapely.boundary(polys))
    return shapely.get_parts(shapely.line_merge(noded))


def simplify_coverage(
    polys: np.ndarray, tolerance: float, locked: np.ndarray | None = None
) -> np.ndarray:
    """Simplify a metric polygonal coverage, keeping it a coverage.

    The edge network is simplified in one call to GEOS' TopologyPreservingSimplifier
    (Douglas-Peucker that never lets an edge cross another or collapse a ring), so
    a border shared by two polygons is simplified once and stays identical on both
    sides, and every point moves by at most ``tolerance``.  Line endpoints (the
    nodes where three or more polygons meet) are kept.  Boundaries of the polygons
    flagged in ``locked`` are split into single segments, which fixes them exactly.
    Polygons are rebuilt with polygonize; each face goes to the input polygon it
    overlaps most (faces mostly outside every input are holes in the coverage).
    """
    edges = _coverage_edges(polys)
    if locked is not None and locked.any():
        fixed = shapely.covered_by(edges, shapely.union_all(shapely.boundary(polys[locked])))
        pieces = [edges[~fixed]]
        for edge in edges[fixed]:
            xy = shapely.get_coordinates(edge)
            pieces.append(shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1)))
        edges = np.concatenate(pieces)
    simplified = shapely.simplify(shapely.multilinestrings(edges), tolerance, preserve_topology=True)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(simplified)))

    tree = shapely.STRtree(polys)
    face_idx, poly_idx = tree.query(faces, predicate="intersects")
    overlap = shapely.area(shapely.intersection(faces[face_idx], polys[poly_idx]))
    owner = np.full(len(faces), -1)
    best = np.zeros(len(faces))
    for f, p, a in zip(face_idx, poly_idx, overlap):
        if a > best[f]:
            best[f], owner[f] = a, p
    owner[best < 0.5 * shapely.area(faces)] = -1

    out = np.empty(len(polys), dtype=object)
    for i in range(len(polys)):
        parts = faces[owner == i]
        if len(parts) != shapely.get_num_geometries(polys[i]):
            raise BuildError(
                f"simplification changed the number of parts of polygon #{i}: "
                f"{shapely.get_num_geometries(polys[i])} -> {len(parts)}"
            )
        out[i] = shapely.coverage_union_all(parts)
    return out


def finish(geoms: np.ndarray) -> np.ndarray:
    """Canonical MultiPolygons with counter-clockwise exterior rings (RFC 7946)."""
    out = shapely.orient_polygons(shapely.normalize(geoms), exterior_cw=False)
    return np.array(
        [g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in out],
        dtype=object,
    )


def drop_small_islands(
    geom: shapely.Geometry, min_area: float, keep_near: shapely.Geometry
) -> shapely.Geometry:
    parts = shapely.get_parts(geom)
    keep = (shapely.area(parts) >= min_area) | shapely.intersects(parts, keep_near)
    return shapely.MultiPolygon(list(parts[keep]))


def _segments(geom: shapely.Geometry) -> np.ndarray:
    rings = shapely.get_rings(shapely.get_parts(geom))
    xy = [shapely.get_coordinates(r) for r in rings]
    return shapely.linestrings(np.concatenate([np.stack([c[:-1], c[1:]], axis=1) for c in xy]))


def hausdorff_m(a: shapely.Geometry, b: shapely.Geometry, step: float) -> float:
    """Hausdorff distance between the boundaries of two metric geometries.

    Both boundaries are densified to ``step`` and every sample is measured
    exactly against the other boundary's segments, so the result is accurate
    to well under ``step`` (unlike a vertex-only discrete Hausdorff)."""

    def directed(src: shapely.Geometry, dst: shapely.Geometry) -> float:
        pts = shapely.points(shapely.get_coordinates(shapely.segmentize(shapely.boundary(src), step)))
        segs = _segments(dst)
        _, dist = shapely.STRtree(segs).query_nearest(pts, return_distance=True, all_matches=False)
        return float(dist.max())

    return max(directed(a, b), directed(b, a))
