"""The comparison tab in headless Chromium: a row picked in the cluster × city matrix
turns that cluster on in the map, a column picked puts that city in focus, and a link
opens the tab with its choices.

The matrix is an st.dataframe, drawn on a canvas: testing.browser finds its cells from
the lines it draws. Screenshots go to a pytest tmp dir (printed with -s)."""

from __future__ import annotations

import pytest

from testing.browser import (
    click_grid_header,
    click_grid_row,
    expect_rerun,
    grid_cells,
    grid_columns,
    grid_text,
    map_bounds,
    map_frame,
    poll,
    wait_for_app_idle,
    wait_for_map,
    wait_for_url,
)

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

GLYPHS_JS = "() => document.querySelectorAll('.gd-glyphs .gd-glyph').length"


@pytest.fixture
def server(app_server):
    return app_server


def tab_selected(page, name: str) -> bool:
    return page.get_by_role("tab", name=name, exact=True).get_attribute("aria-selected") == "true"


def glyphs_of(policy, rows, cid: str) -> int:
    from views.scene import build_scene
    from views.state import ViewState

    return sum(1 for g in build_scene(policy, rows, ViewState()).glyphs if g.cluster_id == cid)


MATRIX_CLUSTER_COLUMN = 2  # the grid's column 0 is the row marker, 1 the key number


def matrix_row_name(page, row: int) -> str:
    """The cluster named in row `row` of the matrix (scrolled into view, from the grid's accessible table)."""
    return grid_text(page, "matrix", row, MATRIX_CLUSTER_COLUMN)


def test_matrix_row_turns_its_cluster_on_in_the_map(page, server, shots, policy, rows):
    from tests.test_browser import cluster_checkbox, expand_layer_control
    from views import i18n

    # The emerging cluster named in the most cities (ties: the document's order), not an easy first row.
    named = rows[rows["basis"] == "explicit"].groupby("cluster_id")["adcode"].nunique()
    emerging = [c for c in policy.clusters if policy.clusters[c].tier == "emerging"]
    cid = max(emerging, key=lambda c: (named.get(c, 0), -emerging.index(c)))
    want = glyphs_of(policy, rows, cid)
    assert want > 0
    name = i18n.cluster_name(policy, cid, "zh")

    page.goto(server.url)
    frame = wait_for_map(page, 21)
    assert frame.evaluate(GLYPHS_JS) == 0
    with expect_rerun(page):
        page.get_by_role("tab", name="区域比较").click()
    wait_for_url(page, "tab=compare")
    grid_cells(page, "matrix")
    row = list(policy.clusters).index(cid)  # the document's order, the default
    assert matrix_row_name(page, row) == name
    click_grid_row(page, "matrix", row)

    # The tab stays open and says what the tick did; one click leads to the map.
    wait_for_url(page, f"clusters={cid}&")
    wait_for_app_idle(page)
    assert tab_selected(page, "区域比较")
    page.get_by_text(f"已在地图上显示：{name}。").wait_for()
    with expect_rerun(page):
        page.get_by_role("button", name="查看地图").click()
    wait_for_url(page, f"clusters={cid}&", absent=("tab=",))
    wait_for_app_idle(page)
    assert tab_selected(page, "地图"), "the map tab did not open"
    assert page.locator(f".st-key-cl_{cid} input[type=checkbox]").is_checked()
    frame = map_frame(page)
    frame.wait_for_function(f"({GLYPHS_JS})() === {want}")
    assert name in frame.locator(".gd-legend").inner_text()
    expand_layer_control(frame)
    assert cluster_checkbox(frame, policy, cid, "zh").is_checked()
    page.screenshot(path=str(shots / "matrix-row-picked.png"))


def test_matrix_column_selects_the_city_from_a_link_in_english(page, server, shots, policy, rows):
    from views import i18n

    page.goto(server.url + "?lang=en&tab=compare&sort=total&a=Foshan&b=" + "一核")
    grid_cells(page, "matrix")
    wait_for_app_idle(page)
    assert tab_selected(page, "Regional comparison")
    # the link's order: the pillar cluster named in the most cities comes first
    named = rows[rows["basis"] == "explicit"].groupby("cluster_id")["adcode"].nunique()
    pillar = [c for c in policy.clusters if policy.clusters[c].tier == "pillar"]
    first = min(pillar, key=lambda c: (-named.get(c, 0), pillar.index(c)))
    assert matrix_row_name(page, 0) == i18n.cluster_name(policy, first, "en")
    assert page.locator(".st-key-cmp_a input").input_value() == "Foshan"
    assert page.locator(".st-key-cmp_b input").input_value() == "Pearl River Delta core (一核)"
    page.screenshot(path=str(shots / "compare-link-en.png"))

    city = "440600"
    click_grid_header(page, "matrix", i18n.city_name(policy, city, "en"))
    wait_for_url(page, f"city={city}")
    page.get_by_text(f"City in focus on the map and in the detail: {policy.cities[city].name_en}.").wait_for()
    with expect_rerun(page):
        page.get_by_role("button", name="Go to the map").click()
    wait_for_url(page, f"city={city}", absent=("tab=",))
    wait_for_app_idle(page)
    assert tab_selected(page, "Map")
    heading = page.locator("h4").filter(has_text=policy.cities[city].name_en)
    heading.wait_for()
    # The map was drawn in the hidden tab (size 0): shown, it fits Guangdong, legend open.
    wait_for_fit(page, map_frame(page))
    # the comparison's choices are still in the link
    assert "a=440600" in page.url and "b=prd_core" in page.url and "sort=total" in page.url
    page.screenshot(path=str(shots / "matrix-column-picked.png"))


def test_a_language_switch_keeps_the_comparison_tab_open(page, server):
    page.goto(server.url)
    wait_for_map(page, 21)
    with expect_rerun(page):
        page.get_by_role("tab", name="区域比较").click()
    grid_cells(page, "matrix")
    page.get_by_text("English", exact=True).click()
    wait_for_url(page, "lang=en", "tab=compare")
    wait_for_app_idle(page)
    assert tab_selected(page, "Regional comparison")
    # The grid draws its new headers on its own canvas after the run: looked at until it has.
    poll(page, lambda: grid_columns(page, "matrix")[:2] == ["No.", "Cluster"],
         lambda: f"the matrix's headers stayed {grid_columns(page, 'matrix')[:2]}")
    # The English map was drawn while its tab was hidden: shown, it fits Guangdong.
    page.get_by_role("tab", name="Map", exact=True).click()
    wait_for_url(page, "lang=en", absent=("tab=",))
    wait_for_fit(page, map_frame(page))


def wait_for_fit(page, frame) -> None:
    """The map shows all of Guangdong, not zoomed out to the region, and its legend is open."""

    seen = []

    def fits():
        b = map_bounds(frame)
        seen.append(b)
        return b and b["west"] <= 110 and b["east"] >= 117 and b["south"] <= 21 and b["north"] >= 25 \
            and b["east"] - b["west"] < 15 and b["north"] - b["south"] < 10

    poll(page, fits, lambda: f"the map does not fit Guangdong once shown: {seen[-1]}")
    assert frame.locator(".gd-legend-body").is_visible()
