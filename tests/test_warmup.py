"""The server's first minutes (ui.warmup, serve.py): the caches a first page view needs are
filled by a background thread, once however many threads ask at the same time, and the page
shows its title and a placeholder for the map while they are not."""

import threading

import pytest
from streamlit.testing.v1 import AppTest

import layers.map as lmap
from testing.browser import STEP_S
from tests.conftest import ROOT
from ui import bridge, mapview, panels, resources, warmup
from views.state import LANGS, ViewState


@pytest.fixture
def cold(monkeypatch):
    """Empty caches, and every map built counted (the bridge looks build_map up at call time)."""
    for fn in (resources.builtin, bridge.map_payload, mapview.scene_for, panels.coverage_tables):
        fn.clear()
    built = []
    real = lmap.build_map

    def counting(policy, rows, data, state, *args, **kwargs):
        built.append(state.lang)
        return real(policy, rows, data, state, *args, **kwargs)

    monkeypatch.setattr(lmap, "build_map", counting)
    yield built
    for fn in (resources.builtin, bridge.map_payload, mapview.scene_for, panels.coverage_tables):
        fn.clear()


def test_warm_fills_what_the_first_page_needs_once_for_all_threads(cold):
    # Two warm-ups at once (a visitor arriving during the warm-up computes nothing either):
    # each map is built once, by whichever thread asked first.
    threads = [threading.Thread(target=warmup.warm, args=(ROOT,)) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(STEP_S)
    assert sorted(cold) == sorted(LANGS)
    base = resources.builtin(str(ROOT))
    for lang in LANGS:  # served from the cache: no map is built again
        payload = bridge.map_payload(lmap.base_state(ViewState(lang=lang)), base.key, base)
        assert "gd.scene(" in payload.script
    assert sorted(cold) == sorted(LANGS)
    assert resources.builtin(str(ROOT)) is base


def test_start_returns_at_once_and_warms_in_the_background(cold, monkeypatch):
    monkeypatch.setattr(warmup, "RUNTIME_WAIT_S", 0)  # no server in a test: do not wait for one
    monkeypatch.setattr(warmup, "STATUS", {"started": None, "finished": None, "error": None, "steps": []})
    release = threading.Event()
    real = warmup.warm
    monkeypatch.setattr(warmup, "warm", lambda app_dir: (release.wait(STEP_S), real(app_dir)))
    thread = warmup.start(ROOT)
    assert thread.daemon and thread.is_alive() and not cold  # the caller did not wait
    release.set()
    thread.join(STEP_S)
    assert warmup.STATUS["error"] is None and warmup.STATUS["steps"][-1] == "tables"
    assert sorted(cold) == sorted(LANGS)


def placeholder_page():
    from ui import warmup

    warmup.placeholder("en")


def test_placeholder_only_while_cold(monkeypatch):
    monkeypatch.setattr(warmup, "_done", threading.Event())
    at = AppTest.from_function(placeholder_page).run()
    assert "gd-skeleton" in at.get("html")[0].proto.body
    assert "Loading the map…" in at.get("html")[0].proto.body
    warmup._done.set()
    at = AppTest.from_function(placeholder_page).run()
    assert not at.get("html")


def test_first_run_puts_the_title_first_and_leaves_no_placeholder(monkeypatch):
    monkeypatch.setattr(warmup, "_done", threading.Event())
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=STEP_S)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert at.main[0].type == "title"  # drawn before the app's modules load
    assert at.title[0].value == "Guangdong strategic industrial clusters"
    assert not any("gd-skeleton" in h.proto.body for h in at.get("html"))
    assert warmup._done.is_set()
    # The next run (warm) has the same elements in the same places: nothing after the
    # placeholder's slot moves, so the map's frame is not mounted anew.
    first = [e.type for e in at.main]
    at.run()
    assert [e.type for e in at.main] == first


def test_serve_runs_the_app_with_the_options_given():
    import serve

    argv = serve.streamlit_argv(["--server.port", "8502"])
    assert argv[:2] == ["streamlit", "run"] and argv[2] == str(ROOT / "app.py") and argv[3:] == ["--server.port", "8502"]
