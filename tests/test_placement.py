"""The label placer's rules on made-up ground (export/placement.py): one map unit per
point, cities as rectangles, so each rule is seen alone, without the real map's noise."""

from __future__ import annotations

from types import SimpleNamespace

import shapely

from export.ground import Ground
from export.placement import MARK_OWN, Placement, Unit

FRAME = (0.0, 0.0, 400.0, 400.0)
PITCH = 14.0  # a glyph's pitch
NAME = (20.0, 10.0)  # a name's width and height


def ground(cities: dict) -> Ground:
    data = SimpleNamespace(adcodes=list(cities), city_geoms=cities, context=[])
    return Ground(data, FRAME, 1.5)


def shape(cols: int, n: int = 3):
    """(w, h, block w, block h, dy0) of a unit of a name over `n` glyphs in `cols` columns."""
    rows = -(-n // cols)
    bw, bh = cols * PITCH, rows * PITCH
    w, h = max(NAME[0], bw) + 2, NAME[1] + bh + 2
    return w, h, bw, bh, -(h / 2 - NAME[1] / 2 - 1)


def city_unit(anchor, bounds, shapes=()) -> Unit:
    w, h, bw, bh, dy0 = shape(3)
    return Unit("A", anchor, w, h, *NAME, name_pad=1, block_w=bw, block_h=bh, own=0, dy0=dy0, bounds=bounds,
                shapes=shapes)


def block_of(spot, u: Unit) -> shapely.Polygon:
    w, h, bw, bh, _ = (u.w, u.h, u.block_w, u.block_h, u.dy0) if spot.shape == 0 else u.shapes[spot.shape - 1]
    x0, y0 = spot.cx - bw / 2, spot.cy - h / 2
    return shapely.box(x0, y0, x0 + bw, y0 + bh)


def test_a_city_too_narrow_for_its_block_takes_a_narrower_one():
    """A strip 20 wide between two cities: three glyphs in a row (42 wide) or in two
    columns (28) reach over a neighbour wherever they go; in one column they fit."""
    strip = shapely.box(190, 40, 210, 360)
    cities = {"A": strip, "B": shapely.box(0, 0, 190, 400), "C": shapely.box(210, 0, 400, 400)}
    g = ground(cities)
    wide = city_unit((200, 300), strip.bounds)
    spot = Placement(g, FRAME, 1.0).place(wide)
    assert spot.shape == 0
    assert block_of(spot, wide).intersection(strip).area < 0.8 * block_of(spot, wide).area  # the rule is broken

    u = city_unit((200, 300), strip.bounds, shapes=(shape(2), shape(1)))
    spot = Placement(g, FRAME, 1.0).place(u)
    assert spot.shape == 2  # one column
    block = block_of(spot, u)
    assert block.intersection(strip).area >= 0.8 * block.area
    assert spot.leader is None  # on its own city: no leader


def test_the_own_shape_is_kept_where_it_fits():
    land = shapely.box(100, 100, 300, 300)
    u = city_unit((200, 200), land.bounds, shapes=(shape(1),))
    assert Placement(ground({"A": land}), FRAME, 1.0).place(u).shape == 0


def test_a_city_cut_by_the_enlargement_mark_labels_its_own_land_inside_it():
    """Outside the mark the city is a sliver (10 wide): its unit goes over its own land
    inside the mark, not over the sea or a neighbour, and never over another city there."""
    a = shapely.union(shapely.box(150, 150, 300, 300), shapely.box(140, 150, 150, 300))
    b = shapely.box(150, 300, 300, 380)  # a neighbour, inside the mark too
    mark = (150.0, 120.0, 320.0, 390.0)
    g = ground({"A": a, "B": b})
    u = city_unit((145, 225), a.bounds)
    p = Placement(g, FRAME, 1.0, marks=[mark])
    spot = p.place(u)
    box = shapely.box(*spot.box)
    inside = box.intersection(shapely.box(*mark))
    assert inside.area > 0
    assert inside.intersection(a).area >= MARK_OWN * inside.area
    assert box.intersection(b).area == 0
    # As an obstacle (before: the mark was one for every unit) the same unit could only
    # stay outside it, over the sea beside the sliver.
    spot = Placement(g, FRAME, 1.0, obstacles=[mark]).place(city_unit((145, 225), a.bounds))
    assert shapely.box(*spot.box).intersection(a).area == 0


def test_a_place_name_stays_off_the_mark():
    land = shapely.box(150, 150, 300, 300)
    mark = (170.0, 170.0, 230.0, 230.0)
    u = Unit("sea-name", (200, 200), 30, 10, 30, 10, sea_ok=True)
    spot = Placement(ground({"A": land}), FRAME, 1.0, marks=[mark]).place(u)
    assert not shapely.box(*spot.box).intersects(shapely.box(*mark).buffer(-0.01))
