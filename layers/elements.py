"""Custom Folium elements.

The 20 cluster layers, the choropleth and the zoning all draw the same 21 city
shapes. Embedding them in every layer would multiply the page by ~10, so the
shapes are written once (`SharedGeometry`) and each `CityLayer` only carries
adcodes, a style index and pre-escaped tooltip/popup HTML.
"""

from __future__ import annotations

import json

from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template


def _js(value) -> str:
    # JSON is valid JavaScript; escaping <, > and & keeps "</script>" in a data
    # string from ending the script element.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


GEOMETRY_DIGITS = 4


class GeometryCodec(MacroElement):
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


class SharedGeometry(MacroElement):
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
        self.data = _js(geometries)
        self.digits = digits


CITY_PLACEHOLDER = "%%CITY%%"


class CityLayer(Layer):
    """A toggleable GeoJSON layer built in the browser from shared geometry.

    items: [geometry id, style index, tooltip text index, popup text index, city HTML];
    texts: HTML strings (already escaped by the caller) in which %%CITY%% stands for
    the item's city, so one designation's popup is sent once for all its cities.
    An index of -1 means no tooltip/popup."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var geom = {{ this.geometry.get_name() }};
            var styles = {{ this.styles_js }};
            var texts = {{ this.texts_js }};
            var items = {{ this.items_js }};
            function text(i, city) { return i < 0 ? "" : texts[i].split("%%CITY%%").join(city); }
            return L.geoJSON({
                type: "FeatureCollection",
                features: items.map(function (it) {
                    return {type: "Feature", geometry: geom[it[0]],
                            properties: {id: it[0], s: it[1], t: text(it[2], it[4]), p: text(it[3], it[4])}};
                })
            }, {
                interactive: {{ "true" if this.interactive else "false" }},
                style: function (f) { return styles[f.properties.s]; },
                onEachFeature: function (f, layer) {
                    if (f.properties.t) { layer.bindTooltip(f.properties.t, {sticky: true}); }
                    if (f.properties.p) { layer.bindPopup(f.properties.p, {maxWidth: 380}); }
                }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, geometry: SharedGeometry, items: list, styles: list[dict], name: str,
                 texts: list[str] = (), show: bool = True, interactive: bool = True, overlay: bool = True,
                 control: bool = True):
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "CityLayer"
        self.geometry = geometry
        self.items_js = _js(items)
        self.texts_js = _js(list(texts))
        self.styles_js = _js(styles)
        self.interactive = interactive


class TextTable:
    """Collects distinct HTML strings for a CityLayer and hands out their indices."""

    def __init__(self):
        self.texts: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, html: str) -> int:
        if not html:
            return -1
        if html not in self._index:
            self._index[html] = len(self.texts)
            self.texts.append(html)
        return self._index[html]


class GeoJsonLayer(Layer):
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
        self.data = _js(features)
        self.style_js = _js(styles)
        self.digits = digits


class LabelLayer(Layer):
    """City names as non-interactive text at label points: [lat, lon, escaped HTML]."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup({{ this.items_js }}.map(function (it) {
            return L.marker([it[0], it[1]], {
                interactive: false, keyboard: false,
                icon: L.divIcon({className: "gd-label", html: it[2], iconSize: null})
            });
        }));
        {% endmacro %}
        """
    )

    def __init__(self, items: list, name: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "LabelLayer"
        self.items_js = _js(items)


class Legend(MacroElement):
    """One legend box; each section shows only while its layer is on the map.

    sections: [([layer elements], escaped HTML)] — a section shows while any of its layers is on."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var sections = [{% for layers, html in this.sections %}[[{% for l in layers %}{{ l.get_name() }}{{ "," if not loop.last }}{% endfor %}], {{ this.js(html) }}]{{ "," if not loop.last }}{% endfor %}];
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "gd-legend");
                L.DomEvent.disableScrollPropagation(div);
                div.innerHTML = {{ this.js(this.title) }};
                sections.forEach(function (s) {
                    var el = L.DomUtil.create("div", "gd-legend-section", div);
                    el.innerHTML = s[1];
                    s.push(el);
                });
                return div;
            };
            legend.addTo(map);
            function refresh() {
                sections.forEach(function (s) {
                    s[2].style.display = s[0].some(function (l) { return map.hasLayer(l); }) ? "" : "none";
                });
            }
            map.on("overlayadd overlayremove layeradd layerremove", refresh);
            refresh();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title_html: str, sections: list[tuple[Layer, str]]):
        super().__init__()
        self._name = "Legend"
        self.title = title_html
        self.sections = sections
        self.js = _js


MAP_CSS = """
<style>
.gd-label { background: none; border: none; font: 600 12px/1.1 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  color: #222; white-space: nowrap; transform: translate(-50%, -50%); pointer-events: none;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
.gd-legend { background: rgba(255,255,255,.93); padding: 6px 9px; border-radius: 4px; max-width: 260px;
  font: 12px/1.35 sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-height: 270px; overflow-y: auto; }
.gd-legend-title { font-weight: 700; margin-bottom: 3px; }
.gd-legend-section { margin-top: 4px; }
.gd-legend-section b { display: block; margin-bottom: 2px; }
.gd-swatch { display: inline-block; width: 14px; height: 11px; margin-right: 5px; vertical-align: -1px;
  border: 1px solid #555; }
.gd-swatch.region { border-style: dashed; }
.gd-note { color: #555; font-size: 11px; }
.gd-group { font-weight: 700; margin: 4px 0 1px; color: #333; }
.leaflet-interactive:focus { outline: none; }
.leaflet-control-layers-expanded { font-size: 12px; line-height: 1.3; padding: 4px 8px; }
.leaflet-control-layers-list { max-height: 360px; overflow-y: auto; }
.gd-popup table { border-collapse: collapse; font-size: 12px; }
.gd-popup th { text-align: left; padding-right: 6px; color: #555; vertical-align: top; white-space: nowrap; }
.gd-popup blockquote { margin: 4px 0 0; padding: 3px 6px; border-left: 3px solid #999; background: #f6f6f6; }
</style>
"""


def add_css(m) -> None:
    m.get_root().header.add_child(Element(MAP_CSS), name="gd_css")


class LayerGroupHeaders(MacroElement):
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


class ViewSync(MacroElement):
    """Lets the host page switch overlays without rebuilding the map, and reports
    the user's own layer-control toggles back to it.

    `window.gdApplyView(ids)` shows exactly the overlays in `ids` (ids:
    "coverage", "zoning" and cluster ids). When the user ticks a box in Leaflet's
    layer control, the visible ids are handed to streamlit-folium through its
    tag-filter hook (`selected_tags`), so the app's view state, URL and exports
    follow what is on screen. The zoning layer is filled only while no other
    overlay colours the cities (views.style.zoning_as_fill)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var overlays = { {% for id, layer in this.overlays %}{{ this.js(id) }}: {{ layer.get_name() }}{{ "," if not loop.last }}{% endfor %} };
            var zoning = overlays["zoning"], zoningStyles = {{ this.js(this.zoning_styles) }};
            function zoningFilled() {
                // Same rule as views.style.zoning_as_fill.
                return Object.keys(overlays).every(function (id) {
                    return id === "zoning" || !map.hasLayer(overlays[id]);
                });
            }
            function restyleZoning() {
                if (!zoning) { return; }
                var fill = zoningFilled();
                zoning.setStyle(function (f) { return zoningStyles[fill ? "fill" : "outline"][f.properties.s]; });
                // Filled zones sit under everything; outlines go on top of what they frame.
                if (map.hasLayer(zoning)) { if (fill) { zoning.bringToBack(); } else { zoning.bringToFront(); } }
            }
            function visible() {
                return Object.keys(overlays).filter(function (id) { return map.hasLayer(overlays[id]); });
            }
            window.gdOverlays = overlays;
            window.gdVisible = visible;
            var applying = false, focus = null, geom = {{ this.geometry.get_name() }};
            window.gdApplyView = function (ids, city) {
                applying = true;  // the host's own change: not a user toggle to report back
                if (focus) { map.removeLayer(focus); focus = null; }
                if (city && geom[city]) {
                    focus = L.geoJSON(geom[city], {interactive: false,
                        style: {color: "#111", weight: 3, fill: false, opacity: 0.9}}).addTo(map);
                }
                Object.keys(overlays).forEach(function (id) {
                    var on = ids.indexOf(id) >= 0, layer = overlays[id];
                    if (on && !map.hasLayer(layer)) { map.addLayer(layer); }
                    if (!on && map.hasLayer(layer)) { map.removeLayer(layer); }
                });
                restyleZoning();
                if (focus) { focus.bringToFront(); }  // the city in focus stays visible over outlines
                applying = false;
            };
            // streamlit-folium wraps onSelectionComplete of any window.tag_filter_button_*
            // object to report selected_tags; this stands in for such a button.
            // Each report starts with "@<n>" so the host can tell a fresh toggle from
            // a stale value and from the hook's initial empty list.
            window.tag_filter_button_gd_view = {_selectedTags: [], options: {onSelectionComplete: null}};
            var reports = 0;
            map.on("overlayadd overlayremove", function () {
                restyleZoning();
                if (focus) { focus.bringToFront(); }
                if (applying) { return; }
                var report = window.tag_filter_button_gd_view.options.onSelectionComplete;
                reports += 1;
                if (report) { report(["@" + reports].concat(visible())); }
            });
            // A popup stops its click from reaching the map, so streamlit-folium would
            // never hear of it; pass the clicked point on so the host can pick the city.
            Object.keys(overlays).forEach(function (id) {
                overlays[id].on("click", function (e) { map.fire("click", {latlng: e.latlng}); });
            });
            restyleZoning();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, overlays: list[tuple[str, Layer]], zoning_styles: dict[str, list[dict]],
                 geometry: SharedGeometry):
        super().__init__()
        self._name = "ViewSync"
        self.geometry = geometry
        self.overlays = overlays
        self.zoning_styles = zoning_styles
        self.js = _js


class InitialView(MacroElement):
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
    return f"window.gdApplyView && window.gdApplyView({_js(list(ids))}, {_js(focus)});"
