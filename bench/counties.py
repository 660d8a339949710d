"""The project's map at county level (124 units instead of 21 cities), for the scaling benchmark.

`build_county_map` wraps `layers.map.build_map`: it builds the normal map, then
swaps the shared city geometry for the county geometry and expands every city
item of every geometry-sharing layer (coverage choropleth, outlines, the 20
cluster layers) into one item per county of that city, with the same style,
tooltip and popup. The map is therefore the app's map with 124 polygons per
layer where the app has 21; zone outlines, context and labels stay as they are.
"""

from __future__ import annotations

import json
from functools import cache

from geo.boundaries import load_cities, load_context, load_counties
from layers import elements
from layers.map import GCJ_BASEMAPS, MapData


@cache
def county_data() -> tuple[MapData, dict]:
    """The counties through the app's own MapData.build (same encoding, both CRSs),
    and city adcode -> [county adcodes]."""
    cities, counties = load_cities(), load_counties()
    zone = cities.set_index("adcode")["zone"]
    counties = counties.assign(zone=counties["city_adcode"].map(zone))
    by_city: dict[str, list[str]] = {}
    for r in counties.itertuples():
        by_city.setdefault(r.city_adcode, []).append(r.adcode)
    return MapData.build(counties, load_context()), by_city


def _walk(element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


def to_counties(m, gcj02: bool = False):
    """Rewrite a map built by layers.map.build_map to draw counties; returns m."""
    data, by_city = county_data()
    geoms = (data.gcj02 if gcj02 else data.wgs84).cities
    shared = cities = 0
    for el in _walk(m):
        if isinstance(el, elements.SharedGeometry):
            el.data = elements.js_data(geoms)
            shared += 1
        elif isinstance(el, elements.CityLayer):
            items = json.loads(el.items_js)
            el.items_js = elements.js_data([[c, *it[1:]] for it in items for c in by_city[it[0]]])
            cities += 1
    if not shared or not cities:
        raise RuntimeError("the map has no SharedGeometry/CityLayer: the county harness needs updating")
    return m


def county_build_map(build_map):
    """Wrap build_map (same signature) so that it returns the county version."""

    def build(policy, rows, data, state, *args, **kwargs):
        return to_counties(build_map(policy, rows, data, state, *args, **kwargs),
                           gcj02=state.basemap in GCJ_BASEMAPS)

    build.county_harness = True
    return build
