"""Compose the Folium map for one view state.

`MapData.build` does the geometry work once (web geometry, label points, zone
outlines, the GCJ-02 copies for 高德 tiles); `build_map` then only assembles
layers for a `ViewState`, so a rerun never touches a file or a polygon.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
import xyzservices.providers as xyz

from geo.derive import dissolve, encode_geometry, inset_outlines, label_point
from layers.assets import use_inline_assets, use_served_assets
from layers.elements import (
    CityLayer,
    GeoJsonLayer,
    Heading,
    InitialView,
    LabelLayer,
    LayerGroupHeaders,
    MapFurniture,
    SafeLayerControl,
    SharedGeometry,
    Verbatim,
    ZoningLayer,
    html_text,
    view_script,
)
from layers.marks import OFF, leaflet_area, leaflet_casing, leaflet_stroke
from layers.modes import coverage_table, mode_data, tint_classes, variant_key
from layers.scene_layer import SceneSync, chip_html, scene_data
from policy.model import Policy
from views.i18n import t
from views.scene import Scene, build_scene
from views.state import ViewState
from views.style import COAST, CONTEXT, LAND, SEA_COLOR, ZONE_INSET_M

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
    zone_insets: dict  # zone id -> encoded outline polygon just inside the zone
    context: list  # [style index (0 Guangdong outline, 1 neighbour), encoded geometry]
    labels: dict  # adcode -> (lat, lon)
    bounds: list  # [[south, west], [north, east]]


@dataclass(frozen=True)
class MapData:
    wgs84: Frame
    gcj02: Frame
    source: object = None  # a user's file (geo.boundaries.BoundarySource), credited; None: the bundled set

    @classmethod
    def build(cls, cities: gpd.GeoDataFrame, context: gpd.GeoDataFrame, policy: Policy | None = None,
              source=None) -> MapData:
        """`policy` gives zone membership (the policy model owns it); without one, the
        boundary file's `zone` column is used (counties benchmark, tests of geometry)."""
        from geo.crs import wgs84_to_gcj02  # only needed here, at build time

        if policy is not None:
            cities = cities.assign(zone=[policy.cities[a].zone for a in cities["adcode"]])

        def frame(c: gpd.GeoDataFrame, ctx: gpd.GeoDataFrame) -> Frame:
            zones = dissolve(c, "zone")
            insets = inset_outlines(zones, ZONE_INSET_M)
            minx, miny, maxx, maxy = c.total_bounds
            return Frame(
                cities={r.adcode: encode_geometry(r.geometry) for r in c.itertuples()},
                zone_insets={z: encode_geometry(g, CONTEXT_DIGITS) for z, g in zip(zones["zone"], insets)},
                context=[[0 if r.kind == "guangdong" else 1, encode_geometry(r.geometry, CONTEXT_DIGITS)]
                         for r in ctx.itertuples()],
                labels={r.adcode: label_point(r.geometry)[::-1] for r in c.itertuples()},
                bounds=[[miny, minx], [maxy, maxx]],
            )

        gcj_cities = cities.assign(geometry=[wgs84_to_gcj02(g) for g in cities.geometry])
        gcj_context = context.assign(geometry=[wgs84_to_gcj02(g) for g in context.geometry])
        return cls(wgs84=frame(cities, context), gcj02=frame(gcj_cities, gcj_context), source=source)


def _coverage(scene: Scene, geometry: SharedGeometry, state: ViewState, lang: str):
    """The choropleth: one style per class; the scene's mode hides it while clusters are on."""
    styles, classes = coverage_table(scene)
    items = [[a, classes[a]] for a in geometry.ids]
    layer = CityLayer(geometry, items, styles, name=html_text(t("coverage_layer", lang)), show=state.coverage,
                      interactive=False)
    return layer


def _zoning(policy: Policy, scene: Scene, frame: Frame, geometry: SharedGeometry, state: ViewState):
    """One overlay with both looks of the zones: fills, and inset outlines over a casing."""
    ids = list(policy.zones)
    styles = {"fill": [leaflet_area(scene.zone_fills[z]) for z in ids],
              "casing": [leaflet_casing(scene.zone_lines[z]) for z in ids],
              "line": [leaflet_stroke(scene.zone_lines[z]) for z in ids]}
    layer = ZoningLayer(
        geometry,
        [[ids.index(policy.cities[a].zone), a] for a in geometry.ids],
        [[ids.index(z), enc] for z, enc in frame.zone_insets.items()],
        name=html_text(t("zoning_layer", state.lang)), show=state.zoning, digits=CONTEXT_DIGITS)
    return layer, styles


def layer_labels(scene: Scene) -> dict[str, str]:
    """Per cluster, its row in the layer control: a tier heading on the first of a tier,
    the chip, the name with its count of cities at the scene's basis."""
    out, seen_tier = {}, set()
    for c in scene.clusters:
        header = ""
        if c.tier not in seen_tier:
            seen_tier.add(c.tier)
            header = f'<div class="gd-group">{html_text(t(c.tier, scene.lang))}</div>'
        out[c.id] = f"{header}{chip_html(c)}{html_text(c.label[len(str(c.key)) + 1:])}"
    return out


def _cluster_layers(scene: Scene, geometry: SharedGeometry, state: ViewState, cities: dict):
    """One overlay per cluster (all of them): its tint shapes, one per city of `cities`
    (those it tints at any basis the map can switch to), in the classes of
    layers.modes.tint_classes, shown by the scene's mode. Its glyphs, tooltips and legend
    entries come from gd.scene."""
    classes = tint_classes(scene, cities)
    labels = layer_labels(scene)
    return [CityLayer(geometry, list(classes[c.id].items()), [OFF, OFF, OFF], name=labels[c.id],
                      show=c.id in state.clusters, interactive=False) for c in scene.clusters]


def visible_overlays(state: ViewState) -> list[str]:
    """Ids of the overlays `state` shows, as ViewSync knows them."""
    return [*(["coverage"] if state.coverage else []), *(["zoning"] if state.zoning else []), *state.clusters]


def base_state(state: ViewState) -> ViewState:
    """The part of a view that shapes the map itself: the language and the basemap.
    Overlays, basis and tier are applied afterwards with `state_script` (the map holds
    every mode, layers.modes), so switching them never rebuilds the map."""
    return ViewState(lang=state.lang, basemap=state.basemap)


def state_script(state: ViewState) -> str:
    return view_script(visible_overlays(state), state.city, variant_key(state.basis, state.tier))


def build_map(policy: Policy, rows: pd.DataFrame, data: MapData, state: ViewState,
              assets: str = "served", modes: tuple[tuple[str, str], ...] | None = None) -> folium.Map:
    """The interactive map for `state`. assets: "served" (by the app) or "inline".
    modes: the (basis, tier) pairs the page can switch to (default: only the state's).

    The overlays `state` shows are on at load; the host can change them, the basis and
    the tier later with `state_script`."""
    lang = state.lang
    frame = data.gcj02 if state.basemap in GCJ_BASEMAPS else data.wgs84
    # The scale bar is added metric-only by MapFurniture (Leaflet's default adds miles).
    m = folium.Map(location=None, tiles=None, zoom_snap=0.25, zoom_delta=0.5, min_zoom=5, max_zoom=12,
                   control_scale=False, prefer_canvas=False)
    if assets == "inline":
        use_inline_assets(m)
    else:
        use_served_assets(m)
    # No tiles by default: the map must work with no network. A plain sea colour instead.
    m.get_root().header.add_child(
        Verbatim(f"<style>.leaflet-container {{ background: {SEA_COLOR}; }}</style>"), name="gd_sea")
    if state.basemap in BASEMAPS:
        p = BASEMAPS[state.basemap]
        folium.TileLayer(tiles=p.build_url(), attr=p.get("attribution", p.name), name=p.name,
                         max_zoom=18, overlay=False, control=False).add_to(m)

    GeoJsonLayer(frame.context, [leaflet_stroke(COAST), leaflet_area(CONTEXT)],
                 name=html_text(t("context_layer", lang)), control=False, digits=CONTEXT_DIGITS).add_to(m)

    initial = (state.basis, state.tier)
    modes = tuple(dict.fromkeys([initial, *(modes or ())]))
    scenes = {m: build_scene(policy, rows, state.with_(basis=m[0], tier=m[1]), boundaries=data.source) for m in modes}
    scene = scenes[initial]
    tint_cities = {c.id: tuple(dict.fromkeys(a for s in scenes.values() for a in s.cluster(c.id).drawn_cities))
                   for c in scene.clusters}
    geometry = SharedGeometry(frame.cities)
    geometry.add_to(m)
    # Land is never the sea colour: a plain fill under every other layer.
    CityLayer(geometry, [[a, 0] for a in frame.cities], [leaflet_area(LAND)],
              name="land", interactive=False, control=False).add_to(m)
    cov = _coverage(scene, geometry, state, lang)
    cov.add_to(m)
    zoning, zone_styles = _zoning(policy, scene, frame, geometry, state)
    zoning.add_to(m)
    clusters = _cluster_layers(scene, geometry, state, tint_cities)
    for layer in clusters:
        layer.add_to(m)
    CityLayer(geometry, [[a, 0] for a in frame.cities], [leaflet_stroke(LAND.stroke)],
              name="outline", interactive=False, control=False).add_to(m)
    LabelLayer(
        [[*frame.labels[a], html_text(scene.city_names[a]), a] for a in frame.cities],
        name=html_text(t("labels_layer", lang)),
    ).add_to(m)
    overlay_ids = [("coverage", cov), ("zoning", zoning), *zip((c.id for c in scene.clusters), clusters)]
    # In the app the notes on what a cluster or the tier does not draw stand beside the map (ui/mapview.py).
    per_mode = {m: scene_data(policy, s, frame.labels, frame.bounds, coverage_table(s)[0], zone_styles,
                              notes_beside=assets == "served") for m, s in scenes.items()}
    data = mode_data(per_mode, scenes, initial, tint_cities,
                     {b: layer_labels(s) for (b, _), s in scenes.items()})
    SceneSync(overlay_ids, zoning, geometry, data).add_to(m)
    MapFurniture(scale="bottomright").add_to(m)  # the sea corner: bottom-left lies over 湛江's tip
    if assets == "inline":
        # A standalone file says what it shows: its title, a heading and the source line.
        m.get_root().title = html_text(scene.title)
        Heading(html_text(scene.title), html_text(scene.subtitle), html_text(scene.source)).add_to(m)
    if state.city:
        InitialView(state_script(state)).add_to(m)
    control = SafeLayerControl(collapsed=True, position="topright")
    control.add_to(m)
    LayerGroupHeaders(control).add_to(m)
    # SceneSync fits Guangdong once its legend exists, beside the legend where there is room.
    return m
