"""Which way a city's glyphs make way where the map is crowded.

The interactive map draws each city's glyphs as a block under its name. Where the blocks of
neighbouring cities would overlap, or cover another city's name (the Pearl River Delta at the
opening zoom with many clusters on), a block moves out as a card joined to its city by a
leader line. This module decides, once per data set, the two things that placement needs
and that do not depend on the screen:

- the order in which cities claim their place: the cities with the most glyphs first
  (the hardest to fit), then the policy's order;
- for each city, the directions in which it looks for room, best first: away from its
  crowded neighbours (each neighbour pushes with its number of glyphs, more when it is
  near), so the Delta spreads outwards, into the sea and the emptier north.

The map (layers/js/gd.js) tries the city's own place under its name first, then these
directions ring by ring (views/style.py CALLOUT_STEP_PX apart, up to CALLOUT_MAX_PX), and
takes the first place that covers no name, block, card, leader line or map control.
"""

from __future__ import annotations

from math import atan2, cos, hypot, pi, radians, sin

# Neighbours further apart than this (degrees of latitude) do not crowd each other.
NEIGHBOUR_DEG = 1.6
DIRECTIONS = 16


def placement_order(counts: dict[str, int], order: list[str]) -> list[str]:
    """Cities with glyphs, most glyphs first; ties in `order` (the policy's)."""
    rank = {a: i for i, a in enumerate(order)}
    return sorted((a for a in counts if counts[a]), key=lambda a: (-counts[a], rank.get(a, len(rank))))


def directions(points: dict[str, tuple[float, float]], counts: dict[str, int]) -> dict[str, list[list[float]]]:
    """Per city with glyphs: DIRECTIONS unit vectors [dx, dy] on screen (y down), the way
    out of its crowd first, then turning away from it by equal steps on alternate sides.
    points: adcode -> (lat, lon)."""
    lat0 = sum(p[0] for p in points.values()) / max(len(points), 1)
    k = cos(radians(lat0))

    def xy(a):  # east and north, in degrees of latitude
        return points[a][1] * k, points[a][0]

    out = {}
    for a, n in counts.items():
        if not n or a not in points:
            continue
        ax, ay = xy(a)
        px = py = 0.0
        for b, m in counts.items():
            if b == a or not m or b not in points:
                continue
            bx, by = xy(b)
            d = hypot(ax - bx, ay - by)
            if 0 < d < NEIGHBOUR_DEG:
                px += m * (ax - bx) / d ** 2
                py += m * (ay - by) / d ** 2
        # Alone: straight down, where its block already sits under its name.
        angle = atan2(py, px) if hypot(px, py) > 1e-9 else -pi / 2
        step = 2 * pi / DIRECTIONS
        turns = [0] + [s * i for i in range(1, DIRECTIONS // 2 + 1) for s in (1, -1)][: DIRECTIONS - 1]
        out[a] = [[round(cos(angle + t * step), 3), round(-sin(angle + t * step), 3)] for t in turns]
    return out
