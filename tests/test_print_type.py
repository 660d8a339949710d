"""Type at print size: read from the SVG the export writes, and glyph numbers from pixels."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from export import fonts  # noqa: E402
from export.data import StaticData  # noqa: E402
from export.layout import MIN_PT, TYPE  # noqa: E402
from export.marks import glyph_artists  # noqa: E402
from export.output import figure_bytes  # noqa: E402
from export.poster import poster_bytes  # noqa: E402
from export.render import build_figure, render_bytes  # noqa: E402
from views.state import ViewState  # noqa: E402
from views.style import GLYPH_POLYGONS, glyph_look  # noqa: E402

FOUR = ("smart_robots", "automotive", "biomed_health", "new_energy")
VIEWS = {
    "coverage": ViewState(coverage=True, zoning=False),
    "zoning": ViewState(coverage=False, zoning=True),
    "four": ViewState(clusters=FOUR, coverage=False, zoning=False, basis="all"),
    "all20": ViewState(clusters=("all",), coverage=False, zoning=False),
}
SIZES = ("a4-landscape", "a4-portrait", "a3-landscape", "slide", "screen")
SVG_NS = "{http://www.w3.org/2000/svg}"
# One worker builds the pages (see `pages`) for all the checks.
pytestmark = pytest.mark.xdist_group("print_type")


@pytest.fixture(scope="module")
def data():
    return StaticData.load()


@pytest.fixture(scope="module")
def pages(policy, data):
    """A view, language and size built once for every check of this module: (its title's text,
    width and the width it may take, in inches; its SVG, with plain text: the sizes are those of
    the embedded font, the save cheaper)."""
    built = {}

    def page(name, lang, size):
        key = (name, lang, size)
        if key not in built:
            fig, info = build_figure(policy, _state(policy, name, lang), size=size, dpi=100, data=data)
            (title,) = [t for t in fig.texts if t.get_gid() == "title"]
            margin = title.get_position()[0] * fig.get_figwidth()
            width = title.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi
            built[key] = ((title.get_text(), width, fig.get_figwidth() - 2 * margin),
                          figure_bytes(fig, "svg", 100, info.title, svg_text="plain"))
        return built[key]

    return page


def _state(policy, name, lang):
    state = VIEWS[name].with_(lang=lang)
    return state.with_(clusters=tuple(policy.clusters)) if state.clusters == ("all",) else state


def svg_text_sizes(svg: bytes) -> list[tuple[float, str]]:
    """(font size in pt, text) of every word the SVG sets (its user unit is the point)."""
    root = ET.fromstring(svg)
    out = []
    for el in root.iter(f"{SVG_NS}text"):
        m = re.search(r"font-size:\s*([0-9.]+)px", el.get("style", ""))
        text = "".join(el.itertext())
        if m and text.strip():
            out.append((float(m.group(1)), text))
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(VIEWS))
def test_no_word_under_seven_points(pages, name, lang):
    """Every word of every page size (glyph numbers are numbers, see below) at >= 7 pt."""
    for size in SIZES:
        svg = pages(name, lang, size)[1]
        root = ET.fromstring(svg)
        assert root.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
        small = [(s, t) for s, t in svg_text_sizes(svg) if s < MIN_PT - 0.01 and not t.strip().isdigit()]
        assert not small, (size, small[:5])


def test_svg_keeps_repeated_spaces(policy, data):
    svg = render_bytes(policy, VIEWS["coverage"], fmt="svg", size="screen", data=data)
    # The footer sets four spaces between projection and date; the root keeps them.
    assert any("    " in t for _, t in svg_text_sizes(svg))
    assert b'xml:space="preserve"' in svg[:2000]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_poster_has_no_word_under_seven_points(policy, data, lang):
    svg = poster_bytes(policy, lang=lang, fmt="svg", data=data, svg_text="plain")
    small = [(s, t) for s, t in svg_text_sizes(svg) if s < MIN_PT - 0.01 and not t.strip().isdigit()]
    assert not small, small[:5]


def _spill(look, d: float, num: float, dpi: int = 600) -> float:
    """Share of a glyph number's ink that lies outside its shape's fill (edge excluded)."""
    masks = []
    for part in (0, 1):
        fig = Figure(figsize=(d * 2 / 72, d * 2 / 72), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, 2 * d)
        ax.set_ylim(0, 2 * d)
        ax.set_axis_off()
        artist = glyph_artists(look, d, d, d, d, num)[part]
        if part == 0:  # the fill, less the edge painted white over it
            artist.set_facecolor("black")
            artist.set_edgecolor("white")
            artist.set_linewidth(look.edge_frac * d)  # as drawn: half of it inside the shape
            artist.set_linestyle("-")
        else:
            artist.set_color("black")
        ax.add_artist(artist)
        fig.canvas.draw()
        masks.append(np.asarray(fig.canvas.buffer_rgba())[..., 0] < 128)
    fill, ink = masks
    assert ink.sum() > 0
    return float((ink & ~fill).sum() / ink.sum())


@pytest.mark.parametrize("family", list(TYPE))
def test_glyph_numbers_stay_inside_their_shape(family):
    """"13" in a small triangle must not read "△3": no ink of the number on or past the edge."""
    fonts.register()
    ty = TYPE[family]
    for marker in GLYPH_POLYGONS:
        for text in ("4", "13", "20"):
            for hollow in (False, True):
                look = glyph_look("#3366aa", marker, text, hollow)
                assert _spill(look, ty.glyph, ty.glyph_num) == 0, (marker, text, hollow)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_titles_fit_on_one_line_at_every_size(pages, lang):
    """A title fits its line at every size; one that would not takes its short form (never
    wrapped with an orphaned word)."""
    for size in SIZES:
        for name in VIEWS:
            text, width, room = pages(name, lang, size)[0]
            assert "\n" not in text, (size, name, text)
            assert width <= room + 0.01, (size, name, text, width, room)
