"""The Streamlit app under streamlit.testing (AppTest): default run, every control, URL state."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def run(query: dict | None = None) -> AppTest:
    """The app after its first two runs: the first draws the map only, the
    panels come with the rerun the map's first report triggers in a browser."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    assert not at.tabs  # first run: the map alone
    at.run()
    assert not at.exception, at.exception
    return at


def widget(at, key):
    for kind in ("radio", "multiselect", "toggle", "selectbox", "button"):
        for w in getattr(at, kind):
            if w.key == key:
                return w
    raise KeyError(key)


def qp(at) -> dict:
    return {k: at.query_params[k] for k in at.query_params}


def test_default_state():
    at = run()
    assert at.title[0].value == "广东省战略性产业集群地图"
    assert not at.warning
    q = qp(at)
    assert q["clusters"] == "none" and q["basis"] == "explicit" and q["lang"] == "zh"
    assert len(at.tabs) == 5


@pytest.mark.parametrize(
    "key, action, param, expected",
    [
        ("lang", lambda w: w.set_value("en"), "lang", "en"),
        ("basis", lambda w: w.set_value("all"), "basis", "all"),
        ("tier", lambda w: w.set_value("pillar"), "tier", "pillar"),
        ("coverage", lambda w: w.set_value(False), "coverage", "0"),
        ("zoning", lambda w: w.set_value(False), "zoning", "0"),
        ("basemap", lambda w: w.set_value("gaode"), "basemap", "gaode"),
        ("city", lambda w: w.set_value("440300"), "city", "440300"),
        ("clusters", lambda w: w.set_value(["automotive", "new_energy"]), "clusters", "automotive,new_energy"),
        ("btn_all", lambda w: w.click(), "clusters", "all"),
        ("btn_pillar", lambda w: w.click(), "clusters", "pillar"),
        ("btn_emerging", lambda w: w.click(), "clusters", "emerging"),
    ],
)
def test_each_control_change(key, action, param, expected):
    at = run()
    action(widget(at, key))
    at.run()
    assert not at.exception, at.exception
    assert qp(at)[param] == expected


def test_english_labels_follow():
    at = run({"lang": "en", "city": "440100"})
    assert at.title[0].value == "Guangdong strategic industrial clusters"
    text = " ".join(str(df.value.columns.tolist()) for df in at.dataframe)
    assert "Cluster" in text and "集群" not in text


def test_url_state_round_trip():
    q = {"clusters": "automotive,smart_robots", "basis": "all", "tier": "emerging", "coverage": "0",
         "zoning": "0", "lang": "en", "basemap": "osm", "city": "441900"}
    at = run(q)
    assert not at.warning
    assert widget(at, "clusters").value == ["automotive", "smart_robots"]
    assert widget(at, "basis").value == "all" and widget(at, "city").value == "441900"
    assert qp(at) == q


def test_malformed_query_warns_not_crashes():
    at = run({"clusters": "automotive,bogus", "basis": "<b>x</b>", "lang": "klingon", "city": "Atlantis",
              "zoning": "perhaps"})
    warnings = " ".join(w.value for w in at.warning)
    for bad in ("bogus", "<b>x</b>", "klingon", "Atlantis", "perhaps"):
        assert bad in warnings
    assert widget(at, "clusters").value == ["automotive"]
    assert qp(at)["basis"] == "explicit"


def test_city_detail_lists_designations():
    at = run({"city": "440300"})
    tables = [df.value for df in at.dataframe]
    detail = next(t for t in tables if "原文" in t.columns and (t["城市"] == "深圳").all() and len(t))
    explicit = detail[detail["依据"] == "明确点名"]
    assert len(explicit) == 17  # 深圳's explicit designations
    assert explicit["原文"].str.contains("深圳").all()
    assert (detail["依据"] == "区域性提及").any()  # listed, not counted


@pytest.fixture
def fresh_caches():
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_broken_boundary_file_stops_at_startup(tmp_path, monkeypatch, fresh_caches, damage):
    import shutil

    import geo.boundaries as gb

    broken = tmp_path / "boundaries"
    shutil.copytree(gb.BOUNDARIES_DIR, broken)
    target = broken / gb.CITIES_FILE
    if damage == "missing":
        target.unlink()
    else:
        target.write_bytes(target.read_bytes()[:5000])  # truncated mid-file
    monkeypatch.setattr(gb, "BOUNDARIES_DIR", broken)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    message = at.error[0].value
    assert gb.CITIES_FILE in message and "build_boundaries.py" in message
    assert not at.tabs  # nothing half-drawn after the message


def test_broken_policy_file_stops_at_startup(tmp_path, monkeypatch, fresh_caches):
    import shutil

    import policy.model as pm

    broken = tmp_path / "data"
    shutil.copytree(pm.DATA_DIR, broken, ignore=shutil.ignore_patterns("boundaries"))
    (broken / "clusters.yaml").write_text("clusters: [\n  - {id: x", encoding="utf-8")
    monkeypatch.setattr(pm, "DATA_DIR", broken)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "clusters.yaml" in at.error[0].value


def test_only_the_open_panel_runs():
    at = run()
    columns = [list(df.value.columns) for df in at.dataframe]
    assert any("区域" in c for c in columns)  # the comparison tab, open by default
    assert not any("原文" in c for c in columns)  # the designations table is not built
    at = run({"city": "440300"})  # a link to a city opens its detail
    columns = [list(df.value.columns) for df in at.dataframe]
    assert any("原文" in c for c in columns) and not any("区域" in c and "占比" in c for c in columns)
