/* Where the map's glyph blocks, cards and badges go in crowded places (layers/js/gd.js
 * calls these when it draws): rectangles in screen pixels, nothing else. Loaded after gd.js.
 */
(function (gd) {
    "use strict";

    // ---------------------------------------------------------------- crowded places
    // Rectangles {x, y, w, h} in the map container's pixels.
    function overlaps(a, b, gap) {
        return a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;
    }
    function segmentHits(p, q, r) {  // does the segment p-q cross rectangle r (sampled finely)?
        var n = Math.max(2, Math.ceil(Math.hypot(q.x - p.x, q.y - p.y) / 3));
        for (var i = 1; i < n; i++) {
            var x = p.x + (q.x - p.x) * i / n, y = p.y + (q.y - p.y) * i / n;
            if (x > r.x && x < r.x + r.w && y > r.y && y < r.y + r.h) { return true; }
        }
        return false;
    }
    function nearestOn(r, p) {  // the point of rectangle r nearest to p (where a leader meets it)
        return {x: Math.max(r.x, Math.min(p.x, r.x + r.w)), y: Math.max(r.y, Math.min(p.y, r.y + r.h))};
    }
    /* Where each city's glyph block goes (C: scene_layer.crowding_data). cities: [{id, at
     * (label point), w, h (its block), cw, ch (as a card), cardOnly}] in C.order; names:
     * {id: rect of its name}; fixed: rects nothing may cover (map controls); size: the map's
     * {x, y}. A block stays under its name (unless cardOnly) if that covers no other city's
     * name or placed block; otherwise it becomes a card, tried along the city's directions
     * ring by ring, and put at the free place (covering no name, block, card, leader or
     * control) whose leader is shortest. */
    gd.placeBlocks = function (cities, names, fixed, size, C) {
        // Greedy in C.order, the most glyphs first; where that leaves a long leader, the city
        // with the longest goes first and the map is laid out again (C.retries times at
        // most), keeping the layout whose longest leader is shortest.
        var best = placeInOrder(cities, names, fixed, size, C), order = cities.slice();
        for (var t = 0; t < C.retries && best.worst.len > C.longPx; t++) {
            var w = best.worst.id;
            order = [order.filter(function (c) { return c.id === w; })[0]].concat(order.filter(function (c) { return c.id !== w; }));
            var again = placeInOrder(order, names, fixed, size, C);
            if (again.worst.len < best.worst.len || (again.worst.len === best.worst.len && again.sum < best.sum)) { best = again; }
        }
        return best.out;
    };
    function placeInOrder(cities, names, fixed, size, C) {
        var placed = [], leaders = [], out = {}, g = C.gap, worst = {id: null, len: 0}, sum = 0;
        function free(r, self, overLeaders) {
            if (r.x < g || r.y < g || r.x + r.w > size.x - g || r.y + r.h > size.y - g) { return false; }
            if (fixed.some(function (f) { return overlaps(r, f, g); })) { return false; }
            if (placed.some(function (p) { return overlaps(r, p, g); })) { return false; }
            if (!overLeaders && leaders.some(function (l) { return segmentHits(l[0], l[1], r); })) { return false; }
            return !Object.keys(names).some(function (a) { return (self === null || a !== self) && overlaps(r, names[a], 1); });
        }
        function leaderFree(p, q, self) {
            return !placed.some(function (r) { return segmentHits(p, q, r); }) &&
                !Object.keys(names).some(function (a) { return a !== self && segmentHits(p, q, names[a]); });
        }
        cities.forEach(function (c) {
            var own = {x: c.at.x - c.w / 2, y: c.at.y + 2, w: c.w, h: c.h};
            if (!c.cardOnly && free(own, c.id)) { placed.push(own); out[c.id] = {rect: own}; return; }
            var dirs = C.dirs[c.id] || [[0, 1]], reach = Math.hypot(c.cw, c.ch) / 2, name = names[c.id];
            // The free place (covering no name, block, card, leader or control) whose leader
            // is shortest and crosses nothing; failing that, whose leader is shortest (it may
            // then cross a name or a card, which covers neither). A place nearer another
            // city's name than its own counts as C.strangerPx more of leader; each turn of
            // direction away from the crowd as C.turnPx more.
            function stranger(card) {
                var x = card.x + card.w / 2, y = card.y + card.h / 2, d = Math.hypot(x - c.at.x, y - c.at.y);
                return Object.keys(names).some(function (a) {
                    var n = names[a];
                    return a !== c.id && Math.hypot(x - n.x - n.w / 2, y - n.y - n.h) < d;
                });
            }
            // Places hugging the name (above, below, beside it, each way aligned) come first;
            // then places along the city's directions, ring by ring.
            var hug = [];
            if (name) {
                var gx = g + 1, xs = [name.x + name.w / 2 - c.cw / 2, name.x, name.x + name.w - c.cw];
                var ys = [name.y + name.h / 2 - c.ch / 2, name.y, name.y + name.h - c.ch];
                xs.forEach(function (x) { hug.push([x, name.y - c.ch - gx], [x, c.at.y + gx]); });
                ys.forEach(function (y) { hug.push([name.x + name.w + gx, y], [name.x - c.cw - gx, y]); });
            }
            for (var strict = 1; strict >= 0; strict--) {
                var best = null, cost = Infinity;
                var consider = function (x, y, turn) {
                    var card = {x: x, y: y, w: c.cw, h: c.ch};
                    // The leader runs from the edge of the city's name (its label point
                    // under the name) to the nearest point of the card.
                    var end = nearestOn(card, c.at), start = name ? nearestOn(name, end) : c.at;
                    var k = Math.hypot(end.x - start.x, end.y - start.y) + turn * C.turnPx;
                    if (k < cost && free(card, null, !strict) && (!strict || leaderFree(start, end, c.id))) {
                        k += stranger(card) ? C.strangerPx : 0;
                        if (k < cost) { best = {rect: card, card: true, start: start, end: end}; cost = k; }
                    }
                };
                hug.forEach(function (h) { consider(h[0], h[1], 0); });
                for (var r = C.step; r <= C.max && r - reach <= cost; r += C.step) {
                    for (var i = 0; i < dirs.length; i++) {
                        consider(c.at.x + dirs[i][0] * r - c.cw / 2, c.at.y + dirs[i][1] * r - c.ch / 2, i);
                    }
                }
                if (best) {
                    placed.push(best.rect); leaders.push([best.start, best.end]); out[c.id] = best;
                    var len = Math.hypot(best.end.x - best.start.x, best.end.y - best.start.y);
                    if (len > worst.len) { worst = {id: c.id, len: len}; }
                    sum += len;
                    return;
                }
            }
            placed.push(own); out[c.id] = {rect: own};  // no room anywhere: under its name after all
            worst = {id: c.id, len: Infinity};
        });
        return {out: out, worst: worst, sum: sum};
    }

    /* A narrow map's badges (C: scene_layer.crowding_data): each city's badge {id, at, w, h}
     * goes under its name, or else beside it (right, left) or above it, or else a little
     * further out along the city's directions (up to C.badgeReach px, joined to its name by a
     * leader), at the first place that covers no name, badge or control. */
    gd.placeBadges = function (cities, names, fixed, size, C) {
        var placed = [], out = {}, g = C.gap;
        function free(r) {
            return r.x >= g && r.y >= g && r.x + r.w <= size.x - g && r.y + r.h <= size.y - g &&
                !fixed.concat(placed).some(function (f) { return overlaps(r, f, g); }) &&
                !Object.keys(names).some(function (a) { return overlaps(r, names[a], 1); });
        }
        cities.forEach(function (c) {
            var n = names[c.id] || {x: c.at.x, y: c.at.y, w: 0, h: 0}, my = n.y + n.h / 2 - c.h / 2;
            var tries = [{x: c.at.x - c.w / 2, y: c.at.y + 2}, {x: n.x + n.w + 2, y: my}, {x: n.x - c.w - 2, y: my},
                         {x: c.at.x - c.w / 2, y: n.y - c.h - 2}];
            (C.dirs[c.id] || []).forEach(function (d) {
                for (var r = C.step; r <= C.badgeReach; r += C.step / 2) {
                    tries.push({x: c.at.x + d[0] * r - c.w / 2, y: c.at.y + d[1] * r - c.h / 2});
                }
            });
            var at = tries.map(function (p) { return {x: p.x, y: p.y, w: c.w, h: c.h}; });
            var i = at.findIndex(free), r = at[Math.max(i, 0)];
            placed.push(r); out[c.id] = {rect: r};
            if (i >= 4) {  // off its name's sides: joined to it by a leader
                var end = nearestOn(r, c.at);
                out[c.id].start = nearestOn(n, end); out[c.id].end = end;
            }
        });
        return out;
    };
})(window.gd);
