"""The map runs the app only for what a reader does.

A report from the map component is a rerun of the whole script. The map used to report its
position whenever it moved, including the moves it makes by itself (its first fit, a tab shown
again, a popup panning into view): runs nobody asked for, which cost the server a full run each
and, arriving while a button's run was under way, brought the widgets' previous values back with
them (Streamlit takes the browser's widget values of the newer request over what the button's
callback had set), so a click on 全部 could come to nothing. The position is now kept in the
page; only a click and the layer control's ticks are reported.
"""

from __future__ import annotations

import re

import pytest

from testing.browser import (
    MAP_IFRAME_SELECTOR,
    app_runs,
    expect_rerun,
    map_bounds,
    new_page,
    poll,
    wait_for_app_idle,
    wait_for_map,
    wait_for_url,
)

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

# What the page posts from the map's frame to the app: each value is a rerun.
COMPONENT_VALUES_JS = """
window.__gdValues = [];
window.addEventListener('message', (e) => {
  const d = e.data;
  if (d && d.type === 'streamlit:setComponentValue') window.__gdValues.push(JSON.stringify(d.value));
});
"""


@pytest.fixture
def server(app_server):
    return app_server


def values(page) -> list[str]:
    return page.evaluate("() => window.__gdValues.slice()")


def idle_after_frames(page, frame) -> None:
    """The app idle, after the map frame has drawn two more animation frames (a report the map
    sends after its own moves is posted by then)."""
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    wait_for_app_idle(page)


def test_the_map_moving_by_itself_runs_nothing(page, server):
    page.add_init_script(COMPONENT_VALUES_JS)
    page.goto(server.url)
    frame = wait_for_map(page, 21)
    idle_after_frames(page, frame)
    assert values(page) == [], "the map reported a value nobody asked for"
    assert app_runs(page) == 1, "the first visit should be one run of the app"

    # Another tab and back: the map's frame is hidden and shown, the map refits; one run per click.
    for tab in ("导出", "地图"):
        before = app_runs(page)
        with expect_rerun(page):
            page.get_by_role("tab", name=tab).click()
        idle_after_frames(page, frame)
        assert app_runs(page) == before + 1, f"the {tab} tab ran the app {app_runs(page) - before} times"
    assert values(page) == []

    # A click on a city is reported: that is the reader's action.
    label = frame.locator(".gd-label").filter(has_text=re.compile(r"^\s*深圳\s*$"))
    b = label.bounding_box()
    page.mouse.click(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
    wait_for_url(page, "city=440300")
    assert len(values(page)) == 1 and "last_clicked" in values(page)[0]


def test_a_moved_map_opens_where_it_was_left_in_another_language(browser, server):
    page = new_page(browser, locale="zh-CN")
    try:
        page.goto(server.url)
        frame = wait_for_map(page, 21)
        wait_for_app_idle(page)
        fitted = map_bounds(frame)
        # The reader zooms in a step and drags the map east, with the map's own controls and mouse.
        frame.locator(".leaflet-control-zoom-in").click()
        poll(page, lambda: map_bounds(frame)["zoom"] > fitted["zoom"],
             lambda: f"the map to zoom in from {fitted['zoom']}: {map_bounds(frame)}")
        box = page.locator(MAP_IFRAME_SELECTOR).bounding_box()
        x, y = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 150, y, steps=8)
        page.mouse.up()
        poll(page, lambda: map_bounds(frame)["west"] > fitted["west"] + 1, "the map to be dragged")
        moved = map_bounds(frame)
        assert moved["zoom"] > fitted["zoom"]
        with expect_rerun(page):
            page.get_by_text("English", exact=True).click()
        wait_for_url(page, "lang=en")
        # Zoomed in, not every city is on screen: one painted city and the English names suffice.
        frame = wait_for_map(page, 1)
        poll(page, lambda: frame.locator(".gd-label", has_text="Guangzhou").count() > 0, "the English map")
        again = map_bounds(frame)
        assert again["zoom"] == pytest.approx(moved["zoom"]), (moved, again)
        centre = ((again["west"] + again["east"]) / 2, (again["south"] + again["north"]) / 2)
        before = ((moved["west"] + moved["east"]) / 2, (moved["south"] + moved["north"]) / 2)
        assert centre == pytest.approx(before, abs=0.05), (moved, again)
    finally:
        page.context.close()
