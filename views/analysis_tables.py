"""The regional analyses as ready-to-show tables (zh or en) and as files: the
matrix's flat CSV (with its reader) and XLSX, the zone table of `cli.py zones`.

Labels here follow views/i18n.py's wording; names come from the policy itself,
so user data shows its own names.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from ingest.text import strip_formula_guard
from policy.analysis import Concentration, Matrix, concentration
from policy.coverage import zone_coverage
from policy.model import Policy
from policy.spreadsheet import write_csv, xlsx_bytes
from views.i18n import t
from views.style import ROLE_TEXT

GLYPHS = ROLE_TEXT

MATRIX_FIELDS = ["key", "cluster_id", "cluster_zh", "cluster_en", "tier", "adcode", "city_zh", "city_en", "zone",
                 "role", "role_zh", "role_en", "roles", "basis", "region_roles"]
_LIST_FIELDS = ("roles", "region_roles")


def lbl(key: str, lang: str) -> str:
    return t(f"tbl_{key}", lang)


def _name(obj, lang: str) -> str:
    return obj.name_zh if lang == "zh" else obj.name_en


def glyph(role: str, basis: str) -> str:
    return GLYPHS[role][0 if basis == "explicit" else 1]


# --------------------------------------------------------------------- matrix


def matrix_frame(policy: Policy, m: Matrix) -> pd.DataFrame:
    """One row per (cluster, city) cell, CSV/XLSX-ready; `roles` and
    `region_roles` are tuples (';'-joined in the CSV)."""
    key = dict(zip(m.clusters["cluster_id"], m.clusters["key"]))
    out = []
    for r in m.cells.itertuples(index=False):
        cl, city, rc = policy.clusters[r.cluster_id], policy.cities[r.adcode], policy.role_categories[r.role]
        out.append((int(key[r.cluster_id]), r.cluster_id, cl.name_zh, cl.name_en, cl.tier, r.adcode, city.name_zh,
                    city.name_en, city.zone, r.role, rc["zh"], rc["en"], tuple(r.roles), r.basis,
                    tuple(r.region_roles)))
    return pd.DataFrame(out, columns=MATRIX_FIELDS)


def matrix_csv(frame: pd.DataFrame) -> str:
    """The flat matrix as CSV, every cell guarded (`policy.spreadsheet`)."""
    buf = io.StringIO()
    write_csv(frame[MATRIX_FIELDS].to_dict("records"), MATRIX_FIELDS, buf)
    return buf.getvalue()


def read_matrix_csv(source) -> pd.DataFrame:
    """The frame `matrix_csv` (or `cli.py matrix`) wrote, from CSV text, bytes (a
    BOM is fine) or a path; the ' before a formula-like cell is removed again."""
    if isinstance(source, (bytes, bytearray)):
        source = source.decode("utf-8-sig")
    elif isinstance(source, Path) or (isinstance(source, str) and "\n" not in source):
        source = Path(source).read_text(encoding="utf-8-sig")
    df = pd.read_csv(io.StringIO(source), dtype=str, keep_default_na=False)
    if list(df.columns) != MATRIX_FIELDS:
        raise ValueError(f"not a matrix CSV: columns {list(df.columns)}; expected {MATRIX_FIELDS}")
    df = df.map(strip_formula_guard)
    df["key"] = df["key"].astype(int)
    for col in _LIST_FIELDS:
        df[col] = df[col].map(lambda v: tuple(v.split(";")) if v else ())
    return df


def matrix_grid(policy: Policy, m: Matrix, lang: str = "zh") -> pd.DataFrame:
    """The matrix as a wide table to show: index cluster_id (rows in policy order,
    then "total"), columns key, cluster, tier, one column per city (in zone order,
    headed by its name; `m.cities` gives the adcode of each) and total. A cell is
    the role glyph (filled explicit, hollow region-level), with "+n" for n more roles."""
    cells = {(r.cluster_id, r.adcode): r for r in m.cells.itertuples(index=False)}
    names = [_name(policy.cities[a], lang) for a in m.cities["adcode"]]
    rows = []
    for cr in m.clusters.itertuples(index=False):
        row = {lbl("key", lang): int(cr.key), lbl("cluster", lang): cr.name_zh if lang == "zh" else cr.name_en,
               lbl("tier", lang): lbl(f"tier_{cr.tier}", lang)}
        for a, name in zip(m.cities["adcode"], names):
            c = cells.get((cr.cluster_id, a))
            row[name] = "" if c is None else glyph(c.role, c.basis) + (f"+{len(c.roles) - 1}" if len(c.roles) > 1 else "")
        row[lbl("total", lang)] = int(cr.total)
        rows.append(row)
    total = {lbl("key", lang): None, lbl("cluster", lang): lbl("total", lang), lbl("tier", lang): ""}
    total.update({name: str(int(n)) for name, n in zip(names, m.cities["total"])})
    total[lbl("total", lang)] = int(m.clusters["total"].sum())
    rows.append(total)
    out = pd.DataFrame(rows, index=pd.Index([*m.clusters["cluster_id"], "total"], name="cluster_id"))
    out[lbl("key", lang)] = out[lbl("key", lang)].astype("Int64")
    return out


def matrix_xlsx(policy: Policy, m: Matrix, lang: str = "zh") -> bytes:
    """An XLSX workbook: the wide matrix, then the flat cells (as in the CSV);
    every cell guarded (`policy.spreadsheet`), so a name from a user's file is text."""
    return xlsx_bytes({"matrix": matrix_grid(policy, m, lang), "cells": matrix_frame(policy, m)})


# --------------------------------------------------------------- concentration


ZONE_ANALYSIS_FIELDS = ["city_share", "area_km2", "area_share", "cluster_cities", "cluster_city_share",
                        "ratio_cities", "ratio_area", "unnamed"]
# The province's concentration index for each tier at the table's basis (the same on every row).
GINI_FIELDS = ["gini_all", "gini_pillar", "gini_emerging"]


def zone_table(policy: Policy, rows: pd.DataFrame, cities_gdf, basis: str = "explicit", tier: str = "all") -> pd.DataFrame:
    """`zone_coverage` plus the concentration columns of the same (basis, tier);
    `unnamed` lists the zone's cities that no cluster names (adcodes); `gini_all`,
    `gini_pillar`, `gini_emerging` are the Gini index of clusters per city over all the
    province's cities (zeros included) for each tier, as the app's comparison tab shows
    them (empty where no cluster of the tier names a city)."""
    conc = concentration(policy, rows, cities_gdf, basis, "all")
    z = conc.zones[conc.zones["tier"] == tier].set_index("zone")
    out = zone_coverage(policy, rows, basis, tier)
    for col in ZONE_ANALYSIS_FIELDS[:-1]:
        vals = out["zone"].map(z[col])
        out[col] = vals.round(1) if col == "area_km2" else (vals.round(4) if vals.dtype.kind == "f" else vals)
    unnamed = conc.index.set_index("tier").loc[tier, "unnamed"]
    out["unnamed"] = [[a for a in unnamed if policy.cities[a].zone == zid] for zid in out["zone"]]
    ginis = conc.index.set_index("tier")["gini"]
    for col in GINI_FIELDS:
        g = float(ginis[col.removeprefix("gini_")])
        out[col] = None if g != g else round(g, 4)
    return out


def _pct(v: float) -> str:
    return f"{v:.1%}"


def concentration_tables(policy: Policy, conc: Concentration, lang: str = "zh") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(zones, index) to show: shares as percentages, ratios as "×", names in `lang`."""
    zrows = []
    for r in conc.zones.itertuples(index=False):
        zrows.append({
            lbl("tier", lang): lbl(f"tier_{r.tier}", lang),
            lbl("zone", lang): r.zone_zh if lang == "zh" else r.zone_en,
            lbl("cities", lang): r.cities,
            lbl("city_share", lang): _pct(r.city_share),
            lbl("area_km2", lang): f"{r.area_km2:,.0f}",
            lbl("area_share", lang): _pct(r.area_share),
            lbl("cluster_cities", lang): r.cluster_cities,
            lbl("cluster_city_share", lang): _pct(r.cluster_city_share),
            lbl("ratio_cities", lang): f"{r.ratio_cities:.2f}×",
            lbl("ratio_area", lang): f"{r.ratio_area:.2f}×",
            lbl("cities_named", lang): f"{r.cities_named}/{r.cities}",
        })
    sep = "、" if lang == "zh" else ", "
    irows = []
    for r in conc.index.itertuples(index=False):
        irows.append({
            lbl("tier", lang): lbl(f"tier_{r.tier}", lang),
            lbl("gini", lang): "—" if r.gini != r.gini else f"{r.gini:.3f}",
            lbl("cities_named", lang): f"{r.cities_named}/{r.cities}",
            lbl("cluster_cities", lang): r.cluster_cities,
            lbl("top_city", lang): _name(policy.cities[r.top_city], lang) if r.top_city else "—",
            lbl("top_count", lang): r.top_count,
            lbl("unnamed", lang): sep.join(_name(policy.cities[a], lang) for a in r.unnamed) or lbl("none", lang),
        })
    return pd.DataFrame(zrows), pd.DataFrame(irows)


def concentration_chart(policy: Policy, conc: Concentration, lang: str = "zh") -> pd.DataFrame:
    """Long form for a grouped bar chart: per tier and zone, three bars — the zone's
    share of cities, of land and of the cells (tier, zone, zone_name, measure,
    measure_name, value in 0..1), zones in policy order."""
    names = {"city_share": lbl("city_share", lang), "area_share": lbl("area_share", lang),
             "cluster_city_share": lbl("cluster_city_share", lang)}
    out = []
    for r in conc.zones.itertuples(index=False):
        for col, name in names.items():
            out.append({"tier": r.tier, "zone": r.zone, "zone_name": r.zone_zh if lang == "zh" else r.zone_en,
                        "measure": col, "measure_name": name, "value": float(getattr(r, col))})
    return pd.DataFrame(out)


# ------------------------------------------------------------------ similarity


def similarity_long(policy: Policy, sim: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Long form for a heatmap: one row per ordered pair (a, b) — a, b (adcodes),
    a_name, b_name, a_zone, b_zone, jaccard (NaN: undefined), value (the Jaccard index
    as shown: two decimals, or "—" with the word for undefined), order_a, order_b
    (0..20 in zone order, to sort the axes by zone rather than alphabetically)."""
    codes = list(sim.index)
    pos = {a: i for i, a in enumerate(codes)}
    vals = sim.to_numpy()
    undefined = f"— ({t('undefined', lang)})"

    def shown(v: float) -> str:
        return undefined if v != v else f"{v:.2f}"

    return pd.DataFrame([
        {"a": a, "b": b, "a_name": _name(policy.cities[a], lang), "b_name": _name(policy.cities[b], lang),
         "a_zone": policy.cities[a].zone, "b_zone": policy.cities[b].zone, "jaccard": float(vals[pos[a], pos[b]]),
         "value": shown(float(vals[pos[a], pos[b]])), "order_a": pos[a], "order_b": pos[b]}
        for a in codes for b in codes
    ])



def similarity_table(policy: Policy, sim: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The Jaccard matrix with city names (zone order) as index and columns."""
    names = [_name(policy.cities[a], lang) for a in sim.index]
    return pd.DataFrame(sim.to_numpy(), index=pd.Index(names, name=lbl("city", lang)), columns=names)


def most_similar_table(policy: Policy, df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """`most_similar`'s rows to show: names, similarity, shared and differing clusters by name."""
    sep = "、" if lang == "zh" else ", "

    def names(ids):
        return sep.join(_name(policy.clusters[c], lang) for c in ids) or "—"

    return pd.DataFrame({
        lbl("rank", lang): df["rank"],
        lbl("city", lang): df["city_zh" if lang == "zh" else "city_en"],
        lbl("zone", lang): [_name(policy.zones[z], lang) for z in df["zone"]],
        lbl("jaccard", lang): df["jaccard"].round(3),
        lbl("shared", lang): [f"{n}: {names(ids)}" if n else "0" for n, ids in zip(df["shared"], df["shared_ids"])],
        lbl("only_city", lang): [names(ids) for ids in df["only_city_ids"]],
        lbl("only_other", lang): [names(ids) for ids in df["only_other_ids"]],
    })
