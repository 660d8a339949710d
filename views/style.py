"""Colours and classes used by both renderers (Leaflet and matplotlib).

Palettes are colour-blind safe: ColorBrewer YlGnBu (sequential) for coverage
counts, Okabe–Ito for the role categories, ColorBrewer Dark2 for the zones.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import mapclassify
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

# Zero is white, apart from the neighbours' grey; land with no shading is a warm
# off-white, never the sea colour.
ZERO_COLOR = "#ffffff"
LAND_COLOR = "#fbf8f0"
CITY_BORDER = "#5a5a5a"
CONTEXT_FILL = "#e9e9e4"
CONTEXT_BORDER = "#b9b9b0"
SEA_COLOR = "#dbe8f1"

# Okabe & Ito (2008) colour-blind-safe qualitative palette.
ROLE_COLORS = {
    "core": "#D55E00",
    "innovation": "#CC79A7",
    "manufacturing": "#0072B2",
    "cluster_area": "#009E73",
    "supporting": "#E69F00",
}

# The 一核一带一区 zones over other layers: closed dark outlines drawn just inside each
# zone, told apart by line style (dash lengths in line widths; a dash of ~0 with round
# caps is a dot). Filled zones (nothing else on) use the zone colours from zoning.yaml.
ZONE_LINES = (
    {"color": "#262626", "width": 2.6, "dash": None},
    {"color": "#262626", "width": 2.2, "dash": (4.0, 2.0)},
    {"color": "#262626", "width": 2.4, "dash": (0.01, 2.0)},
)
ZONE_INSET_M = 1500  # how far inside its zone each outline runs, in metres

# Kelly's (1965) 22 colours of maximum contrast, less white and black, in his order
# (the first n are the most distinct n). One fixed colour per cluster, by its place in
# the policy (pillar 1-10, then emerging 1-10), so a reader can learn them; every
# glyph also carries the cluster's key number, so colour is never the only cue.
CLUSTER_PALETTE = (
    "#F3C300", "#875692", "#F38400", "#A1CAF1", "#BE0032", "#C2B280", "#848482", "#008856",
    "#E68FAC", "#0067A5", "#F99379", "#604E97", "#F6A600", "#B3446C", "#DCD300", "#882D17",
    "#8DB600", "#654522", "#E25822", "#2B3D26",
)

# The role a city plays in a cluster is the glyph's shape (matplotlib marker codes;
# the Leaflet map draws the same shapes as SVG). Shapes, not colours: the colour of
# a glyph is its cluster.
ROLE_MARKERS = {
    "core": "o",  # circle
    "innovation": "D",  # diamond
    "manufacturing": "s",  # square
    "cluster_area": "h",  # hexagon
    "supporting": "^",  # triangle
}


def cluster_color(index: int) -> str:
    """The colour of the cluster at `index` in the policy's order (user data with more
    than 20 clusters repeats the palette; the key numbers still tell them apart)."""
    return CLUSTER_PALETTE[index % len(CLUSTER_PALETTE)]


# The one-cluster tint: cities the cluster names are filled thinly; cities it reaches only
# through a region term get a dashed outline and no fill, so no pale tint can pass for sea.
TINT_ALPHA = {"explicit": 0.35, "region": 0.0}


def tint_color(hex_color: str) -> str:
    """The colour a single cluster tints its cities with. Light cluster colours are
    darkened so that, laid thinly over the land, they never read as the sea."""
    rgb = [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]
    if relative_luminance(hex_color) > 0.35:
        rgb = [round(c * 0.62) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def blend(top: str, bottom: str, alpha: float) -> str:
    a = [int(top[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(bottom[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(alpha * x + (1 - alpha) * y):02x}" for x, y in zip(a, b))


def relative_luminance(hex_color: str) -> float:
    rgb = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ink(hex_color: str) -> str:
    """`hex_color`, darkened until it reads on white (contrast at least 3:1): the number
    and edge of a hollow glyph of a pale cluster colour, on the map and in print."""
    rgb = [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]
    out = "#" + "".join(f"{c:02x}" for c in rgb)
    while 1.05 / (relative_luminance(out) + 0.05) < 3.0:
        rgb = [c * 0.88 for c in rgb]
        out = "#" + "".join(f"{int(round(c)):02x}" for c in rgb)
    return out


def text_color_on(hex_color: str) -> str:
    """Black or white, whichever reads better on `hex_color` (WCAG relative luminance)."""
    lum = relative_luminance(hex_color)
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


# Explicit designations are solid; region-level ones are pale with a dashed edge.
BASIS_STYLE = {
    "explicit": {"fill_opacity": 0.6, "weight": 2.0, "dash": None},
    "region": {"fill_opacity": 0.15, "weight": 1.5, "dash": "6 4"},
}


@dataclass(frozen=True)
class Classes:
    """Classed colour scheme for integer counts. Class 0 holds exactly zero."""

    upper: tuple[int, ...]  # inclusive upper bound of each class
    colors: tuple[str, ...]

    def index(self, value: int) -> int:
        return int(np.searchsorted(self.upper, value, side="left"))

    def color(self, value: int) -> str:
        return self.colors[self.index(value)]

    def labels(self) -> list[str]:
        out, lower = [], 0
        for up in self.upper:
            out.append(str(up) if up == lower else f"{lower}–{up}")
            lower = up + 1
        return out


def coverage_classes(counts, k: int = 4) -> Classes:
    """Zero in its own class, positive counts in up to `k` Fisher–Jenks classes."""
    values = np.asarray([int(v) for v in counts])
    positive = np.unique(values[values > 0])
    if positive.size == 0:
        return Classes((0,), (ZERO_COLOR,))
    if positive.size <= k:
        upper = [int(v) for v in positive]
    else:
        with warnings.catch_warnings():
            # mapclassify falls back to pure Python without numba; for 21 values that is fine.
            warnings.filterwarnings("ignore", message="Numba not installed")
            fj = mapclassify.FisherJenks(values[values > 0], k=k)
        upper = [int(round(b)) for b in fj.bins]
    cmap = colormaps["YlGnBu"]
    # Skip the palest end of YlGnBu so class 1 is distinguishable from zero.
    stops = np.linspace(0.3, 0.95, len(upper)) if len(upper) > 1 else [0.6]
    colors = [to_hex(cmap(s)) for s in stops]
    return Classes(tuple([0] + upper), tuple([ZERO_COLOR] + colors))


def zoning_as_fill(coverage: bool, clusters) -> bool:
    """Zones are filled only when nothing else colours the cities; over the
    choropleth or cluster layers they are drawn as thick outlines instead."""
    return not coverage and not clusters
