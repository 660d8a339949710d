"""The looks of `views.style` as Leaflet path options and inline SVG.

The only translation from a look to the browser: what a look is, and what every
mark of the map is, is decided in views/; here it becomes the options Leaflet
takes and the SVG the legend, glyphs and tooltips show.
"""

from __future__ import annotations

import base64

from views.style import GLYPH_HALF_EXTENT, GLYPH_PX, GLYPH_TEXT_DY, GLYPH_TEXT_SIZE, Area, GlyphLook, Stroke

OFF = {"opacity": 0, "fillOpacity": 0}


def _dash(stroke: Stroke) -> str | None:
    return " ".join(f"{d * stroke.width:g}" for d in stroke.dash) if stroke.dash else None


def leaflet_stroke(stroke: Stroke) -> dict:
    """A line as Leaflet path options (no fill)."""
    return {"color": stroke.color, "weight": stroke.width, "opacity": stroke.alpha, "dashArray": _dash(stroke),
            "lineCap": "round" if stroke.dots else stroke.cap, "fill": False}


def leaflet_casing(stroke: Stroke) -> dict:
    """The wider line drawn under `stroke` (its casing), or OFF when it has none."""
    if not stroke.casing:
        return dict(OFF)
    return {"color": stroke.casing, "weight": stroke.width + stroke.casing_extra, "opacity": 0.85, "fill": False}


def leaflet_area(area: Area) -> dict:
    """A filled shape as Leaflet path options."""
    out = {"fill": area.fill is not None, "fillColor": area.fill, "fillOpacity": area.alpha if area.fill else 0}
    if area.stroke:
        out.update({k: v for k, v in leaflet_stroke(area.stroke).items() if k != "fill"}, stroke=True)
    else:
        out["stroke"] = False
    return out


def _points(look: GlyphLook) -> str:
    return " ".join(f"{x * look.scale:.3f},{-y * look.scale:.3f}" for x, y in look.polygon)


def glyph_svg(look: GlyphLook, px: float = GLYPH_PX, cls: str = "gd-glyph") -> str:
    """One glyph as inline SVG, drawn from the look's own polygon (escaped text: a number)."""
    e = GLYPH_HALF_EXTENT
    paint = (f'fill="{look.fill}" stroke="{look.edge}" stroke-width="{look.edge_frac:.3f}"'
             + (f' stroke-dasharray="{" ".join(f"{d * look.edge_frac:.3f}" for d in look.dash)}"' if look.dash else ""))
    shape = (f'<circle r="{0.5 * look.scale:.3f}"/>' if look.polygon is None else f'<polygon points="{_points(look)}"/>')
    label = ""
    if look.text:
        size = GLYPH_TEXT_SIZE[0 if len(look.text) < 2 else 1]
        dy = -GLYPH_TEXT_DY.get(look.marker, 0.0)
        label = (f'<text y="{dy:.3f}" dominant-baseline="central" text-anchor="middle" font-size="{size}" '
                 f'font-weight="700" fill="{look.text_color}">{int(look.text)}</text>')
    return (f'<svg class="{cls}" width="{px:g}" height="{px:g}" viewBox="{-e} {-e} {2 * e} {2 * e}" '
            f'aria-hidden="true"><g {paint}>{shape}</g>{label}</svg>')


def glyph_img(look: GlyphLook, px: float = 15, cls: str = "gd-chipglyph") -> str:
    """The same glyph as an <img> of its SVG, for HTML that is sanitised of inline SVG
    (Streamlit's st.html)."""
    svg = glyph_svg(look, px=px, cls="g").replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    data = base64.b64encode(svg.encode()).decode("ascii")
    return f'<img class="{cls}" width="{px:g}" height="{px:g}" alt="" src="data:image/svg+xml;base64,{data}">'


def line_svg(stroke: Stroke) -> str:
    """A legend sample of a line over its casing."""
    under = (f'<line x1="3" y1="6" x2="27" y2="6" stroke="{stroke.casing}" '
             f'stroke-width="{stroke.width + stroke.casing_extra:g}"/>' if stroke.casing else "")
    dash = f' stroke-dasharray="{_dash(stroke)}"' if stroke.dash else ""
    cap = ' stroke-linecap="round"' if stroke.dots else ""
    return (f'<svg class="gd-line" width="30" height="12" aria-hidden="true">{under}<line x1="3" y1="6" x2="27" '
            f'y2="6" stroke="{stroke.color}" stroke-opacity="{stroke.alpha:g}" stroke-width="{stroke.width:g}"'
            f'{dash}{cap}/></svg>')


def area_svg(area: Area) -> str:
    """A legend swatch of a filled shape, with its outline."""
    fill = (f'fill="{area.fill}" fill-opacity="{area.alpha:g}"' if area.fill else 'fill="none"')
    s = area.stroke
    edge = ""
    if s:
        dash = f' stroke-dasharray="{_dash(s)}"' if s.dash else ""
        edge = f' stroke="{s.color}" stroke-opacity="{s.alpha:g}" stroke-width="{min(s.width, 2.0):g}"{dash}'
    return (f'<svg class="gd-swatch" width="18" height="13" aria-hidden="true"><rect x="1" y="1" width="16" '
            f'height="11" {fill}{edge}/></svg>')


def sample_svg(look) -> str:
    """The legend sample of any look: the same drawing as on the map."""
    if isinstance(look, GlyphLook):
        return glyph_svg(look, px=16)
    if isinstance(look, Stroke):
        return line_svg(look)
    return area_svg(look)


def css_box(area: Area) -> str:
    """A filled box with its outline as CSS declarations (a callout card)."""
    rgb = ", ".join(str(int(area.fill[i:i + 2], 16)) for i in (1, 3, 5))
    out = f"background: rgba({rgb}, {area.alpha:g});"
    if area.stroke:
        out += f" border: {area.stroke.width:g}px solid {area.stroke.color};"
    return out
