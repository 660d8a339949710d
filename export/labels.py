"""City labels with their cluster glyphs, and the names of places around them.

Placement is done in map units (metres of the Guangdong CRS), so the boxes
are the same whatever the output format or resolution. A city's label unit is
its name, its count (coverage map) and its glyph block under the name; each
unit tries its label point first, then positions around it at growing
distance (with a leader line once moved). A position is taken only if it
overlaps no other label, glyph block or furniture, stays in the frame and lies
(almost) only over its own city or the sea, so a label never sits on another
city. Positions are tried in a fixed order, so the result is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

import matplotlib.patheffects as pe
import numpy as np
import shapely

from export import fonts
from export.marks import draw_glyph
from export.text import wrap
from views.i18n import LABELS, t
from views.scene import Glyph, Scene, glyph_columns

LABEL_COLOR = "#1f1f1f"
CONTEXT_LABEL = "#7d7d74"
SAR_LABEL = "#4a4a44"
SEA_LABEL = "#5f7f99"
HALO = "white"
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

    def leader(self, anchor, box, color="#444444"):
        bx0, by0, bx1, by1 = box.bounds
        ex, ey = np.clip(anchor[0], bx0, bx1), np.clip(anchor[1], by0, by1)
        self.ax.plot([anchor[0], ex], [anchor[1], ey], color=color, lw=0.55 * self.k, zorder=29,
                     solid_capstyle="round")
        self.ax.plot(*anchor, marker="o", ms=2.0 * self.k, color=color, zorder=29)

    def glyph(self, g: Glyph, x, y, size_pt, num_pt):
        draw_glyph(self.ax, g.look, size_pt * self.m_per_pt, x, y, size_pt, num_pt,
                   gid=f"glyph-{g.cluster_id}-{g.adcode}-{g.role}")
        self.out.glyphs.append((g.cluster_id, g.adcode, g.role, g.basis))


def city_labels(pl: Placer, adcodes, lang: str, fs_city: float, fs_count: float, glyph_pt: float,
                num_pt: float, *, counts: bool) -> None:
    """Each city's name, its count on the coverage map, and its glyphs under the name."""
    scene, data, m = pl.scene, pl.data, pl.m_per_pt
    pitch = glyph_pt * 1.16 * m
    units = []
    for a in adcodes:
        name = scene.city_names[a]
        glyphs = scene.glyphs_at(a)
        nw, nh = pl.measure(name, fs_city)
        lines = [(name, fs_city, "normal", nw, nh)]
        if counts:
            c = str(scene.coverage_counts[a])
            cw, ch = pl.measure(c, fs_count, "bold")
            lines.append((c, fs_count, "bold", cw, ch * 0.95))
        cols = glyph_columns(len(glyphs)) if glyphs else 0
        rows = ceil(len(glyphs) / cols) if glyphs else 0
        bw, bh = cols * pitch, rows * pitch + (1.5 * m if glyphs else 0)
        w = max(max(ln[3] for ln in lines), bw) + 2 * m
        h = sum(ln[4] for ln in lines) + bh + 1.5 * m
        units.append((a, lines, glyphs, cols, w, h))
    # The name line sits on the label point; the unit hangs below it.
    spots = place_units(pl, [(a, data.label_xy[a], w, h, -(h / 2 - lines[0][4] / 2 - m))
                             for a, lines, _, _, w, h in units])
    for (a, lines, glyphs, cols, _w, h), (cx, cy, box, moved) in zip(units, spots):
        anchor = data.label_xy[a]
        pl.taken.append(("city", box))
        pl.out.boxes.append(("city", box))
        pl.out.city_boxes[a] = box.bounds
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
        if moved:
            pl.leader(anchor, box)
        pl.out.city_labels[a] = lines[0][0]


def _overlap(a, b) -> float:
    """Intersection area of two (x0, y0, x1, y1) rectangles."""
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    return ix * iy if ix > 0 and iy > 0 else 0.0


def place_units(pl: Placer, units) -> list:
    """Positions for all label units at once: (cx, cy, box, moved) per (adcode, anchor, w, h, dy0).

    Each unit gets candidate positions around its anchor, each with a cost of its own
    (leaving the frame, covering other cities or obstacles, distance); then every unit in
    turn takes the candidate that is cheapest given where the others are, until nothing
    changes. Unlike placing one label after another, a unit placed early can still make
    way for a later one, so labels stay near their cities instead of trading places."""
    m = pl.m_per_pt
    cands = []
    # A label over another city's own point reads as that city's: the worst misreading.
    points = [(a, xy) for a, xy, *_ in units]
    for a, (ax_, ay_), w, h, dy0 in units:
        step = 0.3 * min(w, h) + 2.5 * m
        mine = []
        for ring in range(0, 8):
            for dx, dy in ([(0, 0)] if ring == 0 else _DIRS):
                cx = ax_ + (dx * (w / 2 + step * ring) if dx else 0)
                cy = ay_ + dy0 + (dy * (h / 2 + step * ring) if dy else 0)
                r = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                box = shapely.box(*r)
                if not pl.frame.contains(box):
                    continue
                base = pl.cost(box, a, False) + ring * pl.far  # frame, obstacles, other cities, distance
                base += 20 * sum(1 for b, (px, py) in points if b != a and r[0] < px < r[2] and r[1] < py < r[3])
                mine.append((base, cx, cy, r, box, ring > 0))
        if not mine:  # nothing fits in the frame: stay on the anchor
            r = (ax_ - w / 2, ay_ + dy0 - h / 2, ax_ + w / 2, ay_ + dy0 + h / 2)
            mine = [(0.0, ax_, ay_ + dy0, r, shapely.box(*r), False)]
        mine.sort(key=lambda c: c[0])
        cands.append(mine[:60])
    pick = [0] * len(units)
    for _ in range(8):
        changed = False
        for i, mine in enumerate(cands):
            others = [cands[j][pick[j]][3] for j in range(len(cands)) if j != i]
            best, best_cost = pick[i], None
            for k, (base, _, _, r, _, _) in enumerate(mine):
                area = (r[2] - r[0]) * (r[3] - r[1])
                c = base + 100 * sum(_overlap(r, o) for o in others) / area
                if best_cost is None or c < best_cost - 1e-9:
                    best, best_cost = k, c
            if best != pick[i]:
                pick[i], changed = best, True
        if not changed:
            break
    return [cands[i][pick[i]][1:3] + (cands[i][pick[i]][4], cands[i][pick[i]][5]) for i in range(len(units))]


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
            continue
        pl.taken.append(("context", box))
        pl.text(cx, cy, name, fs, CONTEXT_LABEL, halo=None, z=25, gid=f"context-{key}")


def sar_labels(pl: Placer, lang: str, fs: float) -> None:
    """香港特别行政区 / 澳门特别行政区 in their formal form, in the sea with a leader line."""
    for key, kind, zh, en, geom, _ in pl.data.context:
        if kind != "sar":
            continue
        anchor = geom.representative_point()
        x0, x1 = pl.ax.get_xlim()
        y0, y1 = pl.ax.get_ylim()
        if not shapely.box(x0, y0, x1, y1).contains(anchor):
            continue
        name = t(f"sar_{key}", lang) if f"sar_{key}" in LABELS else (zh if lang == "zh" else en)
        w, h = pl.measure(name, fs, "bold")
        cx, cy, box, moved = pl.place((anchor.x, anchor.y), w, h, rings=8, start=1, tol=0.0)
        pl.taken.append(("sar", box))
        pl.out.boxes.append(("sar", box))
        pl.text(cx, cy, name, fs, SAR_LABEL, "bold", z=33, gid=f"context-{key}")
        pl.leader((anchor.x, anchor.y), box, color="#6a6a60")


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
    cx, cy, box, moved = pl.place((c.x, c.y), w, h, rings=6, start=1, tol=0.0)
    pl.taken.append(("dongsha", box))
    pl.out.boxes.append(("dongsha", box))
    pl.text(cx, cy, name, fs, LABEL_COLOR, gid="dongsha")
    if moved and box.distance(g) > 4 * pl.m_per_pt:
        pl.leader((c.x, c.y), box, color="#6a6a60")


def sea_label(pl: Placer, lang: str, fs: float, land) -> None:
    x0, x1 = pl.ax.get_xlim()
    y0, y1 = pl.ax.get_ylim()
    name = t("sea", lang)
    w, h = pl.measure(name, fs)
    for fx in (0.5, 0.62, 0.38, 0.72):
        xy = (x0 + fx * (x1 - x0), y0 + 0.08 * (y1 - y0))
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
