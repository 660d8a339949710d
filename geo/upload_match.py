"""Matching boundary features to the 21 cities, by adcode or by name."""

from __future__ import annotations

import math
import re
from collections import Counter

import geopandas as gpd
import numpy as np
import shapely

from geo.upload_common import _as_multi, _city_label, _list, _Reject
from ingest.cities import parse_adcode
from ingest.messages import Msg
from ingest.text import bidi_character
from ingest.text import clip as _clip
from ingest.text import show as _show

# Column names are compared after _norm_col (lower case, no spaces, "_" or "-").
# They only break ties and tell a county file's "which city" column apart from
# the column naming each row; matching itself looks at the values.
_CODE_COLUMNS = (
    "adcode", "code", "gb", "gbcode", "行政区划代码", "区划代码", "行政代码", "代码",
    "citycode", "cityadcode", "adcode99", "pac", "dm",
)
_NAME_COLUMNS = (
    "namezh", "name", "名称", "市", "地名", "市名", "市名称", "cityname", "city",
    "nameen", "namechn", "cname", "ename", "fullname",
)
# Columns that say which city a row belongs to rather than what the row is.
_PARENT_COLUMNS = {
    "city", "cityname", "citynamezh", "citynameen", "cityzh", "cityen", "citycode",
    "cityadcode", "市", "地级市", "所属市", "所属地市", "地市", "市名", "市名称", "市代码",
    "parent", "parentcode", "parentadcode", "parentname", "prefecture",
}
# Columns that name or code each row itself.
_ROW_KEY_COLUMNS = {
    "adcode", "code", "gb", "gbcode", "行政区划代码", "区划代码", "行政代码", "代码",
    "namezh", "name", "名称", "nameen", "namechn", "cname", "ename", "fullname",
    "county", "countyname", "县", "区县", "县名", "县区", "地名",
}


def _match(attrs, geoms, rows, policy, label, notes, problems):
    """Assign each feature to a city; returns (cities frame or None, level)."""
    _refuse_bidi(attrs, rows, label, problems)
    columns = [c for c in attrs.columns if isinstance(c, str)]
    best = None
    for order, col in enumerate(columns):
        matches = [_classify(v, policy) for v in attrs[col].tolist()]
        score = sum(m is not None for m in matches)
        if not score:
            continue
        by_code = any(m[2] for m in matches if m)
        key = (score, by_code, -_priority(col), -order)
        if best is None or key > best[0]:
            best = (key, col, matches, by_code)
    if best is None:
        shown = ", ".join(_clip(c, 30) for c in columns[:12]) or Msg("word.none")
        raise _Reject(Msg("bnd.no_key_column", columns=shown))
    _, col, matches, by_code = best
    notes.append(Msg("bnd.matched_code" if by_code else "bnd.matched_name", column=repr(col)))

    unmatched = [i for i, m in enumerate(matches) if m is None]
    if unmatched:
        notes.append(Msg("bnd.unmatched", n=len(unmatched), features=_list([rows[i] for i in unmatched], label)))

    by_city: dict[str, list[int]] = {}
    for i, m in enumerate(matches):
        if m is not None:
            by_city.setdefault(m[0], []).append(i)

    county_rows = any(m[1] == "county" for m in matches if m)
    repeats = any(len(v) > 1 for v in by_city.values())
    parent_column = (
        repeats
        and _norm_col(col) in _PARENT_COLUMNS
        and any(_norm_col(c) in _ROW_KEY_COLUMNS for c in columns if c != col)
    )
    level = "county" if county_rows or parent_column else "city"

    cities = policy.cities
    if level == "city":
        for adcode, idx in by_city.items():
            if len(idx) > 1:
                problems.append(Msg("bnd.city_twice", city=_city_label(cities[adcode]), n=len(idx),
                                    features=_list([rows[i] for i in idx], label)))
    else:
        for adcode, idx in by_city.items():
            kinds = Counter(matches[i][1] for i in idx)
            if county_rows and kinds["city"] and kinds["county"]:
                problems.append(Msg("bnd.city_and_counties", city=_city_label(cities[adcode]),
                                    features=_list([rows[i] for i in idx], label)))
            elif kinds["city"] > 1 and not parent_column:
                problems.append(Msg("bnd.city_twice", city=_city_label(cities[adcode]), n=kinds["city"],
                                    features=_list([rows[i] for i in idx], label)))
        codes = Counter(matches[i][3] for i in range(len(matches)) if matches[i] and matches[i][1] == "county")
        dup = sorted(c for c, n in codes.items() if n > 1)
        if dup:
            notes.append(Msg("bnd.county_parts", n=len(dup), codes=", ".join(dup)))

    missing = [a for a in cities if a not in by_city]
    if missing:
        problems.append(Msg("bnd.cities_missing", n=len(missing), total=len(cities),
                            cities=", ".join(_city_label(cities[a]) for a in missing)))
    if problems:
        return None, level

    merged = {}
    for adcode, idx in by_city.items():
        parts = [geoms[i] for i in idx]
        merged[adcode] = _as_multi(parts[0] if len(parts) == 1 else shapely.union_all(parts))
        if merged[adcode] is None:
            problems.append(Msg("bnd.no_area", city=_city_label(cities[adcode])))
    if problems:
        return None, level
    if level == "county":
        n = sum(len(v) for v in by_city.values())
        notes.append(Msg("bnd.dissolved", n=n, total=len(cities)))

    order = list(cities)
    frame = gpd.GeoDataFrame(
        {
            "adcode": order,
            "name_zh": [cities[a].name_zh for a in order],
            "name_en": [cities[a].name_en for a in order],
            "zone": [cities[a].zone for a in order],
        },
        geometry=[merged[a] for a in order],
        crs="EPSG:4326",
    )
    frame.index = order  # same row labels as geo.boundaries.load_cities
    return frame, level


def _refuse_bidi(attrs, rows, label, problems) -> None:
    """Every attribute may be read as a city's name or code, so a bidirectional
    control in any of them (or in a column name) is refused, as in designations
    files: it can make a name display as another."""
    for col in attrs.columns:
        why = bidi_character(str(col))
        if why is not None:
            problems.append(Msg("bnd.bidi_column", column=_show(col, 30), problem=why))
        values = attrs[col].tolist()
        for i, v in enumerate(values):
            if isinstance(v, str):
                why = bidi_character(v)
                if why is not None:
                    problems.append(Msg("bnd.bidi_attribute", feature=label(int(rows[i])), column=_show(col, 30),
                                        problem=why))


def _labeller(gdf: gpd.GeoDataFrame):
    """Describe feature i by its position and its code/name values."""
    cols = [c for c in gdf.columns if isinstance(c, str) and c != gdf.geometry.name]
    ranked = sorted(
        (c for c in cols if _priority(c) < len(_CODE_COLUMNS) + len(_NAME_COLUMNS)), key=_priority
    )
    show = ranked[:2]
    if not show:
        show = [c for c in cols if gdf[c].dtype == object or str(gdf[c].dtype).startswith("str")][:1]
    values = {c: gdf[c].tolist() for c in show}

    def label(i: int) -> str:
        parts = []
        for c in show:
            v = values[c][i]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            parts.append(f"{_clip(c, 20)}={_clip(str(v), 40)}")
        return f"#{i}" + (f" ({', '.join(parts)})" if parts else "")

    return label


def _classify(value, policy):
    """(city adcode, "city"|"county", matched by code?, code) for a cell, or None."""
    code = _as_code(value)
    if code is not None:
        if code in policy.cities:
            return (code, "city", True, code)
        parent = code[:4] + "00"
        if code.startswith("44") and code[4:] != "00" and parent in policy.cities:
            return (parent, "county", True, code)
        return None
    if isinstance(value, str):
        city = _find_city(policy, value)
        if city is not None:
            return (city.adcode, "city", False, city.adcode)
    return None


def _as_code(value) -> str | None:
    if isinstance(value, np.bool_):
        return None
    return parse_adcode(value)


def _find_city(policy, raw: str):
    return policy.city_matcher.find(raw)


def _norm_col(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


def _priority(col: str) -> int:
    n = _norm_col(col)
    for i, known in enumerate(_CODE_COLUMNS + _NAME_COLUMNS):
        if n == known:
            return i
    return len(_CODE_COLUMNS) + len(_NAME_COLUMNS)


