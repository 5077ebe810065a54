"""The window ``ceil_mode`` drops, drawn (issue 10, point 11): the ceil-mode preset's input view
holds the dropped windows in its hatched overhang and outlines each, dashed, in a colour of its
own, in the normal and the lecture layout, while stepping; never a step itself.

Loaded through the preset menu, as a lecturer does; asserted on the view's data (its canvas,
the outlines it draws and the styles of their cells), never on pixels.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from visualizer import i18n
from visualizer.model.document import CompareSetup
from visualizer.model.present import INPUT, OVERHANG
from visualizer.view_settings import PALETTES, THEMES, view_settings
from visualizer.widgets import matrix_view
from visualizer.widgets.matrix_view import (
    DROPPED_BOTTOM,
    DROPPED_LEFT,
    DROPPED_RIGHT,
    DROPPED_TOP,
    contrast_ratio,
    plan_reach,
)

PRESET = "07_ceil_mode_dropped_window"
# 7×6 input, 2×2 windows, stride 3: columns of windows at 0, 3 and 6; the one at 6 would
# start outside the input (6 columns: 0..5), so PyTorch drops it in each of the three rows
# of windows (rows 0..1, 3..4 and 6..7).
DROPPED = {
    (range(0, 2), range(6, 8), "dropped"),
    (range(3, 5), range(6, 8), "dropped"),
    (range(6, 8), range(6, 8), "dropped"),
}
DROPPED_CELLS = {(r, c) for rows, cols, _ in DROPPED for r in rows for c in cols}


def settle(qtbot) -> None:
    for _ in range(4):
        QApplication.processEvents()
        qtbot.wait(5)


def load_preset(window, qtbot) -> None:
    window.presets.preset_actions[PRESET].trigger()
    settle(qtbot)
    st = window.state
    assert st.params.ceil_mode and st.x.shape[2:] == (7, 6)
    assert st.results.output[0, 0].tolist() == [[8, 11], [26, 29], [38, 41]]


def input_view(window) -> matrix_view.MatrixView:
    return window.views_panel.input_view


def assert_drawn(view) -> None:
    """The canvas holds the dropped windows in hatched overhang; each is outlined."""
    canvas = view.canvas()
    kinds = view.model.kinds
    # 7 rows + the partial window's overhang row; 6 columns + the dropped windows' two.
    assert canvas.shape == (8, 8)
    assert view.model.offset == (0, 0)
    assert (kinds[:7, :6] == INPUT).all()
    assert (kinds[:, 6:] == OVERHANG).all() and (kinds[7, :] == OVERHANG).all()
    assert view.matrix().shape == (7, 6)  # the input itself is as it was
    assert set(view.outlines()) == DROPPED
    styles = view.model.styles
    for rows, cols, _ in DROPPED:
        top, bottom, left, right = rows[0], rows[-1], cols[0], cols[-1]
        assert {DROPPED_TOP, DROPPED_LEFT, "dropped"} <= styles[(top, left)]
        assert {DROPPED_TOP, DROPPED_RIGHT} <= styles[(top, right)]
        assert {DROPPED_BOTTOM, DROPPED_LEFT} <= styles[(bottom, left)]
        assert {DROPPED_BOTTOM, DROPPED_RIGHT} <= styles[(bottom, right)]
    # Cells outside the dropped windows carry none of their styles.
    for (r, c), cell_styles in dict(styles).items():
        if (r, c) not in DROPPED_CELLS:
            assert not {s for s in cell_styles if s.startswith("dropped")}, (r, c)


def depth(plan, height: int) -> int:
    """How deep from the cell's top or bottom edge the bands of a border plan along those
    edges reach (every band, not only the one over the middle, as plan_reach measures)."""
    reach = 0
    for _x, y, w, h, _colour, _dashed in plan:
        if w > h and h < height // 2:  # along the top or bottom edge
            reach = max(reach, y + h if y < height // 2 else height - y)
    return reach


def step_cells(window) -> set[tuple[int, int]]:
    """The input cells the current step marks (its window, padding and overhang taps)."""
    marks = window.state.highlight().of("input")
    return {pos for pos, roles in marks.items() if roles & {"window", "padding", "overhang"}}


def test_preset_draws_the_dropped_windows_in_the_normal_layout(window, qtbot):
    load_preset(window, qtbot)
    view = input_view(window)
    assert_drawn(view)
    tip = view.model.data(view.model.index(0, 6), Qt.ToolTipRole)
    assert "drops" in tip and "[0, 6]" in tip
    assert "drops" in view.toolTip()
    # A kept window's cell says nothing of it.
    assert "drops" not in view.model.data(view.model.index(0, 0), Qt.ToolTipRole)


def test_stepping_never_steps_onto_a_dropped_window(window, qtbot):
    load_preset(window, qtbot)
    st = window.state
    view = input_view(window)
    assert st.n_windows == 6  # 3×2 outputs: the dropped windows are no steps
    for step in range(st.n_steps):
        st.set_step(step)
        settle(qtbot)
        assert set(view.outlines()) == DROPPED, step
        assert step_cells(window), step
        assert not step_cells(window) & DROPPED_CELLS, step
        assert {DROPPED_TOP, DROPPED_LEFT} <= view.model.styles[(0, 6)], step
    # The last forward step's window is the partial one over row 6 (and overhang row 7).
    st.set_step(5)
    assert step_cells(window) == {(6, 3), (6, 4), (7, 3), (7, 4)}


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_lecture_layout_draws_the_dropped_windows(window, qtbot, size):
    load_preset(window, qtbot)
    window.resize(*size)
    settle(qtbot)
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    view = input_view(window)
    assert view in window.views_panel.lecture_views()
    assert view.isVisible() and view.stack.currentIndex() == 0  # a table, with numbers
    assert_drawn(view)
    for step in (1, 2, 3):
        window.state.advance()
        settle(qtbot)
        assert window.state.step == step
        assert_drawn(view)
    window.presentation.set_presentation(False, save=False)


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_overhang_does_not_make_a_small_input_a_heat_map(window, qtbot, size):
    """A 7×7 input padded by 1, windows of 3 with stride 4 and ceil_mode: the overhang that
    holds the dropped windows makes the drawn canvas 11×11, yet the lecture layout draws the
    input as a table with its numbers (it was a heat map: the threshold read the canvas)."""
    window.resize(*size)
    st = window.state
    assert st.set_op("max_pool2d")
    st.set_input(np.arange(49, dtype=float).reshape(1, 1, 7, 7) % 10)
    assert st.set_params(kernel_size=3, stride=4, padding=1, ceil_mode=True)
    settle(qtbot)
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    settle(qtbot)
    view = input_view(window)
    assert view.canvas_shape() == (11, 11)  # the dropped windows are still drawn ...
    assert view.read_shape() == (9, 9)
    assert view.isVisible() and view.stack.currentIndex() == 0  # ... in a table
    assert view.close_up_plan is None
    assert view.model.show_numbers
    drawn = {(r, c) for rows, cols, _ in view.outlines() for r in rows for c in cols}
    assert (8, 8) in drawn  # matrix coordinates: the last dropped window's corner
    window.presentation.set_presentation(False, save=False)


def test_dashes_keep_clear_of_numbers(window, qtbot):
    """A dropped window that starts in the right padding: its padding cells show −∞ (max
    pooling), and the dashed outline along them stays within the room the number leaves."""
    st = window.state
    assert st.set_params(kernel_size=(1, 2), stride=(1, 5), padding=(0, 1), ceil_mode=True)
    assert st.set_input(np.arange(1.0, 5.0).reshape(1, 4)), st.error
    settle(qtbot)
    view = input_view(window)
    # Padded columns -1..4; windows start at -1 (kept) and 4 (the right padding: dropped).
    assert view.outlines() == ((range(0, 1), range(4, 6), "dropped"),)
    assert view.canvas().shape == (1, 7)  # left padding, 4 cells, right padding, overhang
    model, delegate = view.model, view.delegate
    padding_cell = model.index(0, 5)  # input column 4: the right padding
    assert model.data(padding_cell, Qt.DisplayRole) == "-∞"
    assert "drops" in model.data(padding_cell, Qt.ToolTipRole)
    rect = view.table.visualRect(padding_cell)
    styles = model.styles[(0, 5)]
    assert {DROPPED_TOP, DROPPED_BOTTOM, DROPPED_LEFT} <= styles
    background = model.data(padding_cell, Qt.BackgroundRole).color()
    plan = delegate._cell_plan(rect, styles, background)
    assert plan  # the dashes are drawn
    assert depth(plan, rect.height()) <= delegate._number_room(rect.height())


@pytest.mark.parametrize("op", ["avg_pool2d", "lp_pool2d"])
def test_every_pooling_with_ceil_mode_draws_them(window, qtbot, op):
    load_preset(window, qtbot)
    assert window.state.set_op(op)
    settle(qtbot)
    assert window.state.results.output.shape[2:] == (3, 2)
    assert_drawn(input_view(window))


@pytest.mark.parametrize("op", ["conv2d", "adaptive_max_pool2d"])
def test_operations_without_ceil_mode_draw_none(window, qtbot, op):
    # The document keeps ceil_mode=True for when max pooling comes back; these operations
    # have no such parameter, and their geometry drops nothing.
    load_preset(window, qtbot)
    assert window.state.set_op(op)
    settle(qtbot)
    view = input_view(window)
    assert view.outlines() == ()
    assert not any(s.startswith("dropped") for styles in view.model.styles.values() for s in styles)
    assert "drops" not in view.toolTip()
    assert window.state.set_op("max_pool2d")
    settle(qtbot)
    assert set(view.outlines()) == DROPPED


def test_tooltip_is_translated(window, qtbot):
    load_preset(window, qtbot)
    try:
        i18n.set_language("zh_CN")
        settle(qtbot)
        view = input_view(window)
        tip = view.model.data(view.model.index(0, 6), Qt.ToolTipRole)
        assert "舍弃" in tip and "drops" not in tip
        assert "舍弃" in view.toolTip() and "drops" not in view.toolTip()
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("theme", THEMES)
def test_dashes_show_on_the_overhang_and_padding(qtbot, palette, theme):
    """Every dash is the outline's colour inside a ring that contrasts with the cell (3:1, as
    every highlight frame); on a lecture's 96 px cells the dashes are as deep as the window's
    frame (read from the back row), and several to a cell (dashed, not a solid frame)."""
    view_settings().set_theme(theme)
    view_settings().set_palette(palette)
    try:
        view = matrix_view.MatrixView("X", "someMatrix")
        qtbot.addWidget(view)
        view.set_max_cell(96)
        view.set_cell_size(96)
        delegate = view.delegate
        colour = QColor(matrix_view.style_pens()["dropped"][0]).rgb() & 0xFFFFFF
        window_depth = plan_reach(delegate._border_plan(96, 96, {"window"}), 96, 96)
        for under in (matrix_view.OVERHANG_BG, matrix_view.PADDING_BG):
            plan = delegate._border_plan(96, 96, frozenset((DROPPED_TOP,)), None, under)
            colours = [band[4].rgb() & 0xFFFFFF for band in plan]
            assert all(band[5] is None for band in plan)  # filled bands, no pen
            dashes = [band for band, c in zip(plan, colours, strict=True) if c == colour]
            rings = [band for band, c in zip(plan, colours, strict=True) if c != colour]
            assert len(dashes) >= 2 and len(rings) == len(dashes)
            for ring in rings:
                assert contrast_ratio(ring[4].rgb(), under.rgb()) >= 3.0
            assert all(y == 0 for _, y, *_ in rings)  # along the top edge
            assert depth(plan, 96) >= window_depth
    finally:
        view_settings().set_theme("system")
        view_settings().set_palette("standard")


def test_compare_mode_outlines_them_in_the_ceil_mode_panel(window, qtbot):
    load_preset(window, qtbot)
    st = window.state
    assert st.set_compare(CompareSetup.of({"ceil_mode": False}, {"ceil_mode": True})), st.error
    settle(qtbot)
    floor_view, ceil_view = (panel.views["input"] for panel in window.compare_view.panels)
    assert floor_view.outlines() == ()  # floor mode: 2×2 windows, nothing dropped
    assert floor_view.canvas().shape == (7, 6)
    assert set(ceil_view.outlines()) == DROPPED
    assert ceil_view.canvas().shape == (8, 8)
    assert {DROPPED_TOP, DROPPED_LEFT} <= ceil_view.model.styles[(0, 6)]


def test_heat_map_outlines_them_too(window, qtbot):
    """A large input is a heat map: the dropped windows are outlined there as well."""
    st = window.state
    assert st.set_params(kernel_size=(2, 2), stride=(3, 3), padding=(0, 0), ceil_mode=True)
    # 39 a side: windows start at 0, 3, …, 36 and 39; 39 is outside the input: dropped.
    assert st.set_input(np.arange(39.0 * 39).reshape(39, 39)), st.error
    settle(qtbot)
    view = input_view(window)
    assert view.stack.currentIndex() == 1  # the heat map
    assert view.canvas().shape == (41, 41)
    boxes = set(view.heatmap.outlines())
    assert len(boxes) == 14 * 14 - 13 * 13  # a column and a row of windows, and the corner
    assert (0, 2, 39, 41) in boxes and (39, 41, 0, 2) in boxes and (39, 41, 39, 41) in boxes
    assert all(bottom > 39 or right > 39 for _, bottom, _, right in boxes)
