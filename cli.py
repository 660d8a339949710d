"""Command line for the Guangdong strategic industrial clusters data.

    python cli.py designations --format csv|json
    python cli.py coverage --format csv|json [--basis explicit|all] [--tier all|pillar|emerging]
    python cli.py zones --format csv|json [--basis ...] [--tier ...]
    python cli.py compare A B [--format text|csv|json] [--basis ...] [--tier ...]
    python cli.py export-map --out PATH [--format png|svg|pdf] [--layer coverage|zoning|cluster]
                  [--clusters ID,...] [--basis ...] [--tier ...] [--lang zh|en] [--dpi N] [--size SIZE]
    python cli.py export-all --out DIR [--format png|svg|pdf] [--lang zh|en] [--dpi N] [--size SIZE]
    python cli.py export-poster --out PATH [--format png|svg|pdf] [--lang zh|en] [--basis explicit|all]
                  [--dpi N] [--size SIZE]

Every command also takes --designations PATH (a .csv, .xlsx or .yaml file in the
schema of data/templates/README.md) and --designations-mode replace|beside: the
file's designations then take the place of the built-in ones (replace, the
default) or are added to them (beside).

Output goes to stdout as UTF-8. A bad argument prints one line naming the bad
value and the accepted ones and exits with status 2; so does an unreadable
--designations file, and an invalid one prints one line per problem
(PATH:row N:column: message) and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys

from export.options import FORMATS as EXPORT_FORMATS
from export.options import LAYERS as EXPORT_LAYERS
from export.options import POSTER_SIZE
from export.options import SIZES as EXPORT_SIZES
from policy import Policy, PolicyDataError, load_policy
from policy.coverage import BASIS_CHOICES, TIER_CHOICES, compare, compare_rows, designation_rows
from policy.tables import records, table, write_csv, write_json
from policy.userdata import MAX_BYTES, MODES, load_designations, too_large


class UsageError(Exception):
    pass


class DesignationsError(Exception):
    """An invalid --designations file; `lines` holds one line per problem."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


class Parser(argparse.ArgumentParser):
    # argparse prints the whole usage block before the error; users asked for one
    # line that names the bad value, so errors are raised and printed by main().
    def error(self, message: str):
        raise UsageError(f"{self.prog}: error: {message}")


def write_rows(recs: list[dict], fields: list[str], fmt: str, out) -> None:
    (write_json if fmt == "json" else write_csv)(recs, fields, out)


def add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--basis", default="explicit", choices=BASIS_CHOICES,
                   help="explicit: only cities the document names (default); all: also cities in named regions")
    p.add_argument("--tier", default="all", choices=TIER_CHOICES, help="cluster tier (default all)")


def add_data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--designations", default=None, metavar="PATH",
                   help="read designations from PATH (.csv, .xlsx, .yaml; see data/templates/README.md)")
    # Default None, not "replace", so that a mode given without a file is caught.
    p.add_argument("--designations-mode", default=None, choices=MODES,
                   help="replace: only the file's clusters (default); beside: the built-in clusters, then the file's")


def build_parser() -> Parser:
    parser = Parser(prog="cli.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser("designations", help="one row per (designation, city), with the verbatim clause",
                       description="One row per (designation, city). A region-level designation gives one row "
                                   "per member city with basis 'region'.")
    p.add_argument("--format", default="csv", choices=("csv", "json"))
    add_data_options(p)

    p = sub.add_parser("coverage", help="per-city counts of clusters and designations (all 21 cities)",
                       description="One row per city: distinct clusters naming it, split pillar/emerging, "
                                   "number of designations and the cluster ids.")
    p.add_argument("--format", default="csv", choices=("csv", "json"))
    add_filters(p)
    add_data_options(p)

    p = sub.add_parser("zones", help="per-zone aggregates for 一核一带一区",
                       description="One row per zone of 一核一带一区, with its share of all (designation, city) pairs.")
    p.add_argument("--format", default="csv", choices=("csv", "json"))
    add_filters(p)
    add_data_options(p)

    p = sub.add_parser("compare", help="two cities or two zones side by side",
                       description="Shared and unique clusters of two places. A place is a city (广州, Guangzhou, "
                                   "440100) or a zone (prd_core, coastal_belt, northern_eco, or its Chinese name).")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--format", default="text", choices=("text", "csv", "json"))
    add_filters(p)
    add_data_options(p)
    add_export_commands(sub)
    return parser


# Static map export. export.options defines the choices once and imports no
# matplotlib, so --help stays fast; export.batch checks them again before drawing.
EXPORT_DPI_HELP = ("PNG resolution: 100, 150, 300 or 600 (default 300; 100 for --size screen, "
                   "which is 16x10 in = 1600x1000 px at 100 dpi)")


def add_export_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of all map text (default zh)")
    p.add_argument("--dpi", default=None, metavar="N", help=EXPORT_DPI_HELP)
    p.add_argument("--size", default="a4-landscape", choices=EXPORT_SIZES,
                   help="page: screen (16x10 in), a4-landscape (default; a3-landscape for the poster), "
                        "a4-portrait, a3-landscape, slide (16:9, 13.333x7.5 in)")


def add_export_commands(sub) -> None:
    p = sub.add_parser("export-map", help="write one static map (PNG, SVG or PDF)",
                       description="Draw one map and write it atomically to PATH. The format follows the "
                                   "extension unless --format is given; they must agree.")
    p.add_argument("--out", required=True, metavar="PATH", help="file to write (.png, .svg or .pdf)")
    p.add_argument("--format", default=None, choices=EXPORT_FORMATS, help="default: from the extension of PATH")
    p.add_argument("--layer", default="coverage", choices=EXPORT_LAYERS,
                   help="coverage: the choropleth (default); zoning: 一核一带一区; cluster: the cities of --clusters")
    p.add_argument("--clusters", default=None, metavar="ID,...",
                   help="with --layer cluster: cluster ids, or all, pillar, emerging")
    add_filters(p)
    add_export_options(p)
    add_data_options(p)

    p = sub.add_parser("export-all", help="write the overview, zoning and one map per cluster",
                       description="Write coverage.EXT, zoning.EXT and cluster-<id>.EXT for every cluster "
                                   "(22 files for the built-in data) into DIR (created if missing). The overview counts named cities; the cluster "
                                   "maps also show region-level mentions, pale and dashed.")
    p.add_argument("--out", required=True, metavar="DIR", help="directory to write into")
    p.add_argument("--format", default="png", choices=EXPORT_FORMATS, help="default png")
    add_export_options(p)
    add_data_options(p)

    p = sub.add_parser("export-poster", help="write all clusters on one page (small multiples)",
                       description="One panel per cluster, grouped pillar / emerging, with a shared legend.")
    p.add_argument("--out", required=True, metavar="PATH", help="file to write (.png, .svg or .pdf)")
    p.add_argument("--format", default=None, choices=EXPORT_FORMATS, help="default: from the extension of PATH")
    p.add_argument("--basis", default="explicit", choices=("explicit", "all"),
                   help="explicit: named cities (default); all: also region-level mentions")
    add_export_options(p)
    p.set_defaults(size=POSTER_SIZE)
    add_data_options(p)


def run_export(policy, args, out) -> None:
    from export.batch import export_all, export_map, export_poster  # matplotlib only when exporting
    from export.fonts import FontError
    from geo.boundaries import BoundaryDataError

    try:
        if args.command == "export-map":
            path = export_map(policy, args.out, fmt=args.format, layer=args.layer, clusters=args.clusters,
                              basis=args.basis, tier=args.tier, lang=args.lang, dpi=args.dpi, size=args.size)
            out.write(f"{path}\n")
        elif args.command == "export-poster":
            path = export_poster(policy, args.out, fmt=args.format, lang=args.lang, basis=args.basis,
                                 dpi=args.dpi, size=args.size)
            out.write(f"{path}\n")
        else:
            paths = export_all(policy, args.out, fmt=args.format, lang=args.lang, dpi=args.dpi, size=args.size)
            out.write(f"wrote {len(paths)} maps to {args.out}\n")
    except (BoundaryDataError, FontError) as exc:
        raise PolicyDataError(str(exc)) from None


def read_designations(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISREG(st.st_mode) and st.st_size > MAX_BYTES:
                raise DesignationsError([too_large(st.st_size).format(path)])
            # One byte past the cap, so that a pipe or device of unknown size still
            # trips the size check in load_designations instead of being read whole.
            return fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cli.py: error: --designations {path}: cannot read the file "
                         f"({exc.strerror or exc})") from None


def load_data(args: argparse.Namespace, err) -> Policy:
    """The built-in policy, or the one built from --designations."""
    path, mode = args.designations, args.designations_mode
    if path is None:
        if mode is not None:
            raise UsageError(f"cli.py {args.command}: error: --designations-mode {mode} needs --designations PATH")
        return load_policy()
    data = read_designations(path)
    result = load_designations(data, path, load_policy(), mode or "replace")
    if result.policy is None:
        raise DesignationsError([p.format(path) for p in result.problems])
    for note in result.notes:
        print(f"{path}: note: {note}", file=err)
    return result.policy


def run(args: argparse.Namespace, out, err=None) -> None:
    policy = load_data(args, sys.stderr if err is None else err)
    rows = designation_rows(policy)
    if args.command in ("designations", "coverage", "zones"):
        filters = {} if args.command == "designations" else {"basis": args.basis, "tier": args.tier}
        write_rows(*table(args.command, policy, rows, **filters), args.format, out)
    elif args.command == "compare":
        result = compare(policy, rows, args.a, args.b, args.basis, args.tier)
        write_compare(policy, result, compare_rows(policy, result), args.format, out)
    elif args.command in ("export-map", "export-all", "export-poster"):
        run_export(policy, args, out)


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
        write_rows(records(table), list(table.columns), "csv", out)
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
    except DesignationsError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
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
