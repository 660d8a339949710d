"""The browser tests' waits hold where a user would wait: against testing/slow_app.py, app.py
with every script run held up (before it starts and again before the map tab), the same tests
pass, only slower.

The first test shows the delay is real: right after a click the page still shows the run
before it, so a test that read the page after a fixed pause shorter than the delay would see
the old state."""

from __future__ import annotations

import time

import pytest

from testing.browser import expect_rerun, wait_for_map
from testing.slow_app import DELAY_S
from tests import test_browser, test_browser_compare

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_every_rerun_of_the_slow_app_is_held_up(page, slow_app_server):
    page.goto(slow_app_server.url)
    wait_for_map(page, 21)
    box = page.locator(".st-key-cl_automotive input[type=checkbox]")
    t0 = time.monotonic()
    with expect_rerun(page):
        box.click(force=True)  # Streamlit's checkbox input is visually hidden under its label
        assert "automotive" not in page.url, "the click's run was not held up"
    took = time.monotonic() - t0
    assert "automotive" in page.url and box.is_checked()
    assert took >= 2 * DELAY_S, took  # held up before the run and again before the map tab


def test_matrix_row_turns_its_cluster_on_in_the_map(page, slow_app_server, shots, policy, rows):
    test_browser_compare.test_matrix_row_turns_its_cluster_on_in_the_map(page, slow_app_server, shots, policy, rows)


def test_toggle_cluster_layer_in_the_browser(page, slow_app_server, shots, policy, rows):
    test_browser.test_toggle_cluster_layer_in_the_browser(page, slow_app_server, shots, policy, rows)
