"""The hostile-input benchmark's report: its section of BENCHMARKS.md is rewritten in
place, every other section kept, and a full `bench.run` report keeps it."""

from __future__ import annotations

from bench.hostile_bench import HEADING, carry_section, section, write_section

DOC = "# Benchmarks\n\n## 7. Scaling\n\nseven\n\n## How to run\n\nrun\n"


def result(upload_s: float) -> dict:
    heavy = {"what": "35,000 holes", "bytes": 7.5e6, "seconds": upload_s, "ok": True, "peak_mb": 428.0,
             "base_mb": 254.0, "job_seconds": 9.0, "outcome": "simplified: 182,859 → 147,779 vertices"}
    refused = dict(heavy, what="40,000 holes", ok=False, outcome="the map draws at most 150,000")
    poster = {"seconds": 5.0, "peak_mb": 414.0, "base_mb": 278.0, "files": 1}
    return {"slots": 2, "loadavg_start": (1.0, 1.0, 1.0), "loadavg_end": (2.0, 2.0, 2.0), "heavy": [heavy, refused],
            "star": {"bytes": 12_700, "seconds": 0.21, "outcome": "cross themselves more than 5,000 times"},
            "repair": {"structure": 2.0, "linework": None},
            "posters": {1: poster, 4: dict(poster, seconds=20.0, peak_mb=725.0, files=4)}}


def test_section_reports_the_numbers_it_was_given():
    text = section(result(13.6))
    assert text.startswith(HEADING)
    assert "| 35,000 holes | 7.5 MB | 13.6 s | 428 MB (174 MB) | accepted: simplified" in text
    assert "| 40,000 holes | 7.5 MB | 13.6 s | 428 MB (174 MB) | refused: the map draws at most 150,000 |" in text
    assert "Worst accepted: **35,000 holes**, 13.6 s and 428 MB peak" in text
    assert '"linework" (the default, used before) over 20 s (stopped)' in text
    assert "| four posters from four threads at once | 20.0 s (4.0× one) | 725 MB (447 MB) |" in text
    assert "| 5,000 unknown-city rows | — |" in text


def test_the_section_is_rewritten_in_place_and_survives_a_full_report(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(DOC)
    write_section(section(result(13.6)), path)
    first = path.read_text()
    assert first.index("## 7. Scaling") < first.index(HEADING) < first.index("## How to run")
    write_section(section(result(9.9)), path)
    second = path.read_text()
    assert second.count(HEADING) == 1 and "13.6 s" not in second and "9.9 s" in second
    assert second.replace(section(result(9.9)), "") == first.replace(section(result(13.6)), "")
    regenerated = carry_section(path, DOC.replace("seven", "seven, measured again"))
    assert "seven, measured again" in regenerated and section(result(9.9)).strip() in regenerated
