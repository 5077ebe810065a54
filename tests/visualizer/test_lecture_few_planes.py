"""Multi-channel convolution's backward phase in the lecture layout at 1024×768 (issue 10,
lecture readability): with four input planes side by side its 17 views (dY, four X planes,
W slices, dX planes and dW slices) were heat maps with cut captions ("ro.", "rows 1–3")
under 13 lines of arithmetic.  A small panel's backward phase now shows two planes at a
time (the block chosen with ``channel_block_bar``, keys I / Shift+I); 1366×768 keeps four."""

from __future__ import annotations

import numpy as np
import pytest
from checks import focus_window, settle
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel
from test_channel_blocks import conv_with
from test_lecture_layout import cell_font, digit_height, no_scroll_bars, present


def backward(window, qtbot, channels: int, size: tuple[int, int]) -> None:
    conv_with(window, qtbot, channels)
    st = window.state
    st.set_step(st.n_windows + 3)
    present(qtbot, window, size)
    assert st.phase == "backward"


def x_planes(window) -> list:
    views = window.views_panel.lecture_views()
    return [v for v in views if v.isVisibleTo(window) and v.title_label.text().startswith("X[")]


def cut_labels(window) -> list[str]:
    """The shown labels of the views panel whose text does not fit their width, or is an
    elided form ("…") of the text meant."""
    cut = []
    for label in window.views_panel.findChildren(QLabel):
        text = label.text()
        if not label.isVisibleTo(window) or not text or label.textFormat() == Qt.RichText:
            continue
        metrics = QFontMetrics(label.font())
        width = label.contentsRect().width()
        wide = any(metrics.horizontalAdvance(line) > width for line in text.split("\n"))
        if wide or "…" in text:
            cut.append(f"{label.objectName()}: {text!r} in {width} px")
    return cut


@pytest.mark.parametrize("channels", [4, 6])
def test_a_small_lecture_backward_shows_two_planes_whole(window, qtbot, channels):
    st, panel = window.state, window.views_panel
    backward(window, qtbot, channels, (1024, 768))
    assert cut_labels(window) == []  # before: "rows 1–3" cut, "ro…" beside dW's heat maps
    assert st.shown_channels() == [0, 1]
    xs = x_planes(window)
    assert [v.title_label.text() for v in xs] == ["X[c=0]", "X[c=1]"]
    for view in xs:
        assert view.stack.currentIndex() == 0  # a table, not a heat map
        assert no_scroll_bars(view)
        # Before: 4 px heat-map cells (no digits); 1366×768's four planes have 22 px digits.
        assert view.column_width() >= 36
        assert digit_height(view) >= 19
        np.testing.assert_array_equal(view.matrix(), st.x[0, int(view.title_label.text()[4])])
    bar = panel.channel_block_bar
    assert bar.isVisibleTo(window)
    assert bar.block_label.text() == f"Input channels 0–1  ({channels} in all)"
    # The next block by key; the arithmetic is that of the planes shown.
    focus_window(qtbot, window)
    qtbot.keyClick(window, Qt.Key_I)
    settle(qtbot)
    assert st.shown_channels() == [2, 3]
    assert [v.title_label.text() for v in x_planes(window)] == ["X[c=2]", "X[c=3]"]
    text = window.step_bar.arithmetic_label.text()
    assert "dX[2," in text and "dX[0," not in text
    assert cut_labels(window) == []
    # The forward phase keeps four planes side by side.
    st.set_step(0)
    settle(qtbot)
    assert st.shown_channels() == [0, 1, 2, 3]


def test_a_larger_window_brings_back_four_planes(window, qtbot):
    """1366×768 keeps four planes side by side (tables); the window grown from 1024×768
    brings them back, shrunk again it shows two."""
    backward(window, qtbot, 6, (1024, 768))
    assert window.state.shown_channels() == [0, 1]
    window.resize(1366, 768)
    settle(qtbot)
    assert window.state.shown_channels() == [0, 1, 2, 3]
    assert window.views_panel.channel_block_bar.block_label.text() == (
        "Input channels 0–3  (6 in all)"
    )
    assert cut_labels(window) == []
    assert len(x_planes(window)) == 4
    for view in x_planes(window):
        assert view.stack.currentIndex() == 0
        assert cell_font(view).pixelSize() > 0
    window.resize(1024, 768)
    settle(qtbot)
    assert window.state.shown_channels() == [0, 1]
    assert cut_labels(window) == []


def test_leaving_the_lecture_layout_brings_back_four_planes(window, qtbot):
    backward(window, qtbot, 6, (1024, 768))
    assert window.state.shown_channels() == [0, 1]
    window.presentation.set_presentation(False, save=False)
    settle(qtbot)
    assert window.state.shown_channels() == [0, 1, 2, 3]


def test_a_small_lecture_backward_shows_fewer_output_channels(window, qtbot):
    """Two input planes of four output channels were 18 views (four dY, eight W and dW
    slices): heat maps with cut captions.  Two planes' room takes at most four kernel slices,
    so the shown output channel's alone."""
    st = window.state
    conv_with(window, qtbot, 2, out_channels=4)
    st.set_step(st.n_windows + 3)
    present(qtbot, window, (1024, 768))
    assert cut_labels(window) == []
    assert st.shown_channels() == [0, 1] and st.shown_out_channels() == [0]
    for view in x_planes(window):
        assert view.stack.currentIndex() == 0
        assert view.column_width() >= 34  # 15 px heat-map cells before
        assert digit_height(view) >= 16
