"""Downloads of exactly the current view. Files are made when a button is pressed."""

from __future__ import annotations

import streamlit as st

from export.options import FORMATS as IMAGE_FORMATS  # no matplotlib behind export.options
from export.options import POSTER_SIZE, SIZES
from ingest.approval import check_approval
from ingest.messages import render
from layers.map import build_map
from policy import tables
from views.i18n import t
from views.state import ViewState, to_query

IMAGE_SIZES = tuple(SIZES)
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
TABLES = ("coverage", "zones", "designations")


def view_slug(state: ViewState, cluster_tiers) -> str:
    """A file name stem that says what the view shows."""
    parts = ["gd-clusters", state.lang]
    if state.clusters:
        spec = to_query(state, cluster_tiers)["clusters"]
        parts.append(spec if len(state.clusters) <= 3 or spec in ("all", "pillar", "emerging")
                     else f"{len(state.clusters)}clusters")
        parts.append(state.basis)
    elif state.coverage:
        parts += ["coverage", state.basis, state.tier]
    if state.zoning:
        parts.append("zoning")
    return "-".join(p.replace(",", "+") for p in parts)


def export_panel(state: ViewState, res) -> None:
    from export import render_bytes

    lang, policy = state.lang, res.policy
    st.markdown(f"**{t('map_image', lang)}**")
    # The settings outlive a visit to another tab (persist_state), their defaults set once in
    # the session state rather than as the widgets' index, so Streamlit never sees both.
    ss = st.session_state
    for key, default in (("exp_dpi", 300), ("poster_size", POSTER_SIZE)):
        ss.setdefault(key, default)
    c1, c2, c3 = st.columns(3)
    # Each pick list is picked from, not filtered by typing (see ui/sidebar.py: no "No results").
    fmt = c1.selectbox(t("format", lang), IMAGE_FORMATS, key="exp_fmt", filter_mode=None, format_func=str.upper, persist_state="page")
    size = c2.selectbox(t("size", lang), IMAGE_SIZES, key="exp_size", filter_mode=None, format_func=lambda k: t(f"size_{k}", lang),
                        persist_state="page")
    dpi = c3.selectbox(t("resolution", lang), (150, 300, 600), key="exp_dpi", filter_mode=None, persist_state="page",
                       format_func=lambda d: f"{d} dpi", disabled=fmt != "png",
                       help=t("dpi_vector", lang) if fmt != "png" else None)
    stem = view_slug(state, res.cluster_tiers)
    # The city in focus is the reader's selection, not part of the map: printed only when asked.
    focus = bool(state.city) and st.checkbox(t("export_focus", lang), key="exp_focus", persist_state="page")
    printed = state if focus else state.with_(city=None)
    approval, refused = approval_field(res, lang)
    st.download_button(
        f"{t('download_map', lang)} {fmt.upper()}", key="dl_image", on_click="ignore", disabled=refused,
        data=lambda: render_bytes(policy, printed, fmt=fmt, size=size, dpi=dpi if fmt == "png" else 300,
                                  data=res.static, approval=approval),
        file_name=f"{stem}-{size}.{fmt}", mime=MIME[fmt], type="primary")
    st.caption(t("export_same_view", lang))

    st.markdown(f"**{t('poster', lang)}**")
    st.caption(t("poster_help", lang))
    p1, p2 = st.columns(2)
    pfmt = p1.selectbox(t("format", lang), IMAGE_FORMATS, key="poster_fmt", filter_mode=None, format_func=str.upper,
                        persist_state="page")
    psize = p2.selectbox(t("size", lang), IMAGE_SIZES, key="poster_size", filter_mode=None, persist_state="page",
                         format_func=lambda k: t(f"size_{k}", lang))
    st.download_button(
        f"{t('download_poster', lang)} {pfmt.upper()}", key="dl_poster", on_click="ignore", disabled=refused,
        data=lambda: _poster(res, pfmt, lang, state.basis, psize, approval),
        file_name=f"gd-clusters-poster-{lang}-{state.basis}-{psize}.{pfmt}", mime=MIME[pfmt])

    st.markdown(f"**{t('matrix_title', lang)}**")
    m1, m2, m3 = st.columns(3)
    m1.download_button(f"{t('matrix_title', lang)} PNG", key="dl_matrix_png", on_click="ignore",
                       data=lambda: _matrix_image(res, state, "png"),
                       file_name=f"gd-clusters-matrix-{lang}-{state.basis}-{state.tier}.png", mime=MIME["png"])
    m2.download_button(f"{t('matrix_title', lang)} PDF", key="dl_matrix_pdf", on_click="ignore",
                       data=lambda: _matrix_image(res, state, "pdf"),
                       file_name=f"gd-clusters-matrix-{lang}-{state.basis}-{state.tier}.pdf", mime=MIME["pdf"])
    m3.download_button(f"{t('matrix_title', lang)} XLSX", key="dl_matrix_xlsx", on_click="ignore",
                       data=lambda: _matrix_xlsx(res, state),
                       file_name=f"gd-clusters-matrix-{state.basis}-{state.tier}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    st.markdown(f"**{t('interactive_map', lang)}**")
    st.download_button(
        t("download_html", lang), key="dl_html", on_click="ignore",
        data=lambda: build_map(policy, res.rows, res.map_data, state, assets="inline").get_root().render().encode(),
        file_name=f"{stem}.html", mime="text/html")

    st.markdown(f"**{t('data', lang)}**")
    cols = st.columns(4)

    def data_file(kind: str, fmt_: str):
        filters = {} if kind == "designations" else {"basis": state.basis, "tier": state.tier}
        encode = tables.csv_bytes if fmt_ == "csv" else tables.json_bytes
        return lambda: encode(*tables.table(kind, policy, res.rows, **filters))

    for col, kind in zip(cols, TABLES):
        suffix = "" if kind == "designations" else f"-{state.basis}-{state.tier}"
        for fmt_, mime in (("csv", "text/csv"), ("json", "application/json")):
            col.download_button(f"{t(f'table_{kind}', lang)} {fmt_.upper()}", data_file(kind, fmt_),
                                key=f"dl_{kind}_{fmt_}", file_name=f"gd-clusters-{kind}{suffix}.{fmt_}", mime=mime,
                                on_click="ignore")
    cols[3].download_button(
        t("download_geojson", lang), key="dl_geojson", on_click="ignore",
        data=lambda: tables.cities_geojson(policy, res.rows, res.cities, state.basis, state.tier),
        file_name=f"gd-clusters-cities-{state.basis}-{state.tier}.geojson", mime="application/geo+json")
    st.caption(t("csv_bom", lang))


def approval_field(res, lang: str) -> tuple[str | None, bool]:
    """The map approval number (审图号) typed for the user's boundaries: (the number to
    print or None, whether the typed text was refused). Open only once a boundary file
    is in use (the scene allows a number for the user's boundaries only); otherwise
    disabled, with the reason under it."""
    own = bool(res.custom_boundaries)
    text = st.text_input(t("map_approval", lang), key="exp_approval", persist_state="page", disabled=not own,
                         placeholder="GS(2024)1234号", help=t("map_approval_help", lang))
    if not own:
        st.caption(t("map_approval_needs_upload", lang))
        return None, False
    number, problem = check_approval(text if text and text.strip() else None)
    if problem is not None:
        # The message quotes the user's text: plain text, never Markdown.
        st.error(t("map_approval_refused", lang))
        st.text(render(problem, lang))
    return number, problem is not None


def _poster(res, fmt: str, lang: str, basis: str, size: str, approval: str | None = None) -> bytes:
    from export import poster_bytes

    return poster_bytes(res.policy, fmt=fmt, lang=lang, basis=basis, size=size,
                        data=res.static, approval=approval)


def _matrix_image(res, state: ViewState, fmt: str) -> bytes:
    from export.matrix import matrix_bytes
    from policy.analysis import designation_matrix

    m = designation_matrix(res.policy, res.rows, state.basis, state.tier)
    return matrix_bytes(res.policy, m, fmt=fmt, lang=state.lang)


def _matrix_xlsx(res, state: ViewState) -> bytes:
    from policy.analysis import designation_matrix
    from views.analysis_tables import matrix_xlsx

    return matrix_xlsx(res.policy, designation_matrix(res.policy, res.rows, state.basis, state.tier), state.lang)
