"""Exports from several threads at once (issue 21, item 2): the app renders every
session's downloads in its own script thread of one process.

The renders run in a child process (this file run as a script), so a crash in GEOS
or matplotlib fails the test with the signal instead of ending the test run. Each
thread renders maps (PNG, PDF, and an SVG whose names need the fallback font),
posters and matrix images, in a different order per thread so that different phases
overlap; every file must equal the same render made alone, byte for byte, and no
warning or log line may say a glyph is missing (text drawn in a font without
Chinese)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

THREADS = 4
ROUNDS = 1  # each thread renders every job once, threads in rotated orders: every phase meets every other


def _jobs():
    """name -> a function returning the file's bytes."""
    from export import poster_bytes, render_bytes
    from export.data import StaticData, rows_for
    from export.matrix import matrix_bytes
    from policy import load_policy
    from policy.analysis import designation_matrix
    from views.state import ViewState

    policy, data = load_policy(), StaticData.load()
    matrix = designation_matrix(policy, rows_for(policy), "all")
    cluster = ViewState(clusters=("new_energy", "semiconductors"), coverage=False, zoning=True, basis="all",
                        lang="en")
    # A user's name with characters outside the bundled subset: drawn with a fallback
    # family that only this render's text uses.
    c = policy.clusters["new_energy"]
    rare = dataclasses.replace(policy, clusters={**policy.clusters, c.id: dataclasses.replace(
        c, name_zh=c.name_zh + "喆䶮")})
    return {
        "map-rare.svg": lambda: render_bytes(rare, ViewState(clusters=(c.id,)), fmt="svg", size="screen", data=data),
        "map-coverage.png": lambda: render_bytes(policy, ViewState(coverage=True), size="screen", dpi=100, data=data),
        "map-clusters.pdf": lambda: render_bytes(policy, cluster, fmt="pdf", size="a4-landscape", data=data),
        "poster-zh.png": lambda: poster_bytes(policy, size="a4-landscape", dpi=100, data=data),
        "matrix.png": lambda: matrix_bytes(policy, matrix, fmt="png", lang="en", dpi=100),
    }


def _child() -> dict:
    """Render everything alone, then from THREADS threads at once ROUNDS times; report."""
    import logging
    import threading
    import warnings

    said: list[str] = []

    class Log(logging.Handler):
        def emit(self, record):
            said.append(f"log {record.name}: {record.getMessage()}")

    logging.getLogger("matplotlib").addHandler(Log(level=logging.WARNING))
    # One hook for every thread (warnings.catch_warnings is not thread-safe).
    warnings.simplefilter("always")
    warnings.showwarning = lambda message, category, *a, **k: said.append(f"{category.__name__}: {message}")

    jobs = _jobs()
    alone = {name: make() for name, make in jobs.items()}
    names = list(jobs)
    differ: list[str] = []
    failed: list[str] = []
    start = threading.Barrier(THREADS)

    def worker(i: int) -> None:
        order = names[i:] + names[:i]
        start.wait()
        for r in range(ROUNDS):
            for name in order if r % 2 == 0 else order[::-1]:
                try:
                    if jobs[name]() != alone[name]:
                        differ.append(f"thread {i}: {name}")
                except Exception as exc:  # reported, not swallowed: the test fails on it
                    failed.append(f"thread {i}: {name}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"renders": THREADS * ROUNDS * len(names), "differ": differ, "failed": failed, "said": said}


@pytest.mark.slow
def test_concurrent_maps_posters_and_matrices_match_their_single_threaded_renders():
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONFAULTHANDLER="1")
    proc = subprocess.run([sys.executable, __file__], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"the process died (status {proc.returncode}):\n{proc.stderr[:2500]}"
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["renders"] == THREADS * ROUNDS * 5
    assert not report["failed"], report["failed"]
    assert not report["differ"], report["differ"]
    glyphs = [s for s in report["said"] if "missing from" in s or "Glyph" in s or "findfont" in s]
    assert not glyphs, glyphs[:5]
    assert not report["said"], report["said"][:5]


if __name__ == "__main__":
    print(json.dumps(_child()))
