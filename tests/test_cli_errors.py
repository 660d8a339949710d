"""CLI output errors and data errors: one line, a non-zero exit, never a traceback (issue 12, 11)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PY = sys.executable
CLI = str(ROOT / "cli.py")


def sh(command: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", command], capture_output=True, text=True, encoding="utf-8", cwd=cwd)


def assert_one_line(r: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    assert r.returncode == code, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


def test_closed_stdout():
    assert_one_line(sh(f"'{PY}' '{CLI}' coverage >&-"), 1, "standard output is closed")


def test_full_disk_on_stdout():
    assert_one_line(sh(f"'{PY}' '{CLI}' designations > /dev/full"), 1,
                    "cannot write standard output: No space left on device")


def test_broken_pipe_stays_quiet():
    r = sh(f"'{PY}' '{CLI}' designations | head -c 10")
    assert r.returncode == 0 and r.stderr == "" and len(r.stdout) == 10


@pytest.mark.parametrize("command", ["export-map", "export-all"])
def test_empty_out(command):
    assert_one_line(sh(f"'{PY}' '{CLI}' {command} --out ''"), 2, "--out is empty")


@pytest.mark.slow  # over 2 s on a busy 2-core machine (see README, Tests and lint)
def test_export_map_into_a_place_that_cannot_be_written():
    assert_one_line(sh(f"'{PY}' '{CLI}' export-map --out /proc/map.png"), 1, "cannot write /proc/map.png")


@pytest.mark.slow  # over 2 s on a busy 2-core machine (see README, Tests and lint)
def test_export_all_under_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "maps"
    assert_one_line(sh(f"'{PY}' '{CLI}' export-all --out '{out}' --format svg"), 1, f"cannot write {out}")


def test_missing_bundled_file_is_a_data_error(tmp_path):
    for name in ("cli.py",):
        shutil.copy(ROOT / name, tmp_path / name)
    for pkg in ("policy", "geo", "ingest", "uploads", "layers", "views", "export", "data"):
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "data" / "clusters.yaml").unlink()
    r = sh(f"'{PY}' cli.py coverage", cwd=tmp_path)
    assert_one_line(r, 1, "cli.py: data error:", "data/clusters.yaml: file is missing",
                    "git checkout -- data/clusters.yaml")


@pytest.mark.parametrize("a, b", [("440100.0", "廣州"), ("４４０３００", "Shenzhen"), ("韶關", "440200")])
def test_compare_accepts_numeric_adcodes_and_traditional_names(a, b):
    r = sh(f"'{PY}' '{CLI}' compare '{a}' '{b}'")
    assert r.returncode == 0, r.stderr
    first, second = r.stdout.splitlines()[:2]
    assert first.split()[1] == second.split()[1]  # the same city twice
