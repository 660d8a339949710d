"""The standalone HTML export opens in Chromium with the network blocked and draws the map."""

import pytest

from layers.map import MapData, build_map
from views.state import ViewState

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def html_file(tmp_path_factory, policy, rows):
    from geo.boundaries import load_cities, load_context

    data = MapData.build(load_cities(), load_context())
    state = ViewState(clusters=("automotive",), lang="en", basis="all")
    path = tmp_path_factory.mktemp("html") / "map.html"
    path.write_text(build_map(policy, rows, data, state, assets="inline").get_root().render(), encoding="utf-8")
    return path


def test_html_export_works_offline(html_file, browser):
    from testing.browser import count_painted, new_page

    blocked, errors = [], []
    page = new_page(browser, viewport={"width": 1200, "height": 800})
    try:

        def guard(route):
            url = route.request.url
            if url.startswith(("file:", "data:", "blob:")):
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        page.route("**/*", guard)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html_file.as_uri())
        page.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length >= 21")
        painted = count_painted(page.main_frame)
        labels = page.locator(".gd-label").all_inner_texts()
        legend = page.locator(".gd-legend").inner_text()
        glyphs = page.locator(".gd-glyphs .gd-glyph").count()
        title = page.title()
        heading = page.locator(".gd-heading").inner_text()
    finally:
        page.context.close()
    assert blocked == [] and errors == []
    assert painted >= 21  # every city answers a hover
    assert glyphs == 5  # the five automotive cities (one role each)
    assert len(labels) == 21 and "Guangzhou" in labels
    assert "Automobiles" in legend and "Role (glyph shape)" in legend and "Clusters per city" not in legend
    assert title == "Automobiles: designated bases"
    assert title in heading and "粤府函〔2020〕82号" in heading
