"""Uploads in a real browser: hostile text stays text, and sessions never see each other's data."""

import csv

import pytest

from testing.browser import (
    STEP_S,
    expect_rerun,
    map_frame,
    new_page,
    wait_for_app_idle,
    wait_for_map,
    wait_for_url,
    wait_in_map,
)

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

HEADER = ["cluster_id", "cluster_zh", "cluster_en", "tier", "place_zh", "city_zh", "adcode", "role_zh", "role",
          "basis", "quote"]
HOSTILE = {
    "cluster_zh": "<script>alert('zh')</script>恶意集群",
    "cluster_en": "<img src=x onerror=alert('en')>",
    "place_zh": "[点我](javascript:alert('place'))",
    "role_zh": "<b onmouseover=alert('role')>角色</b>",
    "quote": "<script>alert('quote')</script><a href=\"javascript:alert('q')\">链接</a>",
}


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=HEADER)
        w.writeheader()
        w.writerows(rows)
    return path


def row(cid, name, city="广州", adcode="440100", **extra):
    base = dict(cluster_id=cid, cluster_zh=name, cluster_en=name, tier="pillar", place_zh=city, city_zh=city,
                adcode=adcode, role_zh="核心", role="core", basis="explicit", quote=f"{name}的原文")
    base.update(extra)
    return base


@pytest.fixture
def server(app_server):
    return app_server


def open_app(browser, server, dialogs):
    page = new_page(browser)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server.url + "?coverage=0&zoning=0")
    wait_for_map(page, 0)
    return page.context, page


def upload(page, path) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
    page.get_by_text("正在使用上传的数据").wait_for()


GLYPHS_JS = "() => document.querySelectorAll('.gd-glyphs .gd-glyph').length"


def show_all_clusters(page):
    # Buttons are drawn again by every rerun: click once the map has painted and the app is idle,
    # and wait for the click's run, then for the map to show the clusters (the map frame switches
    # its layers after the run).
    wait_for_map(page, 0)
    wait_for_app_idle(page)
    with expect_rerun(page):
        page.get_by_role("button", name="全部").click()
    wait_for_url(page, "clusters=all")
    wait_in_map(page, f"() => ({GLYPHS_JS})() > 0", "no cluster glyph appeared on the map")


def layer_names(frame) -> str:
    frame.locator(".leaflet-control-layers").hover()
    return frame.locator(".leaflet-control-layers-overlays").inner_text()


def test_hostile_text_is_shown_as_text(browser, server, tmp_path):
    path = write_csv(tmp_path / "hostile.csv", [row("evil", HOSTILE["cluster_zh"], **{
        k: v for k, v in HOSTILE.items() if k != "cluster_zh"})])
    dialogs: list[str] = []
    ctx, page = open_app(browser, server, dialogs)
    upload(page, path)
    show_all_clusters(page)
    frame = wait_for_map(page, 1)
    assert HOSTILE["cluster_zh"] in layer_names(frame)
    # open the popup of 广州
    box = frame.locator(".gd-label", has_text="广州").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 12)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert HOSTILE["quote"] in text and HOSTILE["place_zh"] in text and HOSTILE["role_zh"] in text
    # nothing became markup
    assert frame.locator("img[src='x']").count() == 0
    assert frame.locator("a[href^='javascript']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0

    # the offline HTML export of this view
    wait_for_app_idle(page)
    with expect_rerun(page):
        page.get_by_role("tab", name="导出").click()
    wait_for_app_idle(page)
    button = page.get_by_role("button", name="下载离线 HTML")
    try:
        with page.expect_download(timeout=STEP_S * 500) as dl:
            button.click()
    except playwright.TimeoutError:
        # Seen under load about once in six runs: the file was generated and fetched (the
        # button's check of its address answered 200) but the browser started no download. Not
        # the 5 s user-activation window (a 6 s deferred file downloads in a bare app) nor a rerun
        # of the map (it no longer reports its own moves); cause not established. A user clicks
        # again; so does the test, once, and then requires the file.
        wait_for_app_idle(page)
        with page.expect_download() as dl:
            button.click()
    html_path = tmp_path / "export.html"
    dl.value.save_as(html_path)
    assert "<script>alert(" not in html_path.read_text(encoding="utf-8")
    export_page = ctx.new_page()
    export_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    export_page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                      else r.abort())
    export_page.goto(html_path.as_uri())
    export_page.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length >= 1")
    # the load event comes after every image has loaded or failed: any onerror handler has run
    export_page.wait_for_load_state("load")
    export_page.locator(".leaflet-control-layers").hover()
    assert HOSTILE["cluster_zh"] in export_page.locator(".leaflet-control-layers-overlays").inner_text()
    assert export_page.locator("img[src='x']").count() == 0
    ctx.close()
    assert dialogs == []


def test_sessions_never_see_each_others_uploads(browser, server, tmp_path):
    a_file = write_csv(tmp_path / "a.csv", [row("alpha", "甲集群Alpha")])
    b_file = write_csv(tmp_path / "b.csv", [row("beta", "乙集群Beta", city="深圳", adcode="440300")])
    dialogs: list[str] = []
    (ctx_a, a), (ctx_b, b), (ctx_c, c) = (open_app(browser, server, dialogs) for _ in range(3))
    upload(a, a_file)
    upload(b, b_file)
    for page in (a, b, c):
        show_all_clusters(page)
    names = {k: layer_names(map_frame(p)) for k, p in (("a", a), ("b", b), ("c", c))}
    assert "甲集群Alpha" in names["a"] and "乙集群Beta" not in names["a"]
    assert "乙集群Beta" in names["b"] and "甲集群Alpha" not in names["b"]
    assert "甲集群Alpha" not in names["c"] and "乙集群Beta" not in names["c"]
    assert "汽车产业" in names["c"] and "汽车产业" not in names["a"]  # replace mode hides the built-in
    # each session's URL carries its own selection only
    assert "alpha" not in b.url and "beta" not in a.url
    for ctx in (ctx_a, ctx_b, ctx_c):
        ctx.close()


def test_switching_language_shows_the_same_judgement_in_the_other_language(browser, server, tmp_path):
    """The browser sends a choice back as its label; after a switch of language every
    labelled choice (basis, city, the upload mode) is kept, and the upload's problems
    are shown in the new language without an error."""
    path = write_csv(tmp_path / "bad.csv", [row("ok", "甲集群"), row("bad", "乙集群", city="Atlantis", adcode="",
                                                                      tier="gold")])
    page = new_page(browser)
    ctx = page.context
    page.goto(server.url + "?coverage=0&zoning=0&basis=all&city=440300")
    wait_for_map(page, 0)
    page.get_by_text("自有数据").first.click()
    wait_for_app_idle(page)
    with expect_rerun(page):
        page.locator("[data-testid='stSidebar'] label", has_text="与内置并列").first.click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
    page.locator("code", has_text="bad.csv：第 3 行 city_zh：未知城市 'Atlantis'").first.wait_for()
    page.locator("[data-testid='stSidebar'] label", has_text="English").first.click()
    page.locator("code", has_text="bad.csv: row 3:city_zh: unknown city 'Atlantis'").first.wait_for()
    wait_for_app_idle(page)
    text = page.locator("section").first.inner_text()
    assert "bad.csv: row 3:tier: tier 'gold' is not accepted" in page.locator("code").first.inner_text()
    assert "未知城市" not in text and "Error" not in page.locator("body").inner_text()
    assert "The file is invalid; the map keeps the built-in data." in text
    url = page.url
    assert "lang=en" in url and "basis=all" in url and "city=440300" in url
    assert page.locator("[data-testid='stSidebar'] label:has(input:checked)", has_text="beside built-in").count() == 1
    ctx.close()
