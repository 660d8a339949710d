"""Every touchpoint with streamlit-folium, in one place.

st_folium re-renders and re-serialises the whole Folium map on every rerun and
renames the elements of the Map it is given. The app instead renders each base
map once (with the same helper functions st_folium uses) and hands the strings
to its component on each run; overlays switch through the component's
`layer_control` string, which it evaluates in place without re-rendering. These
are private functions of streamlit-folium, so the version is checked: another
version gets a clear message instead of a silently broken map.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version

import streamlit as st
import streamlit_folium as sf

import layers.map as lmap  # looked up at call time: the county benchmark wraps build_map
from views.i18n import t
from views.state import BASIS, TIER, ViewState

TESTED_VERSION = "0.27.4"
# Only what a user does comes back: a click and the layer-control ticks. The map's position is kept in
# the page (layers/js/gd.js), not reported: a report is a rerun, and the map moves on its own (its
# first fit, a tab shown again), so reporting it ran the app for nothing and, landing while another
# run was under way, could bring the widgets' previous values back with it.
RETURNED = ("last_clicked", "selected_tags")
MAP_HEIGHT = 640  # px; the page's CSS sizes the frame to the window where it can
# A map's script is ~0.5 MB for the built-in data; uploads are capped (ingest/caps.py), and
# this bounds what any one cached map can hold: 48 entries × 6 MB at most.
MAX_SCRIPT_BYTES = 6_000_000
MAP_CACHE_ENTRIES = 48
ALL_MODES = tuple((b, tier) for b in BASIS for tier in TIER)  # what a map switches between in the page


class MapTooLarge(ValueError):
    """The map of a user's data would be too large to send (and to cache)."""


def version_problem() -> str | None:
    """None when the installed streamlit-folium is the tested one, else what to do (both languages)."""
    installed = version("streamlit-folium")
    missing = [n for n in ("_get_html", "_get_header", "_get_map_string", "_component_func", "get_full_id",
                           "generate_js_hash") if not hasattr(sf, n)]
    if installed == TESTED_VERSION and not missing:
        return None
    return (t("bridge_version", "zh").format(installed=installed, tested=TESTED_VERSION) + "\n"
            + t("bridge_version", "en").format(installed=installed, tested=TESTED_VERSION))


@dataclass(frozen=True)
class MapPayload:
    """What the component needs to draw one base map: strings only, immutable, so one
    copy serves every session."""

    script: str
    header: str
    html: str
    map_id: str
    key: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    defaults: dict


@st.cache_resource(show_spinner=False, max_entries=MAP_CACHE_ENTRIES)
def map_payload(base: ViewState, data_key: str, _res) -> MapPayload:
    """Render the base map once per (data, language, basemap), with every basis and tier
    in it (switched in the page). Raises MapTooLarge (and caches nothing) for a map over
    MAX_SCRIPT_BYTES."""
    m = lmap.build_map(_res.policy, _res.rows, _res.map_data, base, modes=ALL_MODES)
    m.get_root().render()
    m.render()
    script = sf._get_map_string(m)
    if len(script.encode()) > MAX_SCRIPT_BYTES:
        raise MapTooLarge(len(script.encode()))
    return MapPayload(
        script=script, header=sf._get_header(m), html=sf._get_html(m), map_id=sf.get_full_id(m),
        key=sf.generate_js_hash(script, "map", False),
        css_links=tuple(dict.fromkeys(u for _, u in m.default_css)),
        js_links=tuple(dict.fromkeys(u for _, u in m.default_js)),
        # What the map reports before anyone touches it: the same value, so that report is no rerun.
        defaults={"last_clicked": None, "selected_tags": []},
    )


def register_component() -> None:
    """streamlit-folium registers its component with the server only when first imported
    inside a page's run; imported first by the warm-up thread (ui.warmup), it is registered
    here, or the page would ask the server for a component it does not know."""
    from streamlit import runtime

    if runtime.exists():
        registry = runtime.get_instance().component_registry
        if registry.get_component_path(sf._component_func.name) is None:
            registry.register_component(sf._component_func)


def _map_changed() -> None:
    p = st.session_state.get("_payload_key")
    if p:
        st.session_state["map"] = st.session_state.get(p) or {}


def show_map(state: ViewState, res) -> None:
    """Draw the map of `state`; a change of overlays, basis, tier or city only runs
    `state_script` in the page."""
    problem = version_problem()
    if problem:
        st.error(problem)
        return
    try:
        payload = map_payload(lmap.base_state(state), res.key, res)
    except MapTooLarge as exc:
        mb = exc.args[0] / 1e6
        st.error(t("map_too_large", state.lang).format(mb=mb, cap=MAX_SCRIPT_BYTES / 1e6))
        return
    st.session_state["_payload_key"] = payload.key
    sf._component_func(
        script=payload.script, header=payload.header, html=payload.html, id=payload.map_id,
        key=payload.key, height=MAP_HEIGHT, width=None, returned_objects=list(RETURNED),
        default=payload.defaults, zoom=None, center=None, feature_group=None,
        return_on_hover=False, layer_control=lmap.state_script(state),
        pixelated=False, css_links=list(payload.css_links), js_links=list(payload.js_links),
        on_change=_map_changed, wrap_longitude=False,
    )


def map_report() -> dict:
    """What the map last reported (a click, the layer-control ticks)."""
    return st.session_state.get("map") or {}
