"""Time the static map export.

    python -m bench.export_bench [--runs 7] [--skip-all] [--skip-poster] [--dpi 300]

Prints the median time of one A4-landscape 300-dpi PNG in a warm process
(data loaded and projected once, fonts registered), and the wall time, each as
a fresh process as a user runs them, of `cli.py export-matrix` (the cluster ×
city matrix, A4 300-dpi PNG), `cli.py export-all` (22 maps, default settings)
and `cli.py export-poster` (all clusters on one A3 page, 300-dpi PNG, and the
PDF). Budgets: 1.5 s per map, 3 s for export-matrix, 40 s for export-all, 30 s
for export-poster.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--skip-all", action="store_true",
                    help="only time the single map and the matrix (no export-all, no poster)")
    ap.add_argument("--skip-poster", action="store_true", help="do not time export-poster")
    ap.add_argument("--dpi", type=int, default=300, help="resolution of the timed map (the budget is for 300)")
    args = ap.parse_args()

    from export.render import StaticData, render_map
    from policy import load_policy
    from views.state import ViewState

    t0 = time.perf_counter()
    policy = load_policy()
    data = StaticData.load()
    state = ViewState(coverage=True, zoning=False)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.png"
        render_map(policy, state, out, dpi=args.dpi, data=data)  # warm-up: fonts, caches
        print(f"first map incl. loading: {time.perf_counter() - t0:.2f} s")
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            render_map(policy, state, out, size="a4-landscape", dpi=args.dpi, data=data)
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        print(f"warm A4-landscape {args.dpi} dpi PNG: median {med:.3f} s over {args.runs} runs "
              f"(min {min(times):.3f}, max {max(times):.3f}; budget 1.5 s)")

        walls = []
        for _ in range(max(1, args.runs // 2)):
            t = time.perf_counter()
            p = subprocess.run([sys.executable, str(ROOT / "cli.py"), "export-matrix", "--out",
                                str(Path(tmp) / "matrix.png")], capture_output=True, text=True)
            walls.append(time.perf_counter() - t)
            if p.returncode != 0:
                print(p.stderr, file=sys.stderr)
                return 1
        # Worded so that bench/run.py's "median N s" (the single map) does not pick this line up.
        print(f"cli.py export-matrix (A4 300 dpi PNG, fresh process): {statistics.median(walls):.2f} s, the median "
              f"of {len(walls)} runs (min {min(walls):.2f}, max {max(walls):.2f}; budget 3 s)")

        if not args.skip_all:
            t = time.perf_counter()
            p = subprocess.run([sys.executable, str(ROOT / "cli.py"), "export-all", "--out", str(Path(tmp) / "all")],
                               capture_output=True, text=True)
            wall = time.perf_counter() - t
            if p.returncode != 0:
                print(p.stderr, file=sys.stderr)
                return 1
            n = len(list((Path(tmp) / "all").iterdir()))
            print(f"cli.py export-all ({n} maps, A4 300 dpi PNG, fresh process): {wall:.2f} s (budget 40 s)")

        if not (args.skip_all or args.skip_poster):
            for name in ("poster.png", "poster.pdf"):
                t = time.perf_counter()
                p = subprocess.run([sys.executable, str(ROOT / "cli.py"), "export-poster", "--out",
                                    str(Path(tmp) / name)], capture_output=True, text=True)
                wall = time.perf_counter() - t
                if p.returncode != 0:
                    print(p.stderr, file=sys.stderr)
                    return 1
                print(f"cli.py export-poster ({name}, A3 landscape, 300 dpi, fresh process): {wall:.2f} s "
                      "(budget 30 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
