"""The real app in headless Chromium: the map renders, stays offline, layers toggle in
the browser, the URL sets the view, a click on a city selects it.

One Streamlit server and one browser for the module; a fresh browser context (a new
Streamlit session) per test. Screenshots go to a pytest tmp dir (printed with -s)."""

from __future__ import annotations

import re
import time

import pytest

from testing.browser import (
    CHROMIUM,
    MAP_FRAME,
    PAINTED_JS,
    ROOT,
    NetworkLog,
    StreamlitServer,
    WsActivity,
    count_painted,
    launch_chromium,
    map_bounds,
    map_frame,
    wait_for_map,
    wait_for_painted,
)

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

VIEWPORT = {"width": 1400, "height": 1000}
LEAFLET_PATH = "/app/static/vendor/leaflet/"


# ---- fixtures ----

@pytest.fixture(scope="module")
def server():
    with StreamlitServer(ROOT / "app.py", cwd=ROOT) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    import os

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` (installs Debian's chromium)")
    with playwright_api.sync_playwright() as pw:
        b = launch_chromium(pw)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    d = tmp_path_factory.mktemp("screens")
    print(f"\nscreenshots: {d}")
    return d


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()


def shot(page, shots, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"))


# ---- data the assertions derive from ----

def cluster_label(policy, cid: str, lang: str) -> str:
    from views import i18n

    return f"{policy.clusters[cid].number}. {i18n.cluster_name(policy, cid, lang)}"


def cluster_items(rows, cid: str, basis: str = "explicit") -> int:
    """Features the cluster's layer draws: one per designation row."""
    from policy.coverage import select

    sel = select(rows, basis, "all")
    return int((sel["cluster_id"] == cid).sum())


def expand_layer_control(frame) -> None:
    """Open Leaflet's layer control if it is collapsed (it opens on hover)."""
    ctl = frame.locator(".leaflet-control-layers")
    if "leaflet-control-layers-expanded" not in (ctl.get_attribute("class") or ""):
        ctl.hover()
        frame.wait_for_selector(".leaflet-control-layers-expanded", timeout=5_000)


def cluster_checkbox(frame, label: str):
    row = frame.locator(".leaflet-control-layers-overlays label").filter(
        has_text=re.compile(r"^\s*" + re.escape(label) + r"(\s|$)"))
    assert row.count() == 1, f"layer control has {row.count()} rows labelled {label!r}"
    return row.locator("input[type=checkbox]")


def labels(frame) -> list[str]:
    return [s.strip() for s in frame.locator(".gd-label").all_inner_texts()]


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
    hidden = frame.evaluate(
        """() => {
          const box = document.querySelector('.leaflet-container').getBoundingClientRect();
          const out = [];
          for (const el of document.querySelectorAll('.gd-label')) {
            const r = el.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            if (x < box.left || x > box.right || y < box.top || y > box.bottom) { out.push(el.textContent + ' (off the map)'); continue; }
            const top = document.elementFromPoint(x, y);
            if (top && top.closest('.leaflet-control')) out.push(el.textContent + ' (under a map control)');
          }
          return out;
        }"""
    )
    assert not hidden, f"city labels not visible: {hidden}"


@pytest.mark.parametrize("query", ["", "?clusters=all&basis=all"], ids=["default", "all-clusters"])
def test_offline_everything_from_localhost(page, server, shots, rows, query):
    from policy.coverage import select

    log = NetworkLog(page)
    ws = WsActivity(page)
    page.goto(server.url + query)
    if query:
        # at least one polygon per (cluster, city) pair on top of the 21 choropleth cities
        pairs = select(rows, "all", "all")[["cluster_id", "adcode"]].drop_duplicates()
        frame = wait_for_map(page, 21 + len(pairs))
    else:
        frame = wait_for_map(page, 21)
    ws.wait_quiet(page)
    page.wait_for_timeout(500)
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


def test_toggle_cluster_layer_paints_in_the_browser(page, server, shots, policy, rows):
    ws = WsActivity(page)
    page.goto(server.url)
    frame = wait_for_map(page, 21)
    ws.wait_quiet(page)
    added = cluster_items(rows, "automotive")
    assert added == 5, f"automotive should name 5 cities, the data gives {added}"
    before = count_painted(frame)
    marker = frame.evaluate(
        "() => { const v = 'm' + Math.random(); window.__gdMarker = v;"
        " document.querySelector('.leaflet-container').__gdMarker = v; return v; }")

    expand_layer_control(frame)
    box = cluster_checkbox(frame, cluster_label(policy, "automotive", "zh"))
    assert not box.is_checked()
    # Count the painted polygons in the click's own task, after Leaflet's handler ran: no
    # message from the server can have been processed by then.
    box.evaluate(
        f"""(input) => {{
          window.__gdToggle = null;
          document.addEventListener('click', (e) => {{
            if (e.target === input) window.__gdToggle = {{sync: ({PAINTED_JS.strip()})()}};
          }}, {{once: true}});
        }}"""
    )
    sent_before = ws.sent
    box.click()
    result = frame.evaluate("() => window.__gdToggle")
    assert result is not None, "the click never reached the checkbox"
    assert result["sync"] == before + added, (
        f"{result['sync'] - before} polygons painted by the click itself, expected {added}")
    wait_for_painted(frame, before + added, timeout=10)
    shot(page, shots, "toggle-automotive")

    # Whatever the app does with the toggle afterwards (e.g. a rerun that syncs the URL),
    # the map is neither reloaded nor rebuilt and the layer stays on.
    page.wait_for_timeout(400)
    ws.wait_quiet(page)
    assert map_frame(page) == frame, "the map iframe was replaced"
    assert frame.evaluate("() => window.__gdMarker") == marker, "the map frame was reloaded"
    assert frame.evaluate("() => document.querySelector('.leaflet-container').__gdMarker") == marker, \
        "the Leaflet map was re-created"
    assert count_painted(frame) == before + added
    assert box.is_checked()
    print(f"websocket messages sent by the page after the toggle: {ws.sent - sent_before}")


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


def zone_pixels(page, frame, policy, tol: int = 14) -> dict[str, int]:
    """Pixels of each zone's colour in the map, controls hidden (the legend has swatches)."""
    import io

    import numpy as np
    from PIL import Image

    frame.add_style_tag(content=".leaflet-control-container { display: none !important; }")
    page.wait_for_timeout(100)
    png = page.locator(f'iframe[src*="{MAP_FRAME}"]').screenshot()
    frame.add_style_tag(content=".leaflet-control-container { display: block !important; }")
    px = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    out = {}
    for zid, z in policy.zones.items():
        c = np.array([int(z.color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.int16)
        out[zid] = int((np.abs(px - c) <= tol).all(axis=2).sum())
    return out


def test_zone_outlines_show_over_the_choropleth(page, server, shots, policy):
    """Default view: choropleth and 一核一带一区 both on; every zone's outline is visible."""
    page.goto(server.url)
    frame = wait_for_map(page, 21)
    page.wait_for_timeout(300)
    counts = zone_pixels(page, frame, policy)
    shot(page, shots, "zones-over-choropleth")
    hidden = {z: n for z, n in counts.items() if n < 300}
    assert not hidden, f"zone outlines (almost) not painted, pixels per zone: {counts}"


def test_url_state_english_with_automotive(page, server, shots, policy, rows):
    page.goto(server.url + "?clusters=automotive&lang=en")
    frame = wait_for_map(page, 21 + cluster_items(rows, "automotive"))
    names = labels(frame)
    assert "Guangzhou" in names
    assert sorted(names) == sorted(c.name_en for c in policy.cities.values())
    expand_layer_control(frame)
    shot(page, shots, "url-en-automotive")
    for cid in policy.clusters:
        box = cluster_checkbox(frame, cluster_label(policy, cid, "en"))
        assert box.is_checked() == (cid == "automotive"), cid


def test_malformed_url_warns_and_still_renders(page, server, shots):
    page.goto(server.url + "?basis=nonsense&clusters=foo")
    frame = wait_for_map(page, 21)
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    warnings.first.wait_for()
    shot(page, shots, "url-malformed")
    text = " ".join(warnings.all_inner_texts())
    assert "nonsense" in text and "basis" in text, text
    assert "foo" in text and "clusters" in text, text
    assert count_painted(frame) >= 21


def test_click_on_a_city_selects_it(page, server, shots, policy, rows):
    from policy.coverage import city_coverage

    ws = WsActivity(page)
    page.goto(server.url)
    frame = wait_for_map(page, 21)
    ws.wait_quiet(page)
    label = frame.locator(".gd-label").filter(has_text=re.compile(r"^\s*深圳\s*$"))
    b = label.bounding_box()
    assert b, "no 深圳 label on screen"
    page.mouse.click(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)

    deadline = time.monotonic() + 20
    while "city=440300" not in page.url:
        assert time.monotonic() < deadline, f"the click did not select 深圳 (URL: {page.url})"
        page.wait_for_timeout(100)
    ws.wait_quiet(page)
    page.get_by_role("tab", name="城市详情").click()
    panel = page.locator('[role="tabpanel"]:visible')
    panel.locator("h3").filter(has_text="深圳市").wait_for()
    page.wait_for_timeout(300)
    shot(page, shots, "click-shenzhen")

    cov = city_coverage(policy, rows, "explicit", "all").set_index("adcode").loc["440300"]
    metrics = dict(zip([s.strip() for s in panel.locator('[data-testid="stMetricLabel"]').all_inner_texts()],
                       [s.strip() for s in panel.locator('[data-testid="stMetricValue"]').all_inner_texts()]))
    assert metrics.get("集群数") == str(int(cov["clusters"])), metrics
    assert metrics.get("点名次数") == str(int(cov["designations"])), metrics
    # The designations table (a canvas grid; its accessible cells are in the DOM).
    cells = set(panel.locator('[data-testid="stDataFrame"] [role="gridcell"]').all_inner_texts())
    from views import i18n

    mine = rows[(rows["adcode"] == "440300") & (rows["basis"] == "explicit")]
    expected = {i18n.cluster_name(policy, c, "zh") for c in mine["cluster_id"]}
    shown = expected & cells
    assert len(shown) >= min(3, len(expected)), f"深圳's clusters not in the table: {sorted(expected)}"
    assert "深圳" in cells
    others = {c.name_zh for a, c in policy.cities.items() if a != "440300"} & cells
    assert not others, f"rows of other cities in 深圳's table: {others}"
