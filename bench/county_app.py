"""The app, unchanged, drawing Guangdong's 124 county-level units instead of its 21 cities.

Runs app.py with `layers.map.build_map` wrapped by bench.counties (see there);
used by the scaling benchmark. Serve it with static serving on, like the floor app.
"""

import runpy
from pathlib import Path

import layers.map
from bench.counties import county_build_map
from layers.assets import install_static

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

if not getattr(layers.map.build_map, "county_harness", False):
    layers.map.build_map = county_build_map(layers.map.build_map)
# Streamlit serves ./static next to the script it runs, i.e. bench/static.
install_static(HERE)
runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
