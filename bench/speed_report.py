"""The first visit and the in-place switches (issue 18): their targets and their section of
BENCHMARKS.md, from bench.run's browser results."""

from __future__ import annotations

import statistics

TARGETS = {
    "first_content_ms": 1000,  # first visit after server start: the title on screen
    "first_visit_ratio": 1.5,  # first visit after server start: project / floor time to map
    "switch_ms": 300,  # basis/tier/shading/zoning click -> the map painted with it (median)
}


def verdicts(b: dict) -> dict:
    out = {}
    content = b.get("first_content_ms", {}).get("project")
    if content is not None:
        out["first_content_ms"] = {"value": content, "target": TARGETS["first_content_ms"],
                                   "met": content <= TARGETS["first_content_ms"]}
    first = b.get("first_load_ms", {})
    if "project" in first and "floor" in first:
        ratio = first["project"] / first["floor"]
        out["first_visit_ratio"] = {"value": ratio, "target": TARGETS["first_visit_ratio"],
                                    "met": ratio <= TARGETS["first_visit_ratio"]}
    sw = b.get("switch", {}).get("median_ms")
    if "switch" in b:
        out["switch_ms"] = {"value": sw, "target": TARGETS["switch_ms"], "met": sw is not None and sw <= TARGETS["switch_ms"]}
    return out


def target_rows(v: dict, ok) -> list[str]:
    rows = []
    if "first_content_ms" in v:
        x = v["first_content_ms"]
        rows.append(f"| first visit after server start: first visible content (the title) | {x['value']:,.0f} ms | "
                    f"≤ {x['target']:,} ms | {ok(x)} |")
    if "first_visit_ratio" in v:
        x = v["first_visit_ratio"]
        rows.append(f"| first visit after server start: time to map, project / floor | {x['value']:.2f} | "
                    f"≤ {x['target']} | {ok(x)} |")
    if "switch_ms" in v:
        x = v["switch_ms"]
        value = "failed" if x["value"] is None else f"{x['value']:.0f} ms"
        rows.append(f"| basis / tier / shading / zoning switch, click → painted (median) | {value} | "
                    f"≤ {x['target']} ms | {ok(x)} |")
    return rows


def section(b: dict) -> list[str]:
    L = ["## 4b. First visit and switches without a new map", ""]
    first, content = b.get("first_load_ms", {}), b.get("first_content_ms", {})
    if content:
        L.append("First visit: the first page load after the server answered its health check, in a fresh "
                 "browser context. The project's server is started with `serve.py` (the app plus a background "
                 "thread that warms its caches: `ui/warmup.py`), the floor's with `streamlit run`. *First "
                 "content* = from navigation start to the first animation frame with the page's title laid out.")
        L.append("")
        L.append("| app | first content | time to map |")
        L.append("|---|---:|---:|")
        for name in first:
            c = content.get(name)
            L.append(f"| {name} | {'' if c is None else f'{c:,.0f} ms'} | {first[name]:,.0f} ms |")
        L.append("")
    sw = b.get("switch")
    if sw:
        L.append("Switches: real clicks on the sidebar's basis, tier, shading and zoning controls, each there and "
                 "back, in one session (the next click waits for the app's rerun). Measured from the click "
                 "event's `timeStamp` to the first animation frame after the map frame applied the new view; the "
                 "map's frame stays the same (a new map would end the measurement).")
        L.append("")
        L.append("| switch | median | max | n |")
        L.append("|---|---:|---:|---:|")
        for kind, xs in sw["by_kind_ms"].items():
            L.append(f"| {kind} | {statistics.median(xs):,.0f} ms | {max(xs):,.0f} ms | {len(xs)} |")
        L.append(f"| **all** | **{sw['median_ms']:,.0f} ms** | {sw['max_ms']:,.0f} ms | {sw['n']} |")
        L.append("")
    return L
