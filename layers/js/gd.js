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

    // City names as text at label points: [[lat, lon, escaped HTML, adcode], ...], above the glyphs.
    gd.labelLayer = function (map, items) {
        if (!map.getPane("gdLabels")) { map.createPane("gdLabels").style.zIndex = 640; }
        return L.layerGroup(items.map(function (it) {
            return L.marker([it[0], it[1]], {interactive: false, keyboard: false, pane: "gdLabels",
                icon: L.divIcon({className: "gd-label", html: '<span data-city="' + it[3] + '">' + it[2] + "</span>",
                                 iconSize: null})});
        }));
    };

    // ---------------------------------------------------------------- furniture
    gd.furniture = function (map, prefix, scalePosition) {
        L.control.scale({metric: true, imperial: false, position: scalePosition}).addTo(map);
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
        if (ctl._map) { ctl._map.gdLayerControl = ctl; }  // gd.scene relabels it when the basis changes
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
        // The clusters drawn: ticked and let through by the tier (a ticked cluster of the
        // other tier is not drawn; a note says so).
        var shown = {};
        S.shown.forEach(function (id) { shown[id] = true; });
        function visibleClusters() {
            return clusterIds.filter(function (id) { return shown[id] && map.hasLayer(overlays[id]); });
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

        // --- glyphs: the visible clusters' glyphs at each city, in the scene's order, as a
        // block under the city's name, or as a card joined to it where the map is crowded.
        // On a narrow map where the blocks do not all fit under their names, each city shows
        // a badge with its number of clusters instead; a tap opens its card, one at a time ---
        var glyphLayer = L.layerGroup().addTo(map), C = S.crowd, openCity = null, compact = false;
        function rectIn(el, box) {
            var r = el.getBoundingClientRect();
            return {x: r.left - box.left, y: r.top - box.top, w: r.width, h: r.height};
        }
        function leader(start, end) {
            L.polyline([map.containerPointToLatLng(start), map.containerPointToLatLng(end)],
                       L.extend({interactive: false, className: "gd-leader"}, C.leader)).addTo(glyphLayer);
        }
        function tapped(id) { openCity = openCity === id ? null : id; drawGlyphs(); }
        function drawGlyphs() {
            glyphLayer.clearLayers();
            var on = {};
            visibleClusters().forEach(function (id) { on[id] = true; });
            var byCity = {}, kinds = {};
            S.glyphs.forEach(function (g) {
                if (on[g[0]]) {
                    (byCity[g[1]] = byCity[g[1]] || []).push(S.svg[g[2]]);
                    (kinds[g[1]] = kinds[g[1]] || {})[g[0]] = true;
                }
            });
            var box = map.getContainer().getBoundingClientRect(), names = {}, nameW = {};
            map.getContainer().querySelectorAll(".gd-label span[data-city]").forEach(function (el) {
                names[el.dataset.city] = rectIn(el, box);
                nameW[el.dataset.city] = el.offsetWidth;
            });
            var fixed = [];
            map.getContainer().querySelectorAll(".leaflet-control").forEach(function (el) {
                if (el.offsetWidth) { fixed.push(rectIn(el, box)); }
            });
            var step = S.glyphStep, cities = C.order.filter(function (a) { return byCity[a]; }).map(function (a) {
                var n = byCity[a].length, cols = S.columns[Math.min(n, S.columns.length - 1)];
                var w = cols * step, h = Math.ceil(n / cols) * step - 1, k = Object.keys(kinds[a]).length;
                return {id: a, at: map.latLngToContainerPoint(S.labels[a]), w: w, h: h, cols: cols, n: k,
                        cw: Math.max(w, Math.ceil((nameW[a] || 0) * 1.15) + 4) + 2 * C.pad, ch: h + C.head + 2 * C.pad};
            });
            var size = map.getSize(), where = gd.placeBlocks(cities, names, fixed, size, C);
            compact = size.x < C.compactPx && cities.some(function (c) { return where[c.id].card; });
            if (compact) {
                var badges = gd.placeBadges(cities.map(function (c) {
                    return {id: c.id, at: c.at, w: C.badgePx + (String(c.n).length - 1) * C.digitPx, h: C.badgePx};
                }), names, fixed, size, C);
                if (!byCity[openCity]) { openCity = null; }
                where = {};
                cities = cities.filter(function (c) {
                    var b = badges[c.id], r = b.rect;
                    if (b.end) { leader(b.start, b.end); }
                    var html = '<div class="gd-badge-box" role="button" aria-label="' + C.badgeLabel[c.n] +
                        '" data-city="' + c.id + '" style="width:' +
                        r.w + "px;height:" + r.h + 'px">' + C.badges[c.n] + "</div>";
                    L.marker(map.containerPointToLatLng([r.x, r.y]), {keyboard: true,
                        icon: L.divIcon({className: "gd-glyph-box gd-tap", html: html, iconSize: null, iconAnchor: [0, 0]})})
                        .on("click", function () { tapped(c.id); }).addTo(glyphLayer);
                    return c.id === openCity;
                });
                // The open city's card: near it, covering no name, badge or control.
                if (cities.length) {
                    var other = Object.keys(badges).filter(function (a) { return a !== openCity; })
                        .map(function (a) { return badges[a].rect; });
                    cities[0].cardOnly = true;
                    where = gd.placeBlocks(cities, names, fixed.concat(other), size, C);
                }
            } else { openCity = null; }
            cities.forEach(function (c) {
                var p = where[c.id], r = p.rect;
                var html = '<div class="gd-glyphs" data-city="' + c.id + '" style="width:' + c.cols * step + 'px">' +
                    byCity[c.id].join("") + "</div>";
                if (p.card) {
                    html = '<div class="gd-card" data-city="' + c.id + '" style="' + C.card + "padding:" + C.pad +
                        "px;width:" + r.w + "px;height:" + r.h + 'px"><div class="gd-card-head" style="height:' +
                        C.head + 'px">' + S.cityNames[c.id] + "</div>" + html + "</div>";
                    leader(p.start, p.end);
                }
                var tap = compact && c.id === openCity;  // an open card closes when tapped
                var m = L.marker(map.containerPointToLatLng([r.x, r.y]), {interactive: tap, keyboard: tap,
                    icon: L.divIcon({className: "gd-glyph-box" + (tap ? " gd-tap" : ""), html: html, iconSize: null,
                                     iconAnchor: [0, 0]})}).addTo(glyphLayer);
                if (tap) { m.on("click", function () { tapped(c.id); }); }
            });
            legendHint();
        }
        map.on("zoomend resize", function () { drawGlyphs(); });
        // Places are measured from the names as laid out: again once the page's style sheets
        // (Leaflet's, served beside the app) and fonts have arrived.
        if (document.readyState !== "complete") { window.addEventListener("load", function () { drawGlyphs(); }); }
        document.querySelectorAll('link[rel="stylesheet"]').forEach(function (l) {
            if (!l.sheet) { l.addEventListener("load", function () { drawGlyphs(); }); }
        });
        if (document.fonts && document.fonts.ready) { document.fonts.ready.then(function () { drawGlyphs(); }); }

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
                // Registered before the popup's own click: the popup fits the map it opens on (a phone).
                // Controls are drawn above popups: the popup pans clear of those at the top.
                layer.on("click", function () {
                    var p = layer.getPopup(), size = map.getSize(), m = S.popup.margin, top = 0;
                    var box = container.getBoundingClientRect();
                    container.querySelectorAll(".leaflet-top .leaflet-control").forEach(function (el) {
                        top = Math.max(top, el.getBoundingClientRect().bottom - box.top);
                    });
                    p.options.maxWidth = Math.max(120, Math.min(S.popup.maxWidth, size.x - 2 * m - 40));
                    p.options.minWidth = Math.min(p.options.minWidth || 50, p.options.maxWidth);
                    p.options.maxHeight = Math.max(120, Math.min(S.popup.maxHeight, size.y - top - 2 * m - 40));
                    p.options.autoPanPaddingTopLeft = [m, top + m];
                });
                layer.bindPopup(function () { return cityTip(a, true); },
                                {maxWidth: S.popup.maxWidth, maxHeight: S.popup.maxHeight,
                                 autoPanPadding: [S.popup.margin, S.popup.margin]});
                // A popup stops its click from reaching the map, so streamlit-folium would
                // never hear of it; pass the clicked point on so the host can pick the city.
                layer.on("click", function (e) { map.fire("click", {latlng: e.latlng}); });
            }
        }).addTo(map);
        // While a popup is open the hover tooltip, which would repeat it, stays hidden.
        map.on("popupopen", function () { L.DomUtil.addClass(container, "gd-popup-open"); map.eachLayer(function (l) {
            if (l.closeTooltip) { l.closeTooltip(); } }); });
        map.on("popupclose", function () { L.DomUtil.removeClass(container, "gd-popup-open"); });

        // --- legend and notes: a strip under the map, never on it. Wide: open, its entries
        // in columns, at most S.legendShare of the frame's height (it scrolls beyond). Narrow
        // (a phone): a sheet folded to one line until opened. The map takes the rest. ---
        var container = map.getContainer();
        var legendBox = L.DomUtil.create("div", "gd-legend");
        container.parentNode.insertBefore(legendBox, container.nextSibling);
        var toggle = L.DomUtil.create("button", "gd-legend-toggle", legendBox);
        toggle.type = "button";
        var body = L.DomUtil.create("div", "gd-legend-body", legendBox);
        var collapsed = null, untouched = true;
        function frameHeight() { return window.innerHeight || document.documentElement.clientHeight; }
        // The legend's height and the map's: together they fill the frame.
        function sizeLegend() {
            var total = frameHeight(), narrow = (container.parentNode.clientWidth || window.innerWidth) < S.narrowPx;
            body.style.maxHeight = "none";
            legendBox.style.height = "";
            var want = Math.ceil(legendBox.scrollHeight + legendBox.clientTop);
            var cap = Math.max(S.legendMinPx, Math.floor(total * (narrow ? 0.55 : S.legendShare)));
            var h = legendBox.style.display === "none" ? 0 : Math.min(want, cap);
            legendBox.style.height = h + "px";
            body.style.maxHeight = Math.max(0, h - toggle.offsetHeight - legendBox.clientTop) + "px";
            container.style.setProperty("height", Math.max(160, total - h) + "px", "important");
            map.invalidateSize(false);
        }
        function setCollapsed(c) {
            collapsed = c; body.style.display = c ? "none" : "";
            legendHint();
            toggle.setAttribute("aria-expanded", c ? "false" : "true");
            sizeLegend();
            if (untouched) { fitGuangdong(); }
        }
        toggle.onclick = function () { setCollapsed(!collapsed); };
        // The legend's bar says how to read the badges while the map shows them.
        function legendHint() {
            if (collapsed == null || !toggle) { return; }
            toggle.innerHTML = (collapsed ? "▸ " : "▾ ") + S.legendWord +
                (compact ? ' <span class="gd-badge-hint">' + C.badgeHint + "</span>" : "");
        }
        function fitGuangdong() {
            // Not animated: a fit asked for during a zoom animation would be dropped.
            map.fitBounds(L.latLngBounds(S.bounds), {padding: [6, 6], animate: false});
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
            legendBox.style.display = html ? "" : "none";
            if (collapsed !== null) { sizeLegend(); }
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
        // --- modes: basis and tier switch in place, as overlays do. Each mode's tables
        // (layers/modes.py) are swapped into S; strings are looked up in S.pool. ---
        var mode = null, tintBasis = null, P = S.pool;
        function pooled(i) { var p = P[i]; return typeof p === "string" ? p : p.map(pooled).join(""); }
        function byId(rows) { return rows.map(function (r) { return [clusterIds[r[0]]].concat(r.slice(1)); }); }
        function setMode(key) {
            var V = S.variants[key];
            if (!V || key === mode) { return; }
            var B = S.bases[V.basis];
            S.glyphs = byId(B.glyphs); S.items = {}; S.columns = B.columns;
            Object.keys(B.items).forEach(function (a) { S.items[a] = byId(B.items[a]); });
            S.crowd.order = B.order; S.crowd.dirs = B.dirs;
            S.svg = B.svg.map(pooled); S.texts.texts = B.texts.map(pooled);
            S.shown = V.shown;
            Object.keys(shown).forEach(function (id) { delete shown[id]; });
            V.shown.forEach(function (id) { shown[id] = true; });
            S.legend = V.legend.map(function (s) {
                return {id: s[0], when: s[1], keep: s[2], title: pooled(s[3]), note: pooled(s[4]),
                        entries: s[5].map(function (e) { return [e[0], pooled(e[1])]; })};
            });
            S.notes = V.notes.map(function (n) { return [n[0], n[1], pooled(n[2])]; });
            S.countLines = {};
            Object.keys(V.countLines).forEach(function (a) { S.countLines[a] = pooled(V.countLines[a]); });
            S.coverageStyles = V.coverageStyles;
            // A shape the tables do not know (the county benchmark's) keeps its class.
            function restyle(layer, classes) {
                layer.eachLayer(function (l) {
                    var s = classes[l.feature.properties.id];
                    if (s !== undefined) { l.feature.properties.s = s; }
                });
            }
            if (coverage) { restyle(coverage, V.coverage); }
            if (tintBasis !== V.basis) {
                Object.keys(B.tints).forEach(function (id) {
                    restyle(overlays[id], B.tints[id]);
                    if (tintShown[id]) { overlays[id].setStyle(S.off); tintShown[id] = false; }  // refresh tints anew
                });
                var ctl = map.gdLayerControl;
                if (tintBasis !== null && ctl) {  // the layer control's counts of cities
                    ctl._layers.forEach(function (o) {
                        Object.keys(B.names).forEach(function (id) {
                            if (overlays[id] === o.layer) { o.name = pooled(B.names[id]); }
                        });
                    });
                    if (ctl._map) { ctl._update(); }
                }
                tintBasis = V.basis;
            }
            mode = key;
        }
        setMode(S.variant);
        var applying = false;
        window.gdMode = function () { return mode; };
        window.gdOverlays = overlays;
        window.gdVisible = visible;
        window.gdHolds = holds;
        window.gdApplyView = function (ids, city, modeKey) {
            applying = true;  // the host's own change: not a user toggle to report back
            if (modeKey) { setMode(modeKey); }
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
        // The first view: the legend folded on a narrow map, open on a wide one, and Guangdong
        // fitted to what the legend leaves. Drawn in a hidden tab (a link that opens another
        // tab) the frame has size 0: until someone moves the map, every size its frame takes
        // on the way to being shown gets the first view again.
        // Caught on the way down: the zoom buttons stop their events from reaching the map. The
        // layer control does not move the map, so ticking a layer still lets a resize refit.
        ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (ev) {
            container.addEventListener(ev, function (e) {
                if (!(e.target.closest && e.target.closest(".leaflet-control-layers"))) { untouched = false; }
            }, {capture: true, passive: true});
        });
        // Where the reader left the map is kept in the tab (not sent to the server: a report would
        // be a rerun), so a map drawn afresh — another language, base map or data — opens there.
        var VIEW_KEY = "gd-view", saved = null;
        try { saved = JSON.parse(window.sessionStorage.getItem(VIEW_KEY)); } catch (e) { saved = null; }
        map.on("moveend", function () {
            if (untouched) { return; }
            var c = map.getCenter();
            try { window.sessionStorage.setItem(VIEW_KEY, JSON.stringify([c.lat, c.lng, map.getZoom()])); } catch (e) { /* storage off: fit instead */ }
        });
        function firstView() {
            setCollapsed((container.parentNode.clientWidth || window.innerWidth) < S.narrowPx);
            if (saved && saved.length === 3) {
                untouched = false;
                map.setView([saved[0], saved[1]], saved[2], {animate: false});
                saved = null;
            }
            refresh();
        }
        refresh();
        if (container.clientWidth > 0 && frameHeight() > 0) { firstView(); }
        window.addEventListener("resize", function () {
            if (!frameHeight() || !container.clientWidth) { return; }
            if (untouched) { firstView(); } else { sizeLegend(); }
        });
    };

    window.gd = gd;
})();
