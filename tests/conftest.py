from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Tests that use one of these fixtures share its Streamlit server (one per worker, started by the
# first test that needs it). Under `pytest -n N --dist loadgroup` (make test) they run in groups of
# a few tests of one module, each group on one worker and its server: a worker starts the server
# once, and a large browser module is spread over the workers rather than holding one of them for
# minutes after the others are done.
SHARED_SERVERS = ("app_server", "slow_app_server")
GROUP_SIZE = 3


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    seen: dict[tuple[str, str], int] = {}
    for item in items:
        for name in SHARED_SERVERS:
            if name in getattr(item, "fixturenames", ()):
                key = (name, item.module.__name__)
                n = seen[key] = seen.get(key, -1) + 1
                item.add_marker(pytest.mark.xdist_group(f"{name}:{item.module.__name__}:{n // GROUP_SIZE}"))
    # Longest first: the slow and benchmark tests are handed out before the quick ones fill the
    # gaps, so no worker is left with one long test at the end. The sort is stable, so every
    # worker collects the same order (xdist checks it).
    items.sort(key=lambda item: not (item.get_closest_marker("slow") or item.get_closest_marker("bench")))
    if getattr(config.option, "loadgroup", False):  # set on xdist's workers under --dist loadgroup
        for item in items:
            _name_the_group(item)


def _name_the_group(item) -> None:
    """The group in the test's id, as xdist's scheduler reads it ("<id>@<group>").

    xdist writes the suffix to `item._nodeid`, which pytest 9 no longer reads (an item's id is
    `item._id`): every group would silently fall apart, each of its tests sent to any worker, so
    a module's shared renders and builds were made again on every worker that got one of them.
    Where pytest still reads `_nodeid`, xdist's own suffix works and this leaves the item alone
    (upstream: pytest-dev/pytest-xdist issue 1386, fix proposed in pull request 1388)."""
    names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                    for m in item.iter_markers("xdist_group")})
    if not names or hasattr(item, "_nodeid") or not hasattr(item, "_id"):
        return
    from _pytest.nodeid import NodeId

    item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")


@pytest.fixture(scope="session")
def policy():
    from policy import load_policy

    return load_policy()


@pytest.fixture(scope="session")
def rows(policy):
    from policy.coverage import designation_rows

    return designation_rows(policy)


@pytest.fixture(scope="session")
def drawn(policy):
    """(state, size, dpi) -> (figure, RenderInfo): a map of the bundled policy on the bundled
    boundaries, drawn once per worker and shared by the checks that only read a figure (its
    artists, texts and frames, what it drew, its pixels saved at its own dpi). A check that
    changes a figure, or watches the drawing itself (its warnings), draws its own. Tests sharing
    these maps are one xdist group, so one worker draws each map once."""
    from export.data import StaticData
    from export.render import build_figure

    made: dict = {}

    def get(state, size: str = "a4-landscape", dpi: int = 100):
        key = (state, size, dpi)
        if key not in made:
            made[key] = build_figure(policy, state, size=size, dpi=dpi, data=StaticData.load())
        fig, info = made[key]
        assert fig.dpi == dpi, f"a check changed a shared figure's resolution to {fig.dpi}"
        return fig, info

    return get


# ---- browser tests (Playwright driving Debian's Chromium): one browser per worker ----

@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def app_server():
    """app.py as `make run` serves it (the repository's .streamlit/config.toml): one server per
    worker for every test that uses it; each test opens its own session."""
    from testing.browser import StreamlitServer

    with StreamlitServer(ROOT / "app.py", cwd=ROOT) as srv:
        yield srv


@pytest.fixture(scope="session")
def slow_app_server():
    """app.py with every script run delayed (testing/slow_app.py): what a user sees on a
    loaded server, for the tests that show the waits hold there."""
    from testing.browser import StreamlitServer
    from testing.slow_app import DELAY_ENV, DELAY_S

    with StreamlitServer(ROOT / "testing" / "slow_app.py", cwd=ROOT, env={DELAY_ENV: str(DELAY_S)}) as srv:
        yield srv


@pytest.fixture(scope="session")
def shots(tmp_path_factory):
    d = tmp_path_factory.mktemp("screens")
    print(f"\nscreenshots: {d}")
    return d


@pytest.fixture
def page(browser):
    """A fresh session (browser context) in Chinese, on the shared desktop viewport."""
    from testing.browser import new_page

    pg = new_page(browser, locale="zh-CN")
    yield pg
    pg.context.close()
