"""The test helpers' own guarantees (testing/): no server outlives the worker that started it,
and a wait that runs out says what it waited for."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from testing import browser
from testing.browser import StreamlitServer, die_with_parent, poll

# A parent that starts a long-lived child the way the helpers do, prints its pid and dies at once
# (os._exit: no cleanup of any kind, as when a worker is killed).
PARENT = textwrap.dedent("""
    import os, subprocess, sys
    sys.path.insert(0, {root!r})
    from testing.browser import die_with_parent
    # The child's output goes nowhere: a child holding the parent's stdout pipe would keep the
    # test's read of the parent open until the child ends.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True, preexec_fn={preexec})
    print(child.pid, flush=True)
    os._exit(0)
""")


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie: dead, not yet reaped
    except FileNotFoundError:
        return True


def _orphan_alive(preexec: str) -> bool:
    """Whether the child of a parent that died is still running 10 s later."""
    out = subprocess.run([sys.executable, "-c", PARENT.format(root=str(browser.ROOT), preexec=preexec)],
                         capture_output=True, text=True, timeout=60).stdout
    pid = int(out.split()[0])
    try:
        poll(None, lambda: _gone(pid), "the orphan is still running", timeout=10)
        return False
    except TimeoutError:
        os.kill(pid, 9)  # the test's own orphan: not left behind either way
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux's")
def test_a_child_started_with_die_with_parent_ends_with_its_parent():
    assert not _orphan_alive("die_with_parent")
    assert _orphan_alive("None")  # without it the child outlives its parent: the check can fail


def test_the_streamlit_server_is_started_to_die_with_its_parent(monkeypatch):
    seen = {}

    def popen(cmd, **kwargs):
        seen.update(kwargs)
        raise OSError("not started in this test")

    monkeypatch.setattr(browser.subprocess, "Popen", popen)
    with pytest.raises(OSError):
        StreamlitServer("app.py").start()
    assert seen["preexec_fn"] is die_with_parent and seen["start_new_session"]


def test_a_wait_that_runs_out_says_what_it_waited_for_and_what_it_last_saw():
    seen = []

    def probe():
        seen.append(len(seen))
        if len(seen) == 2:
            raise RuntimeError("frame detached")
        return False

    with pytest.raises(TimeoutError) as info:
        poll(None, probe, lambda: f"the map never painted (last count {seen[-1]})", timeout=0.35)
    message = str(info.value)
    assert message.startswith(f"the map never painted (last count {seen[-1]}) (for 0 s)")
    assert "last error: frame detached" in message
    assert poll(None, lambda: "ready", "never") == "ready"


GROUPED_SUITE = textwrap.dedent("""
    import os

    import pytest

    def _log(kind):
        with open(os.environ["GD_GROUP_LOG"], "a") as f:
            f.write(f"{kind} {os.getpid()}\\n")

    @pytest.mark.xdist_group("shared")
    @pytest.mark.parametrize("i", range(6))
    def test_grouped(i):
        _log("grouped")

    @pytest.mark.parametrize("i", range(6))
    def test_free(i):
        _log("free")
""")


def test_an_xdist_group_runs_on_one_worker(tmp_path):
    """The suite's hook (tests/conftest.py) keeps each xdist group on one worker under
    `--dist loadgroup`, whatever pytest version: the groups' shared servers, renders and builds
    are made once. The tests outside the group are spread over both workers."""
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_collection_modifyitems  # noqa: F401\n")
    (tmp_path / "test_groups.py").write_text(GROUPED_SUITE)
    log = tmp_path / "pids.log"
    env = dict(os.environ, PYTHONPATH=str(browser.ROOT), GD_GROUP_LOG=str(log))
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                        "--dist", "loadgroup", str(tmp_path)], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    seen = [line.split() for line in log.read_text().splitlines()]
    assert len(seen) == 12
    assert len({pid for kind, pid in seen if kind == "grouped"}) == 1, seen
    assert len({pid for _, pid in seen}) == 2, seen  # two workers did run: the check can fail
