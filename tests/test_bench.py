"""The benchmark's quick mode runs end to end and produces sane numbers (no timing targets here)."""

import json
import subprocess
import sys

from tests.browser import ROOT


def test_quick_benchmark(tmp_path):
    out, js = tmp_path / "bench.md", tmp_path / "bench.json"
    p = subprocess.run([sys.executable, "-m", "bench.run", "--quick", "--out", str(out), "--json", str(js)],
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-4000:]
    r = json.loads(js.read_text(encoding="utf-8"))

    for name in ("project/basis", "naive/basis"):
        s = r["server"][name]
        assert s["runs"] == len(s["times_ms"]) > 0
        assert all(0 < t < 60_000 for t in s["times_ms"]), s

    loads = r["browser"]["loads"]
    assert set(loads) == {"project", "floor", "naive", "county"}
    for name, x in loads.items():
        assert 0 < x["time_to_map_ms"] < 120_000, (name, x)
        assert x["map_messages"] >= 1, (name, x)
        # the component page, its script and Leaflet came over HTTP
        assert x["map_http_bytes"] > 50_000, (name, x)
        assert x["total_bytes"] >= x["map_bytes"] > 0, (name, x)
    ws = {k: v["map_ws_bytes"] for k, v in loads.items()}
    assert ws["floor"] < ws["project"] < ws["county"], ws
    assert ws["project"] < ws["naive"], ws  # the raw boundaries are bigger than the app's map
    assert loads["county"]["polygons"] == 124 and loads["project"]["polygons"] == 21

    t = r["browser"]["toggle"]
    assert t["polygons_added"] == 5
    assert len(t["on_ms"]) == len(t["off_ms"]) >= 1 and all(x > 0 for x in t["on_ms"] + t["off_ms"])

    mem = r["browser"]["memory"]
    assert mem["idle_mb"] > 0 and len(mem["levels"]) == 2
    assert all(v >= mem["idle_mb"] * 0.5 for v in mem["levels"].values()), mem

    e = r["export"]
    if e.get("present"):
        assert e["returncode"] == 0, e
        assert e.get("map_median_s", 0) > 0, e

    assert set(r["verdicts"]) == {"rerun_ms", "payload_above_floor_kb", "time_to_map_ratio", "toggle_ms"}
    assert all(isinstance(v["value"], (int, float)) and v["value"] > 0 for v in r["verdicts"].values())
    text = out.read_text(encoding="utf-8")
    assert "## Targets" in text and "nproc" in text and "Chromium" in text
