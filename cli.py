"""Command line for the Guangdong strategic industrial clusters data.

    python cli.py designations --format csv|json
    python cli.py coverage --format csv|json [--basis explicit|all] [--tier all|pillar|emerging]
    python cli.py zones --format csv|json [--basis ...] [--tier ...]
    python cli.py compare A B [--format text|csv|json] [--basis ...] [--tier ...]
    python cli.py export-map --out PATH [--format png|svg|pdf] [--layer coverage|zoning|cluster]
                  [--clusters ID,...] [--basis ...] [--tier ...] [--lang zh|en] [--dpi N] [--size SIZE]
    python cli.py export-all --out DIR [--format png|svg|pdf] [--lang zh|en] [--dpi N] [--size SIZE]
    python cli.py similar CITY [--top N] [--format text|csv|json] [--basis ...] [--tier ...]
    python cli.py matrix [--format csv|json|xlsx] [--out PATH] [--lang zh|en] [--basis ...] [--tier ...]
    python cli.py export-matrix --out PATH [--format png|svg|pdf] [--basis ...] [--tier ...] [--lang zh|en]
                  [--size a4-landscape|slide|screen] [--dpi N] [--sort policy|total]
    python cli.py export-poster --out PATH [--format png|svg|pdf] [--lang zh|en] [--basis explicit|all]
                  [--dpi N] [--size SIZE]

Every command also takes --designations PATH (a .csv, .xlsx or .yaml file in the
schema of data/templates/README.md) and --designations-mode replace|beside: the
file's designations then take the place of the built-in ones (replace, the
default) or are added to them (beside). The commands that draw or measure
boundaries (export-map, export-all, export-poster, zones) take --boundaries PATH
(GeoJSON, GeoPackage or a zipped Shapefile, judged as the app's boundary upload),
and the drawing ones --map-approval TEXT: the boundaries' map approval number
(审图号), printed in place of the schematic-map note, only with --boundaries.

Output goes to stdout as UTF-8. A bad argument prints one line naming the bad
value and the accepted ones and exits with status 2; so does an unreadable
--designations file, and an invalid one prints one line per problem
(PATH:row N:column: message) and exits with status 2. The file is judged in a
worker process under the same time and memory budget as in the app; a file over
it gets one line and status 2. Problems and notes about the file are in English,
or in Chinese when the command is given --lang zh explicitly. An output error
(unwritable --out, missing directory, closed or full stdout) prints one line and
exits with status 1; so does a missing or damaged bundled data file. SIGINT and
SIGTERM remove temporary files, print one line and exit with 130 and 143.

Every --out goes through export.outfile: a regular file or a new path is replaced
atomically, a FIFO, a device or stdout itself is written in place, anything else
is refused. Paths are printed with control characters escaped (ingest.text.show_path).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import sys
import threading

from export.options import FORMATS as EXPORT_FORMATS
from export.options import LAYERS as EXPORT_LAYERS
from export.options import POSTER_SIZE
from export.options import SIZES as EXPORT_SIZES
from export.outfile import discard_pending, is_standard_stream, write_output
from ingest import caps
from ingest.approval import check_approval
from ingest.messages import Msg
from ingest.readfile import ReadRefused, TooLarge, read_bounded
from ingest.text import show_path
from policy import Policy, PolicyDataError, load_policy
from policy.coverage import BASIS_CHOICES, TIER_CHOICES, compare, compare_rows, designation_rows
from policy.tables import records, table, write_csv, write_json
from policy.userdata import MAX_BYTES, MODES, too_large
from uploads.judge import judge_designations, judge_uploads


class UsageError(Exception):
    pass


class InputProblems(Exception):
    """An invalid --designations or --boundaries file; `lines` holds one line per problem."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


class LangAction(argparse.Action):
    """--lang that also records that it was given: messages about a --designations
    file follow only an explicit --lang (the maps default to Chinese, the messages
    to English, as every other line the command line prints)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        namespace.messages_lang = values


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


def add_boundary_options(p: argparse.ArgumentParser, approval: bool = True) -> None:
    p.add_argument("--boundaries", default=None, metavar="PATH",
                   help="the 21 cities' boundaries from PATH (.geojson, .json, .gpkg, or .zip of a Shapefile; "
                        "checked as the app's boundary upload), credited in the footer")
    if approval:
        p.add_argument("--map-approval", default=None, metavar="TEXT",
                       help="the map approval number (审图号) of the --boundaries, e.g. 'GS(2024)1234号', printed "
                            "in place of the schematic-map note; only with --boundaries")


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
                       description="One row per zone of 一核一带一区, with its share of all (designation, city) pairs, "
                                   "of (cluster, city) cells, of the cities and of the land area, and the province's "
                                   "Gini index of clusters per city for all, pillar and emerging clusters (see README).")
    p.add_argument("--format", default="csv", choices=("csv", "json"))
    add_filters(p)
    add_data_options(p)
    add_boundary_options(p, approval=False)

    p = sub.add_parser("compare", help="two cities or two zones side by side",
                       description="Shared and unique clusters of two places. A place is a city (广州, Guangzhou, "
                                   "440100) or a zone (prd_core, coastal_belt, northern_eco, or its Chinese name).")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--format", default="text", choices=("text", "csv", "json"))
    add_filters(p)
    add_data_options(p)
    add_export_commands(sub)
    add_analysis_commands(sub)
    return parser


def add_analysis_commands(sub) -> None:
    p = sub.add_parser("similar", help="the cities whose cluster portfolios are most like CITY's",
                       description="Cities ranked by the Jaccard similarity of their sets of clusters to CITY's "
                                   "(广州, Guangzhou or 440100), then by clusters shared.")
    p.add_argument("city", metavar="CITY")
    p.add_argument("--top", default="5", metavar="N", help="how many cities (1-20, default 5)")
    p.add_argument("--format", default="text", choices=("text", "csv", "json"))
    add_filters(p)
    add_data_options(p)

    p = sub.add_parser("matrix", help="the cluster × city matrix as a table (CSV, JSON or XLSX)",
                       description="One row per (cluster, city) cell with the city's role; XLSX adds the wide "
                                   "matrix as a first sheet (headed in --lang) and needs --out.")
    p.add_argument("--format", default="csv", choices=("csv", "json", "xlsx"))
    p.add_argument("--out", default=None, metavar="PATH", help="write to PATH instead of stdout")
    p.add_argument("--lang", default="zh", choices=("zh", "en"), action=LangAction,
                   help="XLSX matrix headings (default zh)")
    add_filters(p)
    add_data_options(p)

    p = sub.add_parser("export-matrix", help="the cluster × city matrix as an image (PNG, SVG or PDF)",
                       description="Draw the 20 clusters × 21 cities matrix and write it atomically to PATH. "
                                   "The format follows the extension unless --format is given; they must agree.")
    p.add_argument("--out", required=True, metavar="PATH", help="file to write (.png, .svg or .pdf)")
    p.add_argument("--format", default=None, choices=EXPORT_FORMATS, help="default: from the extension of PATH")
    p.add_argument("--lang", default="zh", choices=("zh", "en"), action=LangAction,
                   help="language of all text (default zh)")
    p.add_argument("--size", default="a4-landscape", choices=MATRIX_SIZES,
                   help="a4-landscape (default), slide (16:9, 13.333x7.5 in), screen (16x10 in)")
    p.add_argument("--dpi", default=None, metavar="N", help="PNG resolution: 100, 150, 300 or 600 (default 300)")
    p.add_argument("--sort", default="policy", choices=("policy", "total"),
                   help="policy: the document's order (default); total: most first, within each tier and zone")
    add_filters(p)
    add_data_options(p)


def run_analysis(policy, rows, args, out) -> None:
    from policy import analysis
    from views import analysis_tables as at

    if args.command == "similar":
        try:
            top = int(args.top)
        except ValueError:
            raise ValueError(f"--top {args.top!r} is not accepted; choose a whole number from 1 to "
                             f"{len(policy.cities) - 1}") from None
        df = analysis.most_similar(policy, rows, args.city, top, args.basis, args.tier)
        if args.format == "text":
            write_similar(policy, analysis.find_city_code(policy, args.city), df, out)
        else:
            write_rows(records(df), analysis.SIMILAR_COLUMNS, args.format, out)
        return
    m = analysis.designation_matrix(policy, rows, args.basis, args.tier)
    if args.command == "export-matrix":
        from export.fonts import FontError
        from export.matrix import render_matrix

        try:
            path = render_matrix(policy, analysis.sort_matrix(m, args.sort), args.out, fmt=args.format, lang=args.lang, size=args.size, dpi=args.dpi)
        except FontError as exc:
            raise PolicyDataError(str(exc)) from None
        announce(out, path)
        return
    if args.format == "xlsx" and args.out is None:
        raise ValueError("--format xlsx needs --out PATH (a binary file is not written to the terminal)")
    if args.out is not None:
        # A bad argument like the export commands' (status 2), before anything is made.
        parent = os.path.dirname(args.out) or "."
        if not os.path.isdir(parent):
            raise ValueError(f"--out: directory {show_path(parent)} does not exist")
    frame = at.matrix_frame(policy, m)
    if args.format == "xlsx":
        data = at.matrix_xlsx(policy, m, args.lang)
    else:
        buf = io.StringIO()
        write_rows(records(frame), at.MATRIX_FIELDS, args.format, buf)
        data = buf.getvalue().encode("utf-8")
    if args.out is None:
        out.write(data.decode("utf-8"))
    else:
        write_output(args.out, data)
        announce(out, args.out)


def announce(out, path) -> None:
    """Say where an output went: its path, escaped if it holds control characters;
    nothing when the output was stdout itself (the line would join the data)."""
    if not is_standard_stream(path):
        out.write(f"{show_path(path)}\n")


def write_similar(policy, code: str, df, out) -> None:
    city = policy.cities[code]

    def names(ids):
        return "、".join(policy.clusters[i].name_zh for i in ids) or "—"

    n = int(df["shared"].iloc[0] + df["only_city"].iloc[0]) if len(df) else 0
    out.write(f"{city.name_zh} {city.name_en}: {n} clusters 个集群\n")
    if n == 0:
        out.write("named by no cluster 无集群点名; Jaccard with another such city is undefined, not listed "
                  "与同样无集群点名的城市相似度无定义，不列出\n")
    for r in df.itertuples(index=False):
        out.write(f"{r.rank}. {r.city_zh} {r.city_en}: Jaccard {r.jaccard:.3f}; shared 共有 {r.shared}; "
                  f"only 仅{city.name_zh} {r.only_city}: {names(r.only_city_ids)}; "
                  f"only 仅{r.city_zh} {r.only_other}: {names(r.only_other_ids)}\n")


# Static map export. export.options defines the choices once and imports no
# matplotlib, so --help stays fast; export.batch checks them again before drawing.
MATRIX_SIZES = ("a4-landscape", "slide", "screen")  # as export.matrix.MATRIX_SIZES
EXPORT_DPI_HELP = ("PNG resolution: 100, 150, 300 or 600 (default 300; 100 for --size screen, "
                   "which is 16x10 in = 1600x1000 px at 100 dpi)")


def add_export_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", default="zh", choices=("zh", "en"), action=LangAction,
                   help="language of all map text (default zh)")
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
                   help="with --layer cluster: cluster ids or key numbers as on the map (1-20), "
                        "or all, pillar, emerging")
    p.add_argument("--focus", default=None, metavar="CITY",
                   help="outline one city as the city in focus (广州, Guangzhou, 440100); off by default")
    add_filters(p)
    add_export_options(p)
    add_data_options(p)
    add_boundary_options(p)

    p = sub.add_parser("export-all", help="write the overview, zoning and one map per cluster",
                       description="Write coverage.EXT, zoning.EXT and cluster-<id>.EXT for every cluster "
                                   "(22 files for the built-in data) into DIR (created if missing). The overview counts named cities; the cluster "
                                   "maps also show region-level mentions, pale and dashed.")
    p.add_argument("--out", required=True, metavar="DIR", help="directory to write into")
    p.add_argument("--format", default="png", choices=EXPORT_FORMATS, help="default png")
    add_export_options(p)
    add_data_options(p)
    add_boundary_options(p)

    p = sub.add_parser("export-poster", help="write all clusters on one page (small multiples)",
                       description="One panel per cluster, grouped pillar / emerging, with a shared legend.")
    p.add_argument("--out", required=True, metavar="PATH", help="file to write (.png, .svg or .pdf)")
    p.add_argument("--format", default=None, choices=EXPORT_FORMATS, help="default: from the extension of PATH")
    p.add_argument("--basis", default="explicit", choices=("explicit", "all"),
                   help="explicit: named cities (default); all: also region-level mentions")
    add_export_options(p)
    p.set_defaults(size=POSTER_SIZE)
    add_data_options(p)
    add_boundary_options(p)


def run_export(policy, args, out, bnd=None, approval: str | None = None) -> None:
    from export.batch import export_all, export_map, export_poster  # matplotlib only when exporting
    from export.fonts import FontError
    from geo.boundaries import BoundaryDataError

    pub = {"data": bnd.static if bnd else None, "approval": approval}
    try:
        if args.command == "export-map":
            path = export_map(policy, args.out, fmt=args.format, layer=args.layer, clusters=args.clusters,
                              basis=args.basis, tier=args.tier, lang=args.lang, dpi=args.dpi, size=args.size,
                              focus=args.focus, **pub)
            announce(out, path)
        elif args.command == "export-poster":
            path = export_poster(policy, args.out, fmt=args.format, lang=args.lang, basis=args.basis,
                                 dpi=args.dpi, size=args.size, **pub)
            announce(out, path)
        else:
            paths = export_all(policy, args.out, fmt=args.format, lang=args.lang, dpi=args.dpi, size=args.size,
                               **pub)
            out.write(f"wrote {len(paths)} maps to {show_path(args.out)}\n")
    except (BoundaryDataError, FontError) as exc:
        raise PolicyDataError(str(exc)) from None
    except BrokenPipeError:
        raise
    except OSError as exc:
        # Name what the user gave, not the temporary file the map was drawn into.
        raise OSError(exc.errno, exc.strerror or str(exc), args.out) from None


def read_input(option: str, path: str, limit: int, too_large_line, accepted: str) -> bytes:
    """The bytes of the file given to `option`, at most one past the size cap (its loader
    then refuses it), read within the judging budget's seconds: a FIFO nobody writes to
    cannot hold the command before the budget starts (ingest.readfile).
    `too_large_line(shown path, size)`: the line for a file over the cap."""
    shown = show_path(path)
    try:
        return read_bounded(path, limit, caps.BUDGET_SECONDS)
    except TooLarge as exc:
        raise InputProblems([too_large_line(shown, exc.size)]) from None
    except ReadRefused as exc:
        raise UsageError(f"cli.py: error: {option} {shown} {exc}; give {accepted}") from None
    except OSError as exc:
        raise UsageError(f"cli.py: error: {option} {shown}: cannot read the file "
                         f"({exc.strerror or exc})") from None


def read_designations(path: str, lang: str = "en") -> bytes:
    return read_input("--designations", path, MAX_BYTES, lambda shown, size: too_large(size).format(shown, lang),
                      "a .csv, .xlsx or .yaml file (a pipe such as /dev/stdin is read too)")


def check_publication(args: argparse.Namespace) -> str | None:
    """The --map-approval number to print, checked before anything is read or drawn: its
    text (one line, bounded), and that --boundaries comes with it."""
    text = getattr(args, "map_approval", None)
    if text is None:
        return None
    lang = getattr(args, "messages_lang", "en")
    number, problem = check_approval(text)
    if problem is None and args.boundaries is None:
        problem = Msg("approval.needs_boundaries")
    if problem is not None:
        raise UsageError(f"cli.py {args.command}: error: --map-approval: {problem.render(lang)}")
    return number


def load_boundaries(args: argparse.Namespace, base: Policy, err):
    """The judgement of --boundaries (uploads.judge.Judgement: its cities and export data),
    or None without it. In the worker, under the budget and with the checks of the app's
    upload; a refused file prints one line per problem, status 2."""
    path = getattr(args, "boundaries", None)
    if path is None:
        return None
    lang = getattr(args, "messages_lang", "en")

    def too_big(shown: str, size: int) -> str:
        return Msg("file.message", path=shown, message=Msg("bnd.too_large", size=size, mb=size / 1e6,
                   max=caps.BND_MAX_BYTES, max_mb=caps.BND_MAX_BYTES / 1e6)).render(lang)

    data = read_input("--boundaries", path, caps.BND_MAX_BYTES, too_big,
                      "a .geojson, .json or .gpkg file, or a .zip of a Shapefile")
    j = judge_uploads(None, "", "replace", data, str(path), base, seconds=caps.BUDGET_SECONDS,
                      memory=caps.BUDGET_MEMORY)
    if not j.ok:
        raise InputProblems([m.render(lang) for level, m in j.messages if level == "error"])
    for _, note in j.messages:
        print(note.render(lang), file=err)
    return j


def load_data(args: argparse.Namespace, err) -> Policy:
    """The built-in policy, or the one built from --designations."""
    path, mode = args.designations, args.designations_mode
    if path is None:
        if mode is not None:
            raise UsageError(f"cli.py {args.command}: error: --designations-mode {mode} needs --designations PATH")
        return load_policy()
    lang = getattr(args, "messages_lang", "en")
    data = read_designations(path, lang)
    # In a worker with a time and memory limit, as in the app: a hostile file
    # cannot hang a terminal or a batch job either.
    result = judge_designations(data, path, load_policy(), mode or "replace", seconds=caps.BUDGET_SECONDS,
                                memory=caps.BUDGET_MEMORY)
    if result.policy is None:
        raise InputProblems([p.format(show_path(path), lang) for p in result.problems])
    for note in result.notes:
        print(Msg("cli.note", path=show_path(path), message=note).render(lang), file=err)
    return result.policy


def run(args: argparse.Namespace, out, err=None) -> None:
    err = sys.stderr if err is None else err
    approval = check_publication(args)
    policy = load_data(args, err)
    bnd = load_boundaries(args, load_policy(), err)
    rows = designation_rows(policy)
    if args.command == "zones":
        from geo.boundaries import BoundaryDataError, load_cities
        from policy.tables import ZONE_FIELDS
        from views.analysis_tables import GINI_FIELDS, ZONE_ANALYSIS_FIELDS, zone_table

        try:
            cities = bnd.cities if bnd else load_cities()
        except BoundaryDataError as exc:
            raise PolicyDataError(str(exc)) from None
        df = zone_table(policy, rows, cities, args.basis, args.tier)
        write_rows(records(df), ZONE_FIELDS + ZONE_ANALYSIS_FIELDS + GINI_FIELDS, args.format, out)
    elif args.command in ("designations", "coverage"):
        filters = {} if args.command == "designations" else {"basis": args.basis, "tier": args.tier}
        write_rows(*table(args.command, policy, rows, **filters), args.format, out)
    elif args.command == "compare":
        result = compare(policy, rows, args.a, args.b, args.basis, args.tier)
        write_compare(policy, result, compare_rows(policy, result), args.format, out)
    elif args.command in ("export-map", "export-all", "export-poster"):
        run_export(policy, args, out, bnd, approval)
    elif args.command in ("similar", "matrix", "export-matrix"):
        run_analysis(policy, rows, args, out)


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


def _say(line: str) -> None:
    """One line on stderr, if there still is one."""
    try:
        if sys.stderr is not None:
            print(line, file=sys.stderr)
    except (OSError, ValueError):
        pass


def _silence_stdout() -> None:
    # Whatever is left in the buffer could not be written; point the descriptor at
    # /dev/null so the interpreter's final flush does not print a traceback.
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    except OSError:
        pass


def _os_error(exc: OSError) -> str:
    where = show_path(exc.filename) if exc.filename is not None else "standard output"
    return f"cli.py: error: cannot write {where}: {exc.strerror or exc}"


class Terminated(BaseException):
    """SIGTERM, raised wherever the command is, as Ctrl-C raises KeyboardInterrupt,
    so that the same clean-up runs for both."""


def _terminated(signum, frame):
    raise Terminated


INTERRUPTS = {KeyboardInterrupt: ("SIGINT", 130), Terminated: ("SIGTERM", 143)}  # 128 + the signal's number


def main(argv: list[str] | None = None) -> int:
    # Signal handlers can only be set from the main thread (tests may call main elsewhere).
    trap = threading.current_thread() is threading.main_thread()
    previous = (signal.getsignal(signal.SIGINT), signal.signal(signal.SIGTERM, _terminated)) if trap else None
    try:
        return _main(argv)
    except (KeyboardInterrupt, Terminated) as exc:
        if trap:  # a second signal must not interrupt the clean-up
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        discard_pending()
        name, code = INTERRUPTS[type(exc)]
        _say(f"cli.py: stopped by {name}; no file was left half-written")
        return code
    finally:
        if trap:
            signal.signal(signal.SIGINT, previous[0])
            signal.signal(signal.SIGTERM, previous[1])


def _main(argv: list[str] | None) -> int:
    out = sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if out is None or getattr(out, "closed", False):
            # `cli.py ... >&-`: Python sets sys.stdout to None.
            _say("cli.py: error: standard output is closed; redirect it to a file or a pipe")
            return 1
        if hasattr(out, "reconfigure"):
            out.reconfigure(encoding="utf-8")
        if getattr(args, "out", None) is not None and not str(args.out).strip():
            raise UsageError(f"cli.py {args.command}: error: --out is empty; give a "
                             f"{'directory' if args.command == 'export-all' else 'file path such as map.png'}")
        run(args, out)
        out.flush()  # a full disk shows here, inside the handlers, not at exit
    except UsageError as exc:
        _say(str(exc))
        return 2
    except InputProblems as exc:
        for line in exc.lines:
            _say(line)
        return 2
    # Before ValueError: PolicyDataError is one, but a broken bundled file is a
    # data error (exit 1), not a usage error.
    except PolicyDataError as exc:
        _say(f"cli.py: data error: {exc}")
        return 1
    except ValueError as exc:  # a bad place name or choice from the engine
        _say(f"cli.py: error: {exc}")
        return 2
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error.
        _silence_stdout()
    except OSError as exc:  # unwritable --out, missing directory, full disk
        _say(_os_error(exc))
        if exc.filename is None:
            _silence_stdout()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
