"""Names from an uploaded file in a real browser: Markdown and template syntax stay text.

An image in a name would make every visitor's browser fetch an outside host, `$…$` would
become KaTeX, a URL a link, `:material/…:` an icon; `{{ }}` would be evaluated on the
server when the offline HTML is made. Here all of it is shown as written, and nothing
leaves the machine."""

import csv
from pathlib import Path

import pytest

from testing.browser import NetworkLog, wait_for_map

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = "192.0.2.1"  # TEST-NET-1: never a real host
# (a name may have up to 100 characters)
NAME = f"恶![t](http://{OUTSIDE}/t.png)[l](https://{OUTSIDE}) www.a.cn $x$ <b>b</b> :material/home: {{{{7*7}}}}"
QUOTE = "原文 {{ lipsum.__globals__.os.mkdir(lipsum.__name__) }} {% raw %} ]]> </script> alert(coords);"
HEADER = ["cluster_id", "cluster_zh", "cluster_en", "tier", "place_zh", "city_zh", "adcode", "role_zh", "role",
          "basis", "quote"]
CANARY = ROOT / "generate_lorem_ipsum"  # what the quote would create in the server's folder


@pytest.fixture
def server(app_server):
    return app_server


def hostile_file(tmp_path) -> Path:
    path = tmp_path / "hostile.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerow(["evil", NAME, NAME, "pillar", "广州", "广州", "440100", "核心{{1+1}}", "core", "explicit", QUOTE])
    return path


def shown(text: str) -> str:
    # Labels carry invisible word joiners inside "://" and "www." (see ui/text.py).
    return text.replace("\u2060", "")


def test_names_and_clauses_are_shown_as_written_and_fetch_nothing(browser, server, tmp_path):
    assert not CANARY.exists()
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    net = NetworkLog(page)
    page.goto(server.url + "?coverage=0&zoning=0")
    wait_for_map(page, 0)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(hostile_file(tmp_path)))
    page.get_by_text("正在使用上传的数据").wait_for(timeout=60_000)

    box = page.locator(".st-key-cl_evil")
    box.wait_for()
    assert shown(box.inner_text()).strip() == NAME
    # the label is text: no image, link, formula or icon was made of it
    for sel in ("img", "a", ".katex", "[data-testid='stIconMaterial']", "b", "strong"):
        assert box.locator(sel).count() == 0, sel
    box.locator("label").click()

    # the view's title line (a caption) names the cluster as written
    title = page.locator(".gd-caption", has_text="恶!").first
    title.wait_for(timeout=30_000)
    assert NAME in title.inner_text()
    assert page.locator("section.main img, [data-testid='stMain'] .katex").count() == 0

    # the map's legend and layer control, in the component frame
    frame = wait_for_map(page, 1)
    frame.locator(".gd-legend-body", has_text="恶!").wait_for()
    assert NAME in frame.locator(".gd-legend-body").inner_text()

    # the offline HTML made from this view: nothing ran on the server, text as written
    page.get_by_role("tab", name="导出").click()
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="下载离线 HTML").click()
    html_path = tmp_path / "export.html"
    dl.value.save_as(html_path)
    assert not CANARY.exists(), "a clause was evaluated as a template on the server"
    offline = ctx.new_page()
    offline.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    offline.goto(html_path.as_uri())
    offline.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length >= 21")
    offline.locator(".leaflet-control-layers").hover()
    assert NAME in offline.locator(".leaflet-control-layers-overlays").inner_text()
    label = offline.locator(".gd-label", has_text="广州").bounding_box()
    offline.mouse.click(label["x"] + label["width"] / 2, label["y"] + label["height"] / 2 + 14)
    popup = offline.locator(".leaflet-popup-content")
    popup.wait_for()
    assert QUOTE in popup.inner_text() and "核心{{1+1}}" in popup.inner_text()
    assert offline.title() != "pwned" and "49" not in offline.locator(".leaflet-control-layers-overlays").inner_text()
    ctx.close()
    # (the file itself is local; every other request went to the app on loopback)
    assert [u for u in net.foreign() if not u.startswith("file:")] == []
