"""The browser only looks the scene up: for every combination of overlays the layer
control can produce, the legend, its notes and the glyphs drawn in Chromium are the
ones `views.scene` decides for that view; and the static export draws the same glyphs.

The map is the standalone (offline) HTML file, so no server is needed: the script
and data are the same the app serves."""

import pytest

from export.data import StaticData
from export.render import build_figure
from geo.boundaries import load_cities, load_context
from layers.map import MapData, build_map, state_script
from views.scene import MODES, build_scene, mode_key
from views.state import ViewState

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

LIGHT, DARK, EMPTY = "automotive", "new_energy", "electronic_info"  # #A1CAF1, #882D17, names no city
FOUR = ("automotive", "biomed_health", "smart_robots", "new_energy")


def combinations(policy):
    """Every mode of MODES, with one, a light and a dark, an empty, four and all clusters."""
    out = []
    for cov in (False, True):
        for zon in (False, True):
            for clusters in ((), (LIGHT,), (DARK,), (EMPTY,), FOUR, tuple(policy.clusters)):
                out.append((cov, zon, clusters, None))
    out.append((True, True, FOUR, "440600"))  # a city in focus: its outline is in the legend
    return out


@pytest.fixture(scope="module", params=["zh", "en"])
def offline_page(request, browser, tmp_path_factory, policy, rows):
    lang = request.param
    data = MapData.build(load_cities(), load_context(), policy)
    html = build_map(policy, rows, data, ViewState(lang=lang, basis="all"), assets="inline").get_root().render()
    path = tmp_path_factory.mktemp("offline") / f"map-{lang}.html"
    path.write_text(html, encoding="utf-8")
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    page.goto(path.as_uri())
    page.wait_for_function("window.gdApplyView && document.querySelectorAll('path.leaflet-interactive').length >= 21")
    yield lang, page
    ctx.close()


READ = """() => ({
  sections: [...document.querySelectorAll('.gd-legend-section')].map(s => ({
      id: s.dataset.section,
      entries: [...s.querySelectorAll('.gd-entry span')].map(e => e.textContent),
      notes: [...s.querySelectorAll('.gd-note')].map(e => e.textContent)})),
  glyphs: [...document.querySelectorAll('.gd-glyphs[data-city] svg[data-glyph]')].map(
      g => g.closest('.gd-glyphs').dataset.city + ':' + g.dataset.glyph),
  holds: Object.keys(window.gdHolds()).sort(),
})"""


def expected(policy, rows, lang, cov, zon, clusters, city):
    scene = build_scene(policy, rows, ViewState(lang=lang, basis="all", coverage=cov, zoning=zon,
                                                clusters=clusters, city=city))
    sections = [{"id": s.id, "entries": [e.label for e in s.entries], "notes": [s.note] if s.note else []}
                for s in scene.legend]
    notes = [n.interactive_text for n in scene.notes]
    if notes:
        sections.append({"id": "notes", "entries": [], "notes": notes})
    glyphs = sorted(f"{g.adcode}:{g.key}:{g.look.marker}:{int(g.look.hollow)}" for g in scene.visible_glyphs())
    return scene, sections, glyphs


def test_every_overlay_combination_shows_what_the_scene_decides(offline_page, policy, rows):
    lang, page = offline_page
    seen_modes = set()
    for cov, zon, clusters, city in combinations(policy):
        ids = [*(["coverage"] if cov else []), *(["zoning"] if zon else []), *clusters]
        page.evaluate(state_script(ViewState(coverage=cov, zoning=zon, clusters=clusters, city=city)))
        got = page.evaluate(READ)
        scene, sections, glyphs = expected(policy, rows, lang, cov, zon, clusters, city)
        key = mode_key(cov, zon, len(clusters))
        seen_modes.add(key)
        assert got["holds"] == sorted(MODES[key]), ids
        assert got["sections"] == sections, ids
        assert sorted(got["glyphs"]) == glyphs, ids
    assert seen_modes == set(MODES)  # every mode the layer control can produce was driven


@pytest.mark.parametrize("clusters", [FOUR, (LIGHT,), ("semiconductors", "new_energy", "biomed_health")])
def test_static_export_and_leaflet_draw_the_same_glyphs(offline_page, policy, rows, clusters):
    lang, page = offline_page
    state = ViewState(lang=lang, basis="all", coverage=False, zoning=True, clusters=clusters)
    page.evaluate(state_script(state))
    leaflet = sorted(page.evaluate(READ)["glyphs"])
    _, info = build_figure(policy, state, dpi=30, data=StaticData.load())
    scene = build_scene(policy, rows, state)
    look = {(g.cluster_id, g.adcode, g.role): g for g in scene.glyphs}
    printed = sorted(f"{a}:{look[(c, a, r)].key}:{look[(c, a, r)].look.marker}:{int(b == 'region')}"
                     for c, a, r, b in info.glyphs)
    assert printed == leaflet and leaflet
