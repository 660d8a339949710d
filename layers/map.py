"""Compose the Folium map for one view state.

`MapData.build` does the geometry work once (web geometry, label points, zone
outlines, the GCJ-02 copies for 高德 tiles); `build_map` then only assembles
layers for a `ViewState`, so a rerun never touches a file or a polygon.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import folium
import geopandas as gpd
import pandas as pd
import xyzservices.providers as xyz

from geo.derive import dissolve, encode_geometry, label_point
from layers.assets import use_inline_assets, use_served_assets
from layers.elements import (
    CITY_PLACEHOLDER,
    GeometryCodec,
    InitialView,
    TextTable,
    CityLayer,
    GeoJsonLayer,
    LabelLayer,
    LayerGroupHeaders,
    Legend,
    SharedGeometry,
    ViewSync,
    add_css,
    view_script,
)
from policy.coverage import city_coverage, select
from policy.model import Policy
from views import i18n
from views.i18n import t
from views.state import ViewState
from views.style import (
    BASIS_STYLE,
    CITY_BORDER,
    CONTEXT_BORDER,
    CONTEXT_FILL,
    ROLE_COLORS,
    SEA_COLOR,
    coverage_classes,
    zoning_as_fill,
)

# Basemaps for users who are online, all named through xyzservices. 高德 tiles are in
# GCJ-02, so with them the vector layers switch to their GCJ-02 copies.
BASEMAPS = {
    "osm": xyz.OpenStreetMap.Mapnik,
    "carto": xyz.CartoDB.Positron,
    "gaode": xyz.Gaode.Normal,
}
GCJ_BASEMAPS = {"gaode"}


# Context and zone outlines are drawn thin or under other layers: 3 digits (~110 m)
# is plenty, and shared city borders keep 4 (~11 m).
CONTEXT_DIGITS = 3


@dataclass(frozen=True)
class Frame:
    """Everything geometric one coordinate system needs (geometry encoded for the web)."""

    cities: dict  # adcode -> encoded geometry
    zones: dict  # zone id -> encoded geometry (dissolved)
    context: list  # [style index (0 Guangdong outline, 1 neighbour), encoded geometry]
    labels: dict  # adcode -> (lat, lon)
    bounds: list  # [[south, west], [north, east]]


@dataclass(frozen=True)
class MapData:
    wgs84: Frame
    gcj02: Frame

    @classmethod
    def build(cls, cities: gpd.GeoDataFrame, context: gpd.GeoDataFrame) -> "MapData":
        from geo.crs import wgs84_to_gcj02  # only needed here, at build time

        def frame(c: gpd.GeoDataFrame, ctx: gpd.GeoDataFrame) -> Frame:
            zones = dissolve(c, "zone")
            minx, miny, maxx, maxy = c.total_bounds
            return Frame(
                cities={r.adcode: encode_geometry(r.geometry) for r in c.itertuples()},
                zones={r.zone: encode_geometry(r.geometry, CONTEXT_DIGITS) for r in zones.itertuples()},
                context=[[0 if r.kind == "guangdong" else 1, encode_geometry(r.geometry, CONTEXT_DIGITS)]
                         for r in ctx.itertuples()],
                labels={r.adcode: label_point(r.geometry)[::-1] for r in c.itertuples()},
                bounds=[[miny, minx], [maxy, maxx]],
            )

        gcj_cities = cities.assign(geometry=[wgs84_to_gcj02(g) for g in cities.geometry])
        gcj_context = context.assign(geometry=[wgs84_to_gcj02(g) for g in context.geometry])
        return cls(wgs84=frame(cities, context), gcj02=frame(gcj_cities, gcj_context))


def _swatch(color: str, opacity: float = 1.0, region: bool = False) -> str:
    cls = "gd-swatch region" if region else "gd-swatch"
    return f'<span class="{cls}" style="background:{color};opacity:{max(opacity, 0.35):.2f}"></span>'


def _popup(rows: list[tuple[str, str | None]], quote: str | None = None) -> str:
    """Escaped popup HTML; a value of None is the item's city (CITY_PLACEHOLDER)."""
    body = "".join(f"<tr><th>{escape(k)}</th><td>{CITY_PLACEHOLDER if v is None else escape(v)}</td></tr>"
                   for k, v in rows)
    q = f"<blockquote>{escape(quote)}</blockquote>" if quote else ""
    return f'<div class="gd-popup"><table>{body}</table>{q}</div>'


def coverage_layer(policy, rows, geometry, state: ViewState, frame: Frame):
    lang = state.lang
    cov = city_coverage(policy, rows, state.basis, state.tier)
    classes = coverage_classes(cov["clusters"])
    styles = [
        {"fillColor": c, "fillOpacity": 0.85, "color": CITY_BORDER, "weight": 1}
        for c in classes.colors
    ]
    items, texts = [], TextTable()
    for r in cov.itertuples():
        names = [i18n.cluster_name(policy, c, lang) for c in r.cluster_ids]
        sep = "、" if lang == "zh" else ", "
        tip = (
            f"<b>{CITY_PLACEHOLDER}</b> — "
            f"{escape(t('clusters_n', lang))}: {r.clusters} "
            f"({escape(t('pillar_short', lang))} {r.pillar} / {escape(t('emerging_short', lang))} {r.emerging})"
            f"<br>{escape(sep.join(names) or t('no_clusters', lang))}"
        )
        items.append([r.adcode, classes.index(r.clusters), texts.add(tip), -1,
                      escape(i18n.city_name(policy, r.adcode, lang))])
    layer = CityLayer(geometry, items, styles, name=escape(t("coverage_layer", lang)), texts=texts.texts,
                      show=state.coverage)
    title = escape(i18n.coverage_title(policy, state.basis, state.tier, lang))
    legend = f"<b>{escape(t('legend_coverage', lang))}</b><div class='gd-note'>{title}</div>" + "".join(
        f"<div>{_swatch(c)}{escape(label)}</div>" for c, label in zip(classes.colors, classes.labels())
    )
    return layer, legend, classes


def zoning_styles(policy: Policy) -> dict[str, list[dict]]:
    """Both looks of the zoning layer; `zoning_as_fill` picks one."""
    zones = list(policy.zones.values())
    return {
        "fill": [{"color": z.color, "weight": 1.5, "fillColor": z.color, "fillOpacity": 0.45, "opacity": 0.95}
                 for z in zones],
        "outline": [{"color": z.color, "weight": 4, "fillColor": z.color, "fillOpacity": 0, "opacity": 0.95}
                    for z in zones],
    }


def zoning_layer(policy: Policy, state: ViewState, frame: Frame):
    lang = state.lang
    ids = list(policy.zones)
    styles = zoning_styles(policy)["fill" if zoning_as_fill(state.coverage, state.clusters) else "outline"]
    features = [[ids.index(zid), enc] for zid, enc in frame.zones.items()]
    layer = GeoJsonLayer(features, styles, name=escape(t("zoning_layer", lang)), show=state.zoning,
                         digits=CONTEXT_DIGITS)
    legend = f"<b>{escape(t('zoning_layer', lang))}</b>" + "".join(
        f"<div>{_swatch(z.color)}{escape(z.short_zh + ' ' if lang == 'zh' else '')}"
        f"{escape(i18n.zone_name(policy, z.id, lang))} ({len(z.members)})</div>"
        for z in policy.zones.values()
    )
    return layer, legend


def cluster_layers(policy: Policy, rows: pd.DataFrame, geometry, state: ViewState):
    """One layer per cluster (all 20), pillar first; shown if in state.clusters."""
    lang = state.lang
    sel = select(rows, state.basis, "all")
    roles = list(ROLE_COLORS)
    styles = []
    for role in roles:
        for basis in ("explicit", "region"):
            b = BASIS_STYLE[basis]
            styles.append({"color": ROLE_COLORS[role], "fillColor": ROLE_COLORS[role],
                           "fillOpacity": b["fill_opacity"], "weight": b["weight"], "dashArray": b["dash"]})
    layers = []
    seen_tier = set()
    for cid, cl in policy.clusters.items():
        mine = sel[sel["cluster_id"] == cid]
        # Explicit rows last so a city named explicitly is drawn above a region-level mention.
        mine = mine.sort_values("basis", key=lambda s: s.map({"region": 0, "explicit": 1}), kind="stable")
        items, texts = [], TextTable()
        cname = i18n.cluster_name(policy, cid, lang)
        tier_label = t(f"{cl.tier}_short", lang)
        for r in mine.itertuples():
            city = escape(i18n.city_name(policy, r.adcode, lang))
            role_cat = i18n.role_name(policy, r.role, lang)
            tip = f"<b>{escape(cname)}</b><br>{CITY_PLACEHOLDER} · {escape(role_cat)} · {escape(t(r.basis, lang))}"
            fields = [
                (t("cluster", lang), f"{cname} ({tier_label} {cl.number})"),
                (t("city", lang), None),
                (t("role", lang), f"{r.role_zh} · {role_cat}" if lang == "zh" else f"{role_cat} ({r.role_zh})"),
                (t("basis", lang), t(r.basis, lang)),
                (t("place", lang), r.place_zh),
            ]
            style_idx = roles.index(r.role) * 2 + (0 if r.basis == "explicit" else 1)
            items.append([r.adcode, style_idx, texts.add(tip), texts.add(_popup(fields, r.quote)), city])
        header = ""
        if cl.tier not in seen_tier:
            seen_tier.add(cl.tier)
            header = f'<div class="gd-group">{escape(t(cl.tier, lang))}</div>'
        label = f"{header}{cl.number}. {escape(cname)}" + ("" if items else " <i>(—)</i>")
        layers.append(CityLayer(geometry, items, styles, name=label, texts=texts.texts,
                                show=cid in state.clusters))
    legend = f"<b>{escape(t('legend_roles', lang))}</b>" + "".join(
        f"<div>{_swatch(ROLE_COLORS[r])}{escape(i18n.role_name(policy, r, lang))}</div>" for r in roles
    )
    if state.basis == "all":
        legend += (
            f"<div>{_swatch('#888', 0.6)}{escape(t('explicit', lang))} "
            f"{_swatch('#888', 0.15, region=True)}{escape(t('region', lang))}</div>"
            f"<div class='gd-note'>{escape(t('legend_region_note', lang))}</div>"
        )
    return layers, legend


def visible_overlays(state: ViewState) -> list[str]:
    """Ids of the overlays `state` shows, as ViewSync knows them."""
    return [*(["coverage"] if state.coverage else []), *(["zoning"] if state.zoning else []), *state.clusters]


def base_state(state: ViewState) -> ViewState:
    """The part of a view that shapes the map itself; overlay visibility is applied
    afterwards with `view_script`, so switching layers never rebuilds the map."""
    return ViewState(basis=state.basis, tier=state.tier, lang=state.lang, basemap=state.basemap)


def state_script(state: ViewState) -> str:
    return view_script(visible_overlays(state), state.city)


def build_map(policy: Policy, rows: pd.DataFrame, data: MapData, state: ViewState,
              assets: str = "served") -> folium.Map:
    """The interactive map for `state`. assets: "served" (by the app) or "inline".

    The overlays `state` shows are on at load; the host can change them later
    with `state_script`."""
    lang = state.lang
    frame = data.gcj02 if state.basemap in GCJ_BASEMAPS else data.wgs84
    m = folium.Map(location=None, tiles=None, zoom_snap=0.25, zoom_delta=0.5, min_zoom=5, max_zoom=12,
                   control_scale=True, prefer_canvas=False)
    if assets == "inline":
        use_inline_assets(m)
    else:
        use_served_assets(m)
    add_css(m)
    # No tiles by default: the map must work with no network. A plain sea colour instead.
    m.get_root().header.add_child(
        folium.Element(f"<style>.leaflet-container {{ background: {SEA_COLOR}; }}</style>"), name="gd_sea")
    if state.basemap in BASEMAPS:
        p = BASEMAPS[state.basemap]
        folium.TileLayer(tiles=p.build_url(), attr=p.get("attribution", p.name), name=p.name,
                         max_zoom=18, overlay=False, control=False).add_to(m)

    GeometryCodec().add_to(m)
    GeoJsonLayer(frame.context, [
        {"color": "#777", "weight": 1.2, "fillColor": "#fff", "fillOpacity": 0.0},
        {"color": CONTEXT_BORDER, "weight": 0.8, "fillColor": CONTEXT_FILL, "fillOpacity": 1.0},
    ], name=escape(t("context_layer", lang)), control=False, digits=CONTEXT_DIGITS).add_to(m)

    geometry = SharedGeometry(frame.cities)
    geometry.add_to(m)
    cov, cov_legend, _ = coverage_layer(policy, rows, geometry, state, frame)
    cov.add_to(m)
    outline = CityLayer(geometry, [[a, 0, -1, -1, ""] for a in frame.cities],
                        [{"color": CITY_BORDER, "weight": 0.8, "fill": False}],
                        name="outline", interactive=False, control=False)
    outline.add_to(m)
    zoning, zoning_legend = zoning_layer(policy, state, frame)
    zoning.add_to(m)
    clusters, cluster_legend = cluster_layers(policy, rows, geometry, state)
    for layer in clusters:
        layer.add_to(m)
    labels = LabelLayer(
        [[*frame.labels[a], escape(i18n.city_name(policy, a, lang))] for a in frame.cities],
        name=escape(t("labels_layer", lang)),
    )
    labels.add_to(m)
    Legend("", [([cov], cov_legend), ([zoning], zoning_legend), (clusters, cluster_legend)]).add_to(m)
    overlay_ids = [("coverage", cov), ("zoning", zoning), *zip(policy.clusters, clusters)]
    ViewSync(overlay_ids, zoning_styles(policy), geometry).add_to(m)
    if state.city:
        InitialView(state_script(state)).add_to(m)
    control = folium.LayerControl(collapsed=True, position="topright")
    control.add_to(m)
    LayerGroupHeaders(control).add_to(m)
    m.fit_bounds(frame.bounds)
    return m
