"""Digit heights of the lecture layouts bound by the window's height (issue 10, point 1): the
numbers' font takes a larger share of the cell where the columns have the width for it.

Before, every lecture layout drew its numbers at 0.68 of the cell's height: convolution's
backward at 1366×768 (two rows of 8×8 matrices, 38 px cells) had 18 px digits in columns
with room to spare, LP pooling's backward 14 px at 1024×768.  Sizes are read from the
widgets: the height of the glyph "8" in the font the model reports for ``Qt.FontRole``.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from test_lecture_layout import cell_font, digit_height, no_scroll_bars, present

from visualizer.widgets.matrix_view import LECTURE_NUMBER_HEIGHT


def rect_in(window, widget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def backward(window, qtbot, op: str, size: tuple[int, int], **params: object) -> list:
    st = window.state
    assert st.set_op(op)
    if params:
        st.set_params(**params)
    st.set_step(st.n_windows + 3)
    present(qtbot, window, size)
    views = [v for v in window.views_panel.lecture_views() if v.isVisible()]
    assert views
    return views


def assert_whole_and_one_font(window, views) -> None:
    tables = [v for v in views if v.stack.currentIndex() == 0]
    assert len({cell_font(v).pixelSize() for v in tables}) == 1  # one font for the figure
    assert len({v.table.rowHeight(0) for v in tables}) == 1
    for view in views:
        assert no_scroll_bars(view), view.objectName()
        assert window.rect().contains(rect_in(window, view)), view.objectName()


# (operation, its parameters, window size, least digit height; the digits before)
CASES = [
    ("conv2d", {}, (1366, 768), 22),  # 18 px before
    ("conv2d", {"kernel_size": 3, "stride": 1, "padding": 0}, (1366, 768), 23),  # 20
    ("conv2d", {"kernel_size": 3, "stride": 1, "padding": 0}, (1024, 768), 19),  # 17
    ("lp_pool2d", {}, (1024, 768), 16),  # 14
    ("adaptive_avg_pool2d", {}, (1366, 768), 24),  # 22
]


@pytest.mark.parametrize(("op", "params", "size", "least"), CASES)
def test_a_backward_bound_by_the_height_draws_larger_digits(window, qtbot, op, params, size, least):
    views = backward(window, qtbot, op, size, **params)
    for view in views:
        if view.stack.currentIndex() == 0:
            assert digit_height(view) >= least, view.objectName()
    assert_whole_and_one_font(window, views)
    # A larger share of the cell than the one fraction used before.
    view = views[0]
    assert cell_font(view).pixelSize() > LECTURE_NUMBER_HEIGHT * view.table.rowHeight(0) + 1


def test_a_two_channel_backward_draws_larger_digits(window, qtbot):
    """Preset 09's backward at 1024×768: eleven views at 35 px cells drew 18 px digits."""
    from visualizer.presets import apply_preset, load_preset
    from visualizer.resources import asset

    preset = load_preset(asset("presets", "09_multichannel_conv.json"))
    assert apply_preset(window.state, preset)
    st = window.state
    st.set_step(st.n_windows + 3)
    present(qtbot, window, (1024, 768))
    views = [v for v in window.views_panel.lecture_views() if v.isVisible()]
    for view in views:
        assert digit_height(view) >= 20, view.objectName()  # 18 before
    assert_whole_and_one_font(window, views)
