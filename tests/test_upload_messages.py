"""Upload messages in Chinese and in English: the catalogue, judged files, the app and the CLI.

A message is judged once and rendered in either language on demand; a Chinese
message carries no English sentence except inside the values it quotes (user
values, column names, library details), which stay verbatim.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import pickle
import re
import string
import uuid
import zipfile

import pytest

from geo.boundaries import load_cities
from geo.userboundaries import load_user_boundaries
from ingest.messages import CATALOGUE, Msg, Seq, fields
from ingest.report import Problem, Report
from policy.tables import DESIGNATION_FIELDS
from policy.userdata import load_designations
from testing.browser import STEP_S
from testing.cli import run_cli
from tests.conftest import ROOT
from uploads.judge import judge_uploads

ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z][A-Za-z'’-]*){2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def leaves(value):
    """The plain text parameters of a message, however deeply nested."""
    if isinstance(value, Msg):
        for _, v in value.params:
            yield from leaves(v)
    elif isinstance(value, Seq):
        for item in value.items:
            yield from leaves(item)
    elif isinstance(value, str):
        yield str(value)


def ids(value):
    if isinstance(value, Msg):
        yield value.id
        for _, v in value.params:
            yield from ids(v)
    elif isinstance(value, Seq):
        for item in value.items:
            yield from ids(item)


def english_outside_values(m: Msg, lang: str = "zh") -> list[str]:
    """Runs of three or more English words in the rendered message, the quoted values taken out."""
    text = m.render(lang)
    for leaf in sorted(set(leaves(m)), key=len, reverse=True):
        if len(leaf) > 1:
            text = text.replace(leaf, " ")
    return ENGLISH_RUN.findall(text)


def assert_bilingual(messages):
    assert messages
    for m in messages:
        assert isinstance(m, Msg), (type(m), m)
        assert "text" not in set(ids(m)), m  # every sentence comes from the catalogue
        assert m.render("en") == str(m)
        zh = m.render("zh")
        assert CJK.search(zh), zh
        assert english_outside_values(m) == [], (zh, english_outside_values(m))
        assert not CJK.search(_without_examples(_strip_values(m, "en"))), m


def _without_examples(text: str) -> str:
    """English messages name a city the way a user may write it (广州, 广州市)."""
    for example in ("广州市", "广州", "深圳"):
        text = text.replace(example, " ")
    return text


def _strip_values(m: Msg, lang: str) -> str:
    text = m.render(lang)
    for leaf in sorted(set(leaves(m)), key=len, reverse=True):
        text = text.replace(leaf, " ")
    return text


# ---------------------------------------------------------------- the catalogue

@pytest.mark.parametrize("mid", sorted(CATALOGUE))
def test_every_message_has_both_languages_with_the_same_placeholders(mid):
    zh, en = CATALOGUE[mid]
    assert zh.strip() and en.strip()
    assert fields(zh) == fields(en), (fields(zh), fields(en))
    for template in (zh, en):
        for _, name, _spec, conversion in string.Formatter().parse(template):
            assert conversion is None, f"{mid}: conversions (!r) would bypass the value's own rendering"
            assert name is None or name.isidentifier(), (mid, name)
    # Every spec works: fill every placeholder with a number (the specs are numeric or plural).
    filled = {k: 1 for k in fields(en)}
    for lang in ("zh", "en"):
        assert Msg(mid, **filled).render(lang)
    bare_zh = _PLACEHOLDER.sub(" ", zh)
    assert not ENGLISH_RUN.search(bare_zh), f"{mid}: English words left in the Chinese template: {zh}"
    if zh == en:  # only names that read the same in both languages
        assert not re.search(r"\b[a-z]{2,}\b", bare_zh), mid
    else:  # worded in Chinese, or only punctuation around the values
        assert CJK.search(zh) or not re.search(r"[A-Za-z]", bare_zh), mid
    assert not CJK.search(_without_examples(_PLACEHOLDER.sub(" ", en))), \
        f"{mid}: Chinese in the English template beyond the examples"


def test_msg_is_its_english_text_and_renders_chinese_on_demand():
    one, two = Msg("des.skipped", n=1), Msg("des.skipped", n=2)
    assert one == "1 row already in the built-in data was skipped"
    assert two == "2 rows already in the built-in data were skipped"
    assert one.render("zh") == "已跳过内置数据中已有的 1 行"
    nested = Msg("file.message", path="a.csv", message=Problem(3, "tier", Msg("des.tier_bad", value="'gold'",
                                                                          tiers=Seq(("pillar", "emerging"), "or"))
                                                           ).as_msg())
    assert nested == "a.csv: row 3:tier: tier 'gold' is not accepted; use pillar or emerging"
    assert nested.render("zh") == "a.csv：第 3 行 tier：不接受 tier 'gold'；请使用 pillar 或 emerging"


def test_user_values_are_never_templates():
    m = Msg("des.city_unknown", text="'{n} {0} {__class__}'", n=21)
    assert "'{n} {0} {__class__}'" in m and "'{n} {0} {__class__}'" in m.render("zh")


def test_msg_refuses_programming_errors():
    with pytest.raises(KeyError):
        Msg("no.such.message")
    with pytest.raises(TypeError):
        Msg("des.skipped", n=object())
    with pytest.raises(ValueError):
        Msg("des.no_rows").render("fr")


def test_msg_pickles_small_with_its_parameters():
    m = Msg("file.message", path="b.geojson", message=Msg("bnd.cities_missing", n=2, total=21,
                                                           cities="广州 (440100, Guangzhou), 深圳 (440300, Shenzhen)"))
    back = pickle.loads(pickle.dumps(m))
    assert type(back) is Msg and back == m and back.id == m.id and back.render("zh") == m.render("zh")
    # The parameters travel, not a second rendered copy of every language.
    assert len(pickle.dumps(m)) < 3 * len(m.encode()) + 300


def test_a_judged_file_crosses_the_worker_boundary_small(policy):
    rows = "".join(f"c{i % 150},名{i},,gold,,无此城{i},,,core,explicit,q{i}\n" for i in range(2000))
    res = load_designations((",".join(DESIGNATION_FIELDS) + "\n" + rows).encode(), "x.csv", policy)
    assert len(res.problems) == 201
    english = sum(len(str(p).encode()) for p in res.problems)
    size = len(pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL))
    assert size < english, (size, english)  # ids and values, not a copy of every language
    back = pickle.loads(pickle.dumps(res))
    assert [p.render("zh") for p in back.problems] == [p.render("zh") for p in res.problems]


def test_report_overflow_line_in_both_languages():
    rep = Report(max_problems=3)
    for i in range(10):
        rep.add(i + 2, "tier", Msg("des.tier_bad", value=f"'t{i}'", tiers=Seq(("pillar", "emerging"), "or")))
    last = rep.problems()[-1]
    assert str(last) == "and 7 more problems (only the first 3 are listed)"
    assert last.render("zh") == "另有 7 个问题（仅列出前 3 个）"
    assert rep.problems()[0].format("x.csv", "zh") == "x.csv:第 2 行 tier：不接受 tier 't0'；请使用 pillar 或 emerging"


# ---------------------------------------------------------------- judged files

def _row(**over):
    r = dict(cluster_id="hydrogen", cluster_zh="氢能", cluster_en="Hydrogen", tier="emerging", place_zh="",
             city_zh="广州", adcode="", role_zh="", role="core", basis="explicit", quote="打造氢能产业集群")
    r.update(over)
    return r


def hostile_designations(tag: str = "") -> bytes:
    """A CSV with a different mistake in nearly every row, an unnamed column and an unknown one."""
    rows = [_row(quote="q" + tag), _row(cluster_zh="氢能源"), _row(city_zh="Atlantis"), _row(city_zh="珠三角"),
            _row(adcode="44x"), _row(adcode="449900"), _row(adcode="440300"),
            _row(tier="gold", role="boss", basis="maybe"), _row(cluster_id="ALL"), _row(cluster_id="all"),
            _row(quote=""), _row(city_zh="广\u202e州"), _row(quote="q" + tag), _row(city_zh="", adcode=""),
            _row(quote="x" * 3000), _row(cluster_en="H2"), _row(city_zh="\x07")]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(DESIGNATION_FIELDS) + ["备注", ""])
    for r in rows:
        w.writerow([r[f] for f in DESIGNATION_FIELDS] + ["n", "stray"])
    return buf.getvalue().encode()


@pytest.fixture(scope="module")
def doc():
    return json.loads(load_cities().reset_index(drop=True).to_json())


def bad_boundaries(doc) -> bytes:
    """Guangzhou twice, Shenzhen and Zhuhai missing, a spoofed name, a projected CRS claim, a point."""
    d = copy.deepcopy(doc)
    feats = [f for f in d["features"] if f["properties"]["adcode"] not in ("440300", "440400")]
    gz = next(f for f in feats if f["properties"]["adcode"] == "440100")
    twin = copy.deepcopy(gz)
    twin["properties"]["name_zh"] = "广\u202e州"
    d["features"] = feats + [twin]
    return json.dumps(d).encode()


def test_a_hostile_designations_file_and_a_bad_boundary_file_judged_once(policy, doc):
    j = judge_uploads(hostile_designations(), "bad.csv", "replace", bad_boundaries(doc), "bad.geojson", policy,
                      seconds=STEP_S)  # the budget is not what this test is about; a busy machine needs time
    assert not j.ok and j.policy is None and j.cities is None
    msgs = [m for _, m in j.messages]
    assert len(msgs) >= 20
    assert_bilingual(msgs)
    zh = "\n".join(m.render("zh") for m in msgs)
    en = "\n".join(m.render("en") for m in msgs)
    # the file-name prefix, the location and the values, in both languages
    assert "bad.csv：第 4 行 city_zh：未知城市 'Atlantis'" in zh
    assert "bad.csv: row 4:city_zh: unknown city 'Atlantis'" in en
    assert "bad.csv：第 2 行 M 列：没有表头的列中有值：'stray'" in zh
    assert "bad.csv: row 2:column M: a value in a column that has no header: 'stray'" in en
    assert "第 13 行 city_zh：含有双向控制字符 U+202E" in zh and "row 13:city_zh: contains the bidirectional" in en
    assert "bad.geojson：要素 #19 (adcode=440100, name_zh=广 州)：列 'name_zh' 的值含有双向控制字符 U+202E" in zh
    assert ("bad.geojson: feature #19 (adcode=440100, name_zh=广 州): the value in column 'name_zh' contains the "
            "bidirectional control character U+202E") in en
    assert "bad.geojson：文件中缺少 21 个城市中的 2 个" in zh
    assert "bad.geojson: 2 of the 21 cities are missing from the file" in en
    assert {level for level, _ in j.messages} == {"error", "info"}


def _boundary_cases(doc):
    d = copy.deepcopy(doc)
    points = copy.deepcopy(doc)
    points["features"][0]["geometry"] = {"type": "Point", "coordinates": [113.3, 23.1]}
    swapped = copy.deepcopy(doc)
    for f in swapped["features"]:
        f["geometry"]["coordinates"] = [[[[y, x] for x, y in ring] for ring in poly]
                                        for poly in f["geometry"]["coordinates"]]
    projected = copy.deepcopy(doc)
    for f in projected["features"]:
        f["geometry"]["coordinates"] = [[[[x * 1e4, y * 1e4] for x, y in ring] for ring in poly]
                                        for poly in f["geometry"]["coordinates"]]
    link = dict(copy.deepcopy(doc), crs={"type": "link", "properties": {"href": "http://example.invalid/crs"}})
    nan = copy.deepcopy(doc)
    nan["features"][2]["geometry"]["coordinates"][0][0][1] = [float("nan"), 23.0]
    nokey = copy.deepcopy(doc)
    for f in nokey["features"]:
        f["properties"] = {"colour": "blue"}
    zip_no_shp = io.BytesIO()
    with zipfile.ZipFile(zip_no_shp, "w") as zf:
        zf.writestr("readme.txt", "no shapefile here")
    return {
        "points.geojson": json.dumps(points).encode(),
        "swapped.geojson": json.dumps(swapped).encode(),
        "projected.geojson": json.dumps(projected).encode(),
        "link.geojson": json.dumps(link).encode(),
        "nan.geojson": json.dumps(nan, allow_nan=True).encode(),
        "nokey.geojson": json.dumps(nokey).encode(),
        "broken.geojson": b'{"type": "FeatureCollection", "features": [',
        "plain.json": b'{"hello": 1}',
        "empty.geojson": b"",
        "cities.shp": b"x",
        "cities.kml": b"x",
        "noshp.zip": zip_no_shp.getvalue(),
        "bad.gpkg": b"not sqlite",
        "fake.gpkg": b"SQLite format 3\x00" + b"\x00" * 200,
        "ok.geojson": json.dumps(d).encode(),
    }


def test_boundary_problems_and_notes_in_both_languages(policy, doc):
    seen = set()
    for name, data in _boundary_cases(doc).items():
        res = load_user_boundaries(data, name, policy)
        assert res.ok == (name == "ok.geojson"), (name, res.problems)
        assert_bilingual(res.problems + res.notes)
        seen.update(m.id for m in res.problems + res.notes)
    assert len(seen) >= 14, seen


def test_designation_problems_in_every_format_in_both_languages(policy):
    cases = {
        "a.yaml": b"- {cluster_id: x, tier: [1]}\n- 3\n",
        "b.yaml": b"clusters: {a: 1}\n",
        "c.yaml": b"clusters:\n- id: h\n  tier: pillar\n  name_zh: \xe6\xb0\xa2\n  designations:\n"
                  b"  - {basis: region, region: nowhere, role: core, quote: q}\n  - {basis: explicit, role: core}\n",
        "d.yaml": b"key: [unclosed\n",
        "e.xlsx": b"PK\x03\x04 not really a workbook",
        "f.csv": b"\xff\xfe\x00\xd8",
        "g.csv": b"\x81\x30\x81",
        "h.xls": b"x",
        "i.txt": b"x",
        "j": b"x",
        "k.csv": b"a,b\n1,2\n",
        "l.csv": b"  \n",
    }
    seen = set()
    for name, data in cases.items():
        res = load_designations(data, name, policy)
        assert res.policy is None, name
        msgs = [p.as_msg() for p in res.problems] + list(res.notes)
        assert_bilingual(msgs)
        seen.update(i for m in msgs for i in ids(m))
    assert len(seen) >= 20, seen


# ---------------------------------------------------------------- the app

def test_app_switches_the_language_of_upload_messages_without_judging_again(monkeypatch):
    from streamlit.testing.v1 import AppTest

    import uploads.judge

    calls = []
    real = uploads.judge.judge_uploads

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(uploads.judge, "judge_uploads", counted)
    name = f"bad-{uuid.uuid4().hex[:8]}.csv"  # content never judged before in this process
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=STEP_S)
    at.run()
    at.file_uploader(key="up_des").set_value((name, hostile_designations(name), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    zh = at.code[0].value
    assert f"{name}：第 4 行 city_zh：未知城市 'Atlantis'" in zh and "unknown city" not in zh
    assert calls == [name]
    at.radio(key="lang").set_value("en")
    at.run()
    assert not at.exception, at.exception
    en = at.code[0].value
    assert f"{name}: row 4:city_zh: unknown city 'Atlantis'" in en and "未知城市" not in en
    assert len(en.splitlines()) == len(zh.splitlines())
    assert calls == [name]  # the cached judgement, rendered again
    assert "read as UTF-8" in " ".join(t.value for t in at.text)
    at.radio(key="lang").set_value("zh")
    at.run()
    assert at.code[0].value == zh and calls == [name]


# ---------------------------------------------------------------- the command line

def _cli(*args):
    return run_cli(*args)  # in this process (testing/cli.py says why)


def test_cli_problems_in_english_by_default_and_in_chinese_with_lang_zh(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(hostile_designations())
    out = tmp_path / "m.png"
    en = _cli("export-map", "--out", str(out), "--designations", str(path))  # maps default to zh, messages do not
    zh = _cli("export-map", "--out", str(out), "--lang", "zh", "--designations", str(path))
    for p in (en, zh):
        assert p.returncode == 2 and p.stdout == "" and "Traceback" not in p.stderr
    en_lines, zh_lines = en.stderr.splitlines(), zh.stderr.splitlines()
    assert len(en_lines) == len(zh_lines) >= 20
    assert all(line.startswith(f"{path}:") for line in en_lines + zh_lines)  # one line per problem
    assert f"{path}:row 4:city_zh: unknown city 'Atlantis'; expected one of the 21 cities of Guangdong, written " \
           "like 广州, 广州市, Guangzhou or 440100" in en_lines
    assert f"{path}:第 4 行 city_zh：未知城市 'Atlantis'；应为广东省 21 个城市之一，可写作 广州、广州市、Guangzhou 或 " \
           "440100" in zh_lines
    assert not any(ENGLISH_RUN.search(line.replace(str(path), "")) for line in zh_lines
                   if "'" not in line and "(" not in line)
    assert not out.exists()


def test_cli_notes_follow_an_explicit_lang(tmp_path):
    template = str(ROOT / "data" / "templates" / "designations-template.csv")
    zh = _cli("matrix", "--lang", "zh", "--designations", template)
    en = _cli("matrix", "--designations", template)
    assert zh.returncode == en.returncode == 0 and zh.stdout == en.stdout
    assert f"{template}: 说明：已读取 2 个集群的 5 行（替换内置）；数据现有 2 个集群、3 条点名" in zh.stderr.splitlines()
    assert f"{template}: note: 5 rows for 2 clusters read (replace); the data now has 2 clusters and 3 designations" \
           in en.stderr.splitlines()
