"""Custom Folium elements.

The 20 cluster layers, the choropleth and the zoning all draw the same 21 city
shapes. Embedding them in every layer would multiply the page by ~10, so the
shapes are written once (`SharedGeometry`) and each `CityLayer` only carries
adcodes, a style index and pre-escaped tooltip/popup HTML.
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


class GeometryCodec(SafeMacro, MacroElement):
    """`gdDecode`: turns geo.derive.encode_geometry output back into GeoJSON.
    Added to the map before any layer that carries encoded geometry."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.gdDecode = function (polys, digits) {
            var scale = Math.pow(10, digits);
            return {type: "MultiPolygon", coordinates: polys.map(function (rings) {
                return rings.map(function (r) {
                    var out = [], x = 0, y = 0;
                    for (var i = 0; i < r.length; i += 2) {
                        x += r[i]; y += r[i + 1];
                        out.push([x / scale, y / scale]);
                    }
                    return out;
                });
            })};
        };
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "GeometryCodec"


class SharedGeometry(SafeMacro, MacroElement):
    """`var <name> = {id: GeoJSON geometry}` — defined once, used by many layers.

    geometries: id -> encode_geometry(...) output."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var enc = {{ this.data }}, out = {};
            Object.keys(enc).forEach(function (k) { out[k] = gdDecode(enc[k], {{ this.digits }}); });
            return out;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, geometries: dict[str, list], digits: int = GEOMETRY_DIGITS):
        super().__init__()
        self._name = "SharedGeometry"
        self.ids = list(geometries)
        self.data = js_data(geometries)
        self.digits = digits


class CityLayer(SafeLayer):
    """A toggleable GeoJSON layer built in the browser from shared geometry.

    items: [geometry id, style index, ...] (extra fields are ignored); each feature
    gets properties {id, s} so a script can restyle it later."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var geom = {{ this.geometry.get_name() }};
            var styles = {{ this.styles_js }};
            return L.geoJSON({
                type: "FeatureCollection",
                features: {{ this.items_js }}.map(function (it) {
                    return {type: "Feature", geometry: geom[it[0]], properties: {id: it[0], s: it[1]}};
                })
            }, {
                interactive: {{ "true" if this.interactive else "false" }},
                style: function (f) { return styles[f.properties.s]; }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, geometry: SharedGeometry, items: list, styles: list[dict], name: str,
                 show: bool = True, interactive: bool = True, overlay: bool = True, control: bool = True):
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "CityLayer"
        self.geometry = geometry
        self.items_js = js_data([it[:2] for it in items])
        self.styles_js = js_data(styles)
        self.interactive = interactive


class GeoJsonLayer(SafeLayer):
    """Non-interactive polygons (context, zones) from encoded geometry.

    features: [style index, encode_geometry(...) output]."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({
            type: "FeatureCollection",
            features: {{ this.data }}.map(function (f) {
                return {type: "Feature", properties: {s: f[0]}, geometry: gdDecode(f[1], {{ this.digits }})};
            })
        }, {
            interactive: false,
            style: function (f) { return {{ this.style_js }}[f.properties.s]; }
        });
        {% endmacro %}
        """
    )

    def __init__(self, features: list, styles: list[dict], name: str, show: bool = True,
                 overlay: bool = True, control: bool = True, digits: int = GEOMETRY_DIGITS):
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "GeoJsonLayer"
        self.data = js_data(features)
        self.style_js = js_data(styles)
        self.digits = digits


class ZoningLayer(SafeLayer):
    """The 一核一带一区 overlay: zone fills and, over a white casing, outlines drawn
    just inside each zone. Each part carries `gdPart` so SceneSync can show the
    look the scene asks for. fills: [style index, city id of the shared geometry];
    insets: [style index, encoded geometry]."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var geom = {{ this.geometry.get_name() }};
            function part(name, feats, shared) {
                return L.geoJSON({type: "FeatureCollection", features: feats.map(function (f) {
                    return {type: "Feature", properties: {s: f[0]},
                            geometry: shared ? geom[f[1]] : gdDecode(f[1], {{ this.digits }})};
                })}, {interactive: false, gdPart: name});
            }
            // Filled zones are their cities filled in the zone's colour: no second copy of the shapes.
            return L.featureGroup([part("fill", {{ this.fills }}, true), part("casing", {{ this.insets }}),
                                   part("line", {{ this.insets }})]);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, geometry: SharedGeometry, fills: list, insets: list, name: str, show: bool = True,
                 digits: int = GEOMETRY_DIGITS):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ZoningLayer"
        self.geometry = geometry
        self.fills = js_data(fills)
        self.insets = js_data(insets)
        self.digits = digits


class MapFurniture(SafeMacro, MacroElement):
    """A metric-only scale bar and the plain Leaflet attribution (no flag)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            L.control.scale({metric: true, imperial: false, position: "bottomleft"}).addTo(map);
            map.attributionControl.setPrefix({{ this.prefix }});
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "MapFurniture"
        self.prefix = js_data('<a href="https://leafletjs.com" title="Leaflet">Leaflet</a>')


class Heading(SafeMacro, MacroElement):
    """Title, subtitle and source line of a standalone map file (pre-escaped HTML)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var c = L.control({position: "topleft"});
            c.onAdd = function () {
                var div = L.DomUtil.create("div", "gd-heading");
                div.innerHTML = {{ this.html }};
                return div;
            };
            c.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, title: str, subtitle: str, source: str):
        super().__init__()
        self._name = "Heading"
        self.html = js_data(f"<h1>{title}</h1><div class='gd-sub'>{subtitle}</div><div class='gd-src'>{source}</div>")


class LabelLayer(SafeLayer):
    """City names as non-interactive text at label points: [lat, lon, escaped HTML]."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map) {
            // Names stay above the cluster glyphs (markerPane) and below tooltips.
            if (!map.getPane("gdLabels")) { map.createPane("gdLabels").style.zIndex = 640; }
            return L.layerGroup({{ this.items_js }}.map(function (it) {
                return L.marker([it[0], it[1]], {
                    interactive: false, keyboard: false, pane: "gdLabels",
                    icon: L.divIcon({className: "gd-label", html: "<span>" + it[2] + "</span>", iconSize: null})
                });
            }));
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, items: list, name: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "LabelLayer"
        self.items_js = js_data(items)


MAP_CSS = """
<style>
/* The map fills its frame: in the app the frame is sized to the window; a standalone file is the window. */
html, body { height: 100%; margin: 0; }
.folium-map, #map_div { height: 100vh !important; min-height: 320px; }
body > span { display: none; }
.gd-label { background: none; border: none; pointer-events: none; }
.gd-label span { display: block; transform: translate(-50%, -100%); font: 600 12px/1.1 "Noto Sans CJK SC",
  "Microsoft YaHei", sans-serif; color: #222; white-space: nowrap;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 3px #fff; }
.gd-glyph-box { background: none; border: none; pointer-events: none; }
.gd-glyphs { display: flex; flex-wrap: wrap; justify-content: center; gap: 1px; transform: translate(-50%, 2px); }
.gd-glyph { display: block; flex: none; overflow: visible; font-family: Arial, "Noto Sans", sans-serif; }
.gd-legend { background: rgba(255,255,255,.95); border-radius: 4px; max-width: 250px;
  font: 11.5px/1.3 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
.gd-legend-toggle { display: block; width: 100%; text-align: left; border: 0; background: none; cursor: pointer;
  font: 700 12px/1.6 inherit; padding: 3px 9px; color: #222; }
.gd-legend-body { padding: 0 9px 6px; max-height: calc(100vh - 120px); overflow-y: auto; }
.gd-legend-section { margin-top: 5px; }
.gd-legend-section b { display: block; margin-bottom: 2px; }
.gd-entry { display: flex; align-items: center; gap: 5px; margin: 1px 0; }
.gd-entry svg, .gd-entry .gd-swatch { flex: none; }
.gd-swatch { display: inline-block; width: 14px; height: 11px; border: 1px solid #555; }
.gd-note { color: #444; font-size: 11px; margin-top: 2px; }
.gd-notes .gd-note { color: #7a3b00; }
.gd-group { font-weight: 700; margin: 4px 0 1px; color: #333; }
.gd-chip { display: inline-block; min-width: 15px; padding: 0 3px; margin-right: 4px; border-radius: 7px;
  font: 700 10px/14px Arial, sans-serif; text-align: center; border: 1px solid #333; box-sizing: border-box; }
.leaflet-interactive:focus { outline: none; }
.leaflet-control-layers-expanded { font-size: 12px; line-height: 1.3; padding: 4px 8px; }
.leaflet-control-layers-list { max-height: calc(100vh - 90px); overflow-y: auto; }
.gd-tip { width: max-content; max-width: 340px; white-space: normal; }
.gd-popup { font-size: 12px; line-height: 1.4; }
.gd-tiphead { margin-bottom: 3px; }
.gd-tipline { margin: 1px 0; }
.gd-meta { color: #555; }
.gd-pitem { margin: 6px 0 2px; }
.gd-popup blockquote { margin: 3px 0 0; padding: 3px 6px; border-left: 3px solid #999; background: #f6f6f6;
  white-space: normal; }
.gd-heading { background: rgba(255,255,255,.93); padding: 6px 10px; border-radius: 4px; max-width: 460px;
  font: 12px/1.35 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
.gd-heading h1 { font-size: 16px; margin: 0 0 2px; }
/* A phone-width map: smaller names and glyphs so neighbours in the delta overlap less. */
@media (max-width: 520px) {
  .gd-label span { font-size: 10px; }
  svg.gd-glyph { width: 13px; height: 13px; }
  .gd-heading { max-width: 260px; }
}
.gd-heading .gd-sub, .gd-heading .gd-src { color: #555; font-size: 11px; }
</style>
"""


def add_css(m) -> None:
    m.get_root().header.add_child(Element(MAP_CSS), name="gd_css")


class LayerGroupHeaders(SafeMacro, MacroElement):
    """Show pillar/emerging group headings in Leaflet's layer control.

    The control has no groups; a layer's name may carry a `.gd-group` heading,
    which this moves in front of its row (and again whenever Leaflet redraws
    the list)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (ctl) {
            function lift() {
                var list = ctl._overlaysList;
                if (!list) { return; }
                list.querySelectorAll("label .gd-group").forEach(function (h) {
                    var label = h.closest("label");
                    label.parentNode.insertBefore(h, label);
                });
            }
            var update = ctl._update;
            ctl._update = function () { var r = update.apply(this, arguments); lift(); return r; };
            lift();
        })({{ this.control.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, control):
        super().__init__()
        self._name = "LayerGroupHeaders"
        self.control = control


class InitialView(SafeMacro, MacroElement):
    """Runs a view script once the map and its ViewSync exist (standalone pages)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.code }}
        {% endmacro %}
        """
    )

    def __init__(self, code: str):
        super().__init__()
        self._name = "InitialView"
        self.code = code


def view_script(ids, focus: str | None = None) -> str:
    """JavaScript that shows exactly the overlays `ids` on a map carrying ViewSync,
    and outlines the city `focus` (an adcode) if given."""
    return f"window.gdApplyView && window.gdApplyView({js_data(list(ids))}, {js_data(focus)});"
