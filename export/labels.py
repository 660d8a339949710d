"""City labels with their cluster glyphs, and the names of places around them.

Placement is done in map units (metres of the Guangdong CRS), so the boxes
are the same whatever the output format or resolution. A city's label unit is
its name, its count (coverage map) and its glyph block under the name; all the
units of a map are placed together by export/placement.py under hard rules (a
name on its own city or led to it by a line that starts in it, never over the
sea while its city has room, never over another city; a glyph block off other
cities and provinces; no two boxes overlapping; no leader across another leader
or another unit). Positions are tried in a fixed order: the result is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

import matplotlib.patheffects as pe
import numpy as np
import shapely

from export import fonts
from export.ground import ground_for
from export.marks import draw_glyph
from export.placement import CROWDED, MAIN, Placement, Spot, Unit, leader_segments
from export.text import wrap
from views.i18n import LABELS, t
from views.scene import Glyph, Scene, glyph_columns

LABEL_COLOR = "#1f1f1f"
CONTEXT_LABEL = "#7d7d74"
SAR_LABEL = "#4a4a44"
SEA_LABEL = "#5f7f99"
HALO = "white"
# What `taken` holds as the enlargement's extent marked on a map: a city's label may lie
# over its own land there (export/placement.py), nothing else.
MARKS = ("inset", "delta")
_DIRS = [(0, -1), (1, 0), (-1, 0), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1),
         (0.5, -1), (-0.5, -1), (1, -0.5), (-1, -0.5), (1, 0.5), (-1, 0.5), (0.5, 1), (-0.5, 1)]



@dataclass
class Placed:
    """Boxes and glyphs of one axes, in map units."""

    boxes: list = field(default_factory=list)  # (kind, shapely box)
    glyphs: list = field(default_factory=list)  # (cluster id, adcode, role, basis)
    city_labels: dict = field(default_factory=dict)  # adcode -> text
    city_boxes: dict = field(default_factory=dict)  # adcode -> (x0, y0, x1, y1) of its name and glyphs
    texts: list = field(default_factory=list)


class Placer:
    def __init__(self, ax, renderer, data, scene: Scene, k: float, obstacles=(), *, crowded: bool = False):
        """`crowded` (the enlargement): a label may reach a little over a neighbouring city
        rather than be sent far away on a long leader line."""
        self.ax, self.renderer, self.data, self.scene, self.k = ax, renderer, data, scene, k
        self.crowded = crowded
        self.tol, self.city_weight, self.far = (0.5, 1.0, 1.0) if crowded else (0.1, 4.0, 0.06)
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        pos = ax.get_position()
        fig = ax.figure
        width_in = pos.width * fig.get_figwidth()
        self.m_per_pt = (x1 - x0) / (width_in * 72)
        pad = 3 * self.m_per_pt
        self.frame = shapely.box(x0 + pad, y0 + pad, x1 - pad, y1 - pad)
        self.out = Placed()
        self.taken = [b for b in obstacles]
        self._measure: dict = {}
        # The city geometries belong to StaticData, shared by every export in the
        # process: they are only read, through its tree, never prepared here (a GEOS
        # prepared geometry is a cache inside the geometry, and two threads filling or
        # using it at once crash the process).
        self.city_tree = data.city_tree
        self.city_ids = np.asarray(data.adcodes)
        self.index = {a: i for i, a in enumerate(data.adcodes)}
        self.placement = None

    # --- placing under hard rules (export/placement.py) -----------------------------
    def solve(self, units: list[Unit]) -> list[Spot]:
        """Spots for `units` chosen together, around everything placed or taken so far."""
        if self.placement is None:
            x0, x1 = self.ax.get_xlim()
            y0, y1 = self.ax.get_ylim()
            ground = ground_for(self.data, (x0, y0, x1, y1), self.m_per_pt)
            self.placement = Placement(ground, self.frame.bounds, self.m_per_pt, CROWDED if self.crowded else MAIN)
        # Whatever was taken since (furniture, other labels) is in the way of these units.
        self.placement.obstacles = np.asarray([b.bounds for kind, b in self.taken if kind not in MARKS],
                                              dtype=float).reshape(-1, 4)
        self.placement.marks = np.asarray([b.bounds for kind, b in self.taken if kind in MARKS],
                                          dtype=float).reshape(-1, 4)
        self.placement.points = {u.key: u.anchor for u in units} | self.placement.points
        return self.placement.solve(units)

    def own_bounds(self, a: str):
        """The part of city `a` in the frame, as a box for the grid of candidates over it."""
        b = self.data.city_geoms[a].bounds
        f = self.frame.bounds
        return (max(b[0], f[0]), max(b[1], f[1]), min(b[2], f[2]), min(b[3], f[3]))

    # --- measuring -------------------------------------------------------------------
    def measure(self, text: str, size: float, weight: str = "normal") -> tuple[float, float]:
        key = (text, size, weight)
        if key not in self._measure:
            fp = fonts.props(size, weight)
            w, h, _ = self.renderer.get_text_width_height_descent(text, fp, ismath=False)
            scale = 72 / self.ax.figure.dpi * self.m_per_pt
            self._measure[key] = (w * scale, max(h * scale, size * 1.1 * self.m_per_pt))
        return self._measure[key]

    # --- searching -------------------------------------------------------------------
    def cost(self, box, own: str | None, land_ok: bool) -> float:
        if not self.frame.contains(box):
            return float("inf")
        hit = sum(box.intersection(b).area for _, b in self.taken if box.intersects(b))
        area = box.area
        other = 0.0
        if not land_ok:
            # Sorted: the areas are summed in the same order whatever the tree's.
            hits = np.sort(self.city_tree.query(box, predicate="intersects"))
            hits = hits[self.city_ids[hits] != own]
            if hits.size:
                other = float(shapely.area(shapely.intersection(self.city_tree.geometries[hits], box)).sum())
        cost = 100 * hit / area
        if not land_ok:
            cost += other / area * self.city_weight
        return cost

    def place(self, anchor, w, h, *, own=None, rings=9, land_ok=False, tol=None, start=0, dy0=0.0):
        """(cx, cy, box, moved): the nearest acceptable spot around `anchor`, else the
        cheapest, where every ring further away costs a little more."""
        tol = self.tol if tol is None else tol
        ax_, ay_ = anchor
        step = 0.3 * min(w, h) + 2.5 * self.m_per_pt
        best = None
        for ring in range(start, rings + 1):
            for dx, dy in ([(0, 0)] if ring == 0 else _DIRS):
                cx = ax_ + (dx * (w / 2 + step * ring) if dx else 0)
                cy = ay_ + dy0 + (dy * (h / 2 + step * ring) if dy else 0)
                box = shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                c = self.cost(box, own, land_ok)
                if c <= tol:
                    return cx, cy, box, ring > 0
                c += ring * self.far
                if best is None or c < best[0]:
                    best = (c, cx, cy, box, ring > 0)
        return best[1:]

    # --- drawing ---------------------------------------------------------------------
    def text(self, x, y, s, size, color, weight="normal", halo=HALO, halo_w=2.2, z=30, gid=None, **kw):
        """Text over a halo. The halo is a separate path-only artist, so the text itself
        stays text in SVG and PDF."""
        if halo:
            self.ax.text(x, y, s, fontsize=size, fontweight=weight, color=halo, zorder=z - 0.5, alpha=0.9,
                         ha="center", va="center",
                         path_effects=[pe.Stroke(linewidth=halo_w * self.k, foreground=halo)], **fonts.text_kw(),
                         **kw)
        t = self.ax.text(x, y, s, fontsize=size, fontweight=weight, color=color, zorder=z, ha="center",
                         va="center", gid=gid, **fonts.text_kw(), **kw)
        self.out.texts.append(s)
        return t

    def leader(self, anchor, box, color="#444444", gid=None):
        bx0, by0, bx1, by1 = box.bounds
        ex, ey = np.clip(anchor[0], bx0, bx1), np.clip(anchor[1], by0, by1)
        self.ax.plot([anchor[0], ex], [anchor[1], ey], color=color, lw=0.55 * self.k, zorder=29,
                     solid_capstyle="round", gid=gid)
        self.ax.plot(*anchor, marker="o", ms=2.0 * self.k, color=color, zorder=29)

    def segment(self, seg, color="#444444", gid=None):
        """A leader from a point (its dot) to where the placement ended it."""
        self.leader(seg[:2], shapely.box(seg[2], seg[3], seg[2], seg[3]), color=color, gid=gid)

    def glyph(self, g: Glyph, x, y, size_pt, num_pt):
        draw_glyph(self.ax, g.look, size_pt * self.m_per_pt, x, y, size_pt, num_pt,
                   gid=f"glyph-{g.cluster_id}-{g.adcode}-{g.role}")
        self.out.glyphs.append((g.cluster_id, g.adcode, g.role, g.basis))


def _shape(lines, n: int, cols: int, pitch: float, m: float):
    """(w, h, block w, block h, dy0) of a city's unit with its `n` glyphs in `cols` columns
    under its lines; the name line sits on the label point, the unit hangs below it."""
    rows = ceil(n / cols) if n else 0
    bw, bh = cols * pitch, rows * pitch + (1.5 * m if n else 0)
    w = max(max(ln[3] for ln in lines), bw) + 2 * m
    h = sum(ln[4] for ln in lines) + bh + 1.5 * m
    return w, h, bw, bh, -(h / 2 - lines[0][4] / 2 - m)


def city_labels(pl: Placer, adcodes, lang: str, fs_city: float, fs_count: float, glyph_pt: float,
                num_pt: float, *, counts: bool) -> None:
    """Each city's name, its count on the coverage map, and its glyphs under the name."""
    scene, data, m = pl.scene, pl.data, pl.m_per_pt
    pitch = glyph_pt * 1.16 * m
    units, plans = [], []
    for a in adcodes:
        name = scene.city_names[a]
        glyphs = scene.glyphs_at(a)
        nw, nh = pl.measure(name, fs_city)
        lines = [(name, fs_city, "normal", nw, nh)]
        if counts:
            c = str(scene.coverage_counts[a])
            cw, ch = pl.measure(c, fs_count, "bold")
            lines.append((c, fs_count, "bold", cw, ch * 0.95))
        n = len(glyphs)
        cols = glyph_columns(n) if n else 0
        # Narrower blocks for a city too narrow for the compact one (a strip beside the
        # enlargement's frame): fewer columns, at most eight rows.
        alts = [c for c in dict.fromkeys((cols - 1, ceil(cols / 2), 1)) if 1 <= c < cols and ceil(n / c) <= 8]
        shapes = [_shape(lines, n, c, pitch, m) for c in [cols, *alts]]
        w, h, bw, bh, dy0 = shapes[0]
        units.append(Unit(a, data.label_xy[a], w, h, nw, nh, name_pad=m, block_w=bw, block_h=bh, own=pl.index[a],
                          dy0=dy0, bounds=pl.own_bounds(a), block_inside=not pl.crowded, shapes=tuple(shapes[1:])))
        plans.append((a, lines, glyphs, [cols, *alts], [sh[1] for sh in shapes]))
    for (a, lines, glyphs, colss, hs), spot in zip(plans, pl.solve(units)):
        cols, h = colss[spot.shape], hs[spot.shape]
        box = shapely.box(*spot.box)
        pl.taken.append(("city", box))
        pl.out.boxes.append(("city", box))
        pl.out.city_boxes[a] = spot.box
        cx, cy = spot.cx, spot.cy
        y = cy + h / 2 - m
        for text, fs, weight, _, lh in lines:
            y -= lh / 2
            pl.text(cx, y, text, fs, LABEL_COLOR, weight, gid=f"label-{a}" if fs == fs_city else None)
            y -= lh / 2
        y -= 1.5 * m
        for i, g in enumerate(glyphs):
            r, c = divmod(i, cols)
            n_row = min(cols, len(glyphs) - r * cols)
            gx = cx + (c - (n_row - 1) / 2) * pitch
            gy = y - (r + 0.5) * pitch
            pl.glyph(g, gx, gy, glyph_pt, num_pt)
        if spot.leader:
            pl.segment(spot.leader, gid=f"leader-{a}")
        pl.out.city_labels[a] = lines[0][0]


def context_labels(pl: Placer, lang: str, fs: float, *, kinds=("province",)) -> None:
    """Neighbouring provinces, muted, only where their name fits on their own land."""
    x0, x1 = pl.ax.get_xlim()
    y0, y1 = pl.ax.get_ylim()
    for key, (kind, zh, en, xy, _area) in sorted(pl.data.context_anchors((x0, y0, x1, y1)).items(),
                                                key=lambda kv: -kv[1][4]):
        if kind not in kinds:
            continue
        name = zh if lang == "zh" else en
        w, h = pl.measure(name, fs)
        geom = next(c[4] for c in pl.data.context if c[0] == key)
        cx, cy, box, moved = pl.place(xy, w, h, rings=2, land_ok=True, tol=0.0)
        if moved or pl.cost(box, None, land_ok=True) > 0 or not geom.buffer(2 * pl.m_per_pt).contains(box):
            # A sliver of a province across the sea (海南 at the frame's edge): its name in
            # the sea beside it, off Guangdong, so the land is not taken for Guangdong's.
            if geom.distance(pl.data.land) < 1000:
                continue
            cx, cy, box, moved = pl.place(xy, w, h, rings=6, land_ok=True, tol=0.0, start=1)
            if pl.cost(box, None, land_ok=True) > 0 or box.intersects(pl.data.land) or \
                    box.distance(geom) > 3 * pl.m_per_pt:
                continue
        pl.taken.append(("context", box))
        pl.text(cx, cy, name, fs, CONTEXT_LABEL, halo=None, z=25, gid=f"context-{key}")


def sar_labels(pl: Placer, lang: str, fs: float, *, formal: bool = True) -> None:
    """香港特别行政区 / 澳门特别行政区 in their formal form (else 香港 / 澳门, where a small
    call-out has no room for it), in the sea with a leader line."""
    x0, x1 = pl.ax.get_xlim()
    y0, y1 = pl.ax.get_ylim()
    units = []
    for key, kind, zh, en, geom, _ in pl.data.context:
        anchor = geom.representative_point()
        if kind != "sar" or not shapely.box(x0, y0, x1, y1).contains(anchor):
            continue
        name = t(f"sar_{key}", lang) if formal and f"sar_{key}" in LABELS else (zh if lang == "zh" else en)
        w, h = pl.measure(name, fs, "bold")
        units.append((name, Unit(f"sar-{key}", (anchor.x, anchor.y), w, h, w, h, sea_ok=True)))
    for (name, u), spot in zip(units, pl.solve([u for _, u in units]) if units else []):
        box = shapely.box(*spot.box)
        pl.taken.append(("sar", box))
        pl.out.boxes.append(("sar", box))
        pl.text(spot.cx, spot.cy, name, fs, SAR_LABEL, "bold", z=33, gid=f"context-{u.key[4:]}")
        pl.segment(spot.leader or leader_segments(u.anchor, np.asarray([spot.box]))[0], color="#6a6a60")


def dongsha_label(pl: Placer, lang: str, fs: float) -> None:
    g = pl.data.dongsha
    if g is None:
        return
    c = g.centroid
    x0, x1 = pl.ax.get_xlim()
    y0, y1 = pl.ax.get_ylim()
    if not shapely.box(x0, y0, x1, y1).contains(c):
        return
    name = t("dongsha", lang)
    w, h = pl.measure(name, fs)
    # Beside the islands (not over them), in the sea.
    spot = pl.solve([Unit("dongsha", (c.x, c.y), w, h, w, h, sea_ok=True, dy0=-(h / 2 + 4 * pl.m_per_pt))])[0]
    box = shapely.box(*spot.box)
    pl.taken.append(("dongsha", box))
    pl.out.boxes.append(("dongsha", box))
    pl.text(spot.cx, spot.cy, name, fs, LABEL_COLOR, gid="dongsha")
    if spot.leader and box.distance(g) > 4 * pl.m_per_pt:
        pl.segment(spot.leader, color="#6a6a60")


def sea_label(pl: Placer, lang: str, fs: float, land) -> None:
    x0, x1 = pl.ax.get_xlim()
    y0, y1 = pl.ax.get_ylim()
    name = t("sea", lang)
    w, h = pl.measure(name, fs)
    # Low in the middle first; then (the poster's key map, its call-out low in the middle) aside and higher.
    spots = [(fx, fy) for fy in (0.08, 0.04, 0.2, 0.3) for fx in (0.5, 0.62, 0.38, 0.72, 0.25, 0.85, 0.15)]
    spots += [(fx / 20, fy / 50) for fy in range(1, 25) for fx in range(2, 19)]  # anywhere low, at last
    for fx, fy in spots:
        xy = (x0 + fx * (x1 - x0), y0 + fy * (y1 - y0))
        box = shapely.box(xy[0] - w / 2, xy[1] - h / 2, xy[0] + w / 2, xy[1] + h / 2)
        if pl.cost(box, None, land_ok=True) == 0 and not box.intersects(land):
            pl.taken.append(("sea", box))
            pl.text(*xy, name, fs, SEA_LABEL, halo=None, z=25, gid="sea")
            return


def map_notice(pl: Placer, lines: list[str], lang: str, fs: float, land) -> None:
    """The scene's notes on the map itself when it draws no glyph for the selected
    clusters (e.g. a cluster that names no city), in a box over the sea."""

    x0, x1 = pl.ax.get_xlim()
    y0, y1 = pl.ax.get_ylim()
    width_pt = (x1 - x0) * 0.42 / pl.m_per_pt
    renderer = pl.renderer
    text = "\n".join(wrap(t, lang, width_pt, fs, renderer, pl.ax.figure.dpi) for t in lines)
    n = text.count("\n") + 1
    w = max(pl.measure(line, fs)[0] for line in text.split("\n")) + 12 * pl.m_per_pt
    h = n * fs * 1.35 * pl.m_per_pt + 10 * pl.m_per_pt
    for fx, fy in ((0.5, 0.2), (0.35, 0.2), (0.65, 0.2), (0.5, 0.12), (0.3, 0.1), (0.7, 0.1)):
        cx, cy = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
        box = shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        if pl.frame.contains(box) and not box.intersects(land) and pl.cost(box, None, True) == 0:
            break
    pl.taken.append(("notice", box))
    pl.out.boxes.append(("notice", box))
    pl.ax.text(cx, cy, text, fontsize=fs, color="#333333", ha="center", va="center", linespacing=1.35,
               zorder=44, gid="notice", bbox=dict(facecolor="white", edgecolor="#9a9a9a", alpha=0.95,
                                                  linewidth=0.6 * pl.k, boxstyle="round,pad=0.5"),
               **fonts.text_kw())
