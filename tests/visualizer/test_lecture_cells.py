"""Cell sizes of the lecture layout where the matrices' numbers differ in length (issue 10,
points 1, 3 and 6): one row height and font for every view, and the large matrices one
column width unless that costs the cells their height.

Sizes are read from the widgets: a column's width, a row's height and the font the model
reports for ``Qt.FontRole`` (the font the cells are drawn with).
"""

from __future__ import annotations

import pytest
from test_lecture_layout import cell_font, no_scroll_bars, present

from visualizer.model.present import shared_columns


def lp_backward(window, qtbot, size: tuple[int, int]) -> None:
    """LP pooling's backward (dY 4×4 of ones, X 8×8 of integers, dX 8×8 of four significant
    digits: "0.04336") in the lecture layout at ``size``."""
    st = window.state
    assert st.set_op("lp_pool2d")
    st.set_phase("backward")
    st.set_step(st.n_windows + 3)
    present(qtbot, window, size)


def test_lp_backward_cells_take_the_height_the_panel_has(window, qtbot):
    """At 1024×768 X took dX's columns: every view 79×23 px cells, digits of 15 px.  X's
    integers keep columns of their own width; the cells are taller, the font larger."""
    lp_backward(window, qtbot, (1024, 768))
    panel = window.views_panel
    x, dx, dy = panel.input_view, panel.grad_input_view, panel.grad_output_view
    views = [v for v in panel.lecture_views() if v.isVisible()]
    assert {v.objectName() for v in views} == {"gradOutputMatrix", "inputMatrix", "gradInputMatrix"}
    assert panel.lecture_cell >= 28  # 23 before
    assert len({v.table.rowHeight(0) for v in views}) == 1  # one row height ...
    assert len({cell_font(v).pixelSize() for v in views}) == 1  # ... and one font
    assert cell_font(x).pixelSize() >= 18  # 15 before
    assert x.column_width() < dx.column_width()
    assert x.column_width() <= 1.5 * x.table.rowHeight(0)  # 79 for 23 before
    assert dy.column_width() <= x.column_width()  # dY's ones: no wider than X's integers
    for view in views:
        assert no_scroll_bars(view), view.objectName()
        assert view.stack.currentIndex() == 0, view.objectName()  # tables with numbers


def test_own_columns_keep_small_views_together():
    shapes = [(4, 4), (8, 8), (8, 8), (2, 2), (2, 2)]
    assert shared_columns(shapes, [30, 38, 102, 40, 56], own=True) == [30, 38, 102, 56, 56]
    assert shared_columns(shapes, [30, 38, 102, 40, 56]) == [102, 102, 102, 102, 102]


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_integer_matrices_still_share_one_column_width(window, qtbot, size):
    """The default max pooling forward: its matrices' numbers are alike, one column width."""
    present(qtbot, window, size)
    views = [v for v in window.views_panel.lecture_views() if v.isVisible()]
    assert len({v.column_width() for v in views}) == 1
