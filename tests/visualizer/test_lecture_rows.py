"""Cell sizes of every operation's lecture layout at the laptop sizes (issue 10, points 1 and
2): one cell size and font for every view but the kernels, the small kernels (W, dW) one above
the other where that gives larger cells, and each phase's matrices at least as large as the
window's geometry allows for the default example.

Sizes are read from the widgets: a column's width, a row's height, and the height of the glyph
"8" in the font the model reports for ``Qt.FontRole`` (the font the cells are drawn with).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF
from test_lecture_layout import cell_font, digit_height, no_scroll_bars, present

SIZES = [(1366, 768), (1024, 768)]

# The smallest cell (row height) and digit each operation's backward reaches with the
# default example, by window width: issue 10 point 1 asks for 26 and 18 px digits; where two
# rows of 8×8 matrices or long numbers ("0.04336") bind the cells, as large as the window's
# height or width allows (see the report of the branch h/lecrows for the figures).
BACKWARD_LEAST = {
    "max_pool2d": {1366: (52, 26), 1024: (38, 18)},
    "avg_pool2d": {1366: (52, 26), 1024: (40, 18)},
    "conv2d": {1366: (36, 18), 1024: (36, 18)},
    # W over dW in one column: 43 px cells at 1366×768 before.
    "conv_transpose2d": {1366: (45, 21), 1024: (32, 15)},
    "max_unpool2d": {1366: (52, 26), 1024: (46, 22)},
    "adaptive_avg_pool2d": {1366: (44, 20), 1024: (42, 20)},
    "adaptive_max_pool2d": {1366: (52, 26), 1024: (40, 18)},
    "lp_pool2d": {1366: (36, 17), 1024: (28, 13)},
}


def rect_in(window, widget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def lecture(window, qtbot, op: str, phase: str, size: tuple[int, int]) -> list:
    st = window.state
    assert st.set_op(op)
    st.set_phase(phase)
    st.set_step((st.n_windows if phase == "backward" else 0) + 3)
    present(qtbot, window, size)
    views = [v for v in window.views_panel.lecture_views() if v.isVisible()]
    assert views
    return views


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("op", sorted(BACKWARD_LEAST))
def test_every_backward_is_as_large_as_the_window_allows(window, qtbot, op, size):
    views = lecture(window, qtbot, op, "backward", size)
    panel = window.views_panel
    least_cell, least_digit = BACKWARD_LEAST[op][size[0]]
    assert panel.lecture_cell >= least_cell
    tables = [v for v in views if v.stack.currentIndex() == 0]
    assert tables
    assert len({v.table.rowHeight(0) for v in tables}) == 1  # one row height ...
    assert len({cell_font(v).pixelSize() for v in tables}) == 1  # ... and one font
    for view in tables:
        assert digit_height(view) >= least_digit, view.objectName()
        assert view.column_width() >= view.table.rowHeight(0), view.objectName()
    for view in views:
        assert no_scroll_bars(view), view.objectName()
        assert window.rect().contains(rect_in(window, view)), view.objectName()
    # No two views overlap.
    rects = [rect_in(window, v) for v in views]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.intersects(b)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("op", ["avg_pool2d", "lp_pool2d", "adaptive_avg_pool2d"])
def test_a_longer_number_widens_every_view_s_cells(window, qtbot, op, size):
    """Average and LP pooling's forward: Y's columns of "9.125" were twice as wide as X's
    integers' (137 against 68 px at 1366×768): one cell size is every view's, and a longer
    number widens the cells of every view."""
    views = lecture(window, qtbot, op, "forward", size)
    assert {v.objectName() for v in views} == {"inputMatrix", "outputMatrix"}
    assert len({v.column_width() for v in views}) == 1
    assert len({v.table.rowHeight(0) for v in views}) == 1
    assert len({cell_font(v).pixelSize() for v in views}) == 1
    for view in views:
        assert no_scroll_bars(view), view.objectName()
        assert window.rect().contains(rect_in(window, view)), view.objectName()


def test_transposed_convolution_s_kernels_stand_one_above_the_other(window, qtbot):
    """Transposed convolution's backward at 1366×768: dY, X, W, dX in a row and dW alone
    under them took 43 px cells; W and dW in one column of the row give larger ones: dW (the
    arrows' target) on top with db under it, then W, so that no arrow runs across W."""
    views = lecture(window, qtbot, "conv_transpose2d", "backward", (1366, 768))
    panel = window.views_panel
    w, dw = rect_in(window, panel.kernel_view), rect_in(window, panel.grad_weight_view)
    assert w.left() == dw.left() and w.top() > dw.bottom()
    tops = {rect_in(window, v).top() for v in views if v is not panel.kernel_view}
    assert len(tops) == 1  # one row
    bias = rect_in(window, panel.bias_slot)
    assert panel.bias_slot.isVisible() and dw.bottom() < bias.top() and bias.bottom() < w.top()
    assert window.rect().contains(w)
    assert panel.lecture_cell >= 45  # 43 before
    # The arrows come down into dX and dW from above the row: none crosses W.
    arrows = panel.arrows
    assert {target for _, target in arrows.arrows} == {"grad_input", "grad_weight"}
    kernel = panel.kernel_view.rect().translated(panel.kernel_view.mapTo(arrows, QPoint(0, 0)))
    for shape in arrows.drawn_shapes():
        assert not shape.intersects(QRectF(kernel))
