"""The matrix image (PNG/SVG/PDF) and the analysis commands of the CLI."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
pypdf = pytest.importorskip("pypdf")

from export.matrix import MATRIX_LAYERS, MATRIX_SIZES, build_matrix_figure, matrix_bytes, render_matrix  # noqa: E402
from policy.analysis import designation_matrix  # noqa: E402
from testing.cli import run_cli  # noqa: E402
from views import i18n  # noqa: E402
from views.analysis_tables import MATRIX_FIELDS, read_matrix_csv  # noqa: E402
from views.style import ROLE_MARKERS, cluster_color  # noqa: E402


def cli(*args):
    return run_cli(*args)  # in this process (testing/cli.py says why)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def matrices(policy, rows):
    return {b: designation_matrix(policy, rows, b) for b in ("explicit", "all")}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", ["a4-landscape", "slide"])
def test_pdf_text_layer_names_every_cluster_and_city(policy, matrices, lang, size):
    text = pdf_text(matrix_bytes(policy, matrices["all"], fmt="pdf", lang=lang, size=size))
    flat = squash(text)
    for c in policy.clusters.values():
        name = c.name_zh if lang == "zh" else c.name_en
        assert squash(name) in flat, name
    for c in policy.cities.values():
        assert (c.name_zh if lang == "zh" else c.name_en) in text, c.name_en
    for role in ROLE_MARKERS:
        assert squash(i18n.role_name(policy, role, lang)) in flat
    assert squash(i18n.source_line(policy, lang, MATRIX_LAYERS, "none")) in flat
    assert squash(i18n.t("basis_all", lang)) in flat  # the title names the basis
    other = "en" if lang == "zh" else "zh"
    if lang == "en":
        assert policy.clusters["new_energy"].name_zh not in text
    assert squash(i18n.role_name(policy, "supporting", other)) not in flat


def test_drawn_cells_and_totals_are_the_matrix(policy, matrices):
    for basis, m in matrices.items():
        _, info = build_matrix_figure(policy, m, lang="en")
        assert set(info.cells) == set(zip(m.cells["cluster_id"], m.cells["adcode"]))
        for r in m.cells.itertuples():
            assert info.cells[(r.cluster_id, r.adcode)] == (ROLE_MARKERS[r.role], r.basis)
        assert info.row_totals == dict(zip(m.clusters["cluster_id"], m.clusters["total"]))
        assert info.col_totals == dict(zip(m.cities["adcode"], m.cities["total"]))
        assert ("named + region-level" in info.title) == (basis == "all")


def test_explicit_glyphs_filled_region_glyphs_hollow(policy, matrices):
    """Sampled at the glyph centre: the cluster's colour when named, white when region-level."""
    m = matrices["all"]
    dpi = 100
    fig, info = build_matrix_figure(policy, m, lang="zh", dpi=dpi)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    from PIL import Image

    px = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")).astype(int)
    index = dict(zip(m.clusters["cluster_id"], m.clusters["index"]))
    checked = {"explicit": 0, "region": 0}
    for r in m.cells.itertuples():
        if len(r.roles) > 1:
            continue  # "+n" sits beside these glyphs
        x, y = info.cell_xy[(r.cluster_id, r.adcode)]
        got = px[round(y * dpi), round(x * dpi)]
        h = cluster_color(index[r.cluster_id]).lstrip("#")
        want = [int(h[i:i + 2], 16) for i in (0, 2, 4)] if r.basis == "explicit" else [255, 255, 255]
        assert np.abs(got - want).max() <= 6, (r.cluster_id, r.adcode, r.basis, got, want)
        checked[r.basis] += 1
    assert checked["explicit"] > 80 and checked["region"] > 80


@pytest.mark.slow  # over 2 s on a busy 2-core machine (see README, Tests and lint)
def test_png_sizes_and_svg_text(policy, matrices, tmp_path):
    from PIL import Image

    out = render_matrix(policy, matrices["explicit"], tmp_path / "m.png", dpi=150)
    assert Image.open(out).size == (round(297 / 25.4 * 150), round(210 / 25.4 * 150))
    out = render_matrix(policy, matrices["explicit"], tmp_path / "s.png", size="slide", dpi=100)
    assert Image.open(out).size == (1333, 750)
    svg = matrix_bytes(policy, matrices["explicit"], fmt="svg", lang="en")
    texts = "".join(el.text or "" for el in ET.fromstring(svg).iter() if el.tag.endswith("text"))
    assert "Guangzhou" in texts and "Total" in texts
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.png", "s.png"]  # no temporary left


def test_bad_arguments_raise_before_writing(policy, matrices, tmp_path):
    from export.render import ExportError

    m = matrices["explicit"]
    for kw, name in [({"size": "a4-portrait"}, "'a4-portrait'"), ({"lang": "fr"}, "'fr'"), ({"dpi": 72}, "72"),
                     ({"fmt": "pdf"}, "'pdf'")]:
        with pytest.raises(ExportError, match=name):
            render_matrix(policy, m, tmp_path / "m.png", **kw)
    assert list(tmp_path.iterdir()) == []
    assert MATRIX_SIZES == ("a4-landscape", "slide", "screen")


# --------------------------------------------------------------------------- CLI


def test_cli_export_matrix_pdf(policy, tmp_path):
    out = tmp_path / "matrix.pdf"
    p = cli("export-matrix", "--out", str(out), "--lang", "en", "--tier", "emerging")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == str(out)
    text = pdf_text(out.read_bytes())
    flat = squash(text)
    emerging = [c for c in policy.clusters.values() if c.tier == "emerging"]
    assert all(squash(c.name_en) in flat for c in emerging)
    assert squash(policy.clusters["automotive"].name_en) not in flat
    assert all(c.name_en in text for c in policy.cities.values())
    assert "10 emerging clusters" in text


@pytest.mark.parametrize(
    "args, names",
    [
        (["export-matrix", "--out", "{d}/m.gif"], [".gif", ".png"]),
        (["export-matrix", "--out", "{d}/m.png", "--size", "a4-portrait"], ["'a4-portrait'", "slide"]),
        (["export-matrix", "--out", "{d}/m.png", "--dpi", "72"], ["'72'", "300"]),
        (["export-matrix", "--out", "{d}/m.png", "--format", "pdf"], ["'pdf'", ".png"]),
        (["export-matrix", "--out", "{d}/missing/m.png"], ["missing"]),
        (["export-matrix", "--out", "{d}/m.png", "--tier", "gold"], ["'gold'", "emerging"]),
        (["export-matrix", "--out", "{d}/m.png", "--sort", "size"], ["'size'", "total"]),
        (["similar", "香港"], ["'香港'", "广州"]),
        (["similar", "广州", "--top", "0"], ["0", "1 to 20"]),
        (["similar", "广州", "--top", "many"], ["'many'", "1 to 20"]),
        (["similar", "广州", "--basis", "both"], ["'both'", "explicit"]),
        (["matrix", "--format", "xlsx"], ["xlsx", "--out"]),
        (["matrix", "--format", "xml"], ["'xml'", "csv"]),
        (["matrix", "--out", "{d}/missing/m.csv"], ["missing"]),
    ],
)
def test_cli_errors_are_one_line(tmp_path, args, names):
    p = cli(*[a.format(d=tmp_path) for a in args])
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    for n in names:
        assert n in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_cli_similar_formats(policy):
    t = cli("similar", "珠海", "--top", "2")
    assert t.returncode == 0, t.stderr
    lines = t.stdout.splitlines()
    assert lines[0].startswith("珠海 Zhuhai: 12")
    assert lines[1].startswith("1. 深圳 Shenzhen: Jaccard 0.857") and lines[2].startswith("2. 佛山 Foshan: Jaccard 0.846")
    assert "半导体与集成电路" in lines[2] and "新能源" in lines[2]
    j = json.loads(cli("similar", "Foshan", "--format", "json", "--top", "3").stdout)
    assert [r["city_zh"] for r in j] == ["深圳", "珠海", "广州"] and j[1]["only_other_ids"] == ["semiconductors"]
    c = list(csv.DictReader(io.StringIO(cli("similar", "440400", "--format", "csv", "--basis", "all").stdout)))
    assert len(c) == 5 and float(c[0]["jaccard"]) >= float(c[-1]["jaccard"])
    e = cli("similar", "汕尾", "--top", "2")
    # 梅州 is named by no cluster either: their similarity is undefined, so it is not listed
    assert "named by no cluster" in e.stdout and "undefined" in e.stdout and "梅州" not in e.stdout
    assert "1. 广州 Guangzhou: Jaccard 0.000" in e.stdout


def test_cli_matrix_csv_round_trips_and_xlsx(policy, rows, tmp_path):
    p = cli("matrix", "--basis", "all")
    assert p.returncode == 0, p.stderr
    back = read_matrix_csv(p.stdout)
    assert list(back.columns) == MATRIX_FIELDS and len(back) == 213
    assert set(back["basis"]) == {"explicit", "region"}
    j = json.loads(cli("matrix", "--format", "json", "--tier", "pillar").stdout)
    assert {r["tier"] for r in j} == {"pillar"} and isinstance(j[0]["roles"], list)
    out = tmp_path / "m.xlsx"
    p = cli("matrix", "--format", "xlsx", "--out", str(out), "--lang", "en")
    assert p.returncode == 0, p.stderr
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(out)
    header = [c.value for c in wb["matrix"][1]]
    assert header[:3] == ["No.", "Cluster", "Tier"] and "Guangzhou" in header and header[-1] == "Total"
    assert [p.name for p in tmp_path.iterdir()] == ["m.xlsx"]


def test_cli_zones_new_columns():
    z = json.loads(cli("zones", "--format", "json").stdout)
    prd = z[0]
    assert prd["zone"] == "prd_core" and prd["cluster_cities"] == 79 and prd["cluster_city_share"] == 0.79
    assert prd["city_share"] == round(9 / 21, 4) and 0.29 < prd["area_share"] < 0.32
    assert sum(r["area_share"] for r in z) == pytest.approx(1, abs=2e-4)
    assert z[2]["unnamed"] == ["441400", "441600"]
    rows = list(csv.DictReader(io.StringIO(cli("zones", "--tier", "pillar").stdout)))
    assert rows[1]["unnamed"] == "440500;441500;445100" and rows[0]["cluster_cities"] == "35"


@pytest.mark.parametrize("basis", ["explicit", "all"])
def test_cli_zones_carries_the_gini_index_per_tier(policy, rows, basis):
    """The Gini index of clusters per city over all 21 cities (zeros included), for each tier,
    recomputed here from the coverage engine's per-city counts."""
    from policy.analysis import gini
    from policy.coverage import city_coverage

    z = json.loads(cli("zones", "--format", "json", "--basis", basis).stdout)
    for tier in ("all", "pillar", "emerging"):
        counts = city_coverage(policy, rows, basis, tier)["clusters"]
        assert len(counts) == 21
        assert {r[f"gini_{tier}"] for r in z} == {round(gini(counts), 4)}, tier
    head = next(csv.reader(io.StringIO(cli("zones", "--tier", "pillar").stdout)))
    assert head[-3:] == ["gini_all", "gini_pillar", "gini_emerging"]


def test_user_designations_matrix_credits_the_file(policy):
    from policy.coverage import designation_rows
    from policy.userdata import load_designations

    data = ("cluster_id,cluster_zh,cluster_en,tier,place_zh,city_zh,adcode,role_zh,role,basis,quote\n"
            "hydrogen,氢能,Hydrogen,emerging,,广州,,,core,explicit,打造以广州为核心的氢能产业集群\n").encode()
    up = load_designations(data, "mine.csv", policy, "replace").policy
    m = designation_matrix(up, designation_rows(up))
    text = pdf_text(matrix_bytes(up, m, fmt="pdf", lang="en"))
    assert "1 strategic industrial cluster ×" in text and "Hydrogen" in text and "mine.csv" in text
    assert "Based on" not in text  # the user's file replaces the document
    _, info = build_matrix_figure(up, m)
    assert info.cells == {("hydrogen", "440100"): ("o", "explicit")} and info.col_totals["440100"] == 1
    empty = designation_matrix(up, designation_rows(up), tier="pillar")
    assert "0个集群" in pdf_text(matrix_bytes(up, empty, fmt="pdf"))
