"""The server's first minutes: caches filled before the first visitor asks, and a sign of
life on the page while they are not.

`prepare(app_dir)` (called by serve.py before the server opens its port) fills what every
first page view needs and no session owns: the modules the app imports, the built-in data
and boundaries, and the default map of each language with its scene and tables. The caches
are Streamlit's `cache_resource`, shared by every session and thread-safe: a visitor who
arrives while a value is being computed waits for that one computation instead of starting
another. `streamlit run app.py` alone (tests, `make dev`) warms nothing and starts as before,
and shows the placeholder below until its first page is drawn.

This module imports only the standard library and Streamlit, so that app.py can put its
title and the map's placeholder on the page before the app's heavy modules load.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import streamlit as st

_LOG = logging.getLogger("gd.warmup")
_done = threading.Event()  # a page has been drawn, or the caches are warm: no placeholder
RUNTIME_WAIT_S = 60
STATUS: dict = {"started": None, "finished": None, "error": None, "steps": []}

SKELETON_CSS = """<style>
.gd-skeleton { height: max(420px, calc(100vh - 190px)); border-radius: 4px; display: flex; align-items: center;
  justify-content: center; color: #555; font-size: .95rem;
  background: linear-gradient(90deg, #eef1f4 25%, #f7f9fa 50%, #eef1f4 75%); background-size: 200% 100%;
  animation: gd-skel 1.4s ease-in-out infinite; }
@keyframes gd-skel { from { background-position: 200% 0; } to { background-position: -200% 0; } }
</style>"""


def warm(app_dir: Path) -> None:
    """Fill the process-wide caches the first page view needs (see the module's doc)."""
    from dataclasses import astuple

    from layers.map import base_state
    from ui import resources
    from ui.bridge import map_payload
    from ui.mapview import scene_for
    from ui.panels import coverage_tables
    from views.state import BASIS, LANGS, TIER, ViewState

    STATUS["steps"].append("imports")
    base = resources.builtin(str(app_dir))
    STATUS["steps"].append("data")
    for lang in LANGS:
        state = ViewState(lang=lang)
        map_payload(base_state(state), base.key, base)
        STATUS["steps"].append(f"map {lang}")
    # The first switch of basis or tier finds its scene and tables ready too.
    for basis in BASIS:
        for tier in TIER:
            for lang in LANGS:
                scene_for(base.key, astuple(ViewState(lang=lang, basis=basis, tier=tier).map_view()), base)
            coverage_tables(base.key, basis, tier, base)
    STATUS["steps"].append("tables")


def prepare(app_dir: Path) -> threading.Thread:
    """Warm the caches now, before the server opens its port (serve.py), so that its first
    visitor, who can only arrive after that, finds them filled; a failure is logged and leaves
    the work to that visitor. Returns the thread that registers the map's component once the
    server's runtime exists (a component imported before it is not registered)."""
    STATUS["started"] = time.monotonic()
    # Outside a page's run Streamlit warns, for each cached call, that there is no run context.
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level, quiet.level = quiet.level, logging.ERROR
    try:
        warm(app_dir)
        _done.set()
    except Exception as exc:  # noqa: BLE001 - a failed warm-up leaves the work to the first visitor
        STATUS["error"] = repr(exc)
        _LOG.warning("warm-up failed: %r", exc)
    finally:
        quiet.setLevel(level)
    STATUS["finished"] = time.monotonic()
    _LOG.info("warm-up %s in %.1f s", "failed" if STATUS["error"] else "done",
              STATUS["finished"] - STATUS["started"])
    thread = threading.Thread(target=_register, name="gd-register", daemon=True)
    thread.start()
    return thread


def _register() -> None:
    from streamlit import runtime

    from ui.bridge import register_component

    started = time.monotonic()
    while not runtime.exists() and time.monotonic() - started < RUNTIME_WAIT_S:
        time.sleep(0.05)  # the server starts in this process's main thread: nothing to wait on
    register_component()
    STATUS["steps"].append("component")


def placeholder(lang: str):
    """A slot where, until this process has drawn a page (or warmed its caches), a placeholder
    for the map says it is on its way. The slot is on the page in every run, filled or not,
    so that the elements after it keep their places (a map that moved would be mounted anew)."""
    slot = st.empty()
    if not _done.is_set():
        from html import escape

        from views.i18n import t

        slot.html(f'{SKELETON_CSS}<div class="gd-skeleton" role="status">{escape(t("map_loading", lang))}</div>')
    return slot


def drawn(slot) -> None:
    """The page is drawn: the placeholder goes, and no later run shows one."""
    _done.set()
    slot.empty()
