"""The Leaflet side of a `views.scene.Scene`: glyphs, tints, tooltips, legend, notes.

The map is rendered once per (data, language, basis, tier, basemap) with every
cluster in it; overlays are then switched in the browser. `SceneSync` holds the
scene's data and applies its rules whenever the overlays on screen change: the
same rules as `Scene.condition` (coverage shading only with no cluster on, zones
filled only when nothing else colours the map, the tint only with one cluster),
the glyphs of the visible clusters packed at each city as `glyph_columns` packs
them, and the legend entries and notes whose overlays are on. Python builds every
piece of HTML (escaped); the script only shows, hides and concatenates them.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template

from layers.elements import SafeMacro, html_text, js_data
from views.scene import Scene
from views.style import ink

# SVG shapes of the role glyphs, in a 20×20 box (matplotlib marker codes, as in views/style.py).
GLYPH_SVG = {
    "o": '<circle cx="10" cy="10" r="8.2"/>',
    "D": '<path d="M10 0.8 L19.2 10 L10 19.2 L0.8 10 Z"/>',
    "s": '<rect x="2" y="2" width="16" height="16"/>',
    "h": '<path d="M10 0.9 L18.2 5.45 L18.2 14.55 L10 19.1 L1.8 14.55 L1.8 5.45 Z"/>',
    "^": '<path d="M10 1 L19.3 18.2 L0.7 18.2 Z"/>',
}
GLYPH_PX = 18


def glyph_svg(marker: str, color: str, text: str = "", text_color: str = "#000", hollow: bool = False,
              px: int = GLYPH_PX) -> str:
    """One glyph as inline SVG; the same drawing in the map, its legend and tooltips."""
    shape = GLYPH_SVG[marker]
    if hollow:
        # A pale cluster colour is darkened to read on white (as in print, views.style.ink).
        edge = ink(color)
        paint = f'fill="#ffffff" stroke="{edge}" stroke-width="2.4" stroke-dasharray="3 2"'
        text_color = edge
    else:
        paint = f'fill="{color}" stroke="#333" stroke-width="1"'
    y = "14.2" if marker == "^" else "13.6"
    label = (f'<text x="10" y="{y}" text-anchor="middle" font-size="{9.5 if len(text) < 2 else 8.6}" '
             f'font-weight="700" fill="{text_color}">{html_text(text)}</text>') if text else ""
    return (f'<svg class="gd-glyph" width="{px}" height="{px}" viewBox="0 0 20 20" aria-hidden="true">'
            f'<g {paint}>{shape}</g>{label}</svg>')


def _sample(e) -> str:
    """The legend sample of one entry (escaped HTML)."""
    if e.kind == "glyph":
        return glyph_svg(e.marker or "o", e.color or "#555", e.text, "#fff" if not e.text else _text_on(e.color),
                         e.hollow, px=16)
    if e.kind == "line":
        w = e.width
        dash = "" if not e.dash else f' stroke-dasharray="{" ".join(f"{d * w:g}" for d in e.dash)}"'
        cap = ' stroke-linecap="round"' if e.dash and e.dash[0] < 0.1 else ""
        return (f'<svg class="gd-line" width="30" height="12" aria-hidden="true"><line x1="3" y1="6" x2="27" y2="6" '
                f'stroke="#fff" stroke-width="{w + 2:g}"/><line x1="3" y1="6" x2="27" y2="6" stroke="{e.color}" '
                f'stroke-width="{w:g}"{dash}{cap}/></svg>')
    edge = e.edge or "#555"
    if e.dash:  # an outline only
        return f'<span class="gd-swatch" style="background:none;border:2px dashed {edge}"></span>'
    return (f'<span class="gd-swatch" style="background:{e.color};opacity:{max(e.alpha, 0.2):.2f};'
            f'border-color:{edge}"></span>')


def _text_on(color: str | None) -> str:
    from views.style import text_color_on

    return text_color_on(color) if color else "#000"


def legend_html(scene: Scene) -> list:
    """[[when, title HTML, note HTML, [[layers, entry HTML], ...]], ...] for the script."""
    out = []
    for s in scene.catalogue:
        entries = [[list(e.layers), f'<div class="gd-entry">{_sample(e)}<span>{html_text(e.label)}</span></div>']
                   for e in s.entries]
        out.append([s.when, html_text(s.title), html_text(s.note or ""), entries])
    return out


def _chip(c) -> str:
    return f'<span class="gd-chip" style="background:{c.color};color:{c.text_color}">{c.key}</span>'


def city_texts(scene: Scene) -> tuple[dict, dict]:
    """What tooltips and popups say, as small tables the page assembles: per cluster its
    chip and name; distinct texts (roles, places, roles as written, clauses) once each; per
    city, per cluster [cluster id, role text, place-and-role-as-written text, [clause, ...]]
    as indices into those tables. A clause naming many cities is sent once."""
    texts: list[str] = []
    index: dict[str, int] = {}

    def ref(html: str) -> int:
        if html not in index:
            index[html] = len(texts)
            texts.append(html)
        return index[html]

    items: dict[str, list] = {}
    for c in scene.clusters:
        for a in c.drawn_cities:
            clauses = scene.clauses.get((c.id, a), ())
            if not clauses:
                continue
            sep = "；" if scene.lang == "zh" else "; "
            roles = sep.join(dict.fromkeys(f"{cl.role_label}（{cl.basis_label}）" if scene.lang == "zh"
                                           else f"{cl.role_label} ({cl.basis_label})" for cl in clauses))
            places = "、".join(dict.fromkeys(cl.place_zh for cl in clauses))
            role_zh = "、".join(dict.fromkeys(cl.role_zh for cl in clauses))
            quotes = [ref(f"<blockquote>{html_text(cl.quote)}</blockquote>")
                      for cl in {cl.designation_id: cl for cl in clauses}.values()]
            items.setdefault(a, []).append([c.id, ref(html_text(roles)), ref(html_text(f"{role_zh} · {places}")), quotes])
    heads = {c.id: f"{_chip(c)}<b>{html_text(c.name)}</b>" for c in scene.clusters}
    return items, {"texts": texts, "heads": heads}


class SceneSync(SafeMacro, MacroElement):
    """The scene's rules in the browser, and the bridge to the host page.

    `window.gdApplyView(ids, city)` shows exactly the overlays `ids` ("coverage",
    "zoning", cluster ids) and outlines the city in focus. Ticks in Leaflet's layer
    control are reported to streamlit-folium through its tag-filter hook
    (`selected_tags`), each report starting "@<n>" so the host can tell a fresh
    toggle from a stale value."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var S = {{ this.data }};
            var geom = {{ this.geometry.get_name() }};
            var overlays = { {% for id, layer in this.overlays %}{{ this.js(id) }}: {{ layer.get_name() }}{{ "," if not loop.last }}{% endfor %} };
            var coverage = overlays["coverage"], zoning = {{ this.zoning.get_name() }};
            var clusterIds = S.clusters.map(function (c) { return c[0]; });
            function visible() {
                return Object.keys(overlays).filter(function (id) { return map.hasLayer(overlays[id]); });
            }
            function visibleClusters() {
                return clusterIds.filter(function (id) { return map.hasLayer(overlays[id]); });
            }
            // Same rule as views.scene.Scene.condition.
            function condition(when) {
                var n = visibleClusters().length, vis = visible();
                var cov = vis.indexOf("coverage") >= 0 && n === 0, zon = vis.indexOf("zoning") >= 0;
                return {always: true, coverage: cov, zoning_fill: zon && !cov && n === 0,
                        zoning_outline: zon && (cov || n > 0), clusters: n > 0, single_cluster: n === 1}[when];
            }
            function anyOn(layers) {
                return !layers.length || layers.some(function (id) { return overlays[id] && map.hasLayer(overlays[id]); });
            }

            // --- glyphs: the visible clusters' glyphs at each city, packed like glyph_columns ---
            var glyphLayer = L.layerGroup().addTo(map), labelPts = S.labels;
            function columns(n) { return n <= 3 ? Math.max(n, 1) : Math.min(n, Math.ceil(Math.sqrt(2 * n))); }
            function drawGlyphs() {
                glyphLayer.clearLayers();
                var on = {}; visibleClusters().forEach(function (id) { on[id] = true; });
                var byCity = {};
                S.glyphs.forEach(function (g) {
                    if (on[g[0]]) { (byCity[g[1]] = byCity[g[1]] || []).push(S.svg[g[2]]); }
                });
                Object.keys(byCity).forEach(function (a) {
                    var list = byCity[a], cols = columns(list.length);
                    var html = '<div class="gd-glyphs" style="width:' + (cols * {{ this.px + 1 }}) + 'px">' + list.join("") + "</div>";
                    L.marker(labelPts[a], {interactive: false, keyboard: false,
                        icon: L.divIcon({className: "gd-glyph-box", html: html, iconSize: null})}).addTo(glyphLayer);
                });
            }

            // --- tooltips and popups of a city: every visible cluster that designates it ---
            function cityTip(a, withClauses) {
                var lines = [], on = {};
                visibleClusters().forEach(function (id) { on[id] = true; });
                var T = S.texts.texts, H = S.texts.heads;
                (S.items[a] || []).forEach(function (it) {
                    if (!on[it[0]]) { return; }
                    if (withClauses) {
                        lines.push('<div class="gd-pitem">' + H[it[0]] + '<br><span class="gd-meta">' + T[it[1]] +
                                   " · " + T[it[2]] + "</span>" + it[3].map(function (q) { return T[q]; }).join("") +
                                   "</div>");
                    } else { lines.push('<div class="gd-tipline">' + H[it[0]] + " · " + T[it[1]] + "</div>"); }
                });
                var head = '<div class="gd-tiphead"><b>' + S.cities[a] + "</b> · " + S.zoneOf[a] + "</div>";
                if (condition("coverage")) { head += '<div class="gd-meta">' + S.countLabel + ": " + S.counts[a] + "</div>"; }
                if (!lines.length && visibleClusters().length) { lines.push('<div class="gd-meta">' + S.noneHere + "</div>"); }
                return '<div class="gd-popup">' + head + lines.join("") + "</div>";
            }
            var hit = L.geoJSON({type: "FeatureCollection", features: Object.keys(geom).map(function (a) {
                return {type: "Feature", geometry: geom[a], properties: {id: a}}; })}, {
                style: {stroke: false, fillOpacity: 0, fillColor: "#000"},
                onEachFeature: function (f, layer) {
                    var a = f.properties.id;
                    layer.bindTooltip(function () { return cityTip(a, false); }, {sticky: true, className: "gd-tip"});
                    layer.bindPopup(function () { return cityTip(a, true); }, {maxWidth: 420, maxHeight: 360});
                    // A popup stops its click from reaching the map, so streamlit-folium would
                    // never hear of it; pass the clicked point on so the host can pick the city.
                    layer.on("click", function (e) { map.fire("click", {latlng: e.latlng}); });
                }
            }).addTo(map);

            // --- legend (collapsible) and notes ---
            var legend = L.control({position: "bottomright"}), body, toggle, setCollapsed;
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "gd-legend");
                L.DomEvent.disableScrollPropagation(div);
                L.DomEvent.disableClickPropagation(div);
                toggle = L.DomUtil.create("button", "gd-legend-toggle", div);
                toggle.type = "button";
                body = L.DomUtil.create("div", "gd-legend-body", div);
                var collapsed = map.getSize().x < 560;
                setCollapsed = function (c) {
                    collapsed = c; body.style.display = c ? "none" : "";
                    toggle.textContent = (c ? "▸ " : "▾ ") + S.legendWord;
                    toggle.setAttribute("aria-expanded", c ? "false" : "true");
                };
                toggle.onclick = function () { setCollapsed(!collapsed); };
                setCollapsed(collapsed);
                return div;
            };
            legend.addTo(map);
            // Where the map is wide enough, keep Guangdong clear of the open legend on first view.
            function fitBesideLegend() {
                var w = legend.getContainer().offsetWidth, b = L.latLngBounds(S.bounds);
                // Only where that costs (almost) no zoom: else the legend, which collapses, may overlap.
                var plain = map.getBoundsZoom(b, false, L.point(16, 16));
                var beside = body.style.display !== "none" &&
                    map.getBoundsZoom(b, false, L.point(w + 16, 16)) >= plain - 0.25;
                // Not animated: a fit asked for during a zoom animation would be dropped.
                map.fitBounds(b, {paddingTopLeft: [8, 8], paddingBottomRight: [beside ? w + 8 : 8, 8], animate: false});
            }
            function drawLegend() {
                var html = "";
                S.legend.forEach(function (s) {
                    if (!condition(s[0])) { return; }
                    var rows = s[3].filter(function (e) { return anyOn(e[0]); }).map(function (e) { return e[1]; });
                    if (!rows.length) { return; }
                    html += '<div class="gd-legend-section" data-section="' + s[0] + '">' + (s[1] ? "<b>" + s[1] + "</b>" : "") +
                        rows.join("") + (s[2] ? '<div class="gd-note">' + s[2] + "</div>" : "") + "</div>";
                });
                var notes = S.notes.filter(function (n) { return condition(n[1]) && anyOn(n[0]); });
                if (notes.length) {
                    html += '<div class="gd-legend-section gd-notes">' + notes.map(function (n) {
                        return '<div class="gd-note">' + n[2] + "</div>"; }).join("") + "</div>";
                }
                body.innerHTML = html;
                legend.getContainer().style.display = html ? "" : "none";
            }

            // --- applying the rules ---
            var tintShown = {};
            function refresh() {
                var cov = condition("coverage");
                if (coverage) { coverage.setStyle(function (f) { return cov ? S.coverageStyles[f.properties.s] : {fillOpacity: 0, opacity: 0}; }); }
                var fill = condition("zoning_fill");
                zoning.eachLayer(function (l) {
                    var isFill = l.options.gdPart === "fill";
                    l.setStyle(function (f) { return S.zoneStyles[l.options.gdPart][f.properties.s][isFill === fill ? "on" : "off"]; });
                });
                // Over the land (filled zones are translucent; outlines go on top of what they frame).
                if (map.hasLayer(zoning)) { zoning.bringToFront(); }
                var single = condition("single_cluster");
                S.clusters.forEach(function (c) {
                    var id = c[0], show = single && map.hasLayer(overlays[id]);
                    if (show !== !!tintShown[id]) {
                        overlays[id].setStyle(function (f) {
                            return L.extend({color: c[2], fillColor: c[2]}, S.tintStyles[f.properties.s][show ? 1 : 0]);
                        });
                        tintShown[id] = show;
                    }
                });
                hit.bringToFront();
                if (focus) { focus.bringToFront(); }
                drawGlyphs();
                drawLegend();
            }
            var applying = false, focus = null;
            window.gdOverlays = overlays;
            window.gdVisible = visible;
            window.gdCondition = condition;
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
                refresh();
                applying = false;
            };
            window.tag_filter_button_gd_view = {_selectedTags: [], options: {onSelectionComplete: null}};
            var reports = 0;
            map.on("overlayadd overlayremove", function () {
                if (applying) { return; }
                refresh();
                var report = window.tag_filter_button_gd_view.options.onSelectionComplete;
                reports += 1;
                if (report) { report(["@" + reports].concat(visible())); }
            });
            refresh();
            var box = map.getContainer();
            if (box.clientWidth > 0 && box.clientHeight > 0) {
                fitBesideLegend();
            } else if (window.ResizeObserver) {
                // Drawn in a hidden tab (a link that opens another tab): size 0. Until someone
                // moves the map, every size its frame takes on the way to being shown gets the
                // first view, and the legend its default.
                var untouched = true;
                ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (ev) {
                    box.addEventListener(ev, function () { untouched = false; }, {once: true, passive: true});
                });
                var shown = new ResizeObserver(function () {
                    if (!untouched) { shown.disconnect(); return; }
                    if (!box.clientWidth || !box.clientHeight) { return; }
                    map.invalidateSize(false);
                    setCollapsed(map.getSize().x < 560);
                    fitBesideLegend();
                });
                shown.observe(box);
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, overlays: list[tuple[str, Layer]], zoning: Layer, geometry, data: dict):
        super().__init__()
        self._name = "SceneSync"
        self.overlays = overlays
        self.zoning = zoning
        self.geometry = geometry
        self.data = js_data(data)
        self.js = js_data
        self.px = GLYPH_PX
