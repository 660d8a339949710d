"""Shared pieces of the boundary loader: the refusal exception and message helpers."""

from __future__ import annotations

import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon

from ingest.messages import Msg, Seq
from ingest.text import short_number

#: Rough lon/lat box around the province (the real extent is about
#: 109.65-117.31 E, 20.21-25.52 N); data must overlap it to be Guangdong at all.
GUANGDONG_BOUNDS = (109.0, 20.0, 118.0, 26.0)
_MAX_LISTED = 10  # feature labels listed in notes about bulk drops


class _Reject(Exception):
    """Stops processing; `msg` (a `Msg`) is the problem for the user."""

    @property
    def msg(self) -> Msg:
        return self.args[0]


def _list(indices, label, limit: int | None = None) -> Seq:
    """Features by their labels, at most `limit` of them, then "and N more"."""
    indices = [int(i) for i in indices]
    shown = indices if limit is None else indices[:limit]
    items: list = [label(i) for i in shown]
    if limit is not None and len(indices) > limit:
        items.append(Msg("bnd.and_more", n=len(indices) - limit))
    return Seq(tuple(items), "semi")


def _city_label(city) -> str:
    return f"{city.name_zh} ({city.adcode}, {city.name_en})"


def _crs_label(crs) -> str:
    if crs is None:
        return Msg("word.none")
    crs = CRS.from_user_input(crs)
    epsg = crs.to_epsg()
    if epsg is not None:
        return f"EPSG:{epsg}" + (f" ({crs.name})" if crs.name and epsg != 4326 else "")
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]}" if auth else (crs.name or Msg("bnd.crs_unnamed"))




def _fmt(v: float) -> str:
    return short_number(v)


def _span(tb) -> Msg:
    return Msg("bnd.span", x0=_fmt(tb[0]), x1=_fmt(tb[2]), y0=_fmt(tb[1]), y1=_fmt(tb[3]))


def _where(tb) -> Msg:
    return Msg("bnd.where", x0=tb[0], x1=tb[2], y0=tb[1], y1=tb[3])


def _swapped(tb) -> bool:
    gx0, gy0, gx1, gy1 = GUANGDONG_BOUNDS
    return tb[0] >= gy0 - 1 and tb[2] <= gy1 + 1 and tb[1] >= gx0 - 1 and tb[3] <= gx1 + 1


def _swap_hint(tb) -> str:
    return Msg("bnd.swap_hint") if _swapped(tb) else ""



def _polygonal(geom):
    """The polygonal part of a geometry as a MultiPolygon (None if it has none)."""
    polys: list[Polygon] = []
    stack = [geom]
    while stack:
        g = stack.pop()
        if g is None or g.is_empty:
            continue
        if g.geom_type == "Polygon":
            polys.append(g)
        elif g.geom_type in ("MultiPolygon", "GeometryCollection"):
            stack.extend(g.geoms)
    if not polys:
        return None
    mp = MultiPolygon(polys)
    return mp if mp.is_valid else _as_multi(shapely.union_all(polys))


def _as_multi(geom):
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    return _polygonal(geom)
