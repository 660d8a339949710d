"""The server's first minutes (ui.warmup, serve.py): the caches a first page view needs are
filled before the server opens its port, once however many threads ask at the same time, and
the page shows its title and a placeholder for the map while they are not."""

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


def test_prepare_warms_before_it_returns_and_registers_the_component_later(cold, monkeypatch):
    # serve.py opens the port only after prepare() returns: by then the caches are full.
    monkeypatch.setattr(warmup, "RUNTIME_WAIT_S", 0)  # no server in a test: do not wait for one
    monkeypatch.setattr(warmup, "STATUS", {"started": None, "finished": None, "error": None, "steps": []})
    monkeypatch.setattr(warmup, "_done", threading.Event())
    registered = threading.Event()
    monkeypatch.setattr(bridge, "register_component", registered.set)
    thread = warmup.prepare(ROOT)
    assert sorted(cold) == sorted(LANGS) and warmup._done.is_set()
    assert warmup.STATUS["error"] is None and "tables" in warmup.STATUS["steps"]
    thread.join(STEP_S)
    assert thread.daemon and registered.is_set()


def test_a_failed_warm_up_leaves_the_work_to_the_first_visitor(monkeypatch):
    monkeypatch.setattr(warmup, "RUNTIME_WAIT_S", 0)
    monkeypatch.setattr(warmup, "STATUS", {"started": None, "finished": None, "error": None, "steps": []})
    monkeypatch.setattr(warmup, "_done", threading.Event())
    monkeypatch.setattr(bridge, "register_component", lambda: None)

    def broken(app_dir):
        raise OSError("boundaries unreadable")

    monkeypatch.setattr(warmup, "warm", broken)
    warmup.prepare(ROOT).join(STEP_S)
    assert "boundaries unreadable" in warmup.STATUS["error"]
    assert not warmup._done.is_set()  # the page still shows its placeholder until drawn


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
