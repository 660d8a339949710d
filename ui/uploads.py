"""The user's own data: designations and/or boundaries, for this session only."""

from __future__ import annotations

import streamlit as st

from ingest.messages import render
from views.i18n import t


def uploads_panel(res, messages: list, lang: str) -> None:
    with st.sidebar.expander(t("own_data", lang), expanded=bool(messages)):
        st.file_uploader(t("upload_designations", lang), type=["csv", "xlsx", "yaml", "yml"], key="up_des",
                         help=t("upload_designations_help", lang))
        st.radio(t("upload_mode", lang), ("replace", "beside"), key="up_mode", horizontal=True,
                 format_func=lambda m: t(f"upload_{m}", lang))
        st.file_uploader(t("upload_boundaries", lang), type=["geojson", "json", "gpkg", "zip"], key="up_bnd")
        # Messages quote the user's file (names, values): plain text, never Markdown or HTML.
        # The judgement is cached per file; its messages are rendered here, in the
        # language of this run, so switching language never judges the file again.
        errors = [render(m, lang) for level, m in messages if level == "error"]
        if errors:
            st.error(t("n_problems", lang).format(n=len(errors)))
            st.code("\n".join(errors), language=None, wrap_lines=True)
        for level, m in messages:
            if level == "warning":
                st.warning(t(m, lang))
            elif level == "info":
                st.text(render(m, lang))
        if res.key != "builtin":
            st.success(t("using_upload", lang))
