/* The map's own script: draws what the Python side decided, and looks everything up.
 *
 * Every look (styles, glyph SVG, legend HTML), every word and every rule (which legend
 * sections and notes show for which overlays, how glyphs are packed) comes from
 * views/scene.py and views/style.py through the data each call receives (layers/).
 * Nothing here decides what is shown; it only shows, hides and assembles. Loaded once
 * per page (served by the app, or inlined into a standalone file); it touches `L` only
 * when called, so it may load before or after Leaflet.
 */
(function () {
    "use strict";
    var gd = {};

    // ---------------------------------------------------------------- geometry
    // geo.derive.encode_geometry: per polygon, per ring, delta-encoded integer pairs.
    gd.decode = function (polys, digits) {
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

    gd.sharedGeometry = function (encoded, digits) {
        var out = {};
        Object.keys(encoded).forEach(function (k) { out[k] = gd.decode(encoded[k], digits); });
        return out;
    };

    // ---------------------------------------------------------------- layers
    // items: [[geometry id, style index], ...]; features carry {id, s} so they can be restyled.
    gd.cityLayer = function (geom, items, styles, interactive) {
        return L.geoJSON({type: "FeatureCollection", features: items.map(function (it) {
            return {type: "Feature", geometry: geom[it[0]], properties: {id: it[0], s: it[1]}};
        })}, {interactive: interactive, style: function (f) { return styles[f.properties.s]; }});
    };

    // features: [[style index, encoded geometry], ...], never interactive (context, outlines).
    gd.shapeLayer = function (features, styles, digits) {
        return L.geoJSON({type: "FeatureCollection", features: features.map(function (f) {
            return {type: "Feature", properties: {s: f[0]}, geometry: gd.decode(f[1], digits)};
        })}, {interactive: false, style: function (f) { return styles[f.properties.s]; }});
    };

    // The zones: fills (the cities' shared shapes) and outlines just inside each zone over a
    // casing; each part carries gdPart so gd.scene can show the look the mode asks for.
    gd.zoningLayer = function (geom, fills, insets, digits) {
        function part(name, feats, shared) {
            return L.geoJSON({type: "FeatureCollection", features: feats.map(function (f) {
                return {type: "Feature", properties: {s: f[0]},
                        geometry: shared ? geom[f[1]] : gd.decode(f[1], digits)};
            })}, {interactive: false, gdPart: name});
        }
        return L.featureGroup([part("fill", fills, true), part("casing", insets, false), part("line", insets, false)]);
    };

    // City names as text at label points: [[lat, lon, escaped HTML], ...], above the glyphs.
    gd.labelLayer = function (map, items) {
        if (!map.getPane("gdLabels")) { map.createPane("gdLabels").style.zIndex = 640; }
        return L.layerGroup(items.map(function (it) {
            return L.marker([it[0], it[1]], {interactive: false, keyboard: false, pane: "gdLabels",
                icon: L.divIcon({className: "gd-label", html: "<span>" + it[2] + "</span>", iconSize: null})});
        }));
    };

    // ---------------------------------------------------------------- furniture
    gd.furniture = function (map, prefix) {
        L.control.scale({metric: true, imperial: false, position: "bottomleft"}).addTo(map);
        map.attributionControl.setPrefix(prefix);
    };

    gd.heading = function (map, html) {
        var c = L.control({position: "topleft"});
        c.onAdd = function () {
            var div = L.DomUtil.create("div", "gd-heading");
            div.innerHTML = html;
            return div;
        };
        c.addTo(map);
    };

    // Leaflet's layer control has no groups: a layer's name may carry a .gd-group heading,
    // which is moved in front of its row whenever the control redraws its list.
    gd.layerGroupHeaders = function (ctl) {
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
    };

    // ---------------------------------------------------------------- the scene
    /* S: layers/scene_layer.py scene_data(). overlays: {id: layer}, "coverage", "zoning"
     * and one per cluster. window.gdApplyView(ids, city) shows exactly the overlays `ids`
     * and puts `city` in focus; ticks in the layer control are reported to the host
     * through streamlit-folium's tag-filter hook, each report starting "@<n>". */
    gd.scene = function (map, S, overlays, zoning, geom) {
        var coverage = overlays.coverage;
        var clusterIds = S.clusters.map(function (c) { return c[0]; });
        var focus = null, focusId = null;

        function visible() {
            var out = Object.keys(overlays).filter(function (id) { return map.hasLayer(overlays[id]); });
            if (focusId) { out.push(S.focusLayer); }
            return out;
        }
        function visibleClusters() {
            return clusterIds.filter(function (id) { return map.hasLayer(overlays[id]); });
        }
        // What holds for the overlays on screen: a lookup in the scene's table (views.scene.MODES).
        function holds() {
            var key = (map.hasLayer(coverage) ? "1" : "0") + (map.hasLayer(zoning) ? "1" : "0") +
                String(Math.min(visibleClusters().length, 2));
            var out = {};
            S.modes[key].forEach(function (w) { out[w] = true; });
            return out;
        }
        function anyOn(layers, vis) {
            return !layers.length || layers.some(function (id) { return vis.indexOf(id) >= 0; });
        }

        // --- glyphs: the visible clusters' glyphs at each city, in the scene's order ---
        var glyphLayer = L.layerGroup().addTo(map);
        function drawGlyphs() {
            glyphLayer.clearLayers();
            var on = {};
            visibleClusters().forEach(function (id) { on[id] = true; });
            var byCity = {};
            S.glyphs.forEach(function (g) {
                if (on[g[0]]) { (byCity[g[1]] = byCity[g[1]] || []).push(S.svg[g[2]]); }
            });
            Object.keys(byCity).forEach(function (a) {
                var list = byCity[a], cols = S.columns[Math.min(list.length, S.columns.length - 1)];
                var html = '<div class="gd-glyphs" data-city="' + a + '" style="width:' + (cols * S.glyphStep) + 'px">' +
                    list.join("") + "</div>";
                L.marker(S.labels[a], {interactive: false, keyboard: false,
                    icon: L.divIcon({className: "gd-glyph-box", html: html, iconSize: null})}).addTo(glyphLayer);
            });
        }

        // --- tooltips and popups of a city: every visible cluster that designates it ---
        function cityTip(a, withClauses) {
            var on = {}, lines = [], h = holds();
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
            var head = S.cityHeads[a] + (h.coverage ? S.countLines[a] : "");
            if (!lines.length && h.clusters) { lines.push(S.noneHere); }
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
            var collapsed = map.getSize().x < S.narrowPx;
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
            var h = holds(), vis = visible(), html = "";
            S.legend.forEach(function (s) {
                if (!h[s.when]) { return; }
                var rows = s.entries.filter(function (e) { return anyOn(e[0], vis); }).map(function (e) { return e[1]; });
                if (!rows.length && !s.keep) { return; }
                html += '<div class="gd-legend-section" data-section="' + s.id + '">' + s.title + rows.join("") +
                    s.note + "</div>";
            });
            var notes = S.notes.filter(function (n) { return h[n[1]] && anyOn(n[0], vis); });
            if (notes.length) {
                html += '<div class="gd-legend-section gd-notes" data-section="notes">' +
                    notes.map(function (n) { return n[2]; }).join("") + "</div>";
            }
            body.innerHTML = html;
            legend.getContainer().style.display = html ? "" : "none";
        }

        // --- applying the looks the mode asks for ---
        var tintShown = {};
        function refresh() {
            var h = holds();
            if (coverage) {
                coverage.setStyle(function (f) { return h.coverage ? S.coverageStyles[f.properties.s] : S.off; });
            }
            zoning.eachLayer(function (l) {
                var part = l.options.gdPart, on = part === "fill" ? h.zoning_fill : h.zoning_outline;
                l.setStyle(function (f) { return on ? S.zoneStyles[part][f.properties.s] : S.off; });
            });
            // Over the land (filled zones are translucent; outlines go on top of what they frame).
            if (map.hasLayer(zoning)) { zoning.bringToFront(); }
            S.clusters.forEach(function (c) {
                var id = c[0], show = !!h.single_cluster && map.hasLayer(overlays[id]);
                if (show !== !!tintShown[id]) {
                    overlays[id].setStyle(function (f) { return show ? c[1][f.properties.s] : S.off; });
                    tintShown[id] = show;
                }
            });
            hit.bringToFront();
            if (focus) { focus.eachLayer(function (l) { l.bringToFront(); }); }
            drawGlyphs();
            drawLegend();
        }
        var applying = false;
        window.gdOverlays = overlays;
        window.gdVisible = visible;
        window.gdHolds = holds;
        window.gdApplyView = function (ids, city) {
            applying = true;  // the host's own change: not a user toggle to report back
            if (focus) { map.removeLayer(focus); focus = null; focusId = null; }
            if (city && geom[city]) {
                focusId = city;
                focus = L.featureGroup([L.geoJSON(geom[city], {interactive: false, style: S.focusStyles[0]}),
                                        L.geoJSON(geom[city], {interactive: false, style: S.focusStyles[1]})]).addTo(map);
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
            if (report) {
                report(["@" + reports].concat(visible().filter(function (id) { return id !== S.focusLayer; })));
            }
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
                setCollapsed(map.getSize().x < S.narrowPx);
                fitBesideLegend();
            });
            shown.observe(box);
        }
    };

    window.gd = gd;
})();
