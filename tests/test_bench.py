"""The benchmark harness: its smoke mode runs every measurement once and each yields a number
(no timing targets here; those are in BENCHMARKS.md), and its report renders every section."""

import copy
import json
import subprocess
import sys

import pytest

from bench.browser_bench import MeasurementFailed, toggle_cycles
from bench.run import report, verdicts
from testing.browser import ROOT, STEP_S

LOAD_KEYS = ("http_bytes", "ws_bytes", "map_http_bytes", "map_ws_bytes", "map_bytes", "total_bytes", "requests",
             "map_messages")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    out, js = tmp / "bench.md", tmp / "bench.json"
    p = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", "--out", str(out), "--json", str(js)],
                       cwd=ROOT, capture_output=True, text=True, timeout=5 * STEP_S)
    assert p.returncode == 0, p.stderr[-4000:]
    return json.loads(js.read_text(encoding="utf-8")), out.read_text(encoding="utf-8")


@pytest.mark.bench
def test_smoke_benchmark_measures_everything(smoke):
    r, text = smoke
    assert r["mode"] == "smoke"

    s = r["server"]["project/basis"]
    assert s["runs"] == len(s["times_ms"]) == 1
    assert 0 < s["times_ms"][0] < 60_000 and s["median_ms"] == s["times_ms"][0] and s["cold_s"] > 0

    loads = r["browser"]["loads"]
    assert set(loads) == {"project", "floor"}
    for name, x in loads.items():
        assert 0 < x["time_to_map_ms"] < 120_000, (name, x)
        assert all(isinstance(x[k], int) for k in LOAD_KEYS), (name, x)
        assert x["map_messages"] >= 1, (name, x)
        # the component page, its script and Leaflet came over HTTP
        assert x["map_http_bytes"] > 50_000, (name, x)
        assert x["total_bytes"] >= x["map_bytes"] > 0, (name, x)
    assert loads["floor"]["map_ws_bytes"] < loads["project"]["map_ws_bytes"]
    assert loads["project"]["polygons"] == 21 and loads["floor"]["polygons"] == 1

    t = r["browser"]["toggle"]
    assert "failed" not in t, t["failed"]
    assert t["polygons_added"] == 5
    assert len(t["on_ms"]) == len(t["off_ms"]) == 1 and all(x > 0 for x in t["on_ms"] + t["off_ms"])

    mem = r["browser"]["memory"]
    assert mem["idle_mb"] > 0 and list(mem["levels"]) == ["1"]
    assert mem["levels"]["1"] > mem["idle_mb"], mem  # a session with its map costs memory

    e = r["export"]
    assert e["present"] and e["returncode"] == 0, e
    assert e["map_median_s"] > 0, e

    # basis, tier, shading and zoning, each there and back, timed in the same map frame
    sw = r["browser"]["switch"]
    assert set(sw["by_kind_ms"]) == {"basis", "tier", "shading", "zoning"} and sw["n"] == 8, sw
    assert all(x > 0 for xs in sw["by_kind_ms"].values() for x in xs) and sw["same_frame"], sw
    first = r["browser"]["first_content_ms"]
    assert 0 < first["project"] <= r["browser"]["first_load_ms"]["project"], first  # the title before the map

    assert set(r["verdicts"]) == {"rerun_ms", "payload_above_floor_kb", "time_to_map_ratio", "ready_ratio",
                                  "toggle_ms", "first_content_ms", "first_visit_ratio", "switch_ms"}
    # the project is ready once its 20 cluster names are on screen too, never before its map
    assert loads["project"]["ready_ms"] >= loads["project"]["time_to_map_ms"] > 0
    assert all(isinstance(v["value"], (int, float)) and v["value"] > 0 for v in r["verdicts"].values())

    assert "## Targets" in text and "nproc" in text and "Chromium" in text and "**Smoke run**" in text
    assert "## 4b. First visit and switches without a new map" in text
    assert "## 7. Scaling" not in text  # no county app in smoke mode


def _as_full_run(r: dict) -> dict:
    """A full-mode result made from a smoke result: naive and county loads, their server scenarios,
    three memory levels."""
    r = copy.deepcopy(r)
    r["mode"] = "full"
    loads = r["browser"]["loads"]
    loads["naive"] = {**loads["project"], "map_bytes": 3 * loads["project"]["map_bytes"]}
    loads["county"] = {**loads["project"], "polygons": 124, "map_ws_bytes": 4 * loads["project"]["map_ws_bytes"]}
    r["browser"]["first_load_ms"].update(naive=1000.0, county=2000.0)
    base = r["server"]["project/basis"]
    for name in ("project/clusters", "naive/basis", "county/clusters", "county/basis"):
        r["server"][name] = {**base, "median_ms": 2 * base["median_ms"]}
    r["browser"]["memory"] = {"idle_mb": 50.0, "levels": {"1": 300.0, "10": 390.0, "20": 480.0},
                              "fresh_server": True}
    r["verdicts"] = verdicts(r)
    return r


def _minimal_result() -> dict:
    """A smoke-mode result with every measurement, made up (nothing is run)."""
    return {
        "mode": "smoke",
        "machine": {"date": "2026-01-01 00:00 UTC", "nproc": 2, "memory_gb": 8.0, "cpu": "cpu", "os": "Linux",
                    "python": "3.11", "chromium": "Chromium 1", "streamlit": "1", "streamlit_folium": "1",
                    "folium": "1", "playwright": "1", "loadavg_start": [1.0, 1.0, 1.0]},
        "server": {"project/basis": {"median_ms": 100.0, "cold_s": 3.0, "runs": 1, "times_ms": [100.0]}},
        "browser": {
            "loads": {name: {"time_to_map_ms": ms, "times_ms": [ms], "http_bytes": 3_000_000, "ws_bytes": ws,
                             "map_http_bytes": 100_000, "map_ws_bytes": ws, "map_bytes": 100_000 + ws,
                             "total_bytes": 3_000_000 + ws, "requests": 100, "map_messages": 1, "polygons": n}
                      for name, ms, ws, n in (("project", 1200.0, 200_000, 21), ("floor", 1000.0, 3_000, 1))},
            "first_load_ms": {"project": 3000.0, "floor": 1500.0},
            "toggle": {"on_ms": [20.0], "off_ms": [10.0], "handler_ms": [5.0, 4.0], "median_on_ms": 20.0,
                       "median_off_ms": 10.0, "median_ms": 15.0, "label": "4. 汽车产业", "polygons_added": 5},
            "memory": {"idle_mb": 50.0, "levels": {"1": 300.0}, "fresh_server": False},
            "loadavg_after_loads": [1.0, 1.0, 1.0],
        },
        "export": {"present": True, "args": ["--runs", "1"], "returncode": 0, "lines": ["median 0.5 s"],
                   "map_median_s": 0.5},
    }


def test_report_renders_every_section():
    """The report of a smoke result and of a full one (same shape, more apps), without running anything."""
    r = _minimal_result()
    r["verdicts"] = verdicts(r)
    assert r["verdicts"]["rerun_ms"] == {"value": 100.0, "target": 150, "met": True}
    assert r["verdicts"]["payload_above_floor_kb"]["value"] == pytest.approx(197.0)
    assert r["verdicts"]["time_to_map_ratio"]["value"] == pytest.approx(1.2)

    smoke_text = report(r)
    assert "**Smoke run**" in smoke_text and "## 7. Scaling" not in smoke_text
    assert "| project/basis | basis | 100 ms |" in smoke_text

    full = _as_full_run(r)
    text = report(full)
    assert "**Smoke run**" not in text
    for heading in ("## Targets", "## 1. Server time", "## 2. Payload", "## 4. Time to toggle", "## 5. Static export",
                    "## 6. Server memory", "## 7. Scaling", "## How to run"):
        assert heading in text, heading
    assert "naive / project = 3.0×" in text  # the naive comparisons come back with the naive app
    assert "| 20 | 480 MB | 9.0 MB |" in text
    assert "| map websocket bytes | 200.0 KB | 800.0 KB | 4.00 |" in text


def _scripted_toggle(fails: set[int]):
    """A toggle for toggle_cycles whose calls numbered in `fails` (0-based) do not stick."""
    calls = []

    def toggle(target):
        calls.append(target)
        if len(calls) - 1 in fails:
            raise MeasurementFailed(f"call {len(calls) - 1} did not stick")
        return {"ms": 10.0 * len(calls), "handler_ms": 1.0}

    return toggle, calls


def test_a_toggle_that_did_not_stick_is_tried_once_more():
    toggle, calls = _scripted_toggle({1})
    undone = []
    t = toggle_cycles(toggle, undone.append, before=0, added=5, cycles=2)
    assert calls == [5, 0, 0, 5, 0] and undone == [0]  # the second click (off) undone and tried again
    assert "failed" not in t and t["retried"] == ["call 1 did not stick"]
    assert t["on_ms"] == [10.0, 40.0] and t["off_ms"] == [30.0, 50.0] and t["median_ms"] == 35.0


def test_a_toggle_failing_twice_is_a_failed_measurement_in_the_report():
    toggle, calls = _scripted_toggle({0, 1})
    t = toggle_cycles(toggle, lambda target: None, before=0, added=5, cycles=1)
    assert calls == [5, 5]
    assert t["failed"] == "call 1 did not stick (the first try: call 0 did not stick)"
    assert "median_ms" not in t
    r = _minimal_result()
    r["browser"]["toggle"] = {**t, "label": "4. 汽车产业", "polygons_added": 5}
    r["verdicts"] = verdicts(r)
    assert r["verdicts"]["toggle_ms"] == {"value": None, "target": 100, "met": False}
    text = report(r)
    assert "| time to toggle a cluster layer | failed |" in text
    assert "**The measurement failed**: call 1 did not stick" in text
