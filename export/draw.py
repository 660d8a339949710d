"""The map layers of a scene on one matplotlib axes (main map, enlargement, poster panel).

Nothing here decides what is shown: fills, zoning mode, tints and styles all
come from `views.scene.Scene`. Widths are in points times `k`, the page's
line scale, so every page size keeps the same look.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba

from export.data import StaticData, geom_path
from export.marks import PT_PER_PX, draw_area, draw_line
from views.scene import Scene
from views.style import COAST, CONTEXT, FOCUS, ISLETS, SEA_COLOR, Area

FRAME_EDGE = "#444444"


@dataclass
class Drawn:
    """What one axes shows, for RenderInfo and the tests."""

    fills: dict[str, str] = field(default_factory=dict)  # adcode -> fill colour
    zones: dict[str, str] = field(default_factory=dict)  # zone id -> "fill" | "outline"
    tints: dict[str, Area] = field(default_factory=dict)  # adcode -> the one cluster's mark on it
    meanings: dict[str, set] = field(default_factory=dict)  # colour -> what it stands for

    def mean(self, color: str, what: str) -> None:
        self.meanings.setdefault(color.lower(), set()).add(what)


def setup_axes(fig, rect, extent, gid: str, k: float):
    ax = fig.add_axes(rect)
    ax.set_facecolor(SEA_COLOR)
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_linewidth(0.8 * k)
        sp.set_edgecolor(FRAME_EDGE)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_autoscale_on(False)
    ax.set_gid(gid)
    return ax


NEIGHBOUR_ISLET_PT = 6.0  # a neighbour's island narrower than this at print is not drawn


def context_paths(ax, data: StaticData) -> list:
    """The neighbours' outlines without their islands too small to read at this axes'
    scale: a grey speck a few points across reads as a role glyph (a ◆), not as land."""
    x0, x1 = ax.get_xlim()
    width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72
    least = (NEIGHBOUR_ISLET_PT * (x1 - x0) / width_pt) ** 2
    paths = []
    for c in data.context:
        parts = shapely.get_parts(c[4])
        keep = shapely.area(parts) >= least
        paths.append(c[-1] if keep.all() or not keep.any() else geom_path(shapely.MultiPolygon(list(parts[keep]))))
    return paths


def draw_layers(ax, scene: Scene, data: StaticData, k: float, *, light: bool = False) -> Drawn:
    """Context, city fills, zones, the single-cluster tint, coast and focus, each in the
    look the scene gives it. `light`: thinner lines for small poster panels."""
    out = Drawn()
    lw = 0.6 if light else 1.0
    ctx = CONTEXT
    ax.add_collection(PathCollection(context_paths(ax, data), facecolors=ctx.fill,
                                     edgecolors=ctx.stroke.color, linewidths=ctx.stroke.width * PT_PER_PX * k * lw,
                                     zorder=1, gid="context"), autolim=False)
    out.mean(ctx.fill, "context")
    adcodes = data.adcodes
    areas = [scene.city_area(a) for a in adcodes]
    fills = [ar.fill for ar in areas]
    gid = "coverage" if scene.coverage_drawn else "cities"
    edge = areas[0].stroke
    ax.add_collection(PathCollection([data.city_paths[a] for a in adcodes],
                                     facecolors=[to_rgba(ar.fill, ar.alpha) for ar in areas],
                                     edgecolors=edge.color, linewidths=edge.width * PT_PER_PX * k * lw,
                                     zorder=3, gid=gid), autolim=False)
    out.fills = dict(zip(adcodes, fills))
    for a, f in out.fills.items():
        out.mean(f, f"coverage:{scene.coverage_counts[a]}" if scene.coverage_drawn else "land")
    if scene.coverage_drawn:  # one meaning per class, not per count
        out.meanings = {c: ({"coverage"} if any(w.startswith("coverage:") for w in m) else m)
                        for c, m in out.meanings.items()}

    mode = scene.zoning_mode
    if mode == "fill":
        for z, area in scene.zone_fills.items():
            if z in data.zone_paths:
                draw_area(ax, data.zone_paths[z], area, k * lw, 4, gid=f"zone-{z}")
                out.zones[z] = "fill"
                out.mean(area.fill, f"zone:{z}")

    cid = scene.tint_cluster
    if cid:
        for a in scene.cluster(cid).drawn_cities:
            tint = scene.tint_area(a)
            if a not in data.city_paths or tint is None:
                continue
            draw_area(ax, data.city_paths[a], tint, k * lw, 5, gid=f"tint-{a}")
            out.tints[a] = tint
            out.mean(tint.fill or tint.stroke.color, f"cluster:{cid}")

    # Guangdong's coast, and small islands with a light edge so they do not turn into blobs.
    draw_line(ax, data.coast_path, COAST, k * lw, 6, gid="guangdong")
    draw_line(ax, data.islets_path, ISLETS, k * lw, 6, gid="islets")

    if mode == "outline":
        for z, line in scene.zone_lines.items():
            if z not in data.zone_inset:
                continue
            draw_line(ax, data.zone_inset[z], line, k * lw, 7.5, gid=f"zone-{z}")
            out.zones[z] = "outline"
            out.mean(line.color, "zoning")
    return out


def draw_focus(ax, data: StaticData, adcode: str | None, k: float) -> None:
    """The city in focus, in the one look no zone or city line uses (views.style.FOCUS)."""
    if adcode and adcode in data.city_paths:
        draw_line(ax, data.city_paths[adcode], FOCUS, k, 9, gid="focus")
