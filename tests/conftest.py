from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def policy():
    from policy import load_policy

    return load_policy()


@pytest.fixture(scope="session")
def rows(policy):
    from policy.coverage import designation_rows

    return designation_rows(policy)


# ---- browser tests (Playwright driving Debian's Chromium); one browser per test module ----

@pytest.fixture(scope="module")
def browser():
    import os

    from testing.browser import CHROMIUM, launch_chromium

    playwright_api = pytest.importorskip("playwright.sync_api")
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
    from testing.browser import VIEWPORT

    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()
