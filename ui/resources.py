"""Data for the app: the built-in data once per process, a session's uploads once per content."""

from __future__ import annotations

import hashlib
import uuid
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
    static: object | None = None  # export.data.StaticData of the user's boundaries (None: the built-in)

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


class Unsettled(Exception):
    """A judgement that says nothing lasting about the files (the server was busy, a
    file went over its budget, the worker died): raised out of `user_resources` so
    that the cache never keeps it; args[0] holds its messages."""


@st.cache_resource(show_spinner=False, max_entries=16, ttl=3600)
def user_resources(des: bytes | None, des_name: str, mode: str, bnd: bytes | None, bnd_name: str,
                   _base: Resources, _session: str | None = None):
    """Validate a session's uploads once per distinct content. Returns the data to
    use (None if a file is invalid: then nothing from it reaches the map) and
    (level, message) lines to show as plain text: each message an
    `ingest.messages.Msg`, rendered in the UI language when shown (the language
    is not part of the cache key, so switching it does not judge the file again).
    Raises Unsettled rather than return a judgement that another try could change."""
    # Parsed and checked in a worker process with a time and memory budget, so no file
    # can stall the server or another session; an accepted boundary file's map and
    # export data are built there too, under the same budget.
    from uploads.judge import judge_uploads

    j = judge_uploads(des, des_name, mode, bnd, bnd_name, _base.policy, session=_session)
    messages = list(j.messages)
    if j.retry:
        raise Unsettled(messages)
    if not j.ok:
        return None, messages
    policy = j.policy if des is not None else _base.policy
    cities = j.cities if bnd is not None else _base.cities
    digest = hashlib.sha256()
    for part in (des or b"", mode.encode(), bnd or b""):
        digest.update(hashlib.sha256(part).digest())
    map_data = _base.map_data if bnd is None else j.map_data
    return Resources(digest.hexdigest()[:16], policy, designation_rows(policy), cities, _base.context, map_data,
                     custom_boundaries=bnd is not None, static=None if bnd is None else j.static), messages


def session_data(base: Resources) -> tuple[Resources, list]:
    """This session's data: the built-in data, or its own validated uploads.

    A judgement that another try could change (busy, over budget) is kept for this
    session and these uploads only, so its reruns do not wait for the judge again;
    uploading the file again, or another session (a reload), judges it afresh."""
    des, bnd = st.session_state.get("up_des"), st.session_state.get("up_bnd")
    if des is None and bnd is None:
        return base, []
    mode = st.session_state.get("up_mode", "replace")
    uploads = (des.file_id if des else None, bnd.file_id if bnd else None, mode)
    unsettled = st.session_state.get("up_unsettled")
    if unsettled is not None and unsettled[0] == uploads:
        return base, unsettled[1] + [("warning", "upload_invalid")]
    # One judge at a time per session: a user cannot hold every worker.
    session = st.session_state.setdefault("up_session", uuid.uuid4().hex)
    try:
        res, messages = user_resources(
            des.getvalue() if des else None, des.name if des else "", mode,
            bnd.getvalue() if bnd else None, bnd.name if bnd else "", base, session)
    except Unsettled as exc:
        st.session_state["up_unsettled"] = (uploads, exc.args[0])
        return base, exc.args[0] + [("warning", "upload_invalid")]
    if res is None:
        return base, messages + [("warning", "upload_invalid")]
    return res, messages
