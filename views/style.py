"""Every look of every map product, decided once.

The Leaflet map, the static export, the poster and the matrix only look these
up: a colour, a line or a glyph changed here shows the same everywhere. Sizes
are numbers a renderer multiplies: line widths and glyph sizes are screen pixels
of the interactive map; print turns them into points with one factor of its own
(`export.marks.PT_PER_PX`). No renderer is imported here (no matplotlib, Folium
or Streamlit), so both sides can use it.

Palettes: Kelly's colours of maximum contrast for the clusters, ColorBrewer
YlGnBu for the clusters-per-city classes; zone colours chosen outside the
cluster colours (CIE76 distance >= 14 from every cluster colour, filled or
solid: tests/test_style.py), so no colour means a cluster in one product and a
zone in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import cos, pi, sin

# ---------------------------------------------------------------- ground
# Land with no shading is a warm off-white, never the sea colour; zero clusters is white.
SEA_COLOR = "#dbe8f1"
LAND_COLOR = "#fbf8f0"
ZERO_COLOR = "#ffffff"
CITY_BORDER = "#5a5a5a"
CONTEXT_FILL = "#e9e9e4"
CONTEXT_BORDER = "#b9b9b0"
COAST_COLOR = "#5f5f5f"
ISLET_EDGE = "#9a9a9a"
GLYPH_EDGE = "#2b2b2b"


@dataclass(frozen=True)
class Stroke:
    """A line. width in screen px; dash: on/off lengths in line widths (None: solid);
    casing: a wider line of that colour under it, `casing_extra` px wider."""

    color: str
    width: float
    dash: tuple[float, ...] | None = None
    alpha: float = 1.0
    cap: str = "butt"
    casing: str | None = None
    casing_extra: float = 0.0

    @property
    def dots(self) -> bool:
        """A dash of (almost) no length drawn with round caps reads as a dot."""
        return bool(self.dash) and self.dash[0] < 0.1


@dataclass(frozen=True)
class Area:
    """A filled shape: fill colour (None: not filled) at `alpha`, and its outline."""

    fill: str | None
    alpha: float = 1.0
    stroke: Stroke | None = None


LAND = Area(LAND_COLOR, 1.0, Stroke(CITY_BORDER, 0.8))
CONTEXT = Area(CONTEXT_FILL, 1.0, Stroke(CONTEXT_BORDER, 0.8))
COAST = Stroke(COAST_COLOR, 1.2)
ISLETS = Stroke(ISLET_EDGE, 0.45)

# ---------------------------------------------------------------- clusters
# Kelly's (1965) 22 colours of maximum contrast, less white and black, in his order
# (the first n are the most distinct n). One fixed colour per cluster, by its place in
# the policy (pillar 1-10, then emerging 1-10), so a reader can learn them; every
# glyph also carries the cluster's key number, so colour is never the only cue.
CLUSTER_PALETTE = (
    "#F3C300", "#875692", "#F38400", "#A1CAF1", "#BE0032", "#C2B280", "#848482", "#008856",
    "#E68FAC", "#0067A5", "#F99379", "#604E97", "#F6A600", "#B3446C", "#DCD300", "#882D17",
    "#8DB600", "#654522", "#E25822", "#2B3D26",
)


def cluster_color(index: int) -> str:
    """The colour of the cluster at `index` in the policy's order (user data with more
    than 20 clusters repeats the palette; the key numbers still tell them apart)."""
    return CLUSTER_PALETTE[index % len(CLUSTER_PALETTE)]


# The role a city plays in a cluster is the glyph's shape (matplotlib marker codes, which
# name the shapes); the colour of a glyph is its cluster.
ROLE_MARKERS = {
    "core": "o",  # circle
    "innovation": "D",  # diamond
    "manufacturing": "s",  # square
    "cluster_area": "h",  # hexagon
    "supporting": "^",  # triangle
}
ROLE_ORDER = tuple(ROLE_MARKERS)
# The same shapes as text, for tables: (named explicitly, region-level only), so a table
# cell reads like the map's glyph.
ROLE_TEXT = {
    "core": ("●", "○"),
    "innovation": ("◆", "◇"),
    "manufacturing": ("■", "□"),
    "cluster_area": ("⬢", "⬡"),
    "supporting": ("▲", "△"),
}

# Glyph size on screen (px); every other glyph size is this times a renderer's factor.
GLYPH_PX = 18
# Shapes of equal box size do not look equally large (a square has more ink than a
# triangle): each shape is scaled so that all read as one size, and so that a two-digit
# number fits inside the narrow ones (triangle, diamond) without touching their edge.
MARKER_SCALE = {"o": 1.0, "s": 0.88, "D": 1.2, "h": 1.05, "^": 1.22}


def _regular(n: int, radius: float, start_deg: float) -> tuple[tuple[float, float], ...]:
    return tuple((radius * cos(start_deg * pi / 180 + 2 * pi * i / n),
                  radius * sin(start_deg * pi / 180 + 2 * pi * i / n)) for i in range(n))


# Each shape as a polygon in a unit box centred on 0 (y up), before MARKER_SCALE; the
# circle is a circle of radius 0.5. The same polygons are drawn as SVG and as matplotlib paths.
GLYPH_POLYGONS: dict[str, tuple[tuple[float, float], ...] | None] = {
    "o": None,
    "s": ((-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)),
    "D": ((0.0, -0.5), (0.5, 0.0), (0.0, 0.5), (-0.5, 0.0)),
    "h": _regular(6, 0.5, 90),
    "^": ((0.0, 0.5), (-0.5, -0.43), (0.5, -0.43)),
}
# The key number: its size as a fraction of the glyph's box (two digits a little smaller),
# and where it sits (from the centre, y up): a triangle's ink is low, so its number is too.
GLYPH_TEXT_SIZE = (0.6, 0.5)
GLYPH_TEXT_DY = {"^": -0.18}
# Half the extent a glyph can take with its edge, in box units (the largest shape, scaled).
GLYPH_HALF_EXTENT = 0.67


def relative_luminance(hex_color: str) -> float:
    rgb = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_color_on(hex_color: str) -> str:
    """Black or white, whichever reads better on `hex_color` (WCAG relative luminance)."""
    lum = relative_luminance(hex_color)
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


def ink(hex_color: str) -> str:
    """`hex_color`, darkened until it reads on white (contrast at least 3:1): the number
    and edge of a hollow glyph of a pale cluster colour."""
    rgb = [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]
    out = "#" + "".join(f"{c:02x}" for c in rgb)
    while 1.05 / (relative_luminance(out) + 0.05) < 3.0:
        rgb = [c * 0.88 for c in rgb]
        out = "#" + "".join(f"{int(round(c)):02x}" for c in rgb)
    return out


def blend(top: str, bottom: str, alpha: float) -> str:
    a = [int(top[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(bottom[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(alpha * x + (1 - alpha) * y):02x}" for x, y in zip(a, b))


@dataclass(frozen=True)
class GlyphLook:
    """One glyph as drawn: shape, size factor, paint, and its number. Edge width is a
    fraction of the glyph's size; dash lengths are in edge widths."""

    marker: str
    scale: float
    fill: str
    edge: str
    edge_frac: float
    dash: tuple[float, ...] | None
    text: str
    text_color: str
    hollow: bool

    @property
    def polygon(self):
        return GLYPH_POLYGONS[self.marker]


def glyph_look(color: str, marker: str, text: str = "", hollow: bool = False) -> GlyphLook:
    """The one definition of a glyph: filled in the cluster colour when the document
    names the city; hollow (white, dashed edge in the darkened colour) when only a region
    term reaches it. A pale cluster colour is darkened to read on white (`ink`)."""
    scale = MARKER_SCALE.get(marker, 1.0)
    if hollow:
        edge = ink(color)
        return GlyphLook(marker, scale, "#ffffff", edge, 0.12, (1.3, 0.8), text, edge, True)
    return GlyphLook(marker, scale, color, GLYPH_EDGE, 0.05, None, text, text_color_on(color), False)


# A sample glyph in the legend (roles, basis) that stands for no cluster.
NEUTRAL_GLYPH = "#555555"

# ---------------------------------------------------------------- the one-cluster tint
# Cities the cluster names are filled thinly; cities it reaches only through a region term
# get a dash-dot outline (a pattern no zone boundary uses) and no fill, so no pale tint can
# pass for sea.
TINT_ALPHA = {"explicit": 0.35, "region": 0.0}
REGION_OUTLINE_DASH = (4.0, 1.6, 0.8, 1.6)


def tint_color(hex_color: str) -> str:
    """The colour a single cluster tints its cities with. Light cluster colours are
    darkened so that, laid thinly over the land, they never read as the sea."""
    rgb = [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]
    if relative_luminance(hex_color) > 0.35:
        rgb = [round(c * 0.55) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def tint_look(cluster_color_: str, basis: str) -> Area:
    """How one cluster marks a city it designates ("explicit") or reaches only through a
    region term ("region") while it is the only cluster on."""
    c = tint_color(cluster_color_)
    if basis == "explicit":
        return Area(c, TINT_ALPHA["explicit"], Stroke(c, 1.6, alpha=0.9))
    return Area(None, 0.0, Stroke(c, 2.0, REGION_OUTLINE_DASH, alpha=0.95))


# ---------------------------------------------------------------- the city in focus
# A wide translucent halo with a crisp core: no zone line, city border or tint looks like it.
FOCUS_COLOR = "#e4007f"
FOCUS = Stroke(FOCUS_COLOR, 2.2, casing="#ffffff", casing_extra=3.0)

# ---------------------------------------------------------------- zones (一核一带一区)
# Filled (nothing else colours the map): these colours, outside the cluster palette.
# Over other layers: closed dark outlines drawn just inside each zone, told apart by line
# style (solid, dashed, dotted) over a white casing.
ZONE_COLORS = ("#9390c9", "#2c9dbb", "#62a88a")
ZONE_FILL_ALPHA = 0.6
ZONE_LINE_COLOR = "#262626"
ZONE_LINES = (
    Stroke(ZONE_LINE_COLOR, 2.6, None, 0.95, "butt", "#ffffff", 2.5),
    Stroke(ZONE_LINE_COLOR, 2.2, (4.0, 2.0), 0.95, "butt", "#ffffff", 2.5),
    Stroke(ZONE_LINE_COLOR, 2.4, (0.01, 2.0), 0.95, "round", "#ffffff", 2.5),
)
ZONE_INSET_M = 1500  # how far inside its zone each outline runs, in metres


def zone_color(index: int) -> str:
    return ZONE_COLORS[index % len(ZONE_COLORS)]


def zone_fill(index: int) -> Area:
    return Area(zone_color(index), ZONE_FILL_ALPHA, None)


def zone_line(index: int) -> Stroke:
    return ZONE_LINES[index % len(ZONE_LINES)]


# ---------------------------------------------------------------- clusters per city
# ColorBrewer YlGnBu (Cynthia Brewer, colorbrewer2.org), by number of classes. Zero is
# its own class in white; positive classes take the n darkest of the (n+1)-class scheme,
# so the first positive class is never the near-white of the ramp.
YLGNBU = {
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
}
COVERAGE_ALPHA = 1.0  # the classes exactly as in the legend, in print and on screen


def coverage_ramp(n: int) -> tuple[str, ...]:
    """Colours of n positive classes (1 <= n <= 5)."""
    if not 1 <= n <= 5:
        raise ValueError(f"{n} classes: the ramp has 1 to 5 positive classes")
    if n == 1:
        return (YLGNBU[3][1],)
    return YLGNBU[n + 1][1:]


def coverage_look(color: str) -> Area:
    return Area(color, COVERAGE_ALPHA, Stroke(CITY_BORDER, 1.0))


@dataclass(frozen=True)
class Classes:
    """Classed colours for integer counts. Class 0 holds exactly zero."""

    upper: tuple[int, ...]  # inclusive upper bound of each class
    colors: tuple[str, ...]

    def index(self, value: int) -> int:
        return next((i for i, up in enumerate(self.upper) if value <= up), len(self.upper) - 1)

    def color(self, value: int) -> str:
        return self.colors[self.index(value)]

    def labels(self) -> list[str]:
        out, lower = [], 0
        for up in self.upper:
            out.append(str(up) if up == lower else f"{lower}–{up}")
            lower = up + 1
        return out


def coverage_classes(upper) -> Classes:
    """The colours of class bounds `upper` (from policy.coverage.class_breaks)."""
    upper = tuple(int(u) for u in upper)
    return Classes(upper, (ZERO_COLOR, *coverage_ramp(len(upper) - 1)) if len(upper) > 1 else (ZERO_COLOR,))

# ---------------------------------------------------------------- crowded places
# Where a city's glyphs would cover another city's name or glyphs (the Pearl River Delta at
# the opening zoom with many clusters on), they move out as a card headed with the city's
# name and joined to the city by a leader line (views/crowding.py says which way each city
# looks for room; the map tries places ring by ring, CALLOUT_STEP_PX apart).
CALLOUT = Area("#ffffff", 0.93, Stroke("#6b6b6b", 0.8))
LEADER = Stroke("#3d3d3d", 1.1, alpha=0.9)
CALLOUT_PAD_PX = 2  # inside the card, around its glyphs
CALLOUT_HEAD_PX = 14  # the line with the city's name
CALLOUT_GAP_PX = 3  # kept free between cards, glyph blocks, names and map controls
CALLOUT_STEP_PX = 9
CALLOUT_MAX_PX = 300  # no card further from its city than this
# Of the free places the card takes the one with the shortest leader; each step its direction
# turns away from the way out of the crowd counts as this many px more of leader.
CALLOUT_TURN_PX = 2
# ... and a place nearer another city's name than its own as this many px more.
CALLOUT_STRANGER_PX = 40
# A layout with a leader longer than this is tried again with that city placed first, up to
# CALLOUT_RETRIES times, and the layout whose longest leader is shortest kept.
CALLOUT_LONG_PX = 40
CALLOUT_RETRIES = 8

# On a narrow map (a phone) where the glyph blocks do not all fit under their names, each city
# shows one badge instead: the number of clusters drawn there, filled as the clusters-per-city
# shading fills that number (darker: more); tapping it opens the city's card, one at a time.
BADGE_EDGE = Stroke("#3d3d3d", 1.0)
BADGE_PX = 18  # its height, and its width for one digit
BADGE_DIGIT_PX = 6  # wider by this for each further digit
BADGE_STACK_PX = 3  # drawn as a small stack: a second card's edge this far behind it, in its edge colour
BADGE_REACH_PX = 90  # where its place by the name is taken, no further from it than this


def badge_look(fill: str) -> Area:
    return Area(fill, 1.0, BADGE_EDGE)
