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
CALLOUT_EAST = 0.4  # ... at most, beside the province
# Where the call-out may go, in the key map's axes fraction (its lower-left corner): the
# sea south of the delta first.
CALLOUT_SPOTS = ((0.36, 0.015), (0.42, 0.015), (0.3, 0.015), (0.48, 0.015), (0.54, 0.015))


def key_map(fig, lay, krect, base: Scene, data: StaticData, lang: str, ty, k: float, renderer) -> None:
    from export.render import _inset_cities, _outside_frame  # the maps' rules for who is named where

    kext, (fx, fy, cw, ch) = _callout(krect, data)
    kax = setup_axes(fig, lay.frac(krect), kext, "key-map", k)
    draw_layers(kax, base, data, k, light=True)
    fs = max(ty.note * 0.9, MIN_PT)
    head = kax.text(0.03, 0.97, i18n.t("poster_key", lang), transform=kax.transAxes, fontsize=ty.legend,
                    fontweight="bold", ha="left", va="top", zorder=45, **fonts.text_kw())
    cbox = _callout_box(kext, krect, fx, fy, cw, ch)
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
    pl.taken.append(("callout", cbox.buffer(2 * pl.m_per_pt, join_style="mitre")))  # its edge clear of names
    pl.taken.append(("delta", shapely.box(*cext)))
    bb = head.get_window_extent(renderer)
    (hx0, hy0), (hx1, hy1) = kax.transData.inverted().transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
    pl.taken.append(("head", shapely.box(hx0, hy0, hx1, hy1)))
    _names(pl, [a for a in data.adcodes if a not in delta], fs)
    dongsha_label(pl, lang, fs)
    sea_label(pl, lang, fs, data.all_land)

    cp = Placer(cax, renderer, data, base, k, crowded=True)
    sar_labels(cp, lang, fs, formal=False)  # first: their names need the sea beside them
    _names(cp, delta, fs)


def _callout_box(kext, krect, fx, fy, cw, ch):
    """The call-out with its lower-left corner at (fx, fy) of the key map, in map units."""
    x0, y0, x1, y1 = kext
    bx0, by0 = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
    return shapely.box(bx0, by0, bx0 + cw / krect[2] * (x1 - x0), by0 + ch / krect[3] * (y1 - y0))


def _callout(krect, data: StaticData):
    """(the key map's extent, (fx, fy, w, h) of the call-out: its lower-left corner in the key
    map's axes fraction, its size in inches). The call-out covers no land of Guangdong: it
    goes in the sea south of the delta where the key map has that sea (a frame about as
    tall as the province with a band of sea under it); else (a wide frame, or one about
    as wide as the province is) beside the province to the east, over 福建 and the sea,
    the province drawn smaller in the rest of the frame."""
    bx0, by0, bx1, by1 = data.bounds
    px0, py0, px1, py1 = data.prd_box
    aspect = (px1 - px0) / (py1 - py0)
    w, h = krect[2], krect[3]
    # South: more sea than the maps show, as much as the frame holds under the province.
    sea = max(0.0, h - w * (by1 - by0) / (bx1 - bx0) * 1.08) / h
    kext = fit_extent((bx0, by0 - sea * (by1 - by0), bx1, by1), krect, pad=0.02)
    cw = CALLOUT_SHARE * w
    ch = cw / aspect
    spots = [(fx, fy, cw, ch) for fx, fy in CALLOUT_SPOTS]
    best = min(spots, key=lambda s: _callout_box(kext, krect, *s).intersection(data.land).area)
    if _callout_box(kext, krect, *best).intersection(data.land).area <= 0.01 * cw * ch * _area_per_in2(kext, krect):
        return kext, best
    # East: the call-out as tall as the frame allows, narrower than the south one (the
    # province shares the frame's width with it).
    ch = min(0.94 * h, CALLOUT_EAST * w / aspect)
    cw = ch * aspect
    left = w - cw - 0.04 * w  # the province's part of the frame
    gx0, gy0, gx1, gy1 = fit_extent(data.bounds, (0, 0, left, h), pad=0.02)
    kext = (gx0, gy0, gx0 + (gx1 - gx0) * w / left, gy1)
    return kext, (1 - cw / w - 0.015, 0.015, cw, ch)


def _area_per_in2(kext, krect) -> float:
    return (kext[2] - kext[0]) / krect[2] * (kext[3] - kext[1]) / krect[3]


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
