"""The browser helpers moved to testing/browser.py (shared with bench/); this name stays so
existing `from tests.browser import ...` lines keep working."""

from testing.browser import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    HOST,
    LEAFLET_MAP_JS,
    LOCAL_HOSTS,
    MAP_FRAME,
    MAP_IFRAME_SELECTOR,
    PAINTED_JS,
    ROOT,
    NetworkLog,
    StreamlitServer,
    WsActivity,
    chromium_version,
    count_painted,
    free_port,
    host_of,
    is_local,
    launch_chromium,
    map_bounds,
    map_frame,
    rss_mb,
    wait_for_map,
    wait_for_painted,
)
