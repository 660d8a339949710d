"""Basis and tier switched in the page, as overlays are: every mode's tables, sent once.

The app renders one map per (data, language, basemap). What the basis and the tier
change on it (glyphs, tooltips, the legend, the notes, the shading's classes, the
one-cluster tint and the layer control's counts) is each mode's own scene
(`views.scene.build_scene`), turned into the very data `scene_data` gives gd.scene for
one scene; gd.js (`setMode`) only swaps those tables in. Texts and SVG are shared by
most modes, so each distinct string goes once into a pool and the modes refer to it
by index.

Layout of the data (added to `scene_data`'s, whose per-mode fields it replaces):
- `pool`: the distinct strings;
- `bases[basis]`: glyphs and tooltip items (a cluster as its index in `clusters`), packing columns, crowding order and directions,
  the SVG and tooltip texts as pool indices, per cluster the tint class of each city it
  can tint (0 named, 1 region only, 2 not drawn at this basis), the layer control's
  label per cluster;
- `variants["basis/tier"]`: its basis, the clusters the tier lets through, the legend and
  notes (pool indices where scene_data has HTML), the count line per city, the shading's
  styles and each city's class;
- `variant`: the mode the map was built in.
"""

from __future__ import annotations

import re

from layers.marks import OFF, leaflet_area
from views.scene import Scene
from views.style import coverage_look

# The fields of scene_data() that depend on the mode; they travel in `bases`/`variants`.
BASE_FIELDS = ("glyphs", "items", "columns", "svg")
VARIANT_FIELDS = ("legend", "notes", "countLines", "coverageStyles")
NOT_DRAWN = 2  # a tint class: the city is not drawn by the cluster at this basis


def variant_key(basis: str, tier: str) -> str:
    return f"{basis}/{tier}"


def coverage_table(scene: Scene) -> tuple[list[dict], dict[str, int]]:
    """The shading's styles (one per class) and each city's class."""
    colors = list(scene.classes.colors)
    return ([leaflet_area(coverage_look(c)) for c in colors],
            {a: colors.index(col) for a, col in scene.coverage_colors.items()})


def tint_classes(scene: Scene, cities) -> dict[str, dict[str, int]]:
    """Per cluster, the tint class of each of `cities` (those it tints at any basis)."""
    out = {}
    for c in scene.clusters:
        region_only = set(c.drawn_cities) - set(c.explicit_cities)
        drawn = set(c.drawn_cities)
        out[c.id] = {a: (1 if a in region_only else 0) if a in drawn else NOT_DRAWN for a in cities.get(c.id, ())}
    return out


class Pool:
    """Distinct strings, each sent once. An SVG inside a string (a glyph, a legend sample, a
    chip) is a piece of its own, shared by every string that carries it, and is itself made
    of its tags, shared by every SVG (most glyphs differ only in a colour or a number): a
    pooled string is a string, or the list of its pieces' indices."""

    SVG = re.compile(r"(<svg\b.*?</svg>)", re.S)
    TAG = re.compile(r"(<[^>]*>)")

    def __init__(self):
        self.strings: list = []
        self.index: dict[str, int] = {}

    def _add(self, key: str, value) -> int:
        if key not in self.index:
            self.index[key] = len(self.strings)
            self.strings.append(value)
        return self.index[key]

    def _pieces(self, s: str, split: re.Pattern, piece) -> int:
        parts = [p for p in split.split(s) if p]
        if len(parts) <= 1:
            return piece(s)
        return self._add(s, [piece(p) for p in parts])

    def _svg(self, s: str) -> int:
        if not s.startswith("<svg"):
            return self._add(s, s)
        return self._pieces(s, self.TAG, lambda p: self._add(p, p))

    def __call__(self, s: str) -> int:
        return self._pieces(s, self.SVG, self._svg)


def mode_data(data: dict[tuple[str, str], dict], scenes: dict[tuple[str, str], Scene], initial: tuple[str, str],
              tint_cities: dict[str, tuple[str, ...]], layer_labels: dict[str, dict[str, str]]) -> dict:
    """`scene_data` of the initial mode, its per-mode fields replaced by the tables of
    every mode in `data` (scene_data per (basis, tier)) and `scenes` (their scenes).
    tint_cities: per cluster, the cities its tint layer holds; layer_labels: per basis,
    per cluster, the layer control's label (HTML)."""
    pool = Pool()
    out = {k: v for k, v in data[initial].items() if k not in BASE_FIELDS + VARIANT_FIELDS}
    out["crowd"] = {k: v for k, v in out["crowd"].items() if k not in ("order", "dirs")}
    out["texts"] = {"heads": out["texts"]["heads"]}
    bases, variants = {}, {}
    for (basis, tier), d in data.items():
        scene = scenes[(basis, tier)]
        if basis not in bases:
            ci = {cid: i for i, (cid, _) in enumerate(data[initial]["clusters"])}
            bases[basis] = {
                # a cluster as its index in `clusters`
                "glyphs": [[ci[g[0]], *g[1:]] for g in d["glyphs"]],
                "items": {a: [[ci[it[0]], *it[1:]] for it in v] for a, v in d["items"].items()},
                "columns": d["columns"],
                "order": d["crowd"]["order"], "dirs": d["crowd"]["dirs"],
                "svg": [pool(s) for s in d["svg"]], "texts": [pool(s) for s in d["texts"]["texts"]],
                "tints": tint_classes(scene, tint_cities),
                "names": {cid: pool(label) for cid, label in layer_labels[basis].items()},
            }
        styles, classes = coverage_table(scene)
        variants[variant_key(basis, tier)] = {
            "basis": basis, "shown": d["shown"],
            "legend": [[s["id"], s["when"], s["keep"], pool(s["title"]), pool(s["note"]),
                        [[e[0], pool(e[1])] for e in s["entries"]]] for s in d["legend"]],
            "notes": [[n[0], n[1], pool(n[2])] for n in d["notes"]],
            "countLines": {a: pool(h) for a, h in d["countLines"].items()},
            "coverageStyles": styles, "coverage": classes,
        }
    # Tint styles by class: 0 named, 1 region only, 2 not drawn at the mode's basis.
    out["clusters"] = [[cid, [*styles, OFF]] for cid, styles in out["clusters"]]
    out.update(pool=pool.strings, bases=bases, variants=variants, variant=variant_key(*initial))
    return out


def unpack(data: dict, key: str | None = None) -> dict:
    """The data gd.scene works with in mode `key` (default: the initial one), as
    `scene_data` gives it for that mode's scene: what gd.js setMode assembles, in
    Python (for tests and tools)."""
    pool = data["pool"]

    def text(i: int) -> str:
        p = pool[i]
        return p if isinstance(p, str) else "".join(text(j) for j in p)

    v = data["variants"][key or data["variant"]]
    b = data["bases"][v["basis"]]
    ids = [c[0] for c in data["clusters"]]
    return {
        **data,
        "glyphs": [[ids[g[0]], *g[1:]] for g in b["glyphs"]],
        "items": {a: [[ids[it[0]], *it[1:]] for it in items] for a, items in b["items"].items()},
        "columns": b["columns"], "svg": [text(i) for i in b["svg"]],
        "texts": {**data["texts"], "texts": [text(i) for i in b["texts"]]},
        "crowd": {**data["crowd"], "order": b["order"], "dirs": b["dirs"]},
        "shown": v["shown"],
        "legend": [{"id": s[0], "when": s[1], "keep": s[2], "title": text(s[3]), "note": text(s[4]),
                    "entries": [[e[0], text(e[1])] for e in s[5]]} for s in v["legend"]],
        "notes": [[n[0], n[1], text(n[2])] for n in v["notes"]],
        "countLines": {a: text(i) for a, i in v["countLines"].items()},
        "coverageStyles": v["coverageStyles"], "coverage": v["coverage"],
        "tints": b["tints"], "names": {cid: text(i) for cid, i in b["names"].items()},
    }
