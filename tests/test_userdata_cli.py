"""`cli.py --designations`: every command takes the user's file; problems as one line each."""

import json

import pytest

from policy.userdata import MAX_BYTES
from testing.designations import TEMPLATE, cli, row, to_csv

# ---------------------------------------------------------------- command line

@pytest.fixture()
def template_path():
    return str(TEMPLATE)


def test_cli_designations_uses_the_file(template_path):
    p = cli("designations", "--format", "json", "--designations", template_path)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert {r["cluster_id"] for r in out} == {"hydrogen_example", "storage_example"}
    assert len(out) == 5
    assert "note:" in p.stderr


def test_cli_coverage_replace_and_beside(template_path):
    rep = {r["city_zh"]: r for r in json.loads(cli("coverage", "--format", "json", "--basis", "all",
                                                   "--designations", template_path).stdout)}
    assert rep["广州"]["cluster_ids"] == ["hydrogen_example"] and rep["东莞"]["cluster_ids"] == ["hydrogen_example"]
    assert rep["韶关"]["clusters"] == 0
    builtin = {r["city_zh"]: r for r in json.loads(cli("coverage", "--format", "json").stdout)}
    beside = {r["city_zh"]: r for r in json.loads(cli("coverage", "--format", "json", "--designations",
                                                      template_path, "--designations-mode", "beside").stdout)}
    assert beside["广州"]["clusters"] == builtin["广州"]["clusters"] + 1
    assert beside["广州"]["cluster_ids"][-1] == "hydrogen_example"
    assert beside["韶关"] == builtin["韶关"]


def test_cli_compare_and_zones_use_the_file(template_path):
    c = json.loads(cli("compare", "广州", "深圳", "--format", "json", "--designations", template_path).stdout)
    assert c["only_a"] == ["hydrogen_example"] and c["only_b"] == ["storage_example"] and c["shared"] == []
    z = json.loads(cli("zones", "--format", "json", "--designations", template_path).stdout)
    assert sum(r["city_designations"] for r in z) == 3  # explicit rows only (default basis)


def test_cli_export_loads_back(tmp_path, rows):
    path = tmp_path / "export.csv"
    path.write_text(cli("designations", "--format", "csv").stdout, encoding="utf-8")
    again = cli("designations", "--format", "csv", "--designations", str(path))
    assert again.returncode == 0, again.stderr
    assert again.stdout == cli("designations", "--format", "csv").stdout


def test_cli_invalid_file_one_line_per_problem(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(to_csv([row(), row(tier="gold"), row(city_zh="广洲", role="hub")]))
    p = cli("coverage", "--designations", str(path))
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert lines == [
        f"{path}:row 3:tier: tier 'gold' is not accepted; use pillar or emerging",
        f"{path}:row 4:role: role 'hub' is not accepted; use one of core, innovation, manufacturing, "
        "cluster_area, supporting",
        f"{path}:row 4:city_zh: unknown city '广洲'; did you mean 广州 (Guangzhou, 440100)?",
    ]


@pytest.mark.parametrize("cmd", [["designations"], ["zones"], ["compare", "广州", "深圳"]])
def test_cli_invalid_file_on_every_command(tmp_path, cmd):
    path = tmp_path / "bad.yaml"
    path.write_text("- {cluster_id: x}\n", encoding="utf-8")
    p = cli(*cmd, "--designations", str(path))
    assert p.returncode == 2 and p.stdout == ""
    assert all(line.startswith(f"{path}:row 1:") for line in p.stderr.strip().splitlines())


@pytest.mark.parametrize("make", ["missing", "directory"])
def test_cli_unreadable_path_one_line(tmp_path, make):
    path = tmp_path / "nope.csv"
    if make == "directory":
        path.mkdir()
    p = cli("designations", "--designations", str(path))
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "Traceback" not in p.stderr


def test_cli_oversize_file_one_line(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a" * (MAX_BYTES + 10))
    p = cli("designations", "--designations", str(path))
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{MAX_BYTES + 10:,}" in lines[0]


def test_cli_mode_without_file_and_bad_mode(template_path):
    p = cli("coverage", "--designations-mode", "beside")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "--designations" in p.stderr
    p = cli("coverage", "--designations", template_path, "--designations-mode", "merge")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert "'merge'" in p.stderr and "replace" in p.stderr and "beside" in p.stderr


@pytest.mark.parametrize("cmd", ["designations", "coverage", "zones", "compare", "export-map", "export-all"])
def test_cli_option_on_every_command(cmd):
    p = cli(cmd, "--help")
    assert p.returncode == 0 and "--designations PATH" in p.stdout and "--designations-mode" in p.stdout


def test_cli_export_map_uses_the_file(tmp_path, capsys, template_path):
    """The cluster id exists only in the user's file, so the map proves which policy was drawn."""
    import cli as cli_module

    out = tmp_path / "h.svg"
    args = ["export-map", "--out", str(out), "--size", "screen", "--layer", "cluster", "--clusters",
            "hydrogen_example"]
    assert cli_module.main(args) == 2  # unknown without the file
    capsys.readouterr()
    assert cli_module.main(args + ["--designations", template_path]) == 0, capsys.readouterr().err
    assert "氢能（示例）" in out.read_text(encoding="utf-8")
