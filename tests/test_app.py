"""The Streamlit app under streamlit.testing (AppTest): default run, every control, URL state."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def run(query: dict | None = None) -> AppTest:
    """The app after its first run: controls, map and panels all come in that run."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def widget(at, key):
    for kind in ("radio", "checkbox", "toggle", "selectbox", "button"):
        for w in getattr(at, kind):
            if w.key == key:
                return w
    raise KeyError(key)


def checked(at) -> list[str]:
    return [w.key[3:] for w in at.checkbox if w.key.startswith("cl_") and w.value]


def qp(at) -> dict:
    return {k: at.query_params[k] for k in at.query_params}


def html_text(at) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


def test_default_state_first_run_has_everything():
    at = run()
    assert at.title[0].value == "广东省战略性产业集群地图"
    assert not at.warning
    q = qp(at)
    assert q["clusters"] == "none" and q["basis"] == "explicit" and q["lang"] == "zh"
    assert len(at.tabs) == 5
    # all 20 clusters as a checklist in the very first run, grouped pillar / emerging
    boxes = [w for w in at.checkbox if w.key.startswith("cl_")]
    assert len(boxes) == 20
    assert "战略性支柱产业集群" in html_text(at) and "战略性新兴产业集群" in html_text(at)


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
        ("cl_automotive", lambda w: w.check(), "clusters", "automotive"),
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
    at = run({"lang": "en", "city": "440100", "clusters": "automotive"})
    assert at.title[0].value == "Guangdong strategic industrial clusters"
    assert at.caption[0].value.startswith("Automobiles: designated bases")
    assert "Guangzhou" in " ".join(m.value for m in at.markdown)
    assert "Automobiles" in html_text(at)
    # English UI: no Chinese-first labels (the clause and the place as written stay Chinese)
    assert "广州市" not in " ".join(m.value for m in at.markdown)
    labels = [w.label for w in at.checkbox] + [w.label for w in at.radio] + [w.label for w in at.toggle]
    assert not any("\u4e00" <= label[0] <= "\u9fff" for label in labels if label != "语言 / Language")


def test_url_state_round_trip():
    q = {"clusters": "automotive,smart_robots", "basis": "all", "tier": "emerging", "coverage": "0",
         "zoning": "0", "lang": "en", "basemap": "osm", "city": "441900"}
    at = run(q)
    assert not at.warning
    assert checked(at) == ["automotive", "smart_robots"]
    assert widget(at, "basis").value == "all" and widget(at, "city").value == "441900"
    assert qp(at) == q


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_malformed_query_warns_as_plain_text(lang):
    at = run({"clusters": "automotive,bogus", "basis": "<b>x</b>", "lang": lang, "city": "Atlantis",
              "zoning": "perhaps", "basemap": "[登录](https://evil.example/login)"})
    assert len(at.warning) == 1
    details = " ".join(x.value for x in at.text)
    for bad in ("bogus", "<b>x</b>", "Atlantis", "perhaps", "evil.example"):
        assert bad in details
    # the warning box itself (Markdown) carries no user text
    assert "evil" not in at.warning[0].value and "bogus" not in at.warning[0].value
    if lang == "zh":
        assert "链接" in at.warning[0].value
    assert checked(at) == ["automotive"]
    assert qp(at)["basis"] == "explicit"


def test_city_detail_beside_the_map():
    at = run({"city": "440300"})
    detail = html_text(at)
    from policy import load_policy
    from policy.coverage import designation_rows

    policy = load_policy()
    rows = designation_rows(policy)
    mine = rows[(rows["adcode"] == "440300") & (rows["basis"] == "explicit")]
    for q in set(mine["quote"]):
        assert q.replace("<", "&lt;") in detail
    from views import i18n

    for cid in set(mine["cluster_id"]):
        assert i18n.cluster_name(policy, cid, "zh") in detail


def test_empty_cluster_note_and_one_click_fix():
    at = run({"clusters": "electronic_info"})
    notes = " ".join(x.value for x in at.text)
    assert "文件未明确点名城市" in notes and "珠江东岸" in notes
    widget(at, next(b.key for b in at.button if b.key.startswith("fix_"))).click()
    at.run()
    assert qp(at)["basis"] == "all"
    assert not any("文件未明确点名城市" in x.value for x in at.text)


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
    assert not columns  # the map tab is open: no table is built


def test_untested_streamlit_folium_gets_a_clear_message(monkeypatch):
    """The app drives private functions of streamlit-folium: another version is named, not silently broken."""
    import ui.bridge as bridge

    monkeypatch.setattr(bridge, "version", lambda name: "9.9.9")
    at = run()
    message = " ".join(e.value for e in at.error)
    assert "streamlit-folium" in message and "9.9.9" in message and bridge.TESTED_VERSION in message
    assert len([w for w in at.checkbox if w.key.startswith("cl_")]) == 20  # the rest of the page still works


def test_a_map_over_the_size_cap_is_refused_with_a_message(monkeypatch):
    import ui.bridge as bridge

    monkeypatch.setattr(bridge, "MAX_SCRIPT_BYTES", 1000)
    bridge.map_payload.clear()
    try:
        at = run({"lang": "en"})
        assert any("over the" in e.value and "MB limit" in e.value for e in at.error), [e.value for e in at.error]
    finally:
        bridge.map_payload.clear()
