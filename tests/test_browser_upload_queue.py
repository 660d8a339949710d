"""A small valid upload is accepted while slow ones hold every judge (issue 21, item 4).

Every worker slot is taken by a slow upload (one that runs out its budget) from its
own session; a further session then uploads the bundled city boundaries, a valid
file that takes some seconds to judge. It waits for a slot, and must then be
accepted: its time budget starts with the slot. Before, the wait counted against
the file's budget, the file had the second or two the slow uploads left it, and it
was refused "over the time limit, simplify or split it". Then a slow session
reloads and uploads its file again: it is judged again, since a refusal over the
budget is never cached (it was, for an hour).

What makes the slow files slow is under the test's control, so the test does not
depend on how busy the machine is: a `sitecustomize` module on the server's
PYTHONPATH (imported at start-up by the server and by the judge's helper process
alike; no code of the app knows about it) shortens the budget to 10 s and makes the
judge sleep on files whose name starts with "slow-" (for an hour, as if they held
hopeless geometry) or "steady-" (for a few seconds, as a larger file would take),
leaving markers so that the test knows when such a job is queued and when it runs.
The app's own code, queue and worker do everything else."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from geo.boundaries import load_cities
from ingest.budget import MAX_PARALLEL
from testing.browser import StreamlitServer, new_page, poll, wait_for_app_idle, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright = pytest.importorskip("playwright.sync_api")

BUDGET = 10
STEADY = 4  # seconds the valid file takes on top of its judging
SITECUSTOMIZE = '''
import os

if os.environ.get("GD_TEST_SLOW_DIR"):
    from ingest import caps

    caps.BUDGET_SECONDS = float(os.environ["GD_TEST_BUDGET"])
    caps.BUDGET_QUEUE_SECONDS = 2 * caps.BUDGET_SECONDS

    import functools
    import pathlib
    import time

    import uploads.judge as judge

    def _mark(name, what):
        pathlib.Path(os.environ["GD_TEST_SLOW_DIR"], f"{name}.{what}").touch()

    def _slow(fn):
        @functools.wraps(fn)
        def job(data, name, *args):
            if str(name).startswith("slow-"):
                _mark(name, "started")
                time.sleep(3600)
            if str(name).startswith("steady-"):
                time.sleep(float(os.environ["GD_TEST_STEADY"]))
            return fn(data, name, *args)
        return job

    judge._designations = _slow(judge._designations)
    judge._boundaries = _slow(judge._boundaries)
    _run_limited = judge.run_limited

    def _queued(fn, data, name, *args, **kwargs):
        if str(name).startswith(("slow-", "steady-")):
            _mark(name, "queued")
        return _run_limited(fn, data, name, *args, **kwargs)

    judge.run_limited = _queued
'''


@pytest.fixture(scope="module")
def started(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("started")


@pytest.fixture(scope="module")
def server(tmp_path_factory, started):
    hook = tmp_path_factory.mktemp("hook")
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {"PYTHONPATH": str(hook), "GD_TEST_SLOW_DIR": str(started), "GD_TEST_BUDGET": str(BUDGET),
           "GD_TEST_STEADY": str(STEADY)}
    with StreamlitServer("app.py", static=True, env=env) as s:
        yield s


def open_app(browser, server):
    page = new_page(browser)
    page.goto(server.url + "?coverage=0&zoning=0")
    wait_for_map(page, 0)
    wait_for_app_idle(page)  # the map's first report answered: no rerun under way to drop an upload
    return page.context, page


def upload_boundaries(page, path: Path) -> None:
    uploader = page.locator("[data-testid='stFileUploader']", has_text="边界")
    uploader.locator("input[type=file]").set_input_files(str(path))


def wait_for_file(path: Path) -> None:
    """The marker the judge leaves, within the one step deadline (a fresh judge process on a busy
    machine takes a while to start)."""
    poll(None, path.exists, f"{path.name} was never judged")


def test_a_small_valid_upload_is_accepted_while_slow_ones_hold_every_judge(browser, server, started, tmp_path):
    data = load_cities().to_json().encode()
    contexts, pages = [], []  # the slow sessions' pages, then the valid file's
    try:
        # Every page open first: the uploads then follow each other within a second or two.
        for _ in range(MAX_PARALLEL + 1):
            ctx, page = open_app(browser, server)
            contexts.append(ctx)
            pages.append(page)
        for i, page in enumerate(pages[:-1]):  # as many slow uploads as the server has judges
            path = tmp_path / f"slow-{i}.geojson"
            path.write_bytes(data)
            upload_boundaries(page, path)
        for i in range(MAX_PARALLEL):
            wait_for_file(started / f"slow-{i}.geojson.started")
        begun = time.monotonic()
        valid = tmp_path / "steady-cities.geojson"
        valid.write_bytes(data)
        page = pages[-1]
        upload_boundaries(page, valid)
        wait_for_file(started / f"{valid.name}.queued")
        accepted, refused = page.get_by_text("正在使用上传的数据"), page.get_by_text("文件无效")
        accepted.or_(refused).first.wait_for(timeout=4 * BUDGET * 1000)
        took = time.monotonic() - begun
        assert accepted.count() == 1, page.locator("section code").all_inner_texts()
        assert page.get_by_text("时限").count() == 0 and page.get_by_text("服务器正忙").count() == 0
        # It waited for a slot: the slow uploads held every one until their budget ran out.
        assert took > BUDGET / 2 + STEADY, took
        for slow_page in pages[:-1]:
            slow_page.get_by_text("时限").first.wait_for(timeout=2 * BUDGET * 1000)
        # An over-budget refusal is not cached: after a reload the same file is judged again.
        again = started / "slow-0.geojson.started"
        again.unlink()
        (started / "slow-0.geojson.queued").unlink()
        pages[0].reload()
        wait_for_map(pages[0], 0)
        wait_for_app_idle(pages[0])
        upload_boundaries(pages[0], tmp_path / "slow-0.geojson")
        wait_for_file(started / "slow-0.geojson.queued")  # asked for a judgement (not taken from a cache)
        wait_for_file(again)  # and given a slot
    finally:
        for ctx in contexts:
            ctx.close()
