"""Data for the app: the built-in data once per process, a session's uploads once per content."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.boundaries import BoundaryDataError, load_cities, load_context
from layers.assets import install_static
from layers.map import MapData
from policy import Policy, PolicyDataError, load_policy
from policy.coverage import designation_rows
from views.i18n import t
from views.state import place_names


@dataclass(frozen=True)
class Resources:
    key: str  # "builtin", or a digest of the user's files
    policy: Policy
    rows: pd.DataFrame
    cities: object  # GeoDataFrame
    context: object  # GeoDataFrame
    map_data: MapData
    custom_boundaries: bool = False

    @cached_property
    def cluster_tiers(self) -> dict[str, str]:
        return {c.id: c.tier for c in self.policy.clusters.values()}

    @cached_property
    def city_keys(self) -> dict[str, str]:
        return {k: c.adcode for k, c in self.policy.city_by_name.items()}

    @cached_property
    def place_keys(self) -> dict[str, str]:
        return place_names(self.policy)


@st.cache_resource(show_spinner=False)
def builtin(app_dir: str) -> Resources:
    install_static(Path(app_dir))
    policy = load_policy()
    cities, context = load_cities(), load_context()
    return Resources("builtin", policy, designation_rows(policy), cities, context,
                     MapData.build(cities, context, policy))


def startup(app_dir: Path) -> Resources:
    """The built-in data, or a message naming the broken file and a stop."""
    try:
        return builtin(str(app_dir))
    except (PolicyDataError, BoundaryDataError) as exc:
        # The message names a bundled file and how to restore it: no user text.
        st.error(f"{t('startup_failed', 'zh')}  \n{t('startup_failed', 'en')}\n\n{exc}")
        st.stop()


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def user_resources(des: bytes | None, des_name: str, mode: str, bnd: bytes | None, bnd_name: str,
                   _base: Resources):
    """Validate a session's uploads once per distinct content. Returns the data to
    use (None if a file is invalid: then nothing from it reaches the map) and
    (level, message) lines to show as plain text: each message an
    `ingest.messages.Msg`, rendered in the UI language when shown (the language
    is not part of the cache key, so switching it does not judge the file again)."""
    # Parsed and checked in a worker process with a time and memory budget, so no file
    # can stall the server or another session.
    from ingest.judge import judge_uploads

    j = judge_uploads(des, des_name, mode, bnd, bnd_name, _base.policy)
    messages = list(j.messages)
    if not j.ok:
        return None, messages
    policy = j.policy if des is not None else _base.policy
    cities = j.cities if bnd is not None else _base.cities
    digest = hashlib.sha256()
    for part in (des or b"", mode.encode(), bnd or b""):
        digest.update(hashlib.sha256(part).digest())
    map_data = _base.map_data if bnd is None else MapData.build(cities, _base.context, _base.policy)
    return Resources(digest.hexdigest()[:16], policy, designation_rows(policy), cities, _base.context, map_data,
                     custom_boundaries=bnd is not None), messages


def session_data(base: Resources) -> tuple[Resources, list]:
    """This session's data: the built-in data, or its own validated uploads."""
    des, bnd = st.session_state.get("up_des"), st.session_state.get("up_bnd")
    if des is None and bnd is None:
        return base, []
    res, messages = user_resources(
        des.getvalue() if des else None, des.name if des else "", st.session_state.get("up_mode", "replace"),
        bnd.getvalue() if bnd else None, bnd.name if bnd else "", base)
    if res is None:
        return base, messages + [("warning", "upload_invalid")]
    return res, messages
