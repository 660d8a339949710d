"""Shared helpers for the browser tests (tests/) and the benchmarks (bench/).

- `StreamlitServer`: run one Streamlit app on a free 127.0.0.1 port, wait for
  /_stcore/health, stop it cleanly.
- `launch_chromium`: the system Chromium through Playwright (never a downloaded
  browser), with the flags that keep it off the network.
- `map_frame` / `wait_for_map` / `count_painted`: the streamlit-folium component
  iframe and the Leaflet polygons painted in it.
- `grid_cells` / `click_grid_row` / `click_grid_header`: where the cells of an
  st.dataframe are on screen (it draws on a canvas), found from the lines it draws.
- `new_page`, `wait_for_app_idle`, `expect_rerun`, `wait_for_url`, `poll`: every wait of a
  test or benchmark is on a condition the page exposes (an element, a count, the URL, the
  app's script state), bounded by one deadline, `STEP_S`.

Everything here talks to loopback only.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

# The one deadline of every step a test or benchmark waits for (a server start, a page load, the
# outcome of a click, a download): generous, because a step this slow is broken, not busy, and a
# wait that only holds on an idle machine fails on the next busy one. GD_TEST_STEP_S overrides it.
STEP_S = float(os.environ.get("GD_TEST_STEP_S") or 120)
STEP_MS = STEP_S * 1000
# How often Python-side conditions are looked at again (conditions in the page are polled by it).
POLL_S = 0.1
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

# Debian's Chromium; Playwright drives it through executable_path and never downloads one.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The streamlit-folium component iframe.
VIEWPORT = {"width": 1400, "height": 1000}  # the desktop size every browser test and benchmark uses
MAP_FRAME = "/component/streamlit_folium.st_folium/"
MAP_IFRAME_SELECTOR = f'iframe[src*="{MAP_FRAME}"]'

# Polygons Leaflet has drawn (SVG renderer): an interactive path with real geometry
# and a non-empty box on screen. Leaflet writes d="M0 0" for a path with nothing to draw.
PAINTED_JS = """
() => {
  let n = 0;
  for (const p of document.querySelectorAll('path.leaflet-interactive')) {
    const d = p.getAttribute('d');
    if (!d || d === 'M0 0') continue;
    const r = p.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) n += 1;
  }
  return n;
}
"""

# The Leaflet map in the component frame: streamlit-folium exposes it as window.map;
# otherwise the first global that is an L.Map.
LEAFLET_MAP_JS = """
() => {
  if (!window.L) return null;
  let m = (window.map instanceof L.Map) ? window.map : null;
  if (!m) {
    for (const k of Object.keys(window)) {
      try { if (window[k] instanceof L.Map) { m = window[k]; break; } } catch (e) {}
    }
  }
  return m;
}
"""


def die_with_parent() -> None:
    """For Popen(preexec_fn=...): the child gets SIGTERM when the thread that started it ends, so
    a test worker that is killed (a run stopped with Ctrl-C, a CI timeout) leaves no server behind.
    Linux's prctl(PR_SET_PDEATHSIG); elsewhere nothing."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class StreamlitServer:
    """One `streamlit run` process on 127.0.0.1.

    app: the script; cwd: where it runs (its ./.streamlit/config.toml applies);
    static: turn Streamlit's static file serving on through the environment.
    Usable as a context manager."""

    def __init__(self, app: Path | str, cwd: Path | str | None = None, static: bool = False,
                 env: dict | None = None, extra_args: tuple[str, ...] = (), port: int | None = None,
                 launcher: Path | str | None = None):
        app = Path(app)
        # A script that starts the app itself and takes streamlit run's options (serve.py):
        # run as `python <launcher> <options>` instead of `streamlit run <app> <options>`.
        self.launcher = Path(launcher) if launcher else None
        self.app = (app if app.is_absolute() else ROOT / app).resolve()  # relative: to the repository
        self.cwd = Path(cwd) if cwd else ROOT
        self.static = static
        self.env = env or {}
        self.extra_args = tuple(extra_args)
        # Without a port, one is picked when the server starts: picked earlier, another process on
        # the machine could take it in between.
        self.fixed_port = port
        self.port = port
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = STEP_S) -> StreamlitServer:
        self.port = self.fixed_port or free_port()
        env = {**os.environ, **self.env}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        if self.static:
            env["STREAMLIT_SERVER_ENABLE_STATIC_SERVING"] = "true"
        run = [sys.executable, str(self.launcher)] if self.launcher else [
            sys.executable, "-m", "streamlit", "run", str(self.app)]
        cmd = [
            *run,
            "--server.address", HOST,
            "--server.port", str(self.port),
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            # The files may be edited while a server runs; never reload under a test.
            "--server.fileWatcherType", "none",
            "--server.runOnSave", "false",
            *self.extra_args,
        ]
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent)
        try:
            wait_for_health(f"{self.url}_stcore/health", self.proc, timeout)
        except (RuntimeError, TimeoutError) as exc:
            self.stop()
            raise RuntimeError(f"streamlit did not start: {exc}:\n{self.log()}") from None
        return self

    def log(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-5000:]

    def rss_mb(self) -> float:
        """Resident memory of the server process, in MB (from /proc)."""
        return rss_mb(self.pid)

    def stop(self, timeout: float = 10.0) -> None:
        p = self.proc
        if p is None or p.poll() is not None:
            return
        # Only our own process group (start_new_session): the server and anything it spawned.
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(5)

    def __enter__(self) -> StreamlitServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._log is not None:
            self._log.close()


def wait_for_health(url: str, proc: subprocess.Popen, timeout: float = STEP_S) -> None:
    """Wait until `url` answers 200 "ok" (a Streamlit or proxy health endpoint) while `proc` runs."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the process exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200 and r.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer ok in {timeout:.0f} s")
        time.sleep(POLL_S)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def launch_chromium(playwright, **kwargs):
    """Headless system Chromium; Playwright gives it a fresh user-data dir."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **kwargs)


def chromium_version() -> str:
    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.strip().splitlines()[-1] if out.strip() else "unknown"


def poll(page, probe, what, timeout: float = STEP_S):
    """Look at a Python-side condition until it holds and return its value (probe() -> truthy);
    meanwhile Playwright handles the page's events (page None: no page, the thread just waits).
    A probe that raises (a frame detached by a rerun) counts as not yet. On the deadline:
    TimeoutError saying `what` (a string, or a function that says what was last seen) and the
    last error."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = probe()
            if value:
                return value
        except Exception as exc:  # a detached frame or element: look again
            last = exc
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise TimeoutError(f"{said} (for {timeout:.0f} s)" + (f"; last error: {last}" if last else ""))
        if page is None:
            time.sleep(POLL_S)
        else:
            page.wait_for_timeout(POLL_S * 1000)


def _current_map_frame(page):
    # The iframe is looked up afresh each time: when a rerun mounts a new one, a handle
    # kept from before points at a detached element whose frame never loads.
    for handle in page.query_selector_all(MAP_IFRAME_SELECTOR):
        f = handle.content_frame()
        if f is not None and MAP_FRAME in f.url:
            return f
    return None


def map_frame(page, timeout: float = STEP_S):
    """The streamlit-folium component frame of `page`, once its document has loaded."""
    return poll(page, lambda: _current_map_frame(page), "the map iframe never loaded its document", timeout)


def count_painted(frame) -> int:
    return frame.evaluate(PAINTED_JS)


def wait_for_painted(frame, n: int, timeout: float = STEP_S, exact: bool = False) -> int:
    """Wait until at least (or, with exact, exactly) n polygons are painted in `frame`; return
    the count. Only for a frame no rerun can replace (an exported page): for the app's map use
    wait_for_map, which follows a remounted iframe."""
    cond = f"(({PAINTED_JS})()) {'===' if exact else '>='} {int(n)}"
    frame.wait_for_function(cond, timeout=timeout * 1000, polling=50)
    return count_painted(frame)


def wait_for_map(page, n: int = 21, timeout: float = STEP_S, exact: bool = False):
    """Wait until the app's map frame has at least (exact: exactly) n painted polygons; return
    that frame. Each check looks the frame up again, so a map remounted by a rerun (an upload,
    a language switch) is followed instead of failing with a detached frame."""
    seen = {"count": None}

    def probe():
        frame = _current_map_frame(page)
        if frame is None:
            return None
        seen["count"] = count = count_painted(frame)
        return frame if (count == n if exact else count >= n) else None

    def what():
        return f"the map never had {'exactly' if exact else 'at least'} {n} painted polygons (last seen: {seen['count']})"

    return poll(page, probe, what, timeout)


def wait_in_map(page, js: str, what: str, timeout: float = STEP_S):
    """Wait until the JavaScript function `js`, run in the app's current map frame, returns a
    truthy value; return that frame. Like wait_for_map, it follows a map a rerun remounted."""

    def probe():
        frame = _current_map_frame(page)
        return frame if frame is not None and frame.evaluate(js) else None

    return poll(page, probe, what, timeout)


def map_bounds(frame) -> dict:
    """The Leaflet map's current view: west/south/east/north, zoom and size in pixels."""
    return frame.evaluate(
        f"""() => {{
          const m = ({LEAFLET_MAP_JS})();
          if (!m) return null;
          const b = m.getBounds(), s = m.getSize();
          return {{west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth(),
                   zoom: m.getZoom(), width: s.x, height: s.y}};
        }}"""
    )


# The cells of an st.dataframe (glide-data-grid draws them on a canvas): its cell borders are
# lines of the grid's border colour that cross every row (columns) or the full width (rows).
# Returns CSS pixels in the page: the header [top, bottom], the rows and the columns (the
# first column is the row-selection marker when rows can be picked), as [start, end] pairs.
GRID_CELLS_JS = """
(root) => {
  const canvas = [...root.querySelectorAll('canvas')].sort((a, b) => b.height - a.height)[0];
  const editor = root.querySelector('.stDataFrameGlideDataEditor') || root;
  const hex = getComputedStyle(editor).getPropertyValue('--gdg-border-color').trim() || '#E8E5E2';
  const rgb = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
  const w = canvas.width, h = canvas.height;
  const d = canvas.getContext('2d').getImageData(0, 0, w, h).data;
  const line = (x, y) => { const i = (y * w + x) * 4;
    return Math.abs(d[i] - rgb[0]) < 4 && Math.abs(d[i + 1] - rgb[1]) < 4 && Math.abs(d[i + 2] - rgb[2]) < 4; };
  const hlines = [];
  for (let y = 0; y < h; y++) {
    let n = 0; for (let x = 0; x < w; x++) if (line(x, y)) n++;
    if (n > 0.8 * w) hlines.push(y);
  }
  if (hlines.length < 2) return null;
  const top = hlines[0] + 1, bottom = hlines[hlines.length - 1];
  const vlines = [];
  for (let x = 0; x < w; x++) {
    let n = 0; for (let y = top; y < bottom; y++) if (line(x, y)) n++;
    if (n > 0.8 * (bottom - top)) vlines.push(x);
  }
  const spans = (edges) => { const out = [];
    for (let i = 1; i < edges.length; i++) if (edges[i] - edges[i - 1] > 3) out.push([edges[i - 1] + 1, edges[i]]);
    return out; };
  const r = canvas.getBoundingClientRect(), k = r.width / w;
  const px = ([a, b], o) => [o + a * k, o + b * k];
  // The last row or column on screen may have no closing line: the canvas edge closes it.
  return {header: [r.top, r.top + hlines[0] * k],
          rows: spans([...hlines, h]).map(s => px(s, r.top)),
          columns: spans([-1, ...vlines, w]).map(s => px(s, r.left))};
}
"""


def grid_cells(page, key: str, timeout: float = STEP_S) -> dict:
    """Where the header, rows and columns of the st.dataframe with `key` are (waits until drawn)."""
    root = page.locator(f".st-key-{key}")
    root.locator("canvas").first.wait_for(timeout=timeout * 1000)

    def cells():
        c = root.evaluate(GRID_CELLS_JS)
        return c if c and c["rows"] and len(c["columns"]) > 1 else None

    return poll(page, cells, f"the table {key!r} never drew its cells", timeout)


def grid_columns(page, key: str) -> list[str]:
    """The headers of the columns on screen, in order (from the grid's accessible table, once it
    has been filled in: it comes after the canvas)."""
    headers = page.locator(f".st-key-{key} th[role=columnheader]")
    headers.first.wait_for(state="attached")
    return [t.strip() for t in headers.all_text_contents()]


# Scroll the nearest scrolling ancestor of an element (Streamlit scrolls its main block, not the window).
SCROLL_BY_JS = """
([el, dy]) => {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowY;
    if ((o === 'auto' || o === 'scroll') && p.scrollHeight > p.clientHeight) { p.scrollBy(0, dy); return; }
  }
  window.scrollBy(0, dy);
}
"""


def grid_row_on_screen(page, key: str, row: int) -> dict:
    """Scroll the page until row `row` (0-based) of the table is inside the window; return the
    table's cells (grid_cells) as they are then."""
    cells = grid_cells(page, key)
    if row >= len(cells["rows"]):
        raise ValueError(f"the table {key!r} shows {len(cells['rows'])} rows, not {row + 1}")
    y0, y1 = cells["rows"][row]
    height = page.viewport_size["height"]
    if y0 < 0 or y1 > height:
        page.locator(f".st-key-{key}").evaluate(SCROLL_BY_JS, (y0 + y1) / 2 - height / 2)
        cells = grid_cells(page, key)
    return cells


def grid_text(page, key: str, row: int, column: int) -> str:
    """The text of one cell (0-based row; column as the grid counts them, 0 being the row marker
    of a table with row selection), from the grid's accessible table. That table holds only the
    rows in view, and fills in after the canvas is drawn: the row is scrolled into view and
    its cell waited for."""
    grid_row_on_screen(page, key, row)
    cell = page.locator(f'.st-key-{key} td[data-testid="glide-cell-{column}-{row}"]')
    cell.wait_for(state="attached")  # the accessible table is visually hidden, never "visible"
    return cell.text_content().strip()


def click_grid_row(page, key: str, row: int) -> None:
    """Pick row `row` (0-based) of a table with row selection: a click on its marker
    (the page is scrolled first if the row is off screen)."""
    cells = grid_row_on_screen(page, key, row)
    y0, y1 = cells["rows"][row]
    x0, x1 = cells["columns"][0]
    page.mouse.click((x0 + x1) / 2, (y0 + y1) / 2)


def click_grid_header(page, key: str, header: str) -> None:
    """Pick a column of a table with column selection: a click on its header (it must be on
    screen), left of the middle: the column menu's button sits at the right of a hovered header."""
    names = grid_columns(page, key)
    if header not in names:
        raise ValueError(f"no column {header!r} on screen in {key!r}: {names}")
    cells = grid_cells(page, key)
    x0, x1 = cells["columns"][names.index(header) + 1]  # the first column is the row marker
    y0, y1 = cells["header"]
    page.mouse.click(x0 + min(10.0, (x1 - x0) / 4), (y0 + y1) / 2)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_local(url: str) -> bool:
    """True for loopback URLs and for URLs that never touch the network (data:, blob:, about:)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("data", "blob", "about", "chrome", "chrome-extension", "devtools"):
        return True
    return host_of(url) in LOCAL_HOSTS


class NetworkLog:
    """Every request a page makes (page, frames, websockets), through Playwright's
    events and the DevTools Network domain (which also sees websocket handshakes)."""

    def __init__(self, page):
        self.urls: list[str] = []
        self.failed: list[tuple[str, str]] = []
        self.responses: dict[str, int] = {}
        page.context.on("request", lambda r: self.urls.append(r.url))
        page.context.on("requestfailed", lambda r: self.failed.append((r.url, r.failure or "")))
        page.context.on("response", lambda r: self.responses.__setitem__(r.url, r.status))
        page.on("websocket", lambda ws: self.urls.append(ws.url))
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.on("Network.requestWillBeSent", lambda e: self.urls.append(e["request"]["url"]))
        self.cdp.on("Network.webSocketCreated", lambda e: self.urls.append(e["url"]))
        self.cdp.send("Network.enable")

    def foreign(self) -> list[str]:
        return sorted({u for u in self.urls if not is_local(u)})


class WsActivity:
    """Counts websocket frames so a benchmark can wait for the app's traffic to stop."""

    def __init__(self, page):
        self.sent = 0
        self.received = 0
        self.last = time.monotonic()
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        ws.on("framesent", lambda _: self._tick("sent"))
        ws.on("framereceived", lambda _: self._tick("received"))

    def _tick(self, kind: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.last = time.monotonic()

    def wait_quiet(self, page, quiet: float = 1.0, timeout: float = STEP_S) -> None:
        """Wait until the app is idle (see wait_for_app_idle) and no websocket frame has moved
        for `quiet` seconds."""
        wait_for_app_idle(page, timeout=timeout)
        poll(page, lambda: time.monotonic() - self.last >= quiet, "the app's websocket never went quiet", timeout)


# ---- the app's own state, as its page exposes it ----

# When is the app idle? Streamlit marks its root element with the script's state
# (data-test-script-state: running, notRunning, ...) and the connection's, but a click's rerun
# starts only when the server answers it, so "not running" right after a click may still be the
# state before it, and a rerun the map component asks for after a run looks the same. So the
# page also watches its websocket, from its first document on: every rerun request it sends
# (a BackMsg whose field is rerun_script, 11) and every script start and end the server sends
# (ForwardMsg new_session, 4, and script_finished, 6; a run restarted by a newer request starts
# again). Idle: connected, not running, every run that started has finished, and no request
# was sent after the last start.
APP_RUNS_INIT_JS = """
(() => {
  if (window !== window.top || window.__gdApp) return;
  const app = window.__gdApp = {seq: 0, asked: 0, started: 0, finished: 0, runsDone: 0};
  // The numbers of the top-level fields of a protobuf message (wire types 0, 1, 2, 5).
  const fields = (bytes) => {
    const out = [];
    let i = 0;
    const varint = () => { let v = 0, k = 1, b; do { b = bytes[i++]; v += (b & 127) * k; k *= 128; } while (b & 128); return v; };
    while (i < bytes.length) {
      const tag = varint(), type = tag % 8;
      out.push(Math.floor(tag / 8));
      if (type === 0) varint(); else if (type === 1) i += 8; else if (type === 5) i += 4;
      else if (type === 2) { const n = varint(); i += n; } else break;
    }
    return out;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (!(e.data instanceof ArrayBuffer)) return;
        const f = fields(new Uint8Array(e.data));
        if (f.includes(4)) app.started = ++app.seq;
        if (f.includes(6)) { app.finished = ++app.seq; app.runsDone += 1; }
      });
    }
    send(data) {
      const bytes = data instanceof Uint8Array ? data : (data instanceof ArrayBuffer ? new Uint8Array(data) : null);
      if (bytes && bytes.length && bytes[0] === ((11 << 3) | 2)) app.asked = ++app.seq;
      return super.send(data);
    }
  };
})();
"""

APP_IDLE_JS = """
(after) => {
  const root = document.querySelector('[data-testid="stApp"]'), app = window.__gdApp;
  return !!root && root.getAttribute('data-test-script-state') === 'notRunning'
    && root.getAttribute('data-test-connection-state') === 'CONNECTED'
    && (!app || (app.finished >= app.started && app.asked < app.started && app.runsDone > after));
}
"""


def new_page(browser, **context_args):
    """A fresh browser context (a new Streamlit session) and its page: the shared desktop viewport
    unless given, the step deadline as Playwright's default timeout, and the run counter of
    wait_for_app_idle installed. Close it with page.context.close()."""
    ctx = browser.new_context(**{"viewport": VIEWPORT, **context_args})
    ctx.set_default_timeout(STEP_MS)
    ctx.add_init_script(APP_RUNS_INIT_JS)
    return ctx.new_page()


def app_runs(page) -> int:
    """How many script runs of the app have finished in this page (see APP_RUNS_INIT_JS)."""
    return page.evaluate("() => window.__gdApp ? window.__gdApp.runsDone : 0")


def wait_for_app_idle(page, after: int = -1, timeout: float = STEP_S) -> None:
    """Wait until the app is idle (see APP_RUNS_INIT_JS) and, with `after`, more than `after`
    runs have finished. Pages from new_page watch the websocket; on others only the script
    state the page shows is checked."""
    page.wait_for_function(APP_IDLE_JS, arg=after, timeout=timeout * 1000)


@contextmanager
def expect_rerun(page, timeout: float = STEP_S):
    """`with expect_rerun(page): <click>`: on leaving, the rerun the click caused has finished."""
    before = app_runs(page)
    yield
    wait_for_app_idle(page, after=before, timeout=timeout)


def wait_for_url(page, *parts: str, absent: tuple[str, ...] = (), timeout: float = STEP_S) -> None:
    """Wait until the page's URL has every one of `parts` and none of `absent` (the app writes its
    view state into the URL at the end of a run)."""
    page.wait_for_function(
        "([parts, absent]) => parts.every(p => location.href.includes(p)) && !absent.some(a => location.href.includes(a))",
        arg=[list(parts), list(absent)], timeout=timeout * 1000)
