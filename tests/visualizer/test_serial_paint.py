"""A step's painting stays on the GUI thread: Qt's raster engine hands a blend of 96 spans or
more (a tall translucent fill or stroke, a picture drawn under a clip of several rectangles)
to its GUI thread pool and waits for it, ~30 µs a call instead of a few and far longer on a
busy machine; a lecture step did it ~46 times (visualizer/widgets/serial_paint.py)."""

from __future__ import annotations

import numpy as np
import pytest
from checks import settle
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QRegion

from visualizer.widgets import matrix_view
from visualizer.widgets.serial_paint import SERIAL_ROWS, pooled_thread_wakeups, serial_strips
from visualizer.widgets.step_arrows import arrow_pens


def _area(rects) -> int:
    return sum(r.width() * r.height() for r in rects)


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_strips_cover_a_region_exactly_in_short_strips(ratio):
    region = QRegion(QRect(3, 0, 10, 400)).united(QRegion(QRect(40, 100, 200, 96)))
    region = region.united(QRegion(QRect(0, 500, 7, 1)))
    strips = list(serial_strips(region, ratio))
    # Each strip is fewer device rows than Qt's pool takes, and within one of the region's
    # rectangles (one span a row under it as the clip).
    assert all(s.height() * ratio <= SERIAL_ROWS for s in strips)
    assert all(any(r.contains(s) for r in region) for s in strips)
    covered = QRegion()
    for s in strips:
        assert not covered.intersects(s)  # no pixel twice
        covered = covered.united(s)
    assert covered.xored(region).isEmpty() and _area(strips) == _area(region)
    assert list(serial_strips(QRect(0, 0, 5, 95))) == [QRect(0, 0, 5, 95)]


def test_an_arrows_edges_are_opaque():
    """Translucent edges made the arrow's stroke a blend Qt split across its threads."""
    for pen in arrow_pens(QColor("#ff9f00")):
        assert pen.color().alpha() == 255


@pytest.mark.skipif(pooled_thread_wakeups() is None, reason="Linux's /proc")
@pytest.mark.parametrize("lecture", [False, True])
def test_a_step_hands_no_painting_to_qts_thread_pool(window, qtbot, lecture):
    """Ten steps in each phase of a 16×16 max pooling (a heat map with its close-up, the
    arrow across the views, the argmax mask "so far" a heat map): Qt's pooled threads are
    not woken (~50 times a step before; a spare few allowed for anything else in the
    process that uses a pool)."""
    st = window.state
    st.set_op("max_pool2d")
    st.set_input(np.random.default_rng(0).integers(0, 256, size=(16, 16)).astype(float))
    st.set_params(kernel_size=2, stride=2, padding=0)
    window.presentation.set_presentation(lecture, save=False)
    st.set_step(0)
    settle(qtbot)
    assert window.views_panel.input_view.stack.currentIndex() == 1  # a heat map

    def wakeups() -> int:
        count = pooled_thread_wakeups()
        assert count is not None
        return count

    woken, steps = 0, 0
    for first in (0, 70):  # forward, then backward (whose first step lays out new views)
        st.set_step(first)
        settle(qtbot)
        before = wakeups()
        for k in range(first + 1, first + 11):
            st.set_step(k)
            settle(qtbot)
            steps += 1
        woken += wakeups() - before
    assert woken < steps // 2


def test_a_heat_map_paints_its_picture_strip_by_strip(window, qtbot, monkeypatch):
    """A repaint under the arrow's bands draws the heat map's picture through the strips of
    the region it repaints (what the test above measures; here without /proc)."""
    seen: list[QRegion | QRect] = []
    original = matrix_view.serial_strips

    def recorded(region, ratio=1.0):
        seen.append(region)
        return original(region, ratio)

    monkeypatch.setattr(matrix_view, "serial_strips", recorded)
    st = window.state
    st.set_input(np.random.default_rng(1).integers(0, 256, size=(16, 16)).astype(float))
    st.set_params(kernel_size=2, stride=2, padding=0)
    settle(qtbot)
    seen.clear()
    st.set_step(st.step + 1)
    settle(qtbot)
    assert seen, "a step's heat map repaint drew its picture without strips"
