"""The Leaflet side of a `views.scene.Scene`: everything gd.scene needs, as data.

The map is rendered once per (data, language, basis, tier, basemap) with every
cluster in it; overlays are then switched in the browser by gd.scene
(layers/js/gd.js). So the scene is sent whole: the glyphs of every cluster (as
SVG drawn from their looks), the legend catalogue (each sample drawn from the
very look the map uses), the notes, the styles of every look, and the table of
which conditions hold for each combination of overlays (`views.scene.MODES`).
The script looks these up; Python builds every piece of HTML, escaped.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template

from layers.elements import SafeMacro, html_text, js_data
from layers.marks import OFF, css_box, glyph_svg, leaflet_area, leaflet_casing, leaflet_stroke, sample_svg
from views import i18n, style
from views.crowding import directions, placement_order
from views.i18n import t
from views.scene import FOCUS_LAYER, MODES, Scene
from views.style import FOCUS, GLYPH_PX, tint_look

# Below this map width (px) the legend is a sheet under the map, folded until opened.
NARROW_PX = 560
# The legend under a wide map takes at most this share of the frame's height (it scrolls
# beyond), and never less than LEGEND_MIN_PX.
LEGEND_SHARE = 0.34
LEGEND_MIN_PX = 96
# A popup is at most this wide and tall (px), and keeps `margin` px from the map's edges (a phone).
POPUP = {"maxWidth": 420, "maxHeight": 360, "margin": 24}


def chip_html(c, px: int = 15) -> str:
    """A cluster's key (its colour and number) as inline SVG: the legend's own sample."""
    return glyph_svg(c.chip, px=px, cls="gd-glyph gd-chipglyph")


def legend_data(scene: Scene) -> list[dict]:
    """The legend catalogue for the script: per section its condition, title and note
    HTML, whether its note keeps it when no entry shows, and [[layers, entry HTML], ...]."""
    out = []
    for s in scene.catalogue:
        entries = [[list(e.layers), f'<div class="gd-entry">{sample_svg(e.look)}<span>{html_text(e.label)}</span></div>']
                   for e in s.entries]
        out.append({"id": s.id, "when": s.when, "keep": s.keep_empty, "entries": entries,
                    "title": f"<b>{html_text(s.title)}</b>" if s.title else "",
                    "note": f'<div class="gd-note">{html_text(s.note)}</div>' if s.note else ""})
    return out


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
    sep = "；" if scene.lang == "zh" else "; "
    for c in scene.clusters:
        for a in c.drawn_cities:
            clauses = scene.clauses.get((c.id, a), ())
            if not clauses:
                continue
            roles = sep.join(dict.fromkeys(f"{cl.role_label}（{cl.basis_label}）" if scene.lang == "zh"
                                           else f"{cl.role_label} ({cl.basis_label})" for cl in clauses))
            places = "、".join(dict.fromkeys(cl.place_zh for cl in clauses))
            role_zh = "、".join(dict.fromkeys(cl.role_zh for cl in clauses))
            quotes = [ref(f"<blockquote>{html_text(cl.quote)}</blockquote>")
                      for cl in {cl.designation_id: cl for cl in clauses}.values()]
            items.setdefault(a, []).append([c.id, ref(html_text(roles)), ref(html_text(f"{role_zh} · {places}")),
                                            quotes])
    heads = {c.id: f"{chip_html(c)}<b>{html_text(c.name)}</b>" for c in scene.clusters}
    return items, {"texts": texts, "heads": heads}


def badge_html(scene: Scene, n: int) -> str:
    """A phone's badge for a city where n clusters are drawn (views.style.badge_look)."""
    look, k = scene.badge_look(n), style.BADGE_STACK_PX
    stack = f"box-shadow: {k - 1}px {k - 1}px 0 {style.ZERO_COLOR}, {k}px {k}px 0 {look.stroke.color};"
    return (f'<span class="gd-badge" style="{css_box(look)} {stack} color: {style.text_color_on(look.fill)}">'
            f"{n}</span>")


def crowding_data(scene: Scene, labels: dict) -> dict:
    """Where glyph blocks make way in crowded places (views.crowding): the order in which
    cities claim their place and, per city, the directions it looks for room in; and the
    card's looks and sizes (views.style). Below compactPx of map width, where the blocks
    do not all fit under their names, each city shows a badge (badges[n]: n clusters
    drawn there) that opens its card."""
    counts: dict[str, int] = {}
    for g in scene.glyphs:
        counts[g.adcode] = counts.get(g.adcode, 0) + 1
    return {"order": placement_order(counts, list(scene.city_names)),
            "dirs": directions({a: tuple(p) for a, p in labels.items()}, counts),
            "card": css_box(style.CALLOUT), "leader": leaflet_stroke(style.LEADER),
            "pad": style.CALLOUT_PAD_PX, "head": style.CALLOUT_HEAD_PX, "gap": style.CALLOUT_GAP_PX,
            "step": style.CALLOUT_STEP_PX, "max": style.CALLOUT_MAX_PX, "turnPx": style.CALLOUT_TURN_PX,
            "strangerPx": style.CALLOUT_STRANGER_PX, "longPx": style.CALLOUT_LONG_PX,
            "retries": style.CALLOUT_RETRIES,
            "compactPx": NARROW_PX, "badgePx": style.BADGE_PX, "digitPx": style.BADGE_DIGIT_PX,
            "badgeReach": style.BADGE_REACH_PX,
            "badges": [badge_html(scene, n) for n in range(len(scene.clusters) + 1)],
            "badgeLabel": [html_text(t("badge_label", scene.lang, n=n)) for n in range(len(scene.clusters) + 1)],
            "badgeHint": html_text(t("badge_hint", scene.lang))}


def scene_data(policy, scene: Scene, labels: dict, bounds: list, coverage_styles: list, zone_styles: dict,
               notes_beside: bool = False) -> dict:
    """Everything gd.scene needs, as plain JSON (HTML pieces escaped here). notes_beside:
    the host (the app) says beside the map what a cluster or the tier does not draw, so
    the legend leaves those notes out."""
    svg, index, glyphs = [], {}, []
    for g in scene.glyphs:
        if g.look not in index:
            index[g.look] = len(svg)
            # data-glyph: which cluster, shape and fill it shows (for tests and assistive tools)
            mark = f'data-glyph="{g.key}:{g.look.marker}:{int(g.look.hollow)}" '
            svg.append(glyph_svg(g.look).replace("<svg ", "<svg " + mark, 1))
        glyphs.append([g.cluster_id, g.adcode, index[g.look]])
    items, texts = city_texts(scene)
    lang = scene.lang
    count_label = html_text(t("legend_coverage", lang))
    return {
        # per cluster: id, and its tint styles by class (0 named, 1 region only)
        "clusters": [[c.id, [leaflet_area(tint_look(c.color, b)) for b in ("explicit", "region")]]
                     for c in scene.clusters],
        # the clusters the tier lets the map draw; a ticked cluster of the other tier is not
        "shown": [c.id for c in scene.clusters if scene.in_tier(c.id)],
        "glyphs": glyphs, "svg": svg, "columns": scene.columns_table(), "glyphStep": GLYPH_PX + 1,
        "items": items, "texts": texts,
        "labels": labels, "bounds": bounds,
        "cityNames": {a: html_text(n) for a, n in scene.city_names.items()},
        "cityHeads": {a: f'<div class="gd-tiphead"><b>{html_text(scene.city_names[a])}</b> · '
                         f'{html_text(i18n.zone_name(policy, c.zone, lang))}</div>' for a, c in policy.cities.items()},
        "countLines": {a: f'<div class="gd-meta">{count_label}: {n}</div>' for a, n in scene.coverage_counts.items()},
        "noneHere": f'<div class="gd-meta">{html_text(t("none_here", lang))}</div>',
        "legendWord": t("legend", lang),
        "legend": legend_data(scene),
        "notes": [[list(n.layers), n.when, f'<div class="gd-note">{html_text(n.interactive_text)}</div>']
                  for n in scene.all_notes if not (notes_beside and n.beside_map)],
        "modes": {k: sorted(v) for k, v in MODES.items()},
        "focusLayer": FOCUS_LAYER,
        "focusStyles": [leaflet_casing(FOCUS), leaflet_stroke(FOCUS)],
        "coverageStyles": coverage_styles,
        "zoneStyles": zone_styles,
        "off": OFF,
        "narrowPx": NARROW_PX,
        "legendShare": LEGEND_SHARE, "legendMinPx": LEGEND_MIN_PX,
        "popup": POPUP,
        "crowd": crowding_data(scene, labels),
    }


class SceneSync(SafeMacro, MacroElement):
    """Calls gd.scene with the scene's data, the overlays by id and the zoning layer."""

    _template = Template(
        "{% macro script(this, kwargs) %}gd.scene({{ this._parent.get_name() }}, {{ this.data }}, "
        "{{ this.overlays_js }}, {{ this.zoning.get_name() }}, {{ this.geometry.get_name() }});{% endmacro %}")

    def __init__(self, overlays: list[tuple[str, Layer]], zoning: Layer, geometry, data: dict):
        super().__init__()
        self._name = "SceneSync"
        self.overlays = overlays
        self.zoning = zoning
        self.geometry = geometry
        self.data = js_data(data)

    def render(self, **kwargs):
        # Layer variable names exist only once the map is rendered; ids are data (escaped).
        self.overlays_js = "{" + ",".join(f"{js_data(i)}:{layer.get_name()}" for i, layer in self.overlays) + "}"
        super().render(**kwargs)
