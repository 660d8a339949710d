"""The command line, run as a user would run it."""

import csv
import io
import json

import pytest

from testing.cli import run_cli


def cli(*args):
    return run_cli(*args)  # in this process (testing/cli.py says why)


def test_designations_csv_shape(rows):
    p = cli("designations", "--format", "csv")
    assert p.returncode == 0, p.stderr
    out = list(csv.DictReader(io.StringIO(p.stdout)))
    assert list(out[0]) == ["cluster_id", "cluster_zh", "cluster_en", "tier", "place_zh", "city_zh",
                            "adcode", "role_zh", "role", "basis", "quote"]
    assert len(out) == len(rows)
    assert {r["basis"] for r in out} == {"explicit", "region"}


def test_designations_json_is_array_of_same_rows():
    j = json.loads(cli("designations", "--format", "json").stdout)
    c = list(csv.DictReader(io.StringIO(cli("designations").stdout)))
    assert isinstance(j, list) and len(j) == len(c)
    assert j[0] == c[0]


@pytest.mark.parametrize("basis", ["explicit", "all"])
@pytest.mark.parametrize("tier", ["all", "pillar", "emerging"])
def test_coverage_all_21_cities(basis, tier):
    p = cli("coverage", "--format", "json", "--basis", basis, "--tier", tier)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert len(data) == 21
    assert list(data[0]) == ["adcode", "city_zh", "city_en", "zone", "clusters", "pillar", "emerging",
                             "designations", "cluster_ids"]
    for r in data:
        assert r["clusters"] == len(r["cluster_ids"]) == r["pillar"] + r["emerging"]
        if tier == "pillar":
            assert r["emerging"] == 0


def test_coverage_csv_joins_ids():
    out = list(csv.DictReader(io.StringIO(cli("coverage").stdout)))
    gz = next(r for r in out if r["city_zh"] == "广州")
    assert len(gz["cluster_ids"].split(";")) == int(gz["clusters"])


def test_zones_and_compare():
    z = json.loads(cli("zones", "--format", "json").stdout)
    assert [r["zone"] for r in z] == ["prd_core", "coastal_belt", "northern_eco"]
    c = json.loads(cli("compare", "广州", "深圳", "--format", "json").stdout)
    assert c["a"]["name_en"] == "Guangzhou" and "green_petrochem" in c["only_a"]
    t = cli("compare", "prd_core", "northern_eco")
    assert t.returncode == 0 and "shared" in t.stdout


@pytest.mark.parametrize(
    "args, names",
    [
        (["coverage", "--basis", "everything"], ["'everything'", "explicit", "all"]),
        (["coverage", "--tier", "gold"], ["'gold'", "pillar", "emerging"]),
        (["designations", "--format", "xml"], ["'xml'", "csv", "json"]),
        (["compare", "广州", "香港"], ["'香港'", "prd_core"]),
        (["frobnicate"], ["'frobnicate'", "coverage"]),
    ],
)
def test_bad_arguments_one_line_exit_2(args, names):
    p = cli(*args)
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    for n in names:
        assert n in lines[0]


@pytest.mark.parametrize("cmd", ["designations", "coverage", "zones", "compare"])
def test_help_on_every_command(cmd):
    p = cli(cmd, "--help")
    assert p.returncode == 0 and "usage:" in p.stdout
