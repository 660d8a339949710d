"""The real app in headless Chromium: the map renders, stays offline, layers toggle in
the browser, the URL sets the view, a click on a city selects it.

One Streamlit server and one browser (conftest: app_server, browser) for every browser test
on the worker; a fresh browser context (a new Streamlit session) per test. Screenshots go to a pytest tmp dir (printed with -s)."""

from __future__ import annotations

import re

import pytest

from testing.browser import (
    MAP_FRAME,
    MAP_IFRAME_SELECTOR,
    VIEWPORT,
    NetworkLog,
    count_painted,
    expect_rerun,
    map_bounds,
    map_frame,
    new_page,
    poll,
    wait_for_app_idle,
    wait_for_map,
    wait_for_url,
)

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

LEAFLET_PATH = "/app/static/vendor/leaflet/"


# ---- fixtures ----

@pytest.fixture
def server(app_server):
    return app_server


def shot(page, shots, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"))


# ---- data the assertions derive from ----

def scene(policy, rows, **state):
    from views.scene import build_scene
    from views.state import ViewState

    return build_scene(policy, rows, ViewState(**state))


def cluster_glyphs(policy, rows, cid: str, basis: str = "explicit") -> int:
    """Glyphs the cluster puts on the map: one per (city, role) of the scene."""
    return sum(1 for g in scene(policy, rows, basis=basis).glyphs if g.cluster_id == cid)


def expand_layer_control(frame) -> None:
    """Open Leaflet's layer control if it is collapsed (it opens on hover)."""
    ctl = frame.locator(".leaflet-control-layers")
    if "leaflet-control-layers-expanded" not in (ctl.get_attribute("class") or ""):
        ctl.hover()
        frame.wait_for_selector(".leaflet-control-layers-expanded")


def cluster_checkbox(frame, policy, cid: str, lang: str):
    """The layer-control row of a cluster: its key number chip, then its name."""
    from views import i18n

    key = list(policy.clusters).index(cid) + 1
    name = i18n.cluster_name(policy, cid, lang)
    row = frame.locator(".leaflet-control-layers-overlays label").filter(
        has_text=re.compile(r"^\s*" + str(key) + re.escape(name) + r"[（ (]"))
    assert row.count() == 1, f"layer control has {row.count()} rows for {key} {name!r}"
    return row.locator("input[type=checkbox]")


def labels(frame) -> list[str]:
    return [s.strip() for s in frame.locator(".gd-label").all_inner_texts()]


GLYPHS_JS = "() => document.querySelectorAll('.gd-glyphs .gd-glyph').length"
LABELS_HIDDEN_JS = """() => {
  const box = document.querySelector('.leaflet-container').getBoundingClientRect();
  const out = [];
  for (const el of document.querySelectorAll('.gd-label span')) {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < box.left || x > box.right || y < box.top || y > box.bottom) { out.push(el.textContent + ' (off the map)'); continue; }
    const top = document.elementFromPoint(x, y);
    if (top && top.closest('.leaflet-control')) out.push(el.textContent + ' (under a map control)');
  }
  return out;
}"""


# ---- tests ----

def test_map_renders_and_fits_guangdong(page, server, shots, policy):
    page.goto(server.url)
    frame = wait_for_map(page, 21)
    shot(page, shots, "default")
    assert count_painted(frame) >= 21
    names = labels(frame)
    assert len(names) == 21
    assert sorted(names) == sorted(c.name_zh for c in policy.cities.values())
    assert frame.locator(".gd-legend").first.is_visible()

    b = map_bounds(frame)
    assert b is not None, "no Leaflet map object in the frame"
    assert b["west"] <= 110 and b["east"] >= 117 and b["south"] <= 21 and b["north"] >= 25, b
    assert b["east"] - b["west"] < 15 and b["north"] - b["south"] < 10, f"zoomed out too far: {b}"

    # Every city label lies inside the map on screen and is not hidden under a map control.
    hidden = frame.evaluate(LABELS_HIDDEN_JS)
    assert not hidden, f"city labels not visible: {hidden}"
    # The whole map is on screen: its frame ends inside the window.
    box = page.locator(f'iframe[src*="{MAP_FRAME}"]').bounding_box()
    assert box["y"] + box["height"] <= VIEWPORT["height"], box


@pytest.mark.parametrize("query", ["", "?clusters=all&basis=all"], ids=["default", "all-clusters"])
def test_offline_everything_from_localhost(page, server, shots, policy, rows, query):
    log = NetworkLog(page)
    page.goto(server.url + query)
    frame = wait_for_map(page, 21)
    if query:
        # one glyph per (cluster, city, role) of the scene
        want = len(scene(policy, rows, basis="all").glyphs)
        frame.wait_for_function(f"({GLYPHS_JS})() === {want}")
    wait_for_app_idle(page)
    # Everything the page and the map frame load has come (Playwright: no request for 500 ms).
    page.wait_for_load_state("networkidle")
    frame.wait_for_load_state("networkidle")
    shot(page, shots, f"offline-{'all' if query else 'default'}")

    assert log.foreign() == [], f"requests left the machine: {log.foreign()}"
    assert any(u.startswith("ws://127.0.0.1") for u in log.urls), "no websocket seen: is the log recording?"
    for name in ("leaflet.js", "leaflet.css"):
        got = [u for u in log.urls if u.split("?")[0].endswith("/" + name)]
        assert got, f"{name} was never requested"
        assert all(u.startswith(server.url.rstrip("/") + LEAFLET_PATH) for u in got), got
        assert all(log.responses.get(u) == 200 for u in got), {u: log.responses.get(u) for u in got}
    assert frame.evaluate("() => !!(window.L && L.version)"), "Leaflet did not load in the map frame"
    bad = {u: s for u, s in log.responses.items() if s >= 400}
    assert not bad, f"failed responses: {bad}"
    assert not log.failed, f"failed requests: {log.failed}"


def test_toggle_cluster_layer_in_the_browser(page, server, shots, policy, rows):
    page.goto(server.url)
    frame = wait_for_map(page, 21)
    wait_for_app_idle(page)
    added = cluster_glyphs(policy, rows, "automotive")
    assert added == 5, f"automotive should put 5 glyphs on the map, the scene gives {added}"
    assert frame.evaluate(GLYPHS_JS) == 0
    marker = frame.evaluate(
        "() => { const v = 'm' + Math.random(); window.__gdMarker = v;"
        " document.querySelector('.leaflet-container').__gdMarker = v; return v; }")
    expand_layer_control(frame)
    box = cluster_checkbox(frame, policy, "automotive", "zh")
    assert not box.is_checked()
    # Count the glyphs in the click's own task, after Leaflet's handler ran: no message
    # from the server can have been processed by then.
    box.evaluate(
        f"""(input) => {{
          window.__gdToggle = null;
          document.addEventListener('click', (e) => {{
            if (e.target === input) window.__gdToggle = {{sync: ({GLYPHS_JS})()}};
          }}, {{once: true}});
        }}"""
    )
    box.click()
    result = frame.evaluate("() => window.__gdToggle")
    assert result is not None, "the click never reached the checkbox"
    assert result["sync"] == added, f"{result['sync']} glyphs drawn by the click itself, expected {added}"
    shot(page, shots, "toggle-automotive")
    # The app follows (checklist ticked, URL) without reloading or rebuilding the map.
    wait_for_url(page, "automotive")
    wait_for_app_idle(page)
    assert map_frame(page) == frame, "the map iframe was replaced"
    assert frame.evaluate("() => window.__gdMarker") == marker, "the map frame was reloaded"
    assert frame.evaluate("() => document.querySelector('.leaflet-container').__gdMarker") == marker, \
        "the Leaflet map was re-created"
    assert frame.evaluate(GLYPHS_JS) == added
    assert page.locator(".st-key-cl_automotive input[type=checkbox]").is_checked()


def test_every_layer_checkbox_can_be_clicked(page, server, shots):
    """With the layer control open, no other map control (e.g. the legend) covers a row
    (rows of the scrolling list are scrolled into view first, as a user would)."""
    page.goto(server.url)
    frame = wait_for_map(page, 21)
    expand_layer_control(frame)
    shot(page, shots, "layer-control-open")
    covered = frame.evaluate(
        """() => {
          const out = [];
          for (const input of document.querySelectorAll('.leaflet-control-layers-overlays input')) {
            const label = input.closest('label');
            label.scrollIntoView({block: 'nearest'});
            const r = input.getBoundingClientRect();
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            if (!top || !label.contains(top)) {
              const by = top && top.closest('.leaflet-control');
              out.push(label.textContent.trim() + ' <- ' + (by ? by.className : (top ? top.tagName : 'off screen')));
            }
          }
          return out;
        }"""
    )
    assert not covered, f"layer rows that cannot be clicked: {covered}"
    text = frame.locator(".leaflet-control-layers-overlays").inner_text()
    assert "(—)" not in text and "（—）" not in text


def test_zone_outlines_show_over_the_choropleth(page, server, shots, policy):
    """Default view: choropleth and 一核一带一区 both on; each zone's closed outline is drawn
    in its own line style, above the choropleth."""
    from views.style import COVERAGE_ALPHA, ZONE_LINES

    page.goto(server.url)
    frame = wait_for_map(page, 21)
    zone_lines = """([color, covAlpha]) => {
          const all = [...document.querySelectorAll('.leaflet-overlay-pane path')];
          const cov = all.findIndex(p => (p.getAttribute('fill-opacity') || '') === String(covAlpha));
          return all.map((p, i) => ({i, stroke: p.getAttribute('stroke'), op: p.getAttribute('stroke-opacity'),
                                     dash: p.getAttribute('stroke-dasharray'), w: p.getBoundingClientRect().width,
                                     d: (p.getAttribute('d') || '').length, cov}))
                    .filter(p => p.stroke === color && p.op !== '0');
        }"""
    args = [ZONE_LINES[0].color, COVERAGE_ALPHA]
    # the outlines are drawn once their layer is added: wait for as many as there are zones
    frame.wait_for_function(f"(args) => ({zone_lines})(args).length >= {len(policy.zones)}", arg=args)
    shot(page, shots, "zones-over-choropleth")
    lines = frame.evaluate(zone_lines, args)
    assert len(lines) == len(policy.zones), lines
    assert len({ln["dash"] for ln in lines}) == len(policy.zones), "zones share a line style"
    assert all(ln["w"] > 50 and ln["d"] > 100 for ln in lines), lines
    assert all(ln["i"] > ln["cov"] >= 0 for ln in lines), "zone outlines are under the choropleth"


def test_url_state_english_with_automotive(page, server, shots, policy, rows):
    page.goto(server.url + "?clusters=automotive&lang=en")
    frame = wait_for_map(page, 21)
    frame.wait_for_function(f"({GLYPHS_JS})() === {cluster_glyphs(policy, rows, 'automotive')}")
    names = labels(frame)
    assert sorted(names) == sorted(c.name_en for c in policy.cities.values())
    expand_layer_control(frame)
    shot(page, shots, "url-en-automotive")
    for cid in policy.clusters:
        box = cluster_checkbox(frame, policy, cid, "en")
        assert box.is_checked() == (cid == "automotive"), cid


def test_malformed_url_warns_and_still_renders(page, server, shots):
    page.goto(server.url + "?basis=nonsense&clusters=foo&basemap=[login](https://evil.example/x)")
    frame = wait_for_map(page, 21)
    page.locator('[data-testid="stAlertContentWarning"]').first.wait_for()
    shot(page, shots, "url-malformed")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "nonsense" in text and "basis" in text, text
    assert "foo" in text and "clusters" in text, text
    # a link parameter is shown as text, never as a link or an image
    assert page.locator('[data-testid="stMain"] a[href*="evil.example"]').count() == 0
    assert count_painted(frame) >= 21


def test_all_twenty_clusters_on_screen_with_the_map(page, server, shots, policy):
    """1400×1000, both languages: every cluster's checkbox is on screen, unscrolled, beside the map."""
    from views import i18n

    for lang in ("zh", "en"):
        page.goto(server.url + f"?lang={lang}")
        wait_for_map(page, 21)
        shot(page, shots, f"checklist-{lang}")
        for cid in policy.clusters:
            label = page.locator(f".st-key-cl_{cid} label")
            box = label.bounding_box()
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], (cid, box)
            assert i18n.cluster_name(policy, cid, lang) in label.inner_text()
        assert page.locator(f'iframe[src*="{MAP_FRAME}"]').bounding_box()["y"] < 200


def test_four_clusters_name_every_cluster_at_foshan(page, server, shots, policy, rows):
    from views import i18n

    four = ("automotive", "biomed_health", "smart_robots", "new_energy")
    page.goto(server.url + "?clusters=" + ",".join(four) + "&coverage=0")
    frame = wait_for_map(page, 21)
    frame.wait_for_function(f"({GLYPHS_JS})() > 0")
    label = frame.locator(".gd-label").filter(has_text=re.compile(r"^\s*佛山\s*$"))
    b = label.bounding_box()
    # hover just above the name, inside 佛山
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] - 4)
    tip = frame.locator(".leaflet-tooltip")
    tip.wait_for()
    names = [i18n.cluster_name(policy, c, "zh") for c in four]
    assert all(n in tip.inner_text() for n in names), tip.inner_text()
    # as wide as its lines need (up to its maximum), not one word per line
    head = tip.locator(".gd-tiphead")
    line = head.evaluate("(e) => parseFloat(getComputedStyle(e).lineHeight) || 1.2 * parseFloat(getComputedStyle(e).fontSize)")
    assert head.bounding_box()["height"] < 1.8 * line, (head.bounding_box(), line)
    page.mouse.click(b["x"] + b["width"] / 2, b["y"] - 4)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for()
    shot(page, shots, "foshan-popup")
    text = popup.inner_text()
    assert all(n in text for n in names), text
    # every clause that puts one of the four in 佛山 is quoted
    mine = rows[(rows["adcode"] == "440600") & rows["cluster_id"].isin(four) & (rows["basis"] == "explicit")]
    assert all(q in text.replace("\n", "") for q in set(mine["quote"])), text


def test_empty_cluster_explains_itself_and_one_click_shows_regions(page, server, shots, policy, rows):
    from views import i18n

    page.goto(server.url + "?clusters=electronic_info")
    frame = wait_for_map(page, 21)
    note = page.get_by_text("文件未明确点名城市")
    note.first.wait_for()
    assert "珠江东岸" in note.first.inner_text()
    # Said once, beside the map: the legend explains only what is drawn, so it neither lists the
    # cluster (no glyph of it is on the map) nor repeats the note.
    legend = frame.locator(".gd-legend").inner_text()
    assert i18n.cluster_name(policy, "electronic_info", "zh") not in legend
    assert "未明确点名城市" not in legend
    assert frame.evaluate(GLYPHS_JS) == 0
    shot(page, shots, "empty-cluster")
    page.get_by_role("button", name="显示区域性提及").click()
    want = cluster_glyphs(policy, rows, "electronic_info", basis="all")
    wait_for_url(page, "basis=all")
    # the basis switches in the page (the same map): its glyphs looked up until they are drawn
    poll(page, lambda: map_frame(page, timeout=0).evaluate(GLYPHS_JS) == want, "region-level glyphs never appeared")


def test_no_cities_covered_wording(page, server, policy):
    """Coverage is clusters per city (布局集群数, the one verb), never "number of cities covered"."""
    page.goto(server.url)
    frame = wait_for_map(page, 21)
    for text in (page.locator("body").inner_text(), frame.locator("body").inner_text()):
        assert "覆盖城市数" not in text
    assert "布局集群数" in frame.locator(".gd-legend").inner_text()


def test_phone_layout_legend_collapsed_labels_visible(browser, server, shots):
    page = new_page(browser, viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    try:
        page.goto(server.url + "?clusters=automotive")
        frame = wait_for_map(page, 21)
        frame.locator(".gd-legend-toggle").wait_for()
        wait_for_app_idle(page)
        shot(page, shots, "phone")
        assert not frame.locator(".gd-legend-body").is_visible(), "the legend opens over the map on a phone"
        # the labels are placed once the map has fitted the phone's frame
        hidden = frame.evaluate(LABELS_HIDDEN_JS)

        def all_shown():
            hidden[:] = frame.evaluate(LABELS_HIDDEN_JS)
            return not hidden

        poll(page, all_shown, lambda: f"city labels not visible: {hidden}")
        # Guangdong fits the map's height (the frame takes the province's shape), not a band of it.
        fit = frame.evaluate("""() => { const m = document.querySelector('.leaflet-container').getBoundingClientRect();
            const land = [...document.querySelectorAll('path.leaflet-interactive')].map(p => p.getBoundingClientRect());
            const top = Math.min(...land.map(r => r.top)), bottom = Math.max(...land.map(r => r.bottom));
            const left = Math.min(...land.map(r => r.left)), right = Math.max(...land.map(r => r.right));
            return [(bottom - top) / m.height, (right - left) / m.width]; }""")
        assert fit[0] >= 0.8 and fit[1] >= 0.8, fit
        frame.locator(".gd-legend-toggle").click()
        assert frame.locator(".gd-legend-body").is_visible()
    finally:
        page.context.close()


def test_click_on_a_city_opens_its_detail_beside_the_map(page, server, shots, policy, rows):
    from policy.coverage import city_coverage

    page.goto(server.url)
    frame = wait_for_map(page, 21)
    wait_for_app_idle(page)
    label = frame.locator(".gd-label").filter(has_text=re.compile(r"^\s*深圳\s*$"))
    b = label.bounding_box()
    assert b, "no 深圳 label on screen"
    page.mouse.click(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
    wait_for_url(page, "city=440300")
    wait_for_app_idle(page)
    heading = page.locator("h4").filter(has_text="深圳市")
    heading.wait_for()
    shot(page, shots, "click-shenzhen")
    hb = heading.bounding_box()
    mb = page.locator(f'iframe[src*="{MAP_FRAME}"]').bounding_box()
    assert hb["x"] > mb["x"] + mb["width"] - 5 and hb["y"] < VIEWPORT["height"], "detail not beside the map"
    cov = city_coverage(policy, rows, "explicit", "all").set_index("adcode").loc["440300"]
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="集群数").first
    assert str(int(cov["clusters"])) in metric.inner_text()
    detail = page.locator(".gd-detail").inner_text()
    from views import i18n

    mine = rows[(rows["adcode"] == "440300") & (rows["basis"] == "explicit")]
    assert all(i18n.cluster_name(policy, c, "zh") in detail for c in set(mine["cluster_id"]))
    others = {c.full_name_zh for a, c in policy.cities.items() if a != "440300"}
    assert not any(o in page.locator("h4").all_inner_texts() for o in others)


MODE_READ_JS = """() => ({
  marker: window.gdMarker || null,
  mode: window.gdMode(),
  glyphs: [...document.querySelectorAll('.gd-glyphs[data-city] svg[data-glyph]')].map(
      g => g.closest('.gd-glyphs').dataset.city + ':' + g.dataset.glyph).sort(),
  legend: [...document.querySelectorAll('.gd-legend .gd-entry span')].map(e => e.textContent),
})"""


def test_basis_and_tier_switch_without_a_new_map(page, server, shots, policy, rows):
    """Switching the basis and the tier in the sidebar keeps the map (its frame and its page: a
    mark set on both survives) and shows the glyphs and legend the scene decides for the view."""
    from views.i18n import t

    four = ("automotive", "biomed_health", "smart_robots", "new_energy")
    page.goto(server.url + "?clusters=" + ",".join(four))
    frame = wait_for_map(page, 21)
    wait_for_app_idle(page)
    frame.evaluate("window.gdMarker = 'first map'")
    page.locator(MAP_IFRAME_SELECTOR).evaluate("(f) => { f.dataset.gdMarker = 'first frame'; }")

    def expect(basis, tier):
        s = scene(policy, rows, basis=basis, tier=tier, coverage=True, zoning=True, clusters=four)
        glyphs = sorted(f"{g.adcode}:{g.key}:{g.look.marker}:{int(g.look.hollow)}" for g in s.visible_glyphs())
        legend = [e.label for sec in s.legend for e in sec.entries]
        return f"{basis}/{tier}", glyphs, legend

    for basis, tier, label in (("all", "all", t("basis_all", "zh")), ("all", "pillar", t("tier_pillar", "zh")),
                               ("explicit", "pillar", t("basis_explicit", "zh"))):
        with expect_rerun(page):
            page.locator("section[data-testid='stSidebar']").get_by_text(label, exact=True).click()
        wait_for_url(page, f"basis={basis}", f"tier={tier}")
        mode, glyphs, legend = expect(basis, tier)
        got = poll(page, lambda mode=mode: (lambda r: r if r["mode"] == mode else None)(frame.evaluate(MODE_READ_JS)),
                   f"the map never switched to {mode}")
        assert got["marker"] == "first map", "the map was drawn anew"
        assert page.locator(MAP_IFRAME_SELECTOR).count() == 1
        assert page.locator(MAP_IFRAME_SELECTOR).evaluate("(f) => f.dataset.gdMarker") == "first frame"
        assert got["glyphs"] == glyphs and glyphs, mode
        assert got["legend"] == legend, mode
    shot(page, shots, "mode-switched")


@pytest.mark.parametrize("tab,key", [("map", "city"), ("map", "basemap"), ("export", "exp_size")])
def test_no_english_empty_state_in_the_chinese_app(page, server, tab, key):
    """A pick list of the zh app never answers typed text with Streamlit's own English
    "No results": its few options are picked from the list, not filtered by typing."""
    page.goto(server.url + f"?tab={tab}")
    wait_for_app_idle(page)
    box = page.locator(f".st-key-{key} input")
    listbox = page.locator('[role="listbox"]')

    def opened():  # a rerun of the app (the map reporting its first view) may close the list: open it again
        if not listbox.is_visible():
            box.click()
        return listbox.is_visible()

    poll(page, opened, lambda: f"the {key} list never opened")
    page.keyboard.type("xyz")
    # The list either closed or shows something (options, or an empty state): settled.
    page.wait_for_function("""() => { const l = document.querySelector('[role="listbox"]');
        return !l || l.innerText.trim().length > 0; }""")
    assert "No results" not in page.locator("body").inner_text()
    assert box.input_value() != "xyz"  # typing does not filter: the choice stands
