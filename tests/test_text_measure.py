"""Text widths are shared between exports in one process; a page's line breaks must not depend
on which export the process made before (a width measured at 40 dpi is about 8 % narrower than
the same text at 100 dpi, with hinting)."""

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from export import text  # noqa: E402

SAMPLE = "Eastern, western and northern Guangdong (粤东粤西粤北地区)."


def _width(dpi: float) -> float:
    fig = plt.figure(dpi=dpi)
    try:
        return text.text_width_pt(SAMPLE, 7, fig.canvas.get_renderer(), dpi)
    finally:
        plt.close(fig)


def test_a_width_measured_at_one_dpi_is_not_reused_at_another(monkeypatch):
    monkeypatch.setattr(text, "_widths", type(text._widths)())
    fresh = _width(100)
    monkeypatch.setattr(text, "_widths", type(text._widths)())
    _width(40)  # another export, at another dpi, first
    assert _width(100) == fresh
    assert _width(40) != fresh  # the two really differ: the check above can fail
