"""Export output files and the CLI's export commands: atomic writes, files written, bad
arguments as one line and exit 2, user data credited in the source line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

matplotlib = pytest.importorskip("matplotlib")

from export.output import atomic_save  # noqa: E402
from export.render import StaticData, build_figure  # noqa: E402
from views import i18n  # noqa: E402
from views.state import ViewState  # noqa: E402

COVERAGE = ViewState(coverage=True, zoning=False)


@pytest.fixture(scope="module")
def data():
    return StaticData.load()


# ---------------------------------------------------------------- atomic writes


def test_failed_write_leaves_no_partial_file(policy, data, tmp_path, monkeypatch):
    fig, info = build_figure(policy, COVERAGE, dpi=72, data=data)
    target = tmp_path / "map.png"
    target.write_bytes(b"old map")

    def broken(self, fh, **kw):
        fh.write(b"\x89PNG half a file")
        raise OSError("disk full")

    monkeypatch.setattr(type(fig), "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        atomic_save(fig, target, "pdf", 72, info.title)
    assert target.read_bytes() == b"old map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]

    fresh = tmp_path / "new.png"
    with pytest.raises(OSError):
        atomic_save(fig, fresh, "svg", 72, info.title)
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]


# -------------------------------------------------------------------------- CLI


def run_cli(capsys, *args):
    import cli

    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "name, args, magic",
    [
        ("c.png", ["--dpi", "100"], b"\x89PNG"),
        ("z.svg", ["--layer", "zoning", "--lang", "en"], b"<?xml"),
        ("k.pdf", ["--layer", "cluster", "--clusters", "semiconductors,new_energy", "--basis", "all"], b"%PDF"),
        ("noext", ["--format", "png", "--size", "screen"], b"\x89PNG"),
    ],
)
def test_cli_export_map_writes_the_file(capsys, tmp_path, name, args, magic):
    out = tmp_path / name
    code, stdout, err = run_cli(capsys, "export-map", "--out", str(out), *args)
    assert code == 0, err
    assert out.read_bytes().startswith(magic)
    assert stdout.strip() == str(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.slow
def test_cli_export_all_writes_22_maps(capsys, tmp_path, policy):
    out = tmp_path / "maps"
    code, stdout, err = run_cli(capsys, "export-all", "--out", str(out), "--dpi", "100", "--lang", "en")
    assert code == 0, err
    expected = {"coverage.png", "zoning.png"} | {f"cluster-{c}.png" for c in policy.clusters}
    assert len(expected) == 22
    assert {p.name for p in out.iterdir()} == expected
    for p in out.iterdir():
        assert p.read_bytes()[:4] == b"\x89PNG"
    assert "22/22" in err  # the progress bar, on stderr
    assert "22 maps" in stdout


def assert_one_line_error(code: int, err: str, names, out_dir) -> None:
    """Exit 2, one line naming every expected value, nothing written."""
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for n in names:
        assert n in lines[0]
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize(
    "args, names",
    [
        (["--out", "{d}/m.gif"], [".gif", ".png"]),
        (["--out", "{d}/m.png", "--format", "pdf"], ["'pdf'", ".png"]),
        (["--out", "{d}/m.png", "--format", "tiff"], ["'tiff'", "png"]),
        (["--out", "{d}/m.png", "--dpi", "200"], ["'200'", "150, 300, 600"]),
        (["--out", "{d}/m.png", "--dpi", "high"], ["'high'", "300"]),
        (["--out", "{d}/m.png", "--size", "a3"], ["'a3'", "a4-landscape"]),
        (["--out", "{d}/m.png", "--layer", "roads"], ["'roads'", "cluster"]),
        (["--out", "{d}/m.png", "--layer", "cluster"], ["--clusters"]),
        (["--out", "{d}/m.png", "--layer", "cluster", "--clusters", "automotive,rockets"],
         ["'rockets'", "semiconductors"]),
        (["--out", "{d}/m.png", "--clusters", "automotive"], ["--clusters", "cluster"]),
        (["--out", "{d}/m.png", "--basis", "some"], ["'some'", "explicit"]),
        (["--out", "{d}/missing/m.png"], ["missing"]),
    ],
)
def test_cli_export_map_bad_arguments(capsys, tmp_path, args, names):
    args = [a.format(d=tmp_path) for a in args]
    code, stdout, err = run_cli(capsys, "export-map", *args)
    assert_one_line_error(code, err, names, tmp_path)


@pytest.mark.parametrize(
    "args, names",
    [
        (["--format", "gif"], ["'gif'", "png"]),
        (["--dpi", "72"], ["'72'", "300"]),
        (["--size", "letter"], ["'letter'", "slide"]),
        (["--lang", "fr"], ["'fr'", "zh"]),
    ],
)
def test_cli_export_all_bad_arguments(capsys, tmp_path, args, names):
    code, stdout, err = run_cli(capsys, "export-all", "--out", str(tmp_path / "maps"), *args)
    assert_one_line_error(code, err, names, tmp_path)


def test_cli_export_all_into_a_file_is_an_error(capsys, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    code, _, err = run_cli(capsys, "export-all", "--out", str(f))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "directory" in err
    assert f.read_text() == "x"


def test_cli_subprocess_error_is_one_line_exit_2(tmp_path):
    p = subprocess.run([sys.executable, str(ROOT / "cli.py"), "export-map", "--out", str(tmp_path / "m.jpg")],
                       capture_output=True, text=True, encoding="utf-8")
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "'.jpg'" not in p.stderr and ".jpg" in p.stderr
    assert list(tmp_path.iterdir()) == []


def test_existing_cli_commands_unchanged(capsys):
    code, out, err = run_cli(capsys, "coverage", "--format", "csv")
    assert code == 0 and out.startswith("adcode,city_zh,city_en,zone,clusters")


@pytest.mark.slow  # over 2 s on a busy 2-core machine (see README, Tests and lint)
def test_render_bytes_matches_formats(policy):
    from export import render_bytes
    from views.state import ViewState

    png = render_bytes(policy, ViewState(), fmt="png", size="screen", dpi=100)
    assert png.startswith(b"\x89PNG")
    import io as _io

    from PIL import Image

    assert Image.open(_io.BytesIO(png)).size == (1600, 1000)
    pdf = render_bytes(policy, ViewState(lang="en"), fmt="pdf", size="a4-portrait")
    assert pdf.startswith(b"%PDF")
    svg = render_bytes(policy, ViewState(clusters=("automotive",), coverage=False), fmt="svg", size="slide")
    assert b"<svg" in svg[:500] and "广州".encode() in svg


def test_user_data_is_credited_and_rare_glyphs_render(policy, tmp_path):
    """A user's file is named in the source line; characters outside the prebuilt
    font subset come from a fallback cut from the same font, with no missing glyph."""
    import dataclasses
    import warnings

    from export import render_bytes
    from views.state import ViewState

    auto = policy.clusters["automotive"]
    user = dataclasses.replace(
        policy, clusters={"automotive": dataclasses.replace(auto, name_zh="鿏汽车$x$")},
        user_source="my-plan.csv", user_mode="replace")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = render_bytes(user, ViewState(clusters=("automotive",), coverage=False), fmt="svg",
                           size="screen").decode("utf-8")
    assert not [w for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    credit = i18n.t("source_user_data", "zh", name="my-plan.csv")
    assert credit in svg and "粤府函" not in svg.split(credit)[0][-40:]
    assert "鿏汽车$x$" in svg  # kept as text, "$" not turned into mathtext
