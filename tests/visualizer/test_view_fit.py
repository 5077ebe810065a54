"""What the window shows fits its room at a laptop's or a projector's size (found looking at
the app as a teacher and a student would)."""

from __future__ import annotations

import numpy as np
import pytest
from checks import settle


def open_stack_preset(window, qtbot, size, name):
    """The window at ``size`` in stack mode, with the bundled stack preset ``name`` loaded."""
    from PySide6.QtGui import QAction

    from visualizer.model.stack import read_stack_file
    from visualizer.resources import asset

    window.resize(*size)
    window.findChild(QAction, "stack_action").trigger()
    assert window.state.stack_state.load(read_stack_file(asset("presets", "stacks", name)))
    settle(qtbot)


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_max_unpooling_titles_fit_the_window(window, qtbot, size):
    """Max-unpooling shows four views in a row: 'Upstream gradient dY' was clipped to
    'Upstream gradient d' at 1366×768."""
    window.resize(*size)
    assert window.state.set_op("unpool")
    settle(qtbot)
    for view in window.views_panel.views():
        if view.isVisible():
            label = view.title_label
            assert label.fits(label.text()), label.text()


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_long_stack_layers_wrap_in_the_layer_list(window, qtbot, size):
    """05_dilation_grows_exponentially's layers ('conv2d  1→1 kernel_size=3 padding=8
    dilation=8') gave the side panel's layer list a horizontal scroll bar at 1366×768."""
    open_stack_preset(window, qtbot, size, "05_dilation_grows_exponentially.json")
    layers = window.stack_panel.layers_list
    assert layers.count() == 4
    assert layers.horizontalScrollBar().maximum() == 0
    for i in range(layers.count()):
        item = layers.item(i)
        assert item.toolTip() == item.text()
        assert layers.visualItemRect(item).width() <= layers.viewport().width()


def test_stack_level_titles_keep_their_shape_at_1024(window, qtbot):
    """02_lenet_style at 1024×768: level titles were cut to '1. conv2d  1×2…', losing the
    shape the stack is about; the short title keeps the level's number and shape."""
    from PySide6.QtGui import QAction

    from visualizer.model.stack import read_stack_file
    from visualizer.resources import asset

    window.resize(1024, 768)
    window.findChild(QAction, "stack_action").trigger()
    stack = read_stack_file(asset("presets", "stacks", "02_lenet_style.json"))
    assert window.state.stack_state.load(stack)
    settle(qtbot)
    panel = window.stack_panel
    results = window.state.stack_state.results
    for level, view in enumerate(panel.level_views):
        label = view.title_label
        assert label.fits(label.text()), label.text()
        if level:
            shape = "×".join(str(n) for n in results.level(level).shape[1:])
            assert shape in label.text(), (label.text(), shape)


def test_stack_levels_not_computed_yet_are_blank_not_zeros(window, qtbot):
    """A level the forward pass has not reached showed a table of dimmed '0's (02_lenet_style,
    step 1: the 5×5 output read as all zeros); its cells are now blank, as the single
    operation's outputs not computed yet."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction

    from visualizer.model.stack import read_stack_file
    from visualizer.resources import asset

    window.findChild(QAction, "stack_action").trigger()
    stack = read_stack_file(asset("presets", "stacks", "02_lenet_style.json"))
    assert window.state.stack_state.load(stack)
    settle(qtbot)
    last = window.stack_panel.level_views[-1]
    assert last.dimmed
    model = last.model
    assert np.isnan(model.values).all() and model.pending.all()
    texts = {model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole)
             for r in range(model.rowCount()) for c in range(model.columnCount())}  # fmt: skip
    assert texts <= {None, ""}
    window.state.stack_state.set_step(window.state.stack_state.cursor.n_steps - 1)
    settle(qtbot)
    assert not last.dimmed and np.isfinite(last.matrix()).all()


def test_number_layout_without_any_text_fits_any_room(qtbot):
    """A matrix whose cells are all pending has no number to fit: a room narrower than the
    text padding divided by zero."""
    from visualizer.widgets.matrix_view import number_layout

    for room in (0, 3, 10, 40):
        pixels, width = number_layout((), 20, room)
        assert pixels > 0 and width >= 20


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_the_stack_output_size_formulas_are_not_cut(window, qtbot, size):
    """06_global_average_pooling at 1366×768: the adaptive pooling's formula was cut with '…'
    in the shape table's Output size column; it wraps onto a taller row instead."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QFontMetrics

    open_stack_preset(window, qtbot, size, "06_global_average_pooling.json")
    table = window.stack_panel.shapes_table
    metrics = QFontMetrics(table.font())
    room = table.columnWidth(4) - 8  # the cell's margins
    for row in range(table.rowCount()):
        text = table.item(row, 4).text()
        need = metrics.boundingRect(QRect(0, 0, room, 10**6), Qt.TextFlag.TextWordWrap, text)
        assert need.width() <= room, text
        assert need.height() <= table.rowHeight(row), (text, table.rowHeight(row))
    longest = max(range(table.rowCount()), key=lambda r: len(table.item(r, 4).text()))
    if metrics.horizontalAdvance(table.item(longest, 4).text()) > room:  # one line is not enough
        assert table.rowHeight(longest) > table.rowHeight(0)  # the Input row: one line


# ---- issue 10, point 3: with any one dock open, an 8×8 example shows every row and column ----

DOCKS = ["codeDock", "verifyDock", "presetDock", "pitfallsDock", "quizDock"]
FIT_OPS = [
    "max_pool2d",
    "avg_pool2d",
    "conv2d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "lp_pool2d",
    "conv_transpose2d",
    "max_unpool2d",
]


def whole_tables(window) -> list[str]:
    """The shown views that do not show every row and column as numbers (a scroll bar, or a
    heat map because the cells got too small)."""
    cut = []
    for view in window.views_panel.views():
        if not view.isVisible():
            continue
        table = view.table
        bars = table.horizontalScrollBar().isVisible() or table.verticalScrollBar().isVisible()
        if view.stack.currentIndex() != 0 or bars:
            cut.append(f"{view.objectName()} {view.model.values.shape} cell {view.cell}")
    return cut


@pytest.mark.parametrize("dock_name", DOCKS)
def test_any_one_dock_leaves_every_row_and_column_in_sight(window, qtbot, dock_name):
    from PySide6.QtWidgets import QDockWidget

    dock = window.findChild(QDockWidget, dock_name)
    assert dock is not None
    dock.show()
    settle(qtbot)
    st = window.state
    for op in FIT_OPS:
        assert st.set_op(op)
        assert max(st.x.shape[-2:]) <= 8
        for step in (0, st.n_windows):  # forward and backward
            st.set_step(step)
            settle(qtbot)
            assert not whole_tables(window), (op, st.phase, whole_tables(window))


def test_a_side_dock_folds_the_side_panel_and_closing_it_brings_it_back(window, qtbot):
    """At 1366×768 the code dock left the matrices 450 px for five views (18 px cells); the
    side panel folds to its toolbar button while a side dock is open."""
    from PySide6.QtWidgets import QDockWidget

    dock = window.findChild(QDockWidget, "codeDock")
    assert window.side_panel.isVisible()
    dock.show()
    settle(qtbot)
    assert window.side_collapsed and not window.side_panel.isVisible()
    assert window.views_panel.input_view.cell >= 28
    dock.hide()
    settle(qtbot)
    assert not window.side_collapsed and window.side_panel.isVisible()


def test_a_view_that_became_a_heat_map_grows_back_into_a_table(window, qtbot):
    """After max unpooling (an 8×8 dX at 13 px: a heat map with a magnifier beside it), max
    pooling's dX stayed a 13 px heat map with the pitfalls dock open: measured without the
    magnifier's room it never grew back."""
    from PySide6.QtWidgets import QDockWidget

    window.findChild(QDockWidget, "pitfallsDock").show()
    settle(qtbot)
    st = window.state
    assert st.set_op("max_unpool2d")
    settle(qtbot)
    assert st.set_op("max_pool2d")
    st.set_step(st.n_windows)
    settle(qtbot)
    assert not whole_tables(window), whole_tables(window)


def test_max_unpooling_output_gets_width_for_its_eight_columns(window, qtbot):
    """At 1024×768 max unpooling's 8×8 Y and dY had the width of a 4×4 view: 24 px cells with
    9 px digits; columns now share the width by the matrix columns they show."""
    window.resize(1024, 768)
    assert window.state.set_op("max_unpool2d")
    settle(qtbot)
    settle(qtbot)
    panel = window.views_panel
    for view in (panel.output_view, panel.grad_output_view):
        assert view.model.values.shape == (8, 8)
        assert view.cell >= 28, view.objectName()
        assert view.model.font.pixelSize() >= 14, view.objectName()
