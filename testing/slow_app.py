"""app.py as a loaded server runs it: every script run is held up DELAY_S seconds before it
starts and again before it draws the map tab (GD_TEST_RERUN_DELAY_S overrides the delay).

For tests only (tests/test_browser_slow.py serves it): the page keeps showing the previous run,
and the URL is already updated while the map is not, for as long as a busy machine might make
it. A wait that is really on a condition still holds; a fixed pause or a read right after a
click does not. The app itself is unchanged: this script delays, then runs app.py.
"""

from __future__ import annotations

import os
import runpy
import time
from pathlib import Path

DELAY_ENV = "GD_TEST_RERUN_DELAY_S"
DELAY_S = 1.5
HERE = Path(__file__).resolve().parent
APP = HERE.parent / "app.py"


def _delay() -> None:
    time.sleep(float(os.environ.get(DELAY_ENV) or DELAY_S))  # the injected slowness itself


def _slow_map_tab() -> None:
    """Delay the map tab of every run (app.py looks map_tab up in ui.mapview when it runs)."""
    import ui.mapview

    if getattr(ui.mapview.map_tab, "delayed", False):
        return
    real = ui.mapview.map_tab

    def map_tab(*args, **kwargs):
        _delay()
        return real(*args, **kwargs)

    map_tab.delayed = True
    ui.mapview.map_tab = map_tab


if __name__ == "__main__":  # Streamlit runs this file as __main__ on every rerun
    from layers.assets import install_static

    # Streamlit serves ./static next to the script it runs: Leaflet must be here too.
    install_static(HERE)
    _delay()
    _slow_map_tab()
    runpy.run_path(str(APP), run_name="__main__")
