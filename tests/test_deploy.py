"""The README's deployment example runs: deploy/nginx-site.conf in front of two app processes
serves the app, its websocket and its health endpoint, and refuses oversized uploads at the door.

Needs nginx (Debian: apt-get install nginx-light) besides Chromium; skipped without it."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from testing.browser import (
    HOST,
    NetworkLog,
    StreamlitServer,
    die_with_parent,
    free_port,
    new_page,
    wait_for_health,
    wait_for_map,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx-site.conf"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def site_config(app_ports: tuple[int, int], port: int) -> str:
    """The example with its ports replaced; every replacement must hit exactly once, so a change
    to the example's shape shows up here."""
    text = SITE.read_text(encoding="utf-8")
    for old, new in (("127.0.0.1:8501;", f"{HOST}:{app_ports[0]};"), ("127.0.0.1:8502;", f"{HOST}:{app_ports[1]};"),
                     ("listen 8080;", f"listen {HOST}:{port};")):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def main_config(tmp: Path, site: Path) -> str:
    # Everything nginx writes goes to tmp. As root, workers would otherwise run as nobody and
    # could not write request bodies into the test's private directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temps = "\n".join(f"  {name}_temp_path {tmp / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                        "scgi"))
    return (f"{user}daemon off;\nworker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'};\n"
            f"events {{ worker_connections 256; }}\n"
            f"http {{\n  access_log {tmp / 'access.log'};\n{temps}\n  include {site};\n}}\n")


@pytest.fixture
def proxy(tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")
    secret = secrets.token_hex(16)  # one cookie secret for all processes, as the README says
    apps = [StreamlitServer("app.py", env={"STREAMLIT_SERVER_COOKIE_SECRET": secret}) for _ in range(2)]
    proc = None
    try:
        for app in apps:
            app.start()
        port = free_port()
        site = tmp_path / "site.conf"
        site.write_text(site_config((apps[0].port, apps[1].port), port), encoding="utf-8")
        conf = tmp_path / "nginx.conf"
        conf.write_text(main_config(tmp_path, site), encoding="utf-8")
        check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
                               capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                preexec_fn=die_with_parent)
        url = f"http://{HOST}:{port}/"
        try:
            wait_for_health(url + "_stcore/health", proc)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"nginx: {exc}: {(tmp_path / 'error.log').read_text(errors='replace')[-2000:]}") from None
        yield url, port, apps
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        for app in apps:
            app.stop()


def test_app_runs_behind_the_example_proxy(proxy, browser):
    url, port, apps = proxy
    for app in apps:  # each process answers its own health check, as a balancer would probe it
        with urllib.request.urlopen(f"{app.url}_stcore/health", timeout=5) as r:
            assert r.read().strip() == b"ok"

    page = new_page(browser)
    try:
        net = NetworkLog(page)
        page.goto(url)
        # The map paints only if the websocket came through the proxy (the map travels over it).
        frame = wait_for_map(page, 21)
        assert frame is not None
        streams = [u for u in net.urls if u.endswith("/_stcore/stream")]
        assert streams and all(u.startswith(f"ws://{HOST}:{port}/") for u in streams), streams
        direct = {u for u in net.urls if any(f":{app.port}/" in u for app in apps)}
        assert not direct, direct  # the browser never talks to an app process itself
    finally:
        page.context.close()

    # An upload over the cap is refused by the proxy from its headers alone (no body is sent).
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.putrequest("PUT", "/_stcore/upload_file/session/file")
        conn.putheader("Content-Length", str(26 * 1024 * 1024))
        conn.endheaders()
        assert conn.getresponse().status == 413
    finally:
        conn.close()
