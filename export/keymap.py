"""The poster's key map: where each city is, with a call-out of the Pearl River Delta.

At key-map scale the delta's six small cities have no room for their names, so they
are named in a call-out (a small enlargement of the estuary, over the sea south of
it, its extent marked on the key map) together with 香港 and 澳门; the key map names
the other cities on their own land, 东沙群岛 and 南海. Names are placed by the same
rules as the maps' (export/placement.py): on their city or led to it, never across
another name or leader.
"""

from __future__ import annotations

import shapely
from matplotlib.patches import Rectangle

from export import fonts
from export.data import StaticData
from export.draw import draw_layers, setup_axes
from export.labels import LABEL_COLOR, Placer, dongsha_label, sar_labels, sea_label
from export.layout import MIN_PT, fit_extent
from export.placement import Unit
from views import i18n
from views.scene import Scene

CALLOUT_SHARE = 0.42  # of the key map's width
# Where the call-out may go, in the key map's axes fraction (its lower-left corner): the
# sea south of the delta first.
CALLOUT_SPOTS = ((0.36, 0.015), (0.42, 0.015), (0.3, 0.015), (0.48, 0.015), (0.54, 0.015))


def key_map(fig, lay, krect, base: Scene, data: StaticData, lang: str, ty, k: float, renderer) -> None:
    from export.render import _inset_cities, _outside_frame  # the maps' rules for who is named where

    # More sea to the south than the maps show: the call-out goes there, off the land.
    bx0, by0, bx1, by1 = data.bounds
    sea = max(0.0, krect[3] - krect[2] * (by1 - by0) / (bx1 - bx0) * 1.08) / krect[3]
    kext = fit_extent((bx0, by0 - sea * (by1 - by0), bx1, by1), krect, pad=0.02)
    kax = setup_axes(fig, lay.frac(krect), kext, "key-map", k)
    draw_layers(kax, base, data, k, light=True)
    fs = max(ty.note * 0.9, MIN_PT)
    head = kax.text(0.03, 0.97, i18n.t("poster_key", lang), transform=kax.transAxes, fontsize=ty.legend,
                    fontweight="bold", ha="left", va="top", zorder=45, **fonts.text_kw())
    x0, x1 = kax.get_xlim()
    y0, y1 = kax.get_ylim()
    # The call-out: as wide as a third of the key map, as tall as the delta needs.
    px0, py0, px1, py1 = data.prd_box
    cw = CALLOUT_SHARE * krect[2]
    ch = cw * (py1 - py0) / (px1 - px0)
    land = data.all_land

    def callout_box(fx, fy):
        bx0, by0 = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
        return shapely.box(bx0, by0, bx0 + cw / krect[2] * (x1 - x0), by0 + ch / krect[3] * (y1 - y0))

    fx, fy = min(CALLOUT_SPOTS, key=lambda s: callout_box(*s).intersection(land).area)
    cbox = callout_box(fx, fy)
    crect = (krect[0] + fx * krect[2], krect[1] + fy * krect[3], cw, ch)
    cax = setup_axes(fig, lay.frac(crect), fit_extent(data.prd_box, crect, pad=0.0), "key-delta", k)
    cax.set_zorder(kax.get_zorder() + 1)
    draw_layers(cax, base, data, k, light=True)
    cext = (*cax.get_xlim(), *cax.get_ylim())
    cext = (cext[0], cext[2], cext[1], cext[3])
    kax.add_patch(Rectangle(cext[:2], cext[2] - cext[0], cext[3] - cext[1], facecolor="none", edgecolor="#333333",
                            linewidth=0.8 * k, linestyle=(0, (4, 2)), zorder=35, gid="key-delta-frame"))

    delta = _inset_cities(data, cext)
    pl = Placer(kax, renderer, _outside_frame(data, cext, [a for a in data.adcodes if a not in delta]), base, k)
    pl.taken.append(("callout", cbox))
    pl.taken.append(("delta", shapely.box(*cext)))
    bb = head.get_window_extent(renderer)
    (hx0, hy0), (hx1, hy1) = kax.transData.inverted().transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
    pl.taken.append(("head", shapely.box(hx0, hy0, hx1, hy1)))
    _names(pl, [a for a in data.adcodes if a not in delta], fs)
    dongsha_label(pl, lang, fs)
    sea_label(pl, lang, fs, land)

    cp = Placer(cax, renderer, data, base, k, crowded=True)
    sar_labels(cp, lang, fs, formal=False)  # first: their names need the sea beside them
    _names(cp, delta, fs)


def _names(pl: Placer, adcodes, fs: float) -> None:
    """City names alone (no glyphs), placed together."""
    m = pl.m_per_pt
    units = []
    for a in adcodes:
        name = pl.scene.city_names[a]
        w, h = pl.measure(name, fs)
        units.append(Unit(a, pl.data.label_xy[a], w + 2 * m, h + m, w, h, name_pad=m / 2, own=pl.index[a],
                          bounds=pl.own_bounds(a)))
    for u, spot in zip(units, pl.solve(units)):
        pl.taken.append(("city", shapely.box(*spot.box)))
        pl.text(spot.cx, spot.cy, pl.scene.city_names[u.key], fs, LABEL_COLOR, halo_w=1.6, gid=f"label-{u.key}")
        if spot.leader:
            pl.segment(spot.leader, gid=f"leader-{u.key}")
