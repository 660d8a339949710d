"""What lies under any box of a map frame, in constant time: a raster of the frame.

Label placement asks thousands of questions of the form "how much of this box is
over its own city, over another city, over a neighbouring province, over the
sea?". Intersecting shapely boxes with the city polygons answers each in tens of
microseconds; a raster of the frame (one cell about a point and a half of print)
with one summed-area table per class answers them with four array lookups, for
all candidates at once.

Classes: 0..n-1 the cities in `StaticData.adcodes` order, `CONTEXT` neighbouring
land (provinces, Hong Kong, Macao), `SEA` the rest. The raster is drawn with PIL
city by city (holes included), so it needs no prepared GEOS geometry and can be
built in any thread; it is cached per data set and frame.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import shapely
from PIL import Image, ImageDraw

MAX_CELLS = 420  # along the longer side of the frame
_cache: OrderedDict[tuple, Ground] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_MAX = 6


class Ground:
    def __init__(self, data, extent: tuple[float, float, float, float], cell: float):
        x0, y0, x1, y1 = extent
        self.x0, self.y0, self.cell = x0, y0, cell
        self.nx = max(1, int(np.ceil((x1 - x0) / cell)))
        self.ny = max(1, int(np.ceil((y1 - y0) / cell)))
        n = len(data.adcodes)
        self.CONTEXT, self.SEA = n, n + 1
        lab = np.full((self.ny, self.nx), self.SEA, dtype=np.int16)
        for _, _, _, _, geom, _ in data.context:
            self._paint(lab, geom, self.CONTEXT)
        for i, a in enumerate(data.adcodes):
            self._paint(lab, data.city_geoms[a], i)
        self.labels = lab
        self._sats: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()
        self.land_sat = self._table(lab < n)

    @staticmethod
    def _table(mask: np.ndarray) -> np.ndarray:
        """Summed-area table: t[r, c] = cells of `mask` in rows < r and columns < c."""
        t = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), dtype=np.int32)
        t[1:, 1:] = mask
        return t.cumsum(axis=0).cumsum(axis=1)

    def sat(self, k: int) -> np.ndarray:
        """The summed-area table of class `k`, made on first use (shared by threads)."""
        with self._lock:
            if k not in self._sats:
                self._sats[k] = self._table(self.labels == k)
            return self._sats[k]

    def _paint(self, lab: np.ndarray, geom, value: int) -> None:
        """Cells whose centre lies in `geom` (holes excluded) take `value`."""
        for poly in shapely.get_parts(geom):
            bx0, by0, bx1, by1 = poly.bounds
            c0 = max(0, int(np.floor((bx0 - self.x0) / self.cell)))
            r0 = max(0, int(np.floor((by0 - self.y0) / self.cell)))
            c1 = min(self.nx, int(np.ceil((bx1 - self.x0) / self.cell)) + 1)
            r1 = min(self.ny, int(np.ceil((by1 - self.y0) / self.cell)) + 1)
            if c1 <= c0 or r1 <= r0:
                continue
            img = Image.new("L", (c1 - c0, r1 - r0), 0)
            draw = ImageDraw.Draw(img)

            def px(ring, c0=c0, r0=r0):
                xy = np.asarray(ring.coords)
                # Cell centres: PIL fills pixel (i, j) when its centre (i + 0.5, j + 0.5) is inside.
                return list(zip((xy[:, 0] - self.x0) / self.cell - c0 - 0.5,
                                (xy[:, 1] - self.y0) / self.cell - r0 - 0.5))

            draw.polygon(px(poly.exterior), fill=1)
            for hole in poly.interiors:
                draw.polygon(px(hole), fill=0)
            mask = np.asarray(img, dtype=bool)
            if mask.any():
                lab[r0:r1, c0:c1][mask] = value

    # --- counting -----------------------------------------------------------------------
    def _index(self, boxes: np.ndarray):
        b = np.atleast_2d(np.asarray(boxes, dtype=float))
        c0 = np.clip(np.floor((b[:, 0] - self.x0) / self.cell + 0.5), 0, self.nx).astype(int)
        c1 = np.clip(np.floor((b[:, 2] - self.x0) / self.cell + 0.5), 0, self.nx).astype(int)
        r0 = np.clip(np.floor((b[:, 1] - self.y0) / self.cell + 0.5), 0, self.ny).astype(int)
        r1 = np.clip(np.floor((b[:, 3] - self.y0) / self.cell + 0.5), 0, self.ny).astype(int)
        c1 = np.maximum(c1, c0)
        r1 = np.maximum(r1, r0)
        return r0, r1, c0, c1

    @staticmethod
    def _sum(sat, r0, r1, c0, c1):
        return sat[..., r1, c1] - sat[..., r0, c1] - sat[..., r1, c0] + sat[..., r0, c0]

    def shares(self, boxes: np.ndarray, own: int | None) -> dict[str, np.ndarray]:
        """For each box (x0, y0, x1, y1): the shares of its cells over its own city
        (`own`, an index; None: no city), other cities, neighbouring land and sea."""
        r0, r1, c0, c1 = self._index(boxes)
        total = np.maximum((r1 - r0) * (c1 - c0), 1)
        land = self._sum(self.land_sat, r0, r1, c0, c1)
        mine = self._sum(self.sat(own), r0, r1, c0, c1) if own is not None else np.zeros_like(land)
        ctx = self._sum(self.sat(self.CONTEXT), r0, r1, c0, c1)
        return {"own": mine / total, "other": (land - mine) / total, "context": ctx / total,
                "sea": (total - land - ctx) / total}

    def cities_in(self, box) -> set[int]:
        """The city indices with a cell in `box`."""
        r0, r1, c0, c1 = (int(v[0]) for v in self._index(np.asarray([box])))
        sub = self.labels[r0:r1, c0:c1]
        return {int(v) for v in np.unique(sub) if v < self.CONTEXT}


def ground_for(data, extent, m_per_pt: float) -> Ground:
    """The raster of `extent` for `data` (cached: export-all draws 22 maps on the same frames)."""
    span = max(extent[2] - extent[0], extent[3] - extent[1])
    cell = max(1.5 * m_per_pt, span / MAX_CELLS)
    # Keyed by the geometry itself: a render that moves label points shares the raster.
    key = (id(data.city_geoms), tuple(round(v) for v in extent), round(cell, 1))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit._geoms is data.city_geoms:
            _cache.move_to_end(key)
            return hit
    g = Ground(data, extent, cell)
    g._geoms = data.city_geoms
    with _cache_lock:
        _cache[key] = g
        while len(_cache) > _CACHE_MAX:
            _cache.popitem(last=False)
    return g
