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
from testing.browser import LEAFLET_MAP_JS
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


def open_map(browser, html: str, path):
    """A standalone map file in a fresh browser context, once its cities are drawn."""
    path.write_text(html, encoding="utf-8")
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    page.goto(path.as_uri())
    page.wait_for_function("window.gdApplyView && document.querySelectorAll('path.leaflet-interactive').length >= 21")
    return ctx, page


@pytest.fixture(scope="module", params=["zh", "en"])
def offline_page(request, browser, tmp_path_factory, policy, rows):
    lang = request.param
    data = MapData.build(load_cities(), load_context(), policy)
    html = build_map(policy, rows, data, ViewState(lang=lang, basis="all"), assets="inline").get_root().render()
    ctx, page = open_map(browser, html, tmp_path_factory.mktemp("offline") / f"map-{lang}.html")
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


def expected(policy, rows, lang, cov, zon, clusters, city, basis="all", tier="all"):
    scene = build_scene(policy, rows, ViewState(lang=lang, basis=basis, tier=tier, coverage=cov, zoning=zon,
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


# ------------------------------------------------------------- basis and tier in place

# What a mode changes beyond the legend and the glyphs: the tooltip of a city, the shading's
# and the one-cluster tint's fills, the layer control's labels (their counts of cities).
READ_MODE = """(city) => {
  const m = (FIND_MAP)();
  let tip = null;
  m.eachLayer(l => { if (!tip && l.feature && l.feature.properties.id === city && l.getTooltip && l.getTooltip()) {
      l.openTooltip(l.getBounds().getCenter()); tip = document.querySelector('.gd-tip').textContent; l.closeTooltip(); } });
  // what is seen: a shape drawn invisible keeps whatever colour it had
  const fills = (layer) => layer.getLayers().filter(l => l.options.opacity > 0 || l.options.fillOpacity > 0)
      .map(l => [l.feature.properties.id, l.options.fillColor || null, l.options.fillOpacity, l.options.opacity]).sort();
  const ov = window.gdOverlays;
  return {tip, coverage: fills(ov.coverage),
          tints: Object.keys(ov).filter(id => m.hasLayer(ov[id]) && id !== 'coverage' && id !== 'zoning')
                   .map(id => [id, fills(ov[id])]),
          control: m.gdLayerControl._layers.map(o => { const d = document.createElement('div'); d.innerHTML = o.name;
                                                     return d.textContent; })};
}""".replace("FIND_MAP", LEAFLET_MAP_JS.strip())

MODE_VIEWS = [  # (basis, tier, coverage, zoning, clusters): the shading, one tinted cluster, four, all
    ("all", "all", True, True, ()), ("all", "pillar", True, False, ()), ("explicit", "emerging", True, True, ()),
    ("all", "all", False, True, (LIGHT,)), ("explicit", "pillar", False, False, FOUR),
    ("all", "emerging", True, True, FOUR), ("explicit", "all", True, True, ("all",)),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_basis_and_tier_switched_in_place_show_what_a_fresh_map_shows(browser, tmp_path, policy, rows, lang):
    """The app's map holds every basis and tier: switched in the page (no new map), each view's
    legend, notes, glyphs, tooltip, fills and layer-control counts are those of a map built
    for that view and loaded afresh, and the scene's."""
    from ui.bridge import ALL_MODES

    data = MapData.build(load_cities(), load_context(), policy)
    html = build_map(policy, rows, data, ViewState(lang=lang), assets="inline", modes=ALL_MODES).get_root().render()
    ctx, page = open_map(browser, html, tmp_path / "switching.html")
    page.evaluate("window.gdMarker = 'same map'")
    try:
        for basis, tier, cov, zon, clusters in MODE_VIEWS:
            clusters = tuple(policy.clusters) if clusters == ("all",) else clusters
            state = ViewState(lang=lang, basis=basis, tier=tier, coverage=cov, zoning=zon, clusters=clusters)
            page.evaluate(state_script(state))
            assert page.evaluate("window.gdMarker") == "same map"
            switched = page.evaluate(READ), page.evaluate(READ_MODE, "440600")
            fresh_html = build_map(policy, rows, data, state, assets="inline").get_root().render()
            fctx, fresh = open_map(browser, fresh_html, tmp_path / f"fresh-{basis}-{tier}.html")
            try:
                fresh.evaluate(state_script(state))
                loaded = fresh.evaluate(READ), fresh.evaluate(READ_MODE, "440600")
            finally:
                fctx.close()
            for part in (0, 1):
                for k in switched[part]:
                    assert switched[part][k] == loaded[part][k], (k, basis, tier, cov, zon, len(clusters))
            _, sections, glyphs = expected(policy, rows, lang, cov, zon, clusters, None, basis, tier)
            assert switched[0]["sections"] == sections
            assert sorted(switched[0]["glyphs"]) == glyphs
    finally:
        ctx.close()
