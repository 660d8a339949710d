"""Browser-side measurements in headless Chromium: payload, time to map, time to
toggle, server memory per session. Used by bench.run; all servers are on 127.0.0.1.
"""

from __future__ import annotations

import base64
import statistics
from dataclasses import dataclass, field

from testing.browser import (
    MAP_FRAME,
    PAINTED_JS,
    STEP_S,
    WsActivity,
    app_runs,
    new_page,
    poll,
    rss_mb,
    wait_for_app_idle,
    wait_for_map,
)

# Runs in every frame from document start. In the map frame it watches, once per
# animation frame, for `want` painted polygons and keeps the wall-clock time (ms since
# the epoch, high resolution) of the first frame that has them. The page keeps the time
# its navigation started, so time to map = painted - navigation start.
INIT_SCRIPT = """
(() => {
  const want = %(want)d;
  if (window === window.top) {
    window.__gdNavStart = performance.timeOrigin;
    // First visible content: the page's title (h1) laid out with a size.
    function content() {
      const h = document.querySelector('h1');
      if (h && h.getBoundingClientRect().height > 0) { window.__gdContentAt = performance.timeOrigin + performance.now(); return; }
      requestAnimationFrame(content);
    }
    requestAnimationFrame(content);
    // The page is ready when, besides the map, the cluster names it must show stand
    // inside the window (none for a page without a checklist).
    const names = %(names)d;
    function ready() {
      let n = 0;
      for (const el of document.querySelectorAll('[class*="st-key-cl_"] label')) {
        const r = el.getBoundingClientRect();
        if (r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && el.innerText.trim()) n += 1;
      }
      if (n >= names) { window.__gdNamesAt = performance.timeOrigin + performance.now(); return; }
      requestAnimationFrame(ready);
    }
    requestAnimationFrame(ready);
    return;
  }
  const painted = %(painted)s;
  function tick() {
    if (painted() >= want) { window.__gdPainted = performance.timeOrigin + performance.now(); return; }
    requestAnimationFrame(tick);
  }
  // An iframe starts as about:blank and keeps its window (and timers) when it loads the
  // component, but animation-frame callbacks die with the blank document: wait for the
  // component document with a timer, then count polygons once per animation frame.
  const wait = setInterval(() => {
    if (!location.pathname.includes(%(frame)r) || document.readyState === "loading") return;
    clearInterval(wait);
    requestAnimationFrame(tick);
  }, 5);
})();
"""


# Cluster glyphs drawn in the map frame (what a cluster toggle adds or removes).
GLYPHS_JS = "() => document.querySelectorAll('.gd-glyphs .gd-glyph').length"


@dataclass
class Load:
    """One cold page load in a fresh browser context."""

    time_to_map_ms: float
    ready_ms: float  # map painted and the page's cluster names on screen
    content_ms: float  # the page's title on screen (first visible content)
    http_bytes: int  # every HTTP response (encoded, incl. headers)
    ws_bytes: int  # every websocket frame the page received
    map_http_bytes: int  # the component frame and Leaflet
    map_ws_bytes: int  # the websocket messages that carry the map component
    requests: int
    map_messages: int = 0
    notes: list = field(default_factory=list)

    @property
    def map_bytes(self) -> int:
        return self.map_http_bytes + self.map_ws_bytes

    @property
    def total_bytes(self) -> int:
        return self.http_bytes + self.ws_bytes


def _is_map_url(url: str) -> bool:
    return MAP_FRAME in url or "/app/static/vendor/leaflet/" in url


def _carries_map(payload: bytes) -> bool:
    """True if a Streamlit ForwardMsg holds the streamlit-folium component."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        msg = ForwardMsg.FromString(payload)
    except Exception:  # not a ForwardMsg: not ours
        return False
    if msg.WhichOneof("type") != "delta":
        return False
    el = msg.delta.new_element
    return el.WhichOneof("type") == "component_instance" and "st_folium" in el.component_instance.component_name


def load_page(browser, url: str, want: int, timeout: float = STEP_S, quiet: float = 1.0, after=None,
              names: int = 0) -> Load:
    """One cold page load. after(page, frame, activity), if given, runs on the loaded page once
    it is measured and settled, before its context closes."""
    page = new_page(browser)
    ctx = page.context
    try:
        page.add_init_script(INIT_SCRIPT % {"want": want, "frame": MAP_FRAME, "painted": PAINTED_JS.strip(),
                                            "names": names})
        cdp = ctx.new_cdp_session(page)
        urls: dict[str, str] = {}
        http: dict[str, int] = {}
        ws = {"all": 0, "map": 0, "map_messages": 0}

        def on_frame(e):
            r = e["response"]
            data = base64.b64decode(r["payloadData"]) if r.get("opcode") == 2 else r["payloadData"].encode()
            ws["all"] += len(data)
            if r.get("opcode") == 2 and _carries_map(data):
                ws["map"] += len(data)
                ws["map_messages"] += 1

        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: http.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        cdp.on("Network.webSocketFrameReceived", on_frame)
        cdp.send("Network.enable")
        # No disk or memory cache between loads: every load is a first visit.
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        activity = WsActivity(page)
        page.goto(url, wait_until="commit")
        frame = wait_for_map(page, want, timeout)
        frame.wait_for_function("() => window.__gdPainted !== undefined", timeout=timeout * 1000)
        painted = frame.evaluate("() => window.__gdPainted")
        page.wait_for_function("() => window.__gdNamesAt !== undefined", timeout=timeout * 1000)
        nav = page.evaluate("() => window.__gdNavStart")
        names_at = page.evaluate("() => window.__gdNamesAt")
        page.wait_for_function("() => window.__gdContentAt !== undefined", timeout=timeout * 1000)
        content_at = page.evaluate("() => window.__gdContentAt")
        activity.wait_quiet(page, quiet=quiet)
        map_http = sum(n for rid, n in http.items() if _is_map_url(urls.get(rid, "")))
        load = Load(
            time_to_map_ms=painted - nav,
            ready_ms=max(painted, names_at) - nav,
            content_ms=content_at - nav,
            http_bytes=sum(http.values()),
            ws_bytes=ws["all"],
            map_http_bytes=map_http,
            map_ws_bytes=ws["map"],
            requests=len(http),
            map_messages=ws["map_messages"],
        )
        if after is not None:
            after(page, frame, activity)
        return load
    finally:
        ctx.close()


# In the map frame: time from the click event on a layer checkbox (its timeStamp, when the
# browser received the input) to the first animation frame with the new polygon count.
TOGGLE_ARM = """
(input, want) => {
  window.__gdToggle = null;
  const painted = %(painted)s;
  document.addEventListener('click', (e) => {
    if (e.target !== input) return;
    const t0 = e.timeStamp, sync = painted();
    const syncAt = performance.now();
    function tick() {
      const n = painted();
      if (n === want) { window.__gdToggle = {ms: performance.now() - t0, handler_ms: syncAt - t0, sync: sync, n: n}; return; }
      if (performance.now() - t0 > 10000) { window.__gdToggle = {ms: null, n: n}; return; }
      requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
  }, {capture: false, once: true});
}
"""


class MeasurementFailed(RuntimeError):
    """A measurement that could not be taken; its message says why (reported, not raised on)."""


def toggle_times(browser, url: str, label: str, base: int, added: int, cycles: int, quiet: float = 1.0) -> dict:
    """Click the layer checkbox `label` on and off `cycles` times; ms until its `added` glyphs are drawn
    (and gone). `base`: polygons painted when the map is up.

    quiet: seconds without websocket traffic that count as the app having settled."""
    page = new_page(browser)
    try:
        activity = WsActivity(page)
        page.goto(url)
        frame = wait_for_map(page, base)
        activity.wait_quiet(page, quiet=quiet)
        return toggle_on_page(page, frame, activity, label, base, added, cycles, quiet)
    finally:
        page.context.close()


def _one_toggle(page, frame, box, target: int) -> dict:
    """Click the checkbox once and time the glyph count reaching `target` (TOGGLE_ARM); then wait
    for the app's rerun of the click and check the map still shows `target` glyphs."""
    runs = app_runs(page)
    box.evaluate(TOGGLE_ARM % {"painted": GLYPHS_JS}, target)
    box.click()
    frame.wait_for_function("() => window.__gdToggle !== null")
    r = frame.evaluate("() => window.__gdToggle")
    if r["ms"] is None:
        raise MeasurementFailed(f"the toggle never reached {target} glyphs (stuck at {r['n']})")
    # The click reaches the app as the map's new value, which it answers with a rerun.
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        wait_for_app_idle(page, after=runs)
    except PlaywrightTimeout:
        raise MeasurementFailed(f"the app did not answer the click with a rerun in {STEP_S:.0f} s") from None
    now = frame.evaluate(GLYPHS_JS)
    if now != target:
        raise MeasurementFailed(f"the layer did not stay as toggled after the app's rerun ({now} glyphs, not {target})")
    return r


def toggle_on_page(page, frame, activity, label: str, base: int, added: int, cycles: int, quiet: float) -> dict:
    """toggle_times on a page whose map has painted and whose websocket is quiet (`label`: the
    layer-control row's text, key number then name)."""
    import re

    ctl = frame.locator(".leaflet-control-layers")
    if "leaflet-control-layers-expanded" not in (ctl.get_attribute("class") or ""):
        ctl.hover()
    row = frame.locator(".leaflet-control-layers-overlays label").filter(
        has_text=re.compile(r"^\s*" + re.escape(label) + r"[（( ]"))
    box = row.locator("input[type=checkbox]")
    before = frame.evaluate(GLYPHS_JS)

    def undo(target: int) -> None:
        """Put the checkbox back as the failed click found it (unticked if it was to turn the layer on)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        if box.is_checked() == (target != before):
            box.click()
            try:
                wait_for_app_idle(page)
            except PlaywrightTimeout:
                raise MeasurementFailed(f"the app did not settle after the layer was put back in {STEP_S:.0f} s") from None

    return toggle_cycles(lambda target: _one_toggle(page, frame, box, target), undo, before, added, cycles)


def toggle_cycles(toggle, undo, before: int, added: int, cycles: int) -> dict:
    """On and off `cycles` times: toggle(target) clicks and returns its timing, or raises
    MeasurementFailed. A failed toggle is undone and tried once more; failing again, the result
    says so in "failed" (with both reasons) instead of raising: the other measurements stand."""
    on, off, handler, retried = [], [], [], []
    for _ in range(cycles):
        for target, out in ((before + added, on), (before, off)):
            try:
                r = toggle(target)
            except MeasurementFailed as exc:
                retried.append(str(exc))
                try:
                    undo(target)
                    r = toggle(target)
                except MeasurementFailed as again:
                    return {"failed": f"{again} (the first try: {exc})", "on_ms": on, "off_ms": off,
                            "handler_ms": handler, "retried": retried}
            out.append(r["ms"])
            handler.append(r["handler_ms"])
    return {"on_ms": on, "off_ms": off, "handler_ms": handler, "retried": retried,
            "median_on_ms": statistics.median(on), "median_off_ms": statistics.median(off),
            "median_ms": statistics.median(on + off)}


def memory(browser, server, url: str, want: int, levels: tuple[int, ...]) -> dict:
    """Server RSS (MB) idle, then with N browser sessions open at once, each with its map and its
    app idle (no script run going on or asked for)."""
    out = {"idle_mb": server.rss_mb(), "levels": {}}
    pages = []
    try:
        for n in levels:
            while len(pages) < n:
                page = new_page(browser)
                page.goto(url, wait_until="commit")
                pages.append(page)
            for page in pages:
                wait_for_map(page, want)
                wait_for_app_idle(page)
            out["levels"][n] = rss_mb(server.pid)
    finally:
        for page in pages:
            page.context.close()
    return out


# In every frame from document start: the map frame notes when its labels are first in English.
ENGLISH_AT_SCRIPT = """
(() => {
  if (window === window.top) return;
  const tick = () => {
    const english = [...document.querySelectorAll('.gd-label')].some(e => e.innerText.trim() === 'Guangzhou');
    if (english && document.querySelectorAll('path.leaflet-interactive').length >= 21) {
      window.__gdEnglishAt = performance.timeOrigin + performance.now();
      return;
    }
    requestAnimationFrame(tick);
  };
  const wait = setInterval(() => {
    if (!location.pathname.includes(%(frame)r) || document.readyState === "loading") return;
    clearInterval(wait);
    requestAnimationFrame(tick);
  }, 5);
})();
"""


def _english_at(page):
    """When a map frame of the page first showed its English labels (the English map comes in a
    new frame: every map frame is asked as it is), or None."""
    for frame in [f for f in page.frames if MAP_FRAME in f.url]:
        at = frame.evaluate("() => window.__gdEnglishAt")
        if at:
            return at
    return None


def language_switch_times(browser, url: str, runs: int = 3) -> list[float]:
    """A fresh session switches 中文 → English: ms from the click until the English map has painted
    (its labels in English and every city answering the pointer), timed in the page."""
    out = []
    for _ in range(runs):
        page = new_page(browser)
        try:
            page.add_init_script(ENGLISH_AT_SCRIPT % {"frame": MAP_FRAME})
            activity = WsActivity(page)
            page.goto(url)
            wait_for_map(page, 21)
            activity.wait_quiet(page, quiet=1.0)
            page.evaluate("() => document.addEventListener('click', (e) => { window.__gdClickAt ="
                          " performance.timeOrigin + e.timeStamp; }, {capture: true, once: true})")
            page.get_by_text("English", exact=True).click()

            at = poll(page, lambda p=page: _english_at(p), "the English map never painted after the language switch")
            out.append(at - page.evaluate("() => window.__gdClickAt"))
        finally:
            page.context.close()
    return out


# In the map frame: each time the host applies a view (overlays, basis and tier), the time of
# the next animation frame (the view painted), with the mode and the overlays it shows.
SWITCH_WATCH_JS = """() => {
  if (window.__gdSwitches) return;
  window.__gdSwitches = [];
  const apply = window.gdApplyView;
  window.gdApplyView = function () {
    const r = apply.apply(this, arguments);
    const seen = {mode: window.gdMode(), visible: window.gdVisible()};
    requestAnimationFrame(() => window.__gdSwitches.push({...seen, at: performance.timeOrigin + performance.now()}));
    return r;
  };
}"""


def mode_switches() -> list[tuple[str, str, dict]]:
    """One cycle of sidebar switches: (what, the label clicked, what the map shows after it):
    basis, tier, shading and zoning, each there and back."""
    from views.i18n import t

    return [
        ("basis", t("basis_all", "zh"), {"mode": "all/all"}),
        ("basis", t("basis_explicit", "zh"), {"mode": "explicit/all"}),
        ("tier", t("tier_pillar", "zh"), {"mode": "explicit/pillar"}),
        ("tier", t("tier_all", "zh"), {"mode": "explicit/all"}),
        ("shading", t("coverage_layer", "zh"), {"without": "coverage"}),
        ("shading", t("coverage_layer", "zh"), {"with": "coverage"}),
        ("zoning", t("zoning_layer", "zh"), {"without": "zoning"}),
        ("zoning", t("zoning_layer", "zh"), {"with": "zoning"}),
    ]


def _shows(switch: dict, want: dict) -> bool:
    if "mode" in want:
        return switch["mode"] == want["mode"]
    if "with" in want:
        return want["with"] in switch["visible"]
    return want["without"] not in switch["visible"]


def mode_switch_times(browser, url: str, cycles: int, quiet: float = 1.0) -> dict:
    """Basis, tier, shading and zoning switched in the sidebar: ms from the click (its event's
    timeStamp in the page) to the first animation frame after the map frame applied the new view.
    The map frame must stay the same (no new map): a switch that mounts a new frame fails."""
    page = new_page(browser)
    try:
        activity = WsActivity(page)
        page.goto(url)
        frame = wait_for_map(page, 21)
        activity.wait_quiet(page, quiet=quiet)
        frame.evaluate(SWITCH_WATCH_JS)
        sidebar = page.locator("section[data-testid='stSidebar']")
        out: dict[str, list[float]] = {}
        for _ in range(cycles):
            for what, label, want in mode_switches():
                page.evaluate("() => document.addEventListener('click', (e) => { window.__gdClickAt ="
                              " performance.timeOrigin + e.timeStamp; }, {capture: true, once: true})")
                runs = app_runs(page)
                sidebar.get_by_text(label, exact=True).click()
                click_at = page.evaluate("() => window.__gdClickAt")

                def painted(click_at=click_at, want=want):
                    for s in frame.evaluate("() => window.__gdSwitches"):
                        if s["at"] > click_at and _shows(s, want):
                            return s["at"]
                    return None

                at = poll(page, painted, f"the map never showed the {what} switch ({want})")
                out.setdefault(what, []).append(at - click_at)
                wait_for_app_idle(page, after=runs)
        all_ms = [x for v in out.values() for x in v]
        return {"by_kind_ms": out, "median_ms": statistics.median(all_ms), "max_ms": max(all_ms), "n": len(all_ms),
                "same_frame": frame.evaluate("() => !!window.__gdSwitches")}
    finally:
        page.context.close()
