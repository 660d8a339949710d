"""Server time of a warm rerun, map included, under streamlit.testing's AppTest.

    python -m bench.server_time APP [--runs N] [--change KEY=JSON|JSON ...] [--profile OUT.html]

Runs the script once (cold: data loading and caches), then visits every value of
the changed widgets once (warm-up, so every cached map exists), then times
`at.run()` N times while the widget takes its values in turn. Prints one JSON
object. `--change clusters='[]'|'["automotive"]'` sets the widget with key
`clusters` to [] and ["automotive"] alternately; no --change times plain reruns.
--profile repeats the runs afterwards under pyinstrument (untimed) and writes the profile.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

KINDS = ("radio", "multiselect", "selectbox", "toggle", "checkbox")


def widget(at, key):
    for kind in KINDS:
        for w in getattr(at, kind):
            if w.key == key:
                return w
    raise KeyError(f"no widget with key {key!r}")


def parse_change(spec: str) -> tuple[str, list]:
    key, _, values = spec.partition("=")
    return key, [json.loads(v) for v in values.split("|")]


def _profile_script_runs():
    """Profile the script thread (AppTest runs the script in its own thread, so a
    profiler started here would see only the wait): pyinstrument is started and
    stopped around every script execution, and its session accumulates."""
    from types import SimpleNamespace

    from pyinstrument import Profiler
    from streamlit.runtime.scriptrunner import script_runner

    state = SimpleNamespace(profiler=Profiler(interval=0.0005), active=True)
    original = script_runner.exec_func_with_error_handling

    def wrapped(func, ctx):
        if not state.active:
            return original(func, ctx)
        state.profiler.start()
        try:
            return original(func, ctx)
        finally:
            state.profiler.stop()

    script_runner.exec_func_with_error_handling = wrapped
    return state


def measure(app: str, runs: int, changes: list[tuple[str, list]], profile: str | None = None) -> dict:
    from streamlit.testing.v1 import AppTest

    from testing.browser import STEP_S

    at = AppTest.from_file(str(Path(app).resolve()), default_timeout=STEP_S)
    t = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t
    if at.exception:
        raise RuntimeError(f"{app}: {at.exception}")
    # The project app draws only the map on a session's first run (the browser's
    # first report brings the rest); a second run gives it its widgets.
    at.run()

    steps = [(k, v) for k, vals in changes for v in vals] or [(None, None)]
    for k, v in steps:  # warm-up: every state once
        if k is not None:
            widget(at, k).set_value(v)
        at.run()
    times = []
    for i in range(runs):
        k, v = steps[i % len(steps)]
        if k is not None:
            widget(at, k).set_value(v)
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        if at.exception:
            raise RuntimeError(f"{app}: {at.exception}")
    if profile:
        # Separate, untimed runs: the profiler's overhead stays out of the numbers above.
        state = _profile_script_runs()
        for i in range(runs):
            k, v = steps[i % len(steps)]
            if k is not None:
                widget(at, k).set_value(v)
            at.run()
        state.active = False
        profiler = state.profiler
        Path(profile).write_text(profiler.output_html(), encoding="utf-8")
        Path(profile).with_suffix(".txt").write_text(
            profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
    return {
        "app": app,
        "changes": [k for k, _ in changes],
        "cold_s": cold,
        "runs": runs,
        "times_s": times,
        "median_s": statistics.median(times),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("app")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--change", action="append", default=[], help="KEY=JSON|JSON…")
    ap.add_argument("--profile", help="write a pyinstrument profile of the timed runs here (.html and .txt)")
    args = ap.parse_args()
    res = measure(args.app, args.runs, [parse_change(c) for c in args.change], args.profile)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
