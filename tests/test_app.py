"""The Streamlit app under streamlit.testing (AppTest): default run, every control, URL state."""

import pytest
from streamlit.testing.v1 import AppTest

from testing.apptest import captions
from testing.browser import STEP_S
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def run(query: dict | None = None) -> AppTest:
    """The app after its first run: controls, map and panels all come in that run."""
    at = AppTest.from_file(APP, default_timeout=STEP_S)
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
    assert captions(at)[0].startswith("Automobiles: designated bases")
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
    at = AppTest.from_file(APP, default_timeout=STEP_S).run()
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
    at = AppTest.from_file(APP, default_timeout=STEP_S).run()
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


# ---- the comparison tab's choices in the URL: tab, a, b, sort ----

def frame(at, key):
    return next(df for df in at.dataframe if df.key == key)


def matrix_first_rows(policy, rows, sort: str) -> list[str]:
    """The first pillar cluster of the matrix, worked out from the designations: in the
    document's order, or the pillar cluster named in the most cities (ties: document order)."""
    from views import i18n

    pillar = [c for c in policy.clusters if policy.clusters[c].tier == "pillar"]
    if sort == "total":
        named = rows[rows["basis"] == "explicit"].groupby("cluster_id")["adcode"].nunique()
        pillar = sorted(pillar, key=lambda c: (-named.get(c, 0), pillar.index(c)))
    return [i18n.cluster_name(policy, pillar[0], "zh")]


def test_a_comparison_link_opens_the_tab_with_its_choices(policy, rows):
    at = run({"tab": "compare", "a": "佛山", "b": "一核", "sort": "total"})
    assert not at.warning
    assert widget(at, "cmp_a").value == "440600" and widget(at, "cmp_b").value == "prd_core"
    assert at.segmented_control(key="msort").value == "total"
    matrix = frame(at, "matrix").value
    assert list(matrix.iloc[:1, 1]) == matrix_first_rows(policy, rows, "total")
    assert any({"佛山", "珠三角核心区"} <= set(df.value.columns) for df in at.dataframe)
    assert "仅 A · 佛山" in [m.label for m in at.metric]
    # The matrix has no column groups: a line names each zone with its city columns, in their order.
    (line,) = [c for c in captions(at) if c.startswith("城市列按区域排列")]
    cities = list(matrix.columns[4:])
    assert [c for c in cities if c in line] == cities
    for z in policy.zones.values():
        members = [policy.cities[a].name_zh for a in z.members]
        assert f"{z.name_zh}（" in line and all(m in line for m in members)
    # the link is written back in its canonical form
    q = qp(at)
    assert (q["tab"], q["a"], q["b"], q["sort"]) == ("compare", "440600", "prd_core", "total")


def test_comparison_choices_reach_the_url_and_outlive_the_tab(policy, rows):
    at = run({"tab": "compare"})
    q = qp(at)
    assert q["tab"] == "compare" and not {"a", "b", "sort"} & set(q)
    assert list(frame(at, "matrix").value.iloc[:1, 1]) == matrix_first_rows(policy, rows, "policy")
    widget(at, "cmp_a").set_value("440600")
    widget(at, "cmp_b").set_value("northern_eco")
    at.segmented_control(key="msort").set_value("total")
    at.run()
    assert not at.exception, at.exception
    q = qp(at)
    assert (q["a"], q["b"], q["sort"]) == ("440600", "northern_eco", "total")
    assert list(frame(at, "matrix").value.iloc[:1, 1]) == matrix_first_rows(policy, rows, "total")
    # Another tab (AppTest cannot click a tab: its state is set as a click would): the
    # comparison widgets do not run, their choices stay in the URL and come back.
    at.session_state["panel"] = "地图"
    at.run()
    q = qp(at)
    assert "tab" not in q and (q["a"], q["b"], q["sort"]) == ("440600", "northern_eco", "total")
    assert not at.dataframe
    at.session_state["panel"] = "区域比较"
    at.run()
    assert widget(at, "cmp_a").value == "440600" and at.segmented_control(key="msort").value == "total"
    # the language changes the tab's name, not which tab is open
    widget(at, "lang").set_value("en")
    at.run()
    assert qp(at)["tab"] == "compare" and "Cluster" in frame(at, "matrix").value.columns
    # back to the default: out of the link
    widget(at, "cmp_a").set_value("440100")
    at.run()
    assert "a" not in qp(at) and qp(at)["b"] == "northern_eco"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_comparison_link_warns_as_plain_text(lang):
    at = run({"tab": "charts", "a": "Atlantis", "b": "[登录](https://evil.example/x)", "sort": "alphabetical",
              "lang": lang})
    assert len(at.warning) == 1 and "evil" not in at.warning[0].value
    details = " ".join(x.value for x in at.text)
    for key, bad in (("tab", "charts"), ("a", "Atlantis"), ("b", "evil.example"), ("sort", "alphabetical")):
        assert key in details and bad in details
    assert "compare" in details and "total" in details  # what is accepted
    assert not at.dataframe  # the map tab
    assert not {"tab", "a", "b", "sort"} & set(qp(at))


def test_export_settings_outlive_a_visit_to_another_tab():
    at = run({"tab": "export"})
    widget(at, "exp_dpi").set_value(600)
    widget(at, "exp_size").set_value("a3-landscape")
    widget(at, "poster_size").set_value("a4-landscape")
    at.run()
    widget(at, "exp_fmt").set_value("svg")
    widget(at, "poster_fmt").set_value("pdf")
    at.run()
    assert widget(at, "exp_dpi").disabled and widget(at, "exp_dpi").help  # says why it does not act
    for panel in ("地图", "导出"):  # away and back, as a click on the tabs would
        at.session_state["panel"] = panel
        at.run()
        assert not at.exception, at.exception
    got = {k: widget(at, k).value for k in ("exp_fmt", "exp_size", "exp_dpi", "poster_fmt", "poster_size")}
    assert got == {"exp_fmt": "svg", "exp_size": "a3-landscape", "exp_dpi": 600, "poster_fmt": "pdf",
                   "poster_size": "a4-landscape"}
    assert not [w.value for w in at.warning if "Session State" in w.value]


def type_into(box, text: str) -> None:
    """Type a value that is not among a selectbox's options (accept_new_options): the
    browser sends the text itself, which AppTest can only send once it is an option."""
    box.options.append(text)
    box.set_value(text)


@pytest.mark.parametrize("typed, want", [("一核", "prd_core"), ("一区", "northern_eco"), ("440600", "440600"),
                                         ("珠三角核心区", "prd_core"), ("廣州", "440100"), ("foshan", "440600")])
def test_the_compare_pickers_accept_what_the_link_accepts(typed, want):
    at = run({"tab": "compare", "a": "440300"})
    type_into(widget(at, "cmp_b"), typed)
    at.run()
    assert not at.exception, at.exception
    assert widget(at, "cmp_b").value == want and qp(at).get("b", "440300") == want
    assert not at.warning


def test_a_compare_picker_says_what_it_does_not_accept():
    at = run({"tab": "compare", "b": "prd_core"})
    type_into(widget(at, "cmp_b"), "Atlantis")
    at.run()
    assert widget(at, "cmp_b").value == "prd_core"
    assert at.warning and any("Atlantis" in x.value and "440100" in x.value for x in at.text)


@pytest.mark.parametrize("tier", ["all", "emerging"])
def test_the_matrix_ticks_are_the_clusters_on_the_map(policy, tier):
    """The rows that start ticked are the matrix's clusters shown on the map, whatever its order."""
    import json

    on = ("automotive", "new_energy", "semiconductors")
    at = run({"tab": "compare", "clusters": ",".join(on), "tier": tier, "sort": "total"})
    df = next(d for d in at.dataframe if "matrix" in d.proto.id)
    ticked = json.loads(df.proto.selection_default)["selection"]["rows"]
    names = list(frame(at, "matrix").value.iloc[:, 1])
    want = {i18n_cluster(policy, c) for c in on if tier == "all" or policy.clusters[c].tier == tier}
    assert {names[i] for i in ticked} == want and len(ticked) == len(want)


def i18n_cluster(policy, cid: str) -> str:
    from views import i18n

    return i18n.cluster_name(policy, cid, "zh")


def test_the_tier_is_live_with_clusters_on_and_says_what_it_filters():
    """With the shading off and clusters on, 类别 still acts (on the map's glyphs and the
    panels), so it is not greyed out; its help says what it filters."""
    at = run({"clusters": "automotive,new_energy", "coverage": "0"})
    tier = widget(at, "tier")
    assert not tier.disabled and tier.help
    tier.set_value("pillar")
    at.run()
    assert qp(at)["tier"] == "pillar"
    # Beside the map: the ticked emerging cluster is not drawn under this tier, and why.
    from views.i18n import t

    note = t("tier_hidden", "zh", tier=t("tier_pillar", "zh"))
    assert note in html_text(at) or any(note in c.value for c in at.caption)


def test_the_about_tab_defines_the_region_terms_in_the_language_shown(policy):
    at = run({"tab": "about"})
    table = at.dataframe[0].value
    notes = list(table["定义来源"])
    assert len(notes) == len(policy.regions)
    assert all(not n.startswith(("The ", "Interpretation", '"')) for n in notes), notes
    widget(at, "lang").set_value("en")
    at.run()
    assert list(at.dataframe[0].value["Definition"]) == [r.note for r in policy.regions.values()]
