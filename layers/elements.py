"""Custom Folium elements: each is one call into layers/js/gd.js with its data.

The 20 cluster layers, the choropleth and the zoning all draw the same 21 city
shapes. Embedding them in every layer would multiply the page by ~10, so the
shapes are written once (`SharedGeometry`) and each `CityLayer` only carries
adcodes and a style index. The templates hold no logic and no text: data goes
in as `js_data` (JSON, escaped), code lives in gd.js.
"""

from __future__ import annotations

import json
import re

from branca.element import Element, MacroElement
from folium import LayerControl
from folium.map import Layer
from folium.template import Template

# Every text from data reaches the page through these two tables, so that it comes out
# exactly as written whatever reads the page on the way:
# - branca compiles each element's rendered script AGAIN as a Jinja template (SafeMacro
#   stops that for every element that carries data; a folium element added later would
#   not), so no "{" may survive to open "{{", "{%" or "{#";
# - streamlit-folium rewrites the finished script with regular expressions: "alert(coords);"
#   is deleted and "{{'name'}}" unwrapped (it also renames "_<id>" of the map's elements, ids
#   drawn at random for each render, which no uploaded text can know in advance);
# - an HTML parser ends a script element at "</script" and a CDATA section at "]]>".
# JSON strings take \\uXXXX escapes, HTML text takes character references: both are read
# back as the very characters, and neither contains what the readers above look for.
# ("#" stays: with every "{" escaped, "{#" cannot form, and colours keep their usual form.)
_JS_STRING = {ord(c): f"\\u{ord(c):04x}" for c in "<>&{}%()'\u2028\u2029"}
_HTML_TEXT = {ord(c): f"&#{ord(c)};" for c in "<>&\"'{}%()"}
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def js_data(value) -> str:
    """`value` as a JavaScript literal (JSON) that is safe inside a script element, a
    Jinja template and streamlit-folium's rewriting: every string's risky characters are
    \\u-escaped (structural braces of JSON objects never form a Jinja delimiter)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _JSON_STRING.sub(lambda m: m.group(0).translate(_JS_STRING), text)


def html_text(value) -> str:
    """Plain text (a name, a clause) as HTML that shows it as written: markup characters
    and everything a template engine or a script rewriter could read become references."""
    return str(value).translate(_HTML_TEXT)


class Verbatim(Element):
    """Rendered text that goes into the page as it is, never compiled as a template."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class SafeMacro:
    """Mixin for MacroElements: their macros' output is added to the page as Verbatim.

    branca's MacroElement.render wraps each macro's output in an `Element`, which
    compiles it as a Jinja template a second time, so data inside it would be evaluated
    (`{{7*7}}` became 49; worse ran code). Our elements render once."""

    def render(self, **kwargs):
        figure = self.get_root()
        module = self._template.module
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = getattr(module, part, None)
            if macro is not None:
                target.add_child(Verbatim(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class SafeLayer(SafeMacro, Layer):
    """A folium Layer rendered once (see SafeMacro); adds itself to its parent when shown."""

    def render(self, **kwargs):
        if self.show:
            from folium.map import ElementAddToElement

            self.add_child(ElementAddToElement(element_name=self.get_name(),
                                               element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")
        SafeMacro.render(self, **kwargs)


class SafeLayerControl(SafeMacro, LayerControl):
    """folium's LayerControl (its items are our layers' names, which hold data) rendered once."""

    def render(self, **kwargs):
        self.reset()
        for item in self._parent._children.values():
            if not isinstance(item, Layer) or not item.control:
                continue
            (self.overlays if item.overlay else self.base_layers)[item.layer_name] = item.get_name()
        SafeMacro.render(self, **kwargs)


GEOMETRY_DIGITS = 4


def _macro(code: str) -> Template:
    return Template("{% macro script(this, kwargs) %}" + code + "{% endmacro %}")


class SharedGeometry(SafeMacro, MacroElement):
    """`var <name> = {id: GeoJSON geometry}`, defined once and used by many layers.

    geometries: id -> geo.derive.encode_geometry(...) output."""

    _template = _macro("var {{ this.get_name() }} = gd.sharedGeometry({{ this.data }}, {{ this.digits }});")

    def __init__(self, geometries: dict[str, list], digits: int = GEOMETRY_DIGITS):
        super().__init__()
        self._name = "SharedGeometry"
        self.ids = list(geometries)
        self.data = js_data(geometries)
        self.digits = int(digits)


class CityLayer(SafeLayer):
    """A toggleable layer of shared city shapes. items: [geometry id, style index, ...]
    (extra fields ignored); styles: Leaflet path options by index."""

    _template = _macro("var {{ this.get_name() }} = gd.cityLayer({{ this.geometry.get_name() }}, {{ this.items_js }}, "
                       "{{ this.styles_js }}, {{ this.interactive }});")

    def __init__(self, geometry: SharedGeometry, items: list, styles: list[dict], name: str,
                 show: bool = True, interactive: bool = True, overlay: bool = True, control: bool = True):
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "CityLayer"
        self.geometry = geometry
        self.items_js = js_data([it[:2] for it in items])
        self.styles_js = js_data(styles)
        self.interactive = js_data(bool(interactive))


class GeoJsonLayer(SafeLayer):
    """Non-interactive shapes (context, outlines). features: [style index, encoded geometry]."""

    _template = _macro("var {{ this.get_name() }} = gd.shapeLayer({{ this.data }}, {{ this.style_js }}, "
                       "{{ this.digits }});")

    def __init__(self, features: list, styles: list[dict], name: str, show: bool = True,
                 overlay: bool = True, control: bool = True, digits: int = GEOMETRY_DIGITS):
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "GeoJsonLayer"
        self.data = js_data(features)
        self.style_js = js_data(styles)
        self.digits = int(digits)


class ZoningLayer(SafeLayer):
    """The 一核一带一区 overlay: zone fills and, over a casing, outlines drawn just inside
    each zone; gd.scene shows the look its mode asks for. fills: [style index, city id of
    the shared geometry]; insets: [style index, encoded geometry]."""

    _template = _macro("var {{ this.get_name() }} = gd.zoningLayer({{ this.geometry.get_name() }}, {{ this.fills }}, "
                       "{{ this.insets }}, {{ this.digits }});")

    def __init__(self, geometry: SharedGeometry, fills: list, insets: list, name: str, show: bool = True,
                 digits: int = GEOMETRY_DIGITS):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ZoningLayer"
        self.geometry = geometry
        self.fills = js_data(fills)
        self.insets = js_data(insets)
        self.digits = int(digits)


class LabelLayer(SafeLayer):
    """City names as text at label points: [lat, lon, escaped HTML, adcode]."""

    _template = _macro("var {{ this.get_name() }} = gd.labelLayer({{ this._parent.get_name() }}, {{ this.items_js }});")

    def __init__(self, items: list, name: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "LabelLayer"
        self.items_js = js_data(items)


class MapFurniture(SafeMacro, MacroElement):
    """A metric-only scale bar and the plain Leaflet attribution (no flag)."""

    _template = _macro("gd.furniture({{ this._parent.get_name() }}, {{ this.prefix }}, {{ this.scale }});")

    def __init__(self, scale: str = "bottomleft"):
        super().__init__()
        self._name = "MapFurniture"
        self.prefix = js_data('<a href="https://leafletjs.com" title="Leaflet">Leaflet</a>')
        self.scale = js_data(scale)  # the scale bar's corner


class Heading(SafeMacro, MacroElement):
    """Title, subtitle and source line of a standalone map file (pre-escaped HTML)."""

    _template = _macro("gd.heading({{ this._parent.get_name() }}, {{ this.html }});")

    def __init__(self, title: str, subtitle: str, source: str):
        super().__init__()
        self._name = "Heading"
        self.html = js_data(f"<h1>{title}</h1><div class='gd-sub'>{subtitle}</div><div class='gd-src'>{source}</div>")


class LayerGroupHeaders(SafeMacro, MacroElement):
    """Pillar/emerging headings in Leaflet's layer control (see gd.layerGroupHeaders)."""

    _template = _macro("gd.layerGroupHeaders({{ this.control.get_name() }});")

    def __init__(self, control):
        super().__init__()
        self._name = "LayerGroupHeaders"
        self.control = control


class InitialView(SafeMacro, MacroElement):
    """Runs a view script once the map and its scene exist (standalone pages)."""

    _template = _macro("{{ this.code }}")

    def __init__(self, code: str):
        super().__init__()
        self._name = "InitialView"
        self.code = code


def view_script(ids, focus: str | None = None, mode: str | None = None) -> str:
    """JavaScript that shows exactly the overlays `ids` on a map carrying gd.scene,
    puts the city `focus` (an adcode) in focus if given, and switches to `mode` (a
    layers.modes.variant_key) if given."""
    tail = f", {js_data(mode)}" if mode else ""
    return f"window.gdApplyView && window.gdApplyView({js_data(list(ids))}, {js_data(focus)}{tail});"
