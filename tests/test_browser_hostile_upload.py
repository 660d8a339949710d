"""A hostile upload in a real browser session does not hold up the server:
/_stcore/health keeps answering in < 1 s and another session's map renders.

The file is a designations CSV with a mistake in every one of 5,000 rows (it
took 60-90 s before the checks became linear)."""

import csv
import threading
import time
import urllib.request

import pytest

from testing.browser import StreamlitServer, map_frame, wait_for_painted

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow]

HEADER = ["cluster_id", "cluster_zh", "cluster_en", "tier", "place_zh", "city_zh", "adcode", "role_zh", "role",
          "basis", "quote"]


@pytest.fixture(scope="module")
def server():
    with StreamlitServer("app.py", static=True) as s:
        yield s


def test_hostile_upload_leaves_health_and_other_sessions_responsive(browser, server, tmp_path):
    path = tmp_path / "every-row-wrong.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(5000):
            w.writerow([f"c{i % 150}", f"名{i}", "", "gold", "", f"无此城{i}", "", "", "boss", "maybe", f"q{i}"])

    latencies: list[float] = []
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            t = time.perf_counter()
            with urllib.request.urlopen(server.url + "_stcore/health", timeout=10) as r:
                r.read()
            latencies.append(time.perf_counter() - t)
            time.sleep(0.1)

    hostile = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = hostile.new_page()
    page.goto(server.url + "?coverage=0&zoning=0")
    wait_for_painted(map_frame(page), 0)
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        uploader = page.locator("[data-testid='stFileUploader']", has_text="点名表")
        uploader.locator("input[type=file]").set_input_files(str(path))
        # meanwhile a second session opens the app and its map draws
        other = browser.new_context(viewport={"width": 1200, "height": 900})
        other_page = other.new_page()
        t = time.perf_counter()
        other_page.goto(server.url)
        wait_for_painted(map_frame(other_page), 21)
        other_took = time.perf_counter() - t
        page.get_by_text("文件无效，地图仍使用内置数据").wait_for(timeout=60_000)
        # 200 problems listed, then one line "and N more problems", in the page's language
        page.get_by_text("201 个问题").wait_for(timeout=10_000)
        # (waited for: the code block can paint a moment after the count above it)
        page.locator("section code", has_text="个问题（仅列出前 200 个）").first.wait_for(timeout=10_000)
    finally:
        stop.set()
        poller.join(15)
    assert latencies and max(latencies) < 1.0, latencies
    assert other_took < 30, other_took
    other.close()
    hostile.close()
