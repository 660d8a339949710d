"""Benchmark floor: a bare Streamlit page with a one-polygon st_folium map.

What any Streamlit + streamlit-folium map costs before it shows anything of its
own: Leaflet is served locally the way the app serves it (copied into ./static by
layers.assets.install_static; the server needs static serving turned on, e.g.
STREAMLIT_SERVER_ENABLE_STATIC_SERVING=true).
"""

from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

from layers.assets import install_static, use_served_assets

HERE = Path(__file__).resolve().parent

# A box around Guangdong: one polygon, five vertices.
BOX = {"type": "Polygon", "coordinates": [[[109.6, 20.2], [117.4, 20.2], [117.4, 25.6], [109.6, 25.6], [109.6, 20.2]]]}


@st.cache_resource(show_spinner=False)
def _static() -> Path:
    return install_static(HERE)


_static()
st.title("Floor")
m = folium.Map(location=[22.9, 113.5], zoom_start=7, tiles=None)
use_served_assets(m)
folium.GeoJson(BOX, name="box").add_to(m)
st_folium(m, key="map", height=640, use_container_width=True, returned_objects=[])
