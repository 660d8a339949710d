"""Geometry for the static maps, projected and prepared once per boundary set.

Everything is projected to `geo.crs.GUANGDONG_CRS` (CGCS2000 Gauss–Krüger,
metres), so the scale bar is true and collision checks are in map units.
`StaticData.load()` caches the built-in boundaries; the app builds one per
user boundary upload with `StaticData.build(cities, context)`.

Also here: `rows_for(policy)`, the designation rows of a policy, cached by the
content of its designations (bounded, so exporting many policies in one
process does not keep them all alive).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import shapely
from matplotlib.path import Path as MplPath
from shapely.ops import polylabel

from policy.model import Policy

# Offshore parts of 汕尾 that make up 东沙群岛 (lon/lat box): 东沙岛 and its atoll, and
# 北卫滩 / 南卫滩 to the west of it (else drawn as unnamed islets beside the group).
DONGSHA_BOX = (115.8, 20.4, 117.2, 21.3)
SMALL_ISLAND_M2 = 60e6  # parts smaller than this get a light outline, not the coast line
# The enlargement shows the cities around the Pearl River Estuary whole (it names only
# cities it shows whole): 广州, 深圳, 珠海, 佛山, 东莞, 中山, with 香港 and 澳门.
INSET_CITIES = ("440100", "440300", "440400", "440600", "441900", "442000")
PRD_CITIES = INSET_CITIES[1:]  # the five small ones, crowded on the main map
INSET_PAD = 0.03  # the enlargement's margin around them, a share of their extent


def geom_path(geom) -> MplPath:
    """One compound matplotlib path for a (multi)polygon, holes included."""
    geom = shapely.orient_polygons(geom)
    verts, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            c[0] = MplPath.MOVETO
            c[-1] = MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return MplPath(np.zeros((1, 2)), [MplPath.MOVETO])
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _without_islets(geom):
    parts = [p for p in shapely.get_parts(geom) if p.area >= SMALL_ISLAND_M2]
    return shapely.MultiPolygon(parts) if parts else geom


def _union(geoms):
    """The union of polygons that should form a coverage (cities): GEOS' coverage union
    when they do (linear in the vertices; the general union took seconds on a file
    with thousands of holes), the general union when they do not."""
    try:
        if shapely.coverage_is_valid(geoms):
            return shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        pass
    return shapely.union_all(geoms)


def _shells(geom):
    """`geom` with its holes filled."""
    parts = shapely.get_parts(geom)
    return shapely.union_all(shapely.polygons(shapely.get_exterior_ring(parts)))


def _inset_box(cities, context) -> tuple[float, float, float, float]:
    """The enlargement's extent: the inset cities and the two SARs whole, with a margin."""
    parts = [g for a, g in zip(cities["adcode"], cities.geometry) if a in INSET_CITIES]
    parts += [g for k, g in zip(context["kind"], context.geometry) if k == "sar"]
    x0, y0, x1, y1 = shapely.union_all(parts).bounds if parts else cities.total_bounds
    dx, dy = INSET_PAD * (x1 - x0), INSET_PAD * (y1 - y0)
    return (x0 - dx, y0 - dy, x1 + dx, y1 + dy)


def _lonlat_box(box, crs):
    import geopandas as gpd

    return gpd.GeoSeries([shapely.box(*box)], crs="EPSG:4326").to_crs(crs).iloc[0]


@dataclass
class StaticData:
    """Boundaries projected to the Guangdong CRS, with everything drawing needs."""

    crs: str
    adcodes: list[str]
    city_geoms: dict[str, object]
    city_paths: dict[str, MplPath]
    city_area: dict[str, float]
    label_xy: dict[str, tuple[float, float]]
    zone_paths: dict[str, MplPath]  # filled zones
    zone_inset: dict[str, MplPath]  # closed outlines just inside each zone
    context: list[tuple[str, str, str, str, object, MplPath]]  # adcode, kind, zh, en, geometry, path
    coast_path: MplPath  # Guangdong's outline without its small islands
    islets_path: MplPath  # small islands, drawn lightly
    land: object  # Guangdong's land (shapely, projected), for collision checks
    all_land: object  # Guangdong and its surroundings
    dongsha: object | None  # 东沙群岛 (shapely, projected)
    prd_box: tuple[float, float, float, float]  # the enlargement's extent, projected
    bounds: tuple[float, float, float, float]  # Guangdong, projected
    city_tree: shapely.STRtree | None = field(default=None, repr=False)  # the cities in `adcodes` order
    # Where the boundaries come from, credited in the footer: a geo.boundaries.BoundarySource
    # of the user's file, or None for the bundled data set.
    source: object = None
    _anchors: dict = field(default_factory=dict, repr=False)

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _anchors_lock: ClassVar[threading.Lock] = threading.Lock()

    def __post_init__(self):
        # Built once, then only queried: an STRtree is immutable once built, so every
        # export in the process can share it (its geometries are never prepared).
        if self.city_tree is None:
            self.city_tree = shapely.STRtree([self.city_geoms[a] for a in self.adcodes])
    _cache: ClassVar[StaticData | None] = None

    @classmethod
    def load(cls, refresh: bool = False) -> StaticData:
        with cls._lock:
            if cls._cache is None or refresh:
                from geo.boundaries import load_cities, load_context
                from policy.model import load_policy

                cls._cache = cls.build(load_cities(), load_context(), load_policy())
            return cls._cache

    @classmethod
    def build(cls, cities, context, policy=None, source=None) -> StaticData:
        """`policy` gives zone membership (the policy model owns it, as for the
        interactive map); without one, the boundary file's `zone` column is used.
        `source`: a user's file (a geo.boundaries.BoundarySource), None for the bundled set."""
        import geopandas as gpd

        from geo.crs import GUANGDONG_CRS
        from geo.derive import dissolve, inset_outlines, label_point
        from views.style import ZONE_INSET_M

        crs = GUANGDONG_CRS
        if policy is not None:
            cities = cities.assign(zone=[policy.cities[a].zone for a in cities["adcode"]])
        labels_ll = {r.adcode: label_point(r.geometry) for r in cities.itertuples()}
        pc = cities.to_crs(crs)
        label_pts = gpd.GeoSeries(shapely.points([labels_ll[a] for a in pc["adcode"]]),
                                  crs="EPSG:4326").to_crs(crs)
        zones = dissolve(pc, "zone")
        inset = inset_outlines(zones, ZONE_INSET_M, crs)
        land = _union(pc.geometry.values)
        parts = shapely.get_parts(land)
        big = [p for p in parts if p.area >= SMALL_ISLAND_M2]
        small = [p for p in parts if p.area < SMALL_ISLAND_M2]
        ds_box = _lonlat_box(DONGSHA_BOX, crs)
        dongsha = [p for p in parts if p.intersects(ds_box)]
        ctx = context.to_crs(crs)
        context_items = []
        for r in ctx.itertuples():
            if r.kind == "guangdong" or r.geometry is None or r.geometry.is_empty:
                continue
            context_items.append((r.adcode, r.kind, r.name_zh, r.name_en, r.geometry, geom_path(r.geometry)))
        prd = _inset_box(pc, ctx)
        return cls(
            crs=crs,
            adcodes=list(pc["adcode"]),
            city_geoms={r.adcode: r.geometry for r in pc.itertuples()},
            city_paths={r.adcode: geom_path(r.geometry) for r in pc.itertuples()},
            city_area={r.adcode: float(r.geometry.area) for r in pc.itertuples()},
            label_xy={a: (p.x, p.y) for a, p in zip(pc["adcode"], label_pts)},
            zone_paths={r.zone: geom_path(r.geometry) for r in zones.itertuples()},
            # Islets keep their light coast line only: a heavy zone line would blot them out.
            zone_inset={z: geom_path(_without_islets(g)) for z, g in zip(zones["zone"], inset)},
            context=context_items,
            coast_path=geom_path(shapely.MultiPolygon(big)) if big else geom_path(land),
            islets_path=geom_path(shapely.MultiPolygon(small)) if small else MplPath(np.zeros((1, 2))),
            land=land,
            # Only ever asked "is this box over any land": Guangdong's holes can be filled,
            # which keeps this union cheap however many holes a user's file has.
            all_land=shapely.union_all([_shells(land)] + [c[4] for c in context_items]),
            dongsha=shapely.union_all(dongsha) if dongsha else None,
            prd_box=tuple(float(v) for v in prd),
            bounds=tuple(float(v) for v in pc.total_bounds),
            source=source,
        )

    def context_anchors(self, view: tuple[float, float, float, float]) -> dict:
        """adcode -> (kind, zh, en, anchor, visible area) for the neighbours seen in `view`.

        The anchor is the pole of inaccessibility of the visible part, so a label
        never lands outside the frame; cached per view box."""
        key = tuple(round(v) for v in view)
        with self._anchors_lock:
            if key in self._anchors:
                return self._anchors[key]
        x0, y0, x1, y1 = view
        inset = 0.04 * min(x1 - x0, y1 - y0)
        box = shapely.box(x0 + inset, y0 + inset, x1 - inset, y1 - inset)
        out = {}
        for adcode, kind, zh, en, geom, _ in self.context:
            g = shapely.intersection(geom, box)
            if g.is_empty:
                continue
            largest = max(getattr(g, "geoms", [g]), key=lambda p: p.area)
            if kind == "sar":
                p = largest.centroid
            else:
                p = polylabel(largest, tolerance=max(x1 - x0, y1 - y0) / 500)
            out[adcode] = (kind, zh, en, (p.x, p.y), float(g.area))
        with self._anchors_lock:
            return self._anchors.setdefault(key, out)


# ------------------------------------------------------------------ rows cache

_ROWS_MAX = 8
_rows: OrderedDict[str, object] = OrderedDict()
_rows_lock = threading.Lock()


def designations_digest(policy: Policy) -> str:
    """A digest of everything the designation rows are computed from (the frozen
    dataclasses' reprs list every field)."""
    h = hashlib.sha256()
    for c in policy.clusters.values():
        h.update(repr((c.id, c.tier, c.number, c.name_zh, c.name_en)).encode())
        for d in c.designations:
            h.update(repr(d).encode())
    for city in policy.cities.values():
        h.update(repr(city).encode())
    return h.hexdigest()


def rows_for(policy: Policy):
    """`policy.coverage.designation_rows(policy)`, cached by content (at most 8 kept)."""
    from policy.coverage import designation_rows

    key = designations_digest(policy)
    with _rows_lock:
        if key in _rows:
            _rows.move_to_end(key)
            return _rows[key]
    rows = designation_rows(policy)
    with _rows_lock:
        _rows[key] = rows
        while len(_rows) > _ROWS_MAX:
            _rows.popitem(last=False)
    return rows
