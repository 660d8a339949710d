"""The page a browser gets from serve.py before any script runs (ui.shell): the app's title in
the link's language at once, replaced by the app when Streamlit's scripts start."""

import json
import os
import re
from pathlib import Path

import pytest
from streamlit import file_util

from tests.conftest import ROOT
from ui import shell
from views.i18n import t

INSTALLED = Path(file_util.get_static_dir())


def test_the_page_carries_the_title_and_loading_line_in_both_languages():
    page = shell.shell_index((INSTALLED / "index.html").read_text(encoding="utf-8"))
    assert page is not None
    assert page.count('id="root"') == 1
    h1 = re.search(r'<h1 id="gd-shell-title">(.*?)</h1>', page).group(1)
    assert h1 == t("app_title", "zh")
    assert f'<p id="gd-shell-note" role="status">{t("map_loading", "zh")}</p>' in page
    words = json.loads(re.search(r"var words = (\{.*?\});", page).group(1))
    assert words == {"title": t("app_title", "en"), "note": t("map_loading", "en")}
    assert f"<title>{t('app_title', 'zh')} · {t('app_title', 'en')}</title>" in page
    # Streamlit's own page is otherwise unchanged: its scripts and styles are all still there.
    for tag in re.findall(r'<(?:script|link)[^>]*(?:src|href)="[^"]+"[^>]*>', (INSTALLED / "index.html").read_text()):
        assert tag in page


def test_a_page_without_its_root_element_is_served_as_it_is(tmp_path):
    assert shell.shell_index("<html><body><div id='app'></div></body></html>") is None
    installed = tmp_path / "installed"
    installed.mkdir()
    (installed / "index.html").write_text("<html><body></body></html>")
    assert shell.static_copy(installed, tmp_path / "copy") is None
    assert not (tmp_path / "copy").exists()


def test_the_copy_links_every_file_and_rewrites_only_the_page(tmp_path):
    folder = shell.static_copy(INSTALLED, tmp_path / "static")
    assert sorted(os.listdir(folder)) == sorted(os.listdir(INSTALLED))
    for name in os.listdir(folder):
        path = folder / name
        if name == "index.html":
            assert not path.is_symlink() and 'id="gd-shell-title"' in path.read_text(encoding="utf-8")
        else:
            assert path.is_symlink() and path.resolve() == (INSTALLED / name).resolve()
    assert 'id="gd-shell-title"' not in (INSTALLED / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def served():
    from testing.browser import StreamlitServer

    with StreamlitServer(ROOT / "app.py", cwd=ROOT, launcher=ROOT / "serve.py") as srv:
        yield srv


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_title_is_on_screen_before_streamlit_runs_and_the_app_replaces_it(browser, served, lang):
    from testing.browser import new_page, wait_for_map

    query = "?lang=en" if lang == "en" else ""
    page = new_page(browser)
    # Streamlit's scripts withheld: what a visitor sees while they load.
    page.route("**/static/js/**", lambda route: route.abort())
    page.goto(served.url + query)
    title = page.locator("h1#gd-shell-title")
    title.wait_for()
    assert title.inner_text() == t("app_title", lang)
    assert title.bounding_box()["height"] > 0
    assert page.locator("#gd-shell-note").inner_text() == t("map_loading", lang)
    page.context.close()

    page = new_page(browser)
    page.goto(served.url + query)
    wait_for_map(page, 21)
    assert page.locator("#gd-shell-title").count() == 0
    assert page.locator("h1").first.inner_text() == t("app_title", lang)
    page.context.close()
