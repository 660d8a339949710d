"""Time judging heavy designations files.

    python -m bench.designations_bench [--runs 5]

Two CSV files of 5,000 rows (the row cap): every row naming a different unknown
city, and every row valid. Each is judged as the app and the command line judge
it: `uploads.judge.judge_designations`, in the budgeted worker (30 s, 1.5 GB), wall
time per file with the worker's fork server already running; and in this process
(`policy.userdata.load_designations`, wall and CPU time). Medians of --runs, and
the unknown-city file's time as a ratio of the valid file's in the same run, so
the comparison survives a busy machine. Budget: 1 s for the unknown-city file.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time

ROWS = 5_000


def csv_file(city) -> bytes:
    from policy.tables import DESIGNATION_FIELDS

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=DESIGNATION_FIELDS, lineterminator="\n")
    w.writeheader()
    for i in range(ROWS):
        w.writerow(dict(cluster_id="hydrogen", cluster_zh="氢能", cluster_en="Hydrogen", tier="emerging",
                        place_zh="", city_zh=city(i), adcode="", role_zh="", role="core", basis="explicit",
                        quote=f"打造氢能产业集群 {i}"))
    return buf.getvalue().encode()


def timed(fn, runs: int) -> tuple[float, float]:
    """(median wall s, median CPU s of this process) over `runs`, after one warm-up."""
    fn()
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    from policy import load_policy
    from policy.userdata import load_designations
    from uploads.judge import judge_designations

    policy = load_policy()
    files = {"unknown": csv_file(lambda i: f"无此城{i}"), "valid": csv_file(lambda i: ("广州", "深圳", "佛山")[i % 3])}
    results = {}
    for name, data in files.items():
        res = judge_designations(data, f"{name}.csv", policy)
        if (res.policy is None) != (name == "unknown"):
            print(f"{name}: unexpected judgement: {res.problems[:2]}", file=sys.stderr)
            return 1
        judged, _ = timed(lambda d=data: judge_designations(d, "x.csv", policy), args.runs)
        wall, cpu = timed(lambda d=data: load_designations(d, "x.csv", policy), args.runs)
        results[name] = (judged, wall, cpu)
        print(f"{ROWS:,} {name} rows: judged in the worker {judged:.2f} s; in process {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU (medians of {args.runs})")
    u, v = results["unknown"], results["valid"]
    print(f"unknown / valid, judged in the worker: {u[0] / v[0]:.2f}; in process CPU: {u[2] / v[2]:.2f} "
          f"(budget 1 s for the unknown-city file)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
