"""Folium layers for the cluster map. Returns Folium objects; never imports Streamlit."""

from layers.map import build_map

__all__ = ["build_map"]
