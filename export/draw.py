"""The map layers of a scene on one matplotlib axes (main map, enlargement, poster panel).

Nothing here decides what is shown: fills, zoning mode, tints and styles all
come from `views.scene.Scene`. Widths are in points times `k`, the page's
line scale, so every page size keeps the same look.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.collections import PathCollection
from matplotlib.patches import PathPatch

from export.data import StaticData
from views.scene import Scene
from views.style import CITY_BORDER, CONTEXT_BORDER, CONTEXT_FILL, SEA_COLOR

GD_OUTLINE = "#5f5f5f"
ISLET_EDGE = "#9a9a9a"
ZONE_FILL_ALPHA = 0.45
TINT_EXPLICIT, TINT_REGION = 0.35, 0.12
FRAME_EDGE = "#444444"


@dataclass
class Drawn:
    """What one axes shows, for RenderInfo and the tests."""

    fills: dict[str, str] = field(default_factory=dict)  # adcode -> fill colour
    zones: dict[str, str] = field(default_factory=dict)  # zone id -> "fill" | "outline"
    tints: dict[str, float] = field(default_factory=dict)  # adcode -> alpha of the cluster tint
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


def draw_layers(ax, scene: Scene, data: StaticData, k: float, *, light: bool = False) -> Drawn:
    """Context, city fills, zones, the single-cluster tint, coast and focus.

    `light`: thinner lines for small poster panels."""
    out = Drawn()
    lw = 0.6 if light else 1.0
    ax.add_collection(PathCollection([c[-1] for c in data.context], facecolors=CONTEXT_FILL,
                                     edgecolors=CONTEXT_BORDER, linewidths=0.5 * k * lw, zorder=1,
                                     gid="context"), autolim=False)
    out.mean(CONTEXT_FILL, "context")
    adcodes = data.adcodes
    fills = [scene.city_fill(a) for a in adcodes]
    gid = "coverage" if scene.coverage_drawn else "cities"
    ax.add_collection(PathCollection([data.city_paths[a] for a in adcodes], facecolors=fills,
                                     edgecolors=CITY_BORDER, linewidths=0.35 * k * lw, zorder=3, gid=gid),
                      autolim=False)
    out.fills = dict(zip(adcodes, fills))
    for a, f in out.fills.items():
        out.mean(f, f"coverage:{scene.coverage_counts[a]}" if scene.coverage_drawn else "land")
    if scene.coverage_drawn:  # one meaning per class, not per count
        out.meanings = {c: ({"coverage"} if any(w.startswith("coverage:") for w in m) else m)
                        for c, m in out.meanings.items()}

    mode = scene.zoning_mode
    if mode == "fill":
        for z, st in scene.zone_styles.items():
            if z in data.zone_paths:
                ax.add_artist(PathPatch(data.zone_paths[z], facecolor=st["fill"], alpha=ZONE_FILL_ALPHA,
                                       edgecolor="none", zorder=4, gid=f"zone-{z}"))
                out.zones[z] = "fill"
                out.mean(st["fill"], f"zone:{z}")

    cid = scene.tint_cluster
    if cid:
        c = scene.cluster(cid)
        for a in c.drawn_cities:
            if a not in data.city_paths:
                continue
            alpha = TINT_EXPLICIT if a in c.explicit_cities else TINT_REGION
            ax.add_artist(PathPatch(data.city_paths[a], facecolor=c.color, alpha=alpha, edgecolor="none",
                                   zorder=5, gid=f"tint-{a}"))
            out.tints[a] = alpha
        out.mean(c.color, f"cluster:{cid}")

    # Guangdong's coast, and small islands with a light edge so they do not turn into blobs.
    ax.add_artist(PathPatch(data.coast_path, facecolor="none", edgecolor=GD_OUTLINE, linewidth=0.85 * k * lw,
                           zorder=6, gid="guangdong"))
    ax.add_artist(PathPatch(data.islets_path, facecolor="none", edgecolor=ISLET_EDGE, linewidth=0.3 * k * lw,
                           zorder=6, gid="islets"))

    if mode == "outline":
        for z, st in scene.zone_styles.items():
            if z not in data.zone_inset:
                continue
            w = st["width"] * 0.55 * k * lw
            # A white casing under the line so it reads over fills, tints and glyph-free land.
            ax.add_artist(PathPatch(data.zone_inset[z], facecolor="none", edgecolor="white", linewidth=w + 1.4 * k,
                                   alpha=0.9, zorder=7, joinstyle="round"))
            ls = (0, st["dash"]) if st["dash"] else "-"
            ax.add_artist(PathPatch(data.zone_inset[z], facecolor="none", edgecolor=st["color"], linewidth=w,
                                   linestyle=ls, capstyle="round", joinstyle="round", zorder=7.5,
                                   gid=f"zone-{z}"))
            out.zones[z] = "outline"
            out.mean(st["color"], "zoning")
    return out


def draw_focus(ax, data: StaticData, adcode: str | None, k: float) -> None:
    if adcode and adcode in data.city_paths:
        ax.add_artist(PathPatch(data.city_paths[adcode], facecolor="none", edgecolor="#111111",
                               linewidth=2.2 * k, zorder=9, gid="focus"))
