"""Where labels go: candidates scored against the ground, then chosen all together.

A label unit (a city's name, its count and its glyph block; or a place name) is a
box of known size that belongs to a point (its city's label point). Each unit gets
candidate positions: rings around its point and a grid over its own city. A
candidate is scored by what lies under it (export/ground.py): its own city is
where it should be, another city's land is the worst place (the label would name
the wrong city), a neighbouring province nearly as bad, the sea acceptable for a
glyph block but not for the name while the city has room. A candidate away from
its point that does not lie on its own city needs a leader line.

Hard rules: a candidate stays in the frame and off the obstacles (furniture, the
enlargement's title), and inside the enlargement's mark only over its own city; among the chosen, no two boxes overlap, no leader crosses
another leader or another unit's box. They are met by choosing all units at once
(each unit in turn takes its cheapest candidate given the others, until nothing
changes), so an early unit can make way for a later one. The order of the
candidates is fixed: the result is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

# Directions of the rings around a label point (y up): below first, the name over the point.
DIRS = np.array([(0, -1), (1, 0), (-1, 0), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1),
                 (0.5, -1), (-0.5, -1), (1, -0.5), (-1, -0.5), (1, 0.5), (-1, 0.5), (0.5, 1), (-0.5, 1)])
# The hard rules cost more than any placement can otherwise cost, so the choice breaks
# one only where no candidate keeps them all (and then as few as it can).
HARD = 1000.0
OVERLAP = 200.0  # per unit of box area shared with another chosen box, on top of HARD
CROSSING = HARD  # a leader across another leader or another unit's box
BLOCK_OTHER = 0.12  # the largest share of a glyph block over another city or province: 0.2 on
# the map, less a cell of the raster (a block is about ten cells tall) for a border read coarsely
NAME_OTHER = 0.35  # ... of a name
KEEP = 72  # candidates kept per unit after scoring on its own
MARK_OWN = 0.8  # the least share of a box's part inside the enlargement's mark over its own city
RESHAPE = 1.0  # a glyph block in another shape than its own: less than a leader costs, more than a step away


@dataclass(frozen=True)
class Weights:
    """What a share of a box over each kind of ground costs (a share of 1 = the whole box)."""

    other: float = 8.0  # another city under the box
    other_name: float = 6.0  # ... under the name itself
    context: float = 3.0  # a neighbouring province or SAR
    sea_name: float = 1.2  # the name over the sea
    sea: float = 0.35  # any of the box over the sea
    distance: float = 0.5  # per box diagonal away from the point
    leader: float = 2.5  # a leader at all
    point: float = 25.0  # another city's label point under the box
    mark: float = 2.0  # ... the share of the box inside the enlargement's mark (on its own land)


MAIN = Weights()
# In the enlargement a unit may reach over a neighbour rather than go far on a leader.
CROWDED = Weights(other=3.0, other_name=5.0, distance=0.8, leader=2.0)


@dataclass
class Unit:
    key: str
    anchor: tuple[float, float]
    w: float
    h: float
    name_w: float  # the first line (the name) as drawn, centred at the top of the box (below its margin)
    name_h: float
    name_pad: float = 0.0  # the margin above the name inside the box
    block_w: float = 0.0  # the glyph block, centred at the bottom of the box
    block_h: float = 0.0
    own: int | None = None  # the city's index in the ground (None: a place, not a city)
    dy0: float = 0.0  # at rest the box centre is this far above the point (the name on it)
    bounds: tuple | None = None  # where its own land is (x0, y0, x1, y1), for the interior grid
    leader_ok: bool = True
    block_inside: bool = True  # its glyph block must stay off other cities and provinces
    sea_ok: bool = False  # a place named in the sea (a SAR's formal name, an island group)
    # Other shapes of the unit, (w, h, block_w, block_h, dy0) each: its glyph block in fewer
    # columns, for a city too narrow for the compact block. Tried at a small cost each.
    shapes: tuple = ()


@dataclass
class Spot:
    key: str
    cx: float
    cy: float
    box: tuple[float, float, float, float]
    leader: tuple[float, float, float, float] | None  # (x0, y0, x1, y1) from the point to the box
    shape: int = 0  # 0: the unit's own shape; k: its shapes[k - 1]


def _boxes(cx, cy, w, h):
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)


def name_boxes(u: Unit, boxes: np.ndarray) -> np.ndarray:
    """The name line of each of a unit's boxes (centred at the top): where a leader ends."""
    cx = (boxes[:, 0] + boxes[:, 2]) / 2
    top = boxes[:, 3] - u.name_pad
    return np.stack([cx - u.name_w / 2, top - u.name_h, cx + u.name_w / 2, top], axis=1)


def leader_segments(anchor, boxes: np.ndarray) -> np.ndarray:
    """From the point to the nearest point of each box: (n, 4) x0, y0, x1, y1."""
    ax_, ay_ = anchor
    ex = np.clip(ax_, boxes[:, 0], boxes[:, 2])
    ey = np.clip(ay_, boxes[:, 1], boxes[:, 3])
    return np.stack([np.full(len(boxes), ax_), np.full(len(boxes), ay_), ex, ey], axis=1)


def overlap_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, m) intersection areas of boxes a (n, 4) and b (m, 4)."""
    ix = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    iy = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    return np.clip(ix, 0, None) * np.clip(iy, 0, None)


def segment_hits_box(seg: np.ndarray, box: np.ndarray, shrink: float = 0.0) -> np.ndarray:
    """(n, m): whether segment n passes through the inside of box m (Liang–Barsky);
    `shrink` pulls the boxes in, so a segment that only touches an edge does not count."""
    x0, y0, x1, y1 = (seg[:, None, i] for i in range(4))
    bx0, by0 = box[None, :, 0] + shrink, box[None, :, 1] + shrink
    bx1, by1 = box[None, :, 2] - shrink, box[None, :, 3] - shrink
    dx, dy = x1 - x0, y1 - y0
    t0 = np.zeros(np.broadcast(x0, bx0).shape)
    t1 = np.ones_like(t0)
    ok = np.broadcast_to((bx1 > bx0) & (by1 > by0), t0.shape).copy()
    for p, q in ((-dx, x0 - bx0), (dx, bx1 - x0), (-dy, y0 - by0), (dy, by1 - y0)):
        p = np.broadcast_to(p, t0.shape)
        q = np.broadcast_to(q, t0.shape)
        par = np.abs(p) < 1e-12
        ok &= ~(par & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(par, 0.0, q / np.where(par, 1.0, p))
        t0 = np.where(~par & (p < 0), np.maximum(t0, r), t0)
        t1 = np.where(~par & (p > 0), np.minimum(t1, r), t1)
    return ok & (t0 < t1)


def segments_cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, m): whether segment a[n] properly crosses segment b[m] (a shared end does not)."""
    def orient(px, py, qx, qy, rx, ry):
        return (qx - px) * (ry - py) - (qy - py) * (rx - px)

    ax0, ay0, ax1, ay1 = (a[:, None, i] for i in range(4))
    bx0, by0, bx1, by1 = (b[None, :, i] for i in range(4))
    d1 = orient(bx0, by0, bx1, by1, ax0, ay0)
    d2 = orient(bx0, by0, bx1, by1, ax1, ay1)
    d3 = orient(ax0, ay0, ax1, ay1, bx0, by0)
    d4 = orient(ax0, ay0, ax1, ay1, bx1, by1)
    return (d1 * d2 < 0) & (d3 * d4 < 0)


class Placement:
    """Chooses spots for units on one axes."""

    def __init__(self, ground, frame, m_per_pt: float, weights: Weights = MAIN, obstacles=(), points=None,
                 rings: int = 9, marks=()):
        self.ground, self.frame, self.m = ground, frame, m_per_pt  # frame: (x0, y0, x1, y1) with its padding
        self.w, self.rings = weights, rings
        self.obstacles = np.asarray([tuple(b) for b in obstacles], dtype=float).reshape(-1, 4)
        # The enlargement's extent marked on this map: a city it cuts keeps its name and
        # glyphs on its own land, inside the mark where its land outside is too narrow for
        # them (a name in the sea or a block over a neighbour would mislead; its own land
        # does not).
        self.marks = np.asarray([tuple(b) for b in marks], dtype=float).reshape(-1, 4)
        self.points = dict(points or {})  # key -> a label point no other unit may cover
        self.placed: list[Spot] = []  # spots already fixed (they are obstacles for later units)

    # --- candidates -------------------------------------------------------------------
    def candidates(self, u: Unit):
        """(centres (n, 2), boxes (n, 4), base costs (n,), needs a leader (n,), shape (n,)),
        best first, over the unit's own shape and its others (those that fit in the frame)."""
        xy, boxes, cost, leader, fits = self._candidates(u)
        got = [(xy, boxes, cost, leader, np.zeros(len(cost), int))]
        for k, (w, h, bw, bh, dy0) in enumerate(u.shapes, 1):
            alt = replace(u, w=w, h=h, block_w=bw, block_h=bh, dy0=dy0, shapes=())
            axy, aboxes, acost, aleader, afits = self._candidates(alt)
            if afits:
                got.append((axy, aboxes, acost + RESHAPE, aleader, np.full(len(acost), k)))
        if not fits and len(got) > 1:  # the own shape only where nothing fits: drop it
            got = got[1:]
        parts = [np.concatenate(col) for col in zip(*got)]
        order = np.argsort(parts[2], kind="stable")[:KEEP]
        return tuple(p[order] for p in parts)

    def _candidates(self, u: Unit):
        """(centres, boxes, base costs, needs a leader, whether any fits) of one shape."""
        m = self.m
        ax_, ay_ = u.anchor
        step = 0.3 * min(u.w, u.h) + 2.5 * m
        cx, cy = [ax_], [ay_ + u.dy0]
        for ring in range(1, self.rings + 1):
            cx += list(ax_ + np.where(DIRS[:, 0] != 0, DIRS[:, 0] * (u.w / 2 + step * ring), 0))
            cy += list(ay_ + u.dy0 + np.where(DIRS[:, 1] != 0, DIRS[:, 1] * (u.h / 2 + step * ring), 0))
        if u.bounds is not None:  # a grid over the city's own land: anywhere on it names it
            x0, y0, x1, y1 = u.bounds
            sx, sy = max(u.w / 4, 3 * m), max(u.h / 4, 3 * m)
            nx, ny = min(40, int((x1 - x0) / sx) + 1), min(40, int((y1 - y0) / sy) + 1)
            gx, gy = np.meshgrid(np.linspace(x0, x1, nx), np.linspace(y0, y1, ny))
            cx += list(gx.ravel())
            cy += list(gy.ravel())
        cx, cy = np.asarray(cx, float), np.asarray(cy, float)
        boxes = _boxes(cx, cy, u.w, u.h)
        fx0, fy0, fx1, fy1 = self.frame
        keep = (boxes[:, 0] >= fx0) & (boxes[:, 1] >= fy0) & (boxes[:, 2] <= fx1) & (boxes[:, 3] <= fy1)
        if len(self.obstacles):
            keep &= overlap_area(boxes, self.obstacles).max(axis=1) <= 0
        inside = np.zeros(len(boxes))
        for mark in self.marks:  # over the enlargement's mark only on its own land
            inter = np.concatenate([np.maximum(boxes[:, :2], mark[:2]), np.minimum(boxes[:, 2:], mark[2:])], axis=1)
            over = (inter[:, 2] > inter[:, 0]) & (inter[:, 3] > inter[:, 1])
            if u.own is None:
                keep &= ~over
                continue
            if over.any():
                keep &= ~over | (self.ground.shares(inter, u.own)["own"] >= MARK_OWN)
                inside += np.where(over, (inter[:, 2] - inter[:, 0]) * (inter[:, 3] - inter[:, 1]), 0) / (u.w * u.h)
        if not keep.any():  # nothing fits: stay on the point, whatever it covers
            boxes = _boxes(np.array([ax_]), np.array([ay_ + u.dy0]), u.w, u.h)
            return np.array([[ax_, ay_ + u.dy0]]), boxes, np.zeros(1), np.zeros(1, bool), False
        cx, cy, boxes = cx[keep], cy[keep], boxes[keep]
        return (*self._score(u, cx, cy, boxes, self.w.mark * inside[keep]), True)

    def _score(self, u: Unit, cx, cy, boxes, extra):
        w, g = self.w, self.ground
        whole = g.shares(boxes, u.own)
        nb = name_boxes(u, boxes)
        name = g.shares(nb, u.own)
        cost = extra + (w.other * whole["other"] + w.other_name * name["other"] + w.context * whole["context"]
                + w.context * name["context"] + w.sea_name * name["sea"] + w.sea * whole["sea"])
        diag = np.hypot(u.w, u.h)
        cost += w.distance * np.hypot(cx - u.anchor[0], cy - u.anchor[1] - u.dy0) / diag
        if u.block_h:
            block = g.shares(np.stack([cx - u.block_w / 2, boxes[:, 1], cx + u.block_w / 2,
                                       boxes[:, 1] + u.block_h], 1), u.own)
            cost += w.other * block["other"] + w.context * block["context"]
            if u.block_inside:  # hard: glyphs over another city or province read as theirs
                off = block["other"] + block["context"]
                cost += HARD * (off > BLOCK_OTHER) + 50 * off
        # Hard: a name over another city (or province) names that one.
        cost += HARD * ((name["other"] + name["context"]) > NAME_OTHER)
        # Hard, where the city has land room: a name wholly over the sea names nothing.
        if not u.sea_ok and u.own is not None:
            # Hard where the city has room (a spot with the name on it): a name (most of it:
            # a corner over a cell of coast is no land to read it on) in the sea names nothing.
            room = (name["own"] >= 0.5) & (name["other"] + name["context"] <= NAME_OTHER)
            if room.any():
                cost += HARD * (name["sea"] >= 0.85)
        # On its own city (or over its point) a label names it; elsewhere it needs a leader.
        ax_, ay_ = u.anchor
        touches = (nb[:, 0] <= ax_) & (ax_ <= nb[:, 2]) & (nb[:, 1] <= ay_) & (ay_ <= nb[:, 3])
        on_own = (name["own"] >= 0.6) & (whole["own"] >= 0.5) if u.own is not None else np.zeros(len(cx), bool)
        leader = ~(touches | on_own)
        if not u.leader_ok:
            cost = cost + np.where(leader, 1e6, 0)
        segs = leader_segments(u.anchor, name_boxes(u, boxes))
        cost += np.where(leader, w.leader + 0.5 * np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]) / diag, 0)
        for key, (px, py) in self.points.items():
            if key != u.key:
                inside = (boxes[:, 0] < px) & (px < boxes[:, 2]) & (boxes[:, 1] < py) & (py < boxes[:, 3])
                cost += w.point * inside
                if leader.any():  # a leader through another city's point reads as that city's
                    near = 3 * self.m
                    pt = np.array([[px - near, py - near, px + near, py + near]])
                    cost += w.point * (leader & segment_hits_box(segs, pt)[:, 0])
        order = np.argsort(cost, kind="stable")[:KEEP]
        return np.stack([cx, cy], 1)[order], boxes[order], cost[order], leader[order]

    # --- choosing ---------------------------------------------------------------------
    def _fixed(self):
        boxes = np.asarray([s.box for s in self.placed], float).reshape(-1, 4)
        leaders = np.asarray([s.leader for s in self.placed if s.leader], float).reshape(-1, 4)
        return boxes, leaders

    def solve(self, units: list[Unit]) -> list[Spot]:
        """Spots for `units`, chosen together, around what is already placed."""
        cands = [self.candidates(u) for u in units]
        segs = [leader_segments(u.anchor, name_boxes(u, c[1])) for u, c in zip(units, cands)]
        fixed_boxes, fixed_leaders = self._fixed()
        pen = []
        for (_xy, boxes, base, leader, _), seg in zip(cands, segs):
            # What is already fixed costs the same whatever the others choose.
            p = base.copy()
            if len(fixed_boxes):
                area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
                shared = overlap_area(boxes, fixed_boxes).sum(axis=1)
                p += OVERLAP * shared / area + HARD * (shared > 0)
                p += CROSSING * (leader & segment_hits_box(seg, fixed_boxes, self.m).any(axis=1))
            if len(fixed_leaders):
                p += CROSSING * segment_hits_box(fixed_leaders, boxes, self.m).any(axis=0)
                p += CROSSING * (leader & segments_cross(seg, fixed_leaders).any(axis=1))
            if len(self.obstacles):  # a leader under a panel or the furniture is lost there
                p += CROSSING * (leader & segment_hits_box(seg, self.obstacles, self.m).any(axis=1))
            pen.append(p)
        n = len(units)
        pick = [0] * n
        pinned: list[int] = []

        def joint(i, against):
            """Unit i's cost of each candidate, given the picks of the units `against`."""
            _, boxes, _, leader, _ = cands[i]
            cost = pen[i].copy()
            others = [j for j in against if j != i]
            if others:
                ob = np.asarray([cands[j][1][pick[j]] for j in others])
                area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
                shared = overlap_area(boxes, ob).sum(axis=1)
                cost += OVERLAP * shared / area + HARD * (shared > 0)
                cost += CROSSING * (leader[:, None] & segment_hits_box(segs[i], ob, self.m)).any(axis=1)
                ol = np.asarray([segs[j][pick[j]] for j in others if cands[j][3][pick[j]]]).reshape(-1, 4)
                if len(ol):
                    cost += CROSSING * segment_hits_box(ol, boxes, self.m).any(axis=0)
                    cost += CROSSING * (leader & segments_cross(segs[i], ol).any(axis=1))
            return cost

        def settle():
            for _ in range(10):
                changed = False
                for i in range(n):
                    if i in pinned:
                        continue
                    cost = joint(i, range(n))
                    best = int(np.argmin(cost))
                    if cost[best] < cost[pick[i]] - 1e-9:
                        pick[i], changed = best, True
                if not changed:
                    break

        settle()
        # Each unit in turn takes the cheapest spot for itself given the others, so one
        # that breaks a hard rule only because another holds its one good spot can stay
        # stuck. Such a unit takes its best spot among those that keep its own rules (and
        # the pinned units'), is pinned there, and the others make way; a few times over.
        def broken():
            return sum(int(joint(i, range(n))[pick[i]] // HARD) for i in range(n))

        tried: set[int] = set()
        for _ in range(n):
            stuck = [i for i in range(n) if i not in pinned and i not in tried
                     and joint(i, range(n))[pick[i]] >= HARD and pen[i].min() < HARD]
            if not stuck:
                break
            i = stuck[0]
            tried.add(i)
            before, kept = broken(), list(pick)
            pick[i] = int(np.argmin(joint(i, pinned)))
            pinned.append(i)
            settle()
            if broken() >= before:  # no better for all: as it was
                pick[:] = kept
                pinned.pop()
        self._swap_pairs(n, cands, segs, joint, pick, settle, broken)
        out = []
        for u, (xy, boxes, _, leader, shape), seg, k in zip(units, cands, segs, pick):
            spot = Spot(u.key, float(xy[k, 0]), float(xy[k, 1]), tuple(float(v) for v in boxes[k]),
                        tuple(float(v) for v in seg[k]) if leader[k] else None, int(shape[k]))
            out.append(spot)
        self.placed += out
        return out

    def _swap_pairs(self, n, cands, segs, joint, pick, settle, broken) -> None:
        """Two units that each hold the other's way out (two leaders that cross, a name on
        the one spot another needs) stay stuck when each moves alone: a unit that still
        breaks a hard rule is moved together with each other unit in turn, over every pair
        of their candidates, and the move is kept where it breaks fewer rules for all."""
        m = self.m

        def total():
            return sum(float(joint(i, range(n))[pick[i]]) for i in range(n))

        def pair(i, j):
            rest = [k for k in range(n) if k not in (i, j)]
            bi, bj = cands[i][1], cands[j][1]
            li, lj = cands[i][3], cands[j][3]
            shared = overlap_area(bi, bj)
            ai = (bi[:, 2] - bi[:, 0]) * (bi[:, 3] - bi[:, 1])
            aj = (bj[:, 2] - bj[:, 0]) * (bj[:, 3] - bj[:, 1])
            # As `joint` counts them: each of the two pays for what lies between them.
            t = joint(i, rest)[:, None] + joint(j, rest)[None, :]
            t += OVERLAP * (shared / ai[:, None] + shared / aj[None, :]) + 2 * HARD * (shared > 0)
            t += 2 * CROSSING * (li[:, None] & segment_hits_box(segs[i], bj, m))
            t += 2 * CROSSING * (lj[:, None] & segment_hits_box(segs[j], bi, m)).T
            t += 2 * CROSSING * (li[:, None] & lj[None, :] & segments_cross(segs[i], segs[j]))
            return t

        for _ in range(2):
            moved = False
            for i in range(n):
                # Whether unit i breaks a rule changes only when a move is kept.
                stuck = joint(i, range(n))[pick[i]] >= HARD
                for j in range(n):
                    if j == i or not stuck:
                        continue
                    t = pair(i, j)
                    a, b = np.unravel_index(int(np.argmin(t)), t.shape)
                    if t[a, b] >= t[pick[i], pick[j]] - 1e-9:
                        continue
                    before, kept = (broken(), total()), list(pick)
                    pick[i], pick[j] = int(a), int(b)
                    settle()
                    if (broken(), total()) < before:
                        moved = True
                        stuck = joint(i, range(n))[pick[i]] >= HARD
                    else:
                        pick[:] = kept
            if not moved:
                break

    def place(self, u: Unit) -> Spot:
        return self.solve([u])[0]
