"""Command line for the Guangdong strategic industrial clusters data.

    python cli.py designations --format csv|json
    python cli.py coverage --format csv|json [--basis explicit|all] [--tier all|pillar|emerging]
    python cli.py zones --format csv|json [--basis ...] [--tier ...]
    python cli.py compare A B [--format text|csv|json] [--basis ...] [--tier ...]

Output goes to stdout as UTF-8. A bad argument prints one line naming the bad
value and the accepted ones and exits with status 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys

from policy import PolicyDataError, load_policy
from policy.coverage import (
    BASIS_CHOICES,
    TIER_CHOICES,
    city_coverage,
    compare,
    compare_rows,
    designation_rows,
    zone_coverage,
)

DESIGNATION_FIELDS = [
    "cluster_id", "cluster_zh", "cluster_en", "tier", "place_zh", "city_zh", "adcode",
    "role_zh", "role", "basis", "quote",
]
COVERAGE_FIELDS = [
    "adcode", "city_zh", "city_en", "zone", "clusters", "pillar", "emerging", "designations", "cluster_ids",
]
ZONE_FIELDS = [
    "zone", "zone_zh", "zone_en", "cities", "cities_covered", "clusters", "pillar", "emerging",
    "designations", "city_designations", "share", "cluster_ids",
]


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    # argparse prints the whole usage block before the error; users asked for one
    # line that names the bad value, so errors are raised and printed by main().
    def error(self, message: str):
        raise UsageError(f"{self.prog}: error: {message}")


def write_rows(records: list[dict], fields: list[str], fmt: str, out) -> None:
    if fmt == "json":
        json.dump([{k: r[k] for k in fields} for r in records], out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in records:
        # Lists become ';'-joined in CSV so each row stays one flat record.
        writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in r.items()})


def _records(df) -> list[dict]:
    # to_dict keeps numpy scalars; json needs plain ints/floats.
    return json.loads(df.to_json(orient="records", force_ascii=False))


def add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--basis", default="explicit", choices=BASIS_CHOICES,
                   help="explicit: only cities the document names (default); all: also cities in named regions")
    p.add_argument("--tier", default="all", choices=TIER_CHOICES, help="cluster tier (default all)")


def build_parser() -> Parser:
    parser = Parser(prog="cli.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser("designations", help="one row per (designation, city), with the verbatim clause",
                       description="One row per (designation, city). A region-level designation gives one row "
                                   "per member city with basis 'region'.")
    p.add_argument("--format", default="csv", choices=("csv", "json"))

    p = sub.add_parser("coverage", help="per-city counts of clusters and designations (all 21 cities)",
                       description="One row per city: distinct clusters naming it, split pillar/emerging, "
                                   "number of designations and the cluster ids.")
    p.add_argument("--format", default="csv", choices=("csv", "json"))
    add_filters(p)

    p = sub.add_parser("zones", help="per-zone aggregates for 一核一带一区",
                       description="One row per zone of 一核一带一区, with its share of all (designation, city) pairs.")
    p.add_argument("--format", default="csv", choices=("csv", "json"))
    add_filters(p)

    p = sub.add_parser("compare", help="two cities or two zones side by side",
                       description="Shared and unique clusters of two places. A place is a city (广州, Guangzhou, "
                                   "440100) or a zone (prd_core, coastal_belt, northern_eco, or its Chinese name).")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--format", default="text", choices=("text", "csv", "json"))
    add_filters(p)
    return parser


def run(args: argparse.Namespace, out) -> None:
    policy = load_policy()
    rows = designation_rows(policy)
    if args.command == "designations":
        write_rows(_records(rows), DESIGNATION_FIELDS, args.format, out)
    elif args.command == "coverage":
        write_rows(_records(city_coverage(policy, rows, args.basis, args.tier)), COVERAGE_FIELDS, args.format, out)
    elif args.command == "zones":
        write_rows(_records(zone_coverage(policy, rows, args.basis, args.tier)), ZONE_FIELDS, args.format, out)
    elif args.command == "compare":
        result = compare(policy, rows, args.a, args.b, args.basis, args.tier)
        write_compare(policy, result, compare_rows(policy, result), args.format, out)


def write_compare(policy, result, table, fmt: str, out) -> None:
    a, b = result["a"], result["b"]
    if fmt == "json":
        doc = {
            "a": {"kind": a.kind, "id": a.id, "name_zh": a.name_zh, "name_en": a.name_en},
            "b": {"kind": b.kind, "id": b.id, "name_zh": b.name_zh, "name_en": b.name_en},
            "shared": result["shared"],
            "only_a": result["only_a"],
            "only_b": result["only_b"],
        }
        json.dump(doc, out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt == "csv":
        write_rows(_records(table), list(table.columns), "csv", out)
    else:
        def names(ids):
            return "、".join(policy.clusters[i].name_zh for i in ids) or "—"
        out.write(f"A: {a.name_zh} {a.name_en} ({a.kind})\nB: {b.name_zh} {b.name_en} ({b.kind})\n")
        out.write(f"shared 共有 ({len(result['shared'])}): {names(result['shared'])}\n")
        out.write(f"only A 仅A ({len(result['only_a'])}): {names(result['only_a'])}\n")
        out.write(f"only B 仅B ({len(result['only_b'])}): {names(result['only_b'])}\n")


def main(argv: list[str] | None = None) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        run(args, sys.stdout)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except ValueError as exc:  # a bad place name or choice from the engine
        print(f"cli.py: error: {exc}", file=sys.stderr)
        return 2
    except PolicyDataError as exc:
        print(f"cli.py: data error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
