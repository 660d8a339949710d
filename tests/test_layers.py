"""Layer tests on the rendered map HTML."""

import json
import re

import pytest

from layers.assets import OWN_DIR, OWN_JS, OWN_SUBDIR, SERVED_PREFIX, install_static
from layers.map import MapData, build_map
from policy.coverage import city_coverage, class_breaks
from views import i18n
from views.state import ViewState
from views.style import coverage_classes


@pytest.fixture(scope="module")
def map_data():
    from geo.boundaries import load_cities, load_context

    return MapData.build(load_cities(), load_context())


def render(policy, rows, map_data, assets="inline", modes=None, **state):
    m = build_map(policy, rows, map_data, ViewState(**state), assets=assets, modes=modes)
    return m, m.get_root().render()


def overlays(m):
    import folium

    ctl = next(c for c in m._children.values() if isinstance(c, folium.LayerControl))
    ctl.render()
    return ctl.overlays


def test_twenty_cluster_layers_zoning_choropleth(policy, rows, map_data):
    m, html = render(policy, rows, map_data)
    names = list(overlays(m))
    cluster_names = [n for n in names if "gd-chip" in n]
    assert len(cluster_names) == 20
    assert any("一核一带一区" in n for n in names)
    assert any(i18n.t("coverage_layer", "zh") in n for n in names)  # the one verb: 布局
    assert not any("城市数" in n for n in names)
    # pillar/emerging group headings ride on the first layer of each tier
    assert sum("gd-group" in n for n in names) == 2
    # an empty cluster says why, never an unexplained dash
    assert not any("(—)" in n for n in names)
    agri = next(n for n in cluster_names if "现代农业与食品" in n)
    assert "未点名城市" in agri


def test_shown_layers_follow_the_state(policy, rows, map_data):
    m, html = render(policy, rows, map_data, clusters=("automotive",), zoning=False)
    added = set(re.findall(r"(\w+)\.addTo\(map_\w+\)", html))
    import folium

    layers = {c.layer_name: c.get_name() for c in m._children.values() if isinstance(c, folium.map.Layer)}
    auto = next(v for k, v in layers.items() if "汽车" in k)
    robots = next(v for k, v in layers.items() if "机器人" in k)
    zoning = next(v for k, v in layers.items() if "一核一带一区" in k)
    assert auto in added and robots not in added and zoning not in added


def call_args(html: str, fn: str, n: int = 1) -> list:
    """The first n arguments after the map of the page's call to gd.<fn>(<map>, ...), as JSON."""
    i = re.search(rf"gd\.{fn}\(\w+, ", html).end()
    dec, out = json.JSONDecoder(), []
    for _ in range(n):
        value, i = dec.raw_decode(html, i)
        out.append(value)
        i += 2
    return out


def scene_json(html: str) -> dict:
    return call_args(html, "scene")[0]


def test_map_carries_the_scene(policy, rows, map_data):
    """The page gets the scene's glyphs, legend and notes for every cluster; nothing decided anew.
    The app's map carries every basis and tier: each mode's tables are its own scene's."""
    from html import unescape

    from layers.modes import unpack, variant_key
    from ui.bridge import ALL_MODES
    from views.scene import build_scene

    for lang in ("zh", "en"):
        for modes, initial in ((None, ViewState(basis="all", lang=lang)), (ALL_MODES, ViewState(lang=lang))):
            _, html = render(policy, rows, map_data, modes=modes, **vars(initial))
            packed = scene_json(html)
            assert packed["variant"] == variant_key(initial.basis, initial.tier)
            assert len(packed["variants"]) == len(modes or [initial])
            for basis, tier in modes or [(initial.basis, initial.tier)]:
                state = initial.with_(basis=basis, tier=tier)
                sc = build_scene(policy, rows, state)
                data = unpack(packed, variant_key(basis, tier))
                assert [(g[0], g[1]) for g in data["glyphs"]] == [(g.cluster_id, g.adcode) for g in sc.glyphs]
                legend_labels = re.findall(r"<span>([^<]*)</span></div>",
                                           "".join(e[1] for s in data["legend"] for e in s["entries"]))
                assert [unescape(x) for x in legend_labels] == [e.label for s in sc.catalogue for e in s.entries]
                assert [unescape(re.sub("<[^>]+>", "", n[2])) for n in data["notes"]] == [
                    n.interactive_text for n in sc.all_notes]
                # every (cluster, city) pair of the data has a tooltip line at that city
                pairs = {(it[0], a) for a, items in data["items"].items() for it in items}
                assert pairs == {(g.cluster_id, g.adcode) for g in sc.glyphs}
                assert data["shown"] == [c.id for c in sc.clusters if sc.in_tier(c.id)]
                # the shading's classes and the layer control's counts follow the mode
                colors = list(sc.classes.colors)
                assert {a: colors.index(c) for a, c in sc.coverage_colors.items()} == data["coverage"]
                assert len(data["coverageStyles"]) == len(colors)
                assert all(unescape(c.label[len(str(c.key)) + 1:]) in unescape(data["names"][c.id])
                           for c in sc.clusters)
                for c in sc.clusters:  # tint class per city: 0 named, 1 region only, 2 not drawn
                    want = {a: 0 for a in c.drawn_cities if a in c.explicit_cities}
                    want.update({a: 1 for a in c.drawn_cities if a not in c.explicit_cities})
                    assert {a: s for a, s in data["tints"][c.id].items() if s != 2} == want


def test_offline_html_has_title_heading_and_source(policy, rows, map_data):
    from views.scene import build_scene

    state = ViewState(clusters=("automotive", "new_energy"), lang="en")
    _, html = render(policy, rows, map_data, **vars(state))
    sc = build_scene(policy, rows, state)
    assert f"<title>{sc.title}</title>" in html
    from tests.test_untrusted_text import decoded_strings

    assert "gd-heading" in html and any(sc.source in t for t in decoded_strings(html))
    assert "imperial: false" in html  # metric scale only


@pytest.mark.parametrize("lang, city, other", [("zh", "广州", "Guangzhou"), ("en", "Guangzhou", "广州")])
def test_labels_follow_language(policy, rows, map_data, lang, city, other):
    _, html = render(policy, rows, map_data, lang=lang)
    names = [it[2] for it in call_args(html, "labelLayer")[0]]
    assert city in names and other not in names and len(names) == 21


def test_choropleth_uses_shared_classes(policy, rows, map_data):
    for basis in ("explicit", "all"):
        m, html = render(policy, rows, map_data, basis=basis)
        counts = city_coverage(policy, rows, basis)["clusters"]
        classes = coverage_classes(class_breaks(counts))
        for color in classes.colors:
            assert color in html
        for label in classes.labels():
            assert label in html


def test_geometry_written_once(policy, rows, map_data):
    _, html = render(policy, rows, map_data, clusters=tuple(policy.clusters))
    # the first ring of a city, as encoded, occurs once however many layers draw the city
    first = json.dumps(map_data.wgs84.cities["440100"][0][0][:12], separators=(",", ":"))
    assert html.count(first[1:-1]) == 1
    assert html.count("gd.decode = function") == 1


def test_encoded_geometry_round_trips(map_data):
    import shapely
    from shapely.geometry import shape

    from geo.boundaries import load_cities
    from geo.derive import decode_geometry

    cities = load_cities().set_index("adcode")
    for adcode, enc in map_data.wgs84.cities.items():
        g = shape(decode_geometry(enc))
        assert g.is_valid
        # 4 decimal digits: within ~11 m of the committed boundary
        assert shapely.hausdorff_distance(g, cities.loc[adcode, "geometry"]) < 1e-4


def test_clauses_sent_once(policy, rows, map_data):
    _, html = render(policy, rows, map_data, clusters=("automotive",))
    assert "打造以广州、深圳、佛山为核心的创新网络和生产性服务业网络" in html
    # one copy per designation, not one per city
    assert html.count("优化以广州、深圳、珠海、佛山、肇庆为重点的汽车产业区域布局") == 1


def test_no_remote_assets_without_basemap(policy, rows, map_data):
    for assets in ("inline", "served"):
        _, html = render(policy, rows, map_data, assets=assets)
        for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", html):
            assert not re.search(r"(src|href)=[\"']?(https?:)?//", tag), tag
        # no CDN host anywhere, not even in a string a script could fetch later
        assert not re.search(r"https?://[^\s\"')]*(cdn|unpkg|jsdelivr|googleapis|bootstrapcdn)", html, re.I)
    _, html = render(policy, rows, map_data, assets="served")
    assert f'src="{SERVED_PREFIX}/leaflet.js"' in html


def test_gaode_shifts_vectors(policy, rows, map_data):
    a = map_data.wgs84.cities["440300"][0][0][:2]
    b = map_data.gcj02.cities["440300"][0][0][:2]
    # GCJ-02 offsets in Shenzhen are a few hundred metres: ~0.005 deg = ~50 units of 1e-4
    assert 10 < abs(a[0] - b[0]) + abs(a[1] - b[1]) < 200
    _, html = render(policy, rows, map_data, basemap="gaode")
    assert "autonavi" in html


def test_text_is_escaped(policy, rows, map_data):
    hostile = rows.copy()
    hostile.loc[hostile.index[0], "quote"] = '<img src=x onerror="alert(1)">'
    hostile.loc[hostile.index[0], "place_zh"] = "<script>alert(2)</script>"
    m = build_map(policy, hostile, map_data, ViewState(clusters=(hostile.iloc[0]["cluster_id"],), basis="all"))
    html = m.get_root().render()
    assert "<img src=x" not in html and "<script>alert" not in html
    # present, but only as escaped text that reads back as written
    from tests.test_untrusted_text import decoded_strings

    texts = "\n".join(decoded_strings(html))
    assert '<img src=x onerror="alert(1)">' in texts and "<script>alert(2)</script>" in texts


def test_install_static(tmp_path):
    dest = install_static(tmp_path)
    assert (dest / "leaflet.js").stat().st_size > 100_000
    for name in OWN_JS:
        assert (tmp_path / OWN_SUBDIR / name).read_bytes() == (OWN_DIR / name).read_bytes()
    assert (dest / "leaflet.css").exists() and (dest / "images" / "layers.png").exists()
    install_static(tmp_path)  # idempotent


def test_overlay_switching_without_rebuild(policy, rows, map_data):
    from layers.map import base_state, state_script

    s = ViewState(clusters=("automotive", "new_energy"), coverage=False, zoning=True, lang="en", basis="all")
    assert state_script(s) == ('window.gdApplyView && window.gdApplyView(["zoning","automotive","new_energy"], null, '
                               '"all/all");')
    assert state_script(s.with_(city="440300", tier="pillar")).endswith(
        '["zoning","automotive","new_energy"], "440300", "all/pillar");')
    b = base_state(s)
    assert (b.lang, b.basemap) == ("en", "none")
    # the base map depends neither on which overlays are on, nor on the basis or the tier
    assert base_state(s.with_(clusters=(), coverage=True, basis="explicit", tier="emerging")) == b
    _, html = render(policy, rows, map_data, **vars(b))
    overlay_block = re.search(r"gd\.scene\(\w+, \{.*?\}, \{(.*?)\}, \w+, \w+\);", html, re.S).group(1)
    ids = re.findall(r'"([a-z_]+)":', overlay_block)
    assert ids == ["coverage", "zoning", *policy.clusters]
    assert "tag_filter_button_gd_view" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_phone_badges_are_the_scenes_looks_and_words(policy, rows, lang):
    """A phone's badge for n clusters is filled as the clusters-per-city shading fills n, its
    number in the colour that reads on that fill, its label and the legend bar's hint in the
    map's language: all from views/, the script only picks badges[n]."""
    from layers.scene_layer import crowding_data
    from views import style
    from views.scene import build_scene

    scene = build_scene(policy, rows, ViewState(lang=lang, clusters=tuple(policy.clusters)))
    data = crowding_data(scene, {})  # no label points: the badges do not depend on them
    assert len(data["badges"]) == len(policy.clusters) + 1
    for n in (1, 5, 15):
        fill = scene.classes.color(n)
        rgb = ", ".join(str(int(fill[i:i + 2], 16)) for i in (1, 3, 5))
        html = data["badges"][n]
        assert f"rgba({rgb}, 1)" in html and f"color: {style.text_color_on(fill)}" in html
        assert html.endswith(f">{n}</span>")
        assert data["badgeLabel"][n] == i18n.t("badge_label", lang, n=n)
    # More clusters, a darker class: the badges follow the shading's order.
    assert scene.classes.index(15) > scene.classes.index(1)
    assert data["badgeHint"] == i18n.t("badge_hint", lang) and data["compactPx"] > 390
