"""Cell sizes of the lecture layout where the matrices' numbers differ in length (issue 10,
points 1, 3, 6 and 7): one row height and font for every view, and the large matrices one
column width unless that costs the cells their height.

Sizes are read from the widgets: a column's width, a row's height and the font the model
reports for ``Qt.FontRole`` (the font the cells are drawn with).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QFontInfo, QFontMetrics
from test_lecture_layout import cell_font, no_scroll_bars, present, settle

from visualizer.model.present import LECTURE_TEXT_PLACE_GAIN, lecture_text_width, shared_columns


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


def test_lp_backward_at_1366_takes_the_text_beside_for_larger_cells(window, qtbot):
    """At 1366×768 the rows under the text were bound by the height: 30 px cells, a 20 px
    font.  The text beside the matrices gives them the window's height: larger cells."""
    lp_backward(window, qtbot, (1366, 768))
    panel = window.views_panel
    assert window.step_bar.beside
    assert panel.lecture_cell >= 34  # 30 before
    x = panel.input_view
    assert cell_font(x).pixelSize() >= 23  # 20 before
    assert x.column_width() < panel.grad_input_view.column_width()
    text = window.step_bar.arithmetic_label
    for view in (v for v in panel.lecture_views() if v.isVisible()):
        assert no_scroll_bars(view), view.objectName()
        right = view.mapTo(window, view.rect().topRight()).x()
        assert right < text.mapTo(window, text.rect().topLeft()).x(), view.objectName()
    assert "…" not in text.text()


@pytest.mark.parametrize(("op", "least"), [("conv_transpose2d", 41)])
def test_convolution_backward_at_1366_fills_the_row(window, qtbot, op, least):
    """Transposed convolution's backward at 1366×768 with the text beside: two rows bound by
    the height, 34 px cells, and empty room beside W and dW.  With the text below, the row of
    dY, X, W and dX fills the width at larger cells (the place with clearly larger cells, by
    LECTURE_TEXT_PLACE_GAIN, is taken)."""
    st = window.state
    assert st.set_op(op)
    st.set_step(st.n_windows + 3)
    present(qtbot, window, (1366, 768))
    panel = window.views_panel
    bar = window.step_bar
    assert not bar.beside
    assert panel.lecture_cell >= least  # 37 before
    width, height = panel.width(), panel.height()
    spacing = window.lecture_area.layout().spacing()
    beside = panel.lecture_cell_in(
        width - lecture_text_width(window.width()) - spacing, height + bar.height() + spacing
    )
    assert panel.lecture_cell >= LECTURE_TEXT_PLACE_GAIN * beside
    views = [v for v in panel.lecture_views() if v.isVisible()]
    assert len({v.table.rowHeight(0) for v in views if v.stack.currentIndex() == 0}) == 1
    top = min(v.mapTo(window, v.rect().topLeft()).y() for v in views)
    first = [v for v in views if v.mapTo(window, v.rect().topLeft()).y() == top]
    used = sum(v.width() for v in first) + 18 * (len(first) - 1)
    assert used > 0.9 * width  # the first row fills the width
    for view in views:
        assert no_scroll_bars(view), view.objectName()
        rect = view.rect().translated(view.mapTo(window, view.rect().topLeft()))
        assert window.rect().contains(rect), view.objectName()
        assert rect.bottom() < bar.mapTo(window, bar.rect().topLeft()).y(), view.objectName()
    label = bar.arithmetic_label
    assert "…" not in label.text()
    assert label.font().pixelSize() >= int(0.022 * window.height())


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


# ---- close-ups' titles and the colour legends (point 7) -------------------------------------


def pixels(font) -> int:
    return QFontInfo(font).pixelSize()


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_close_up_titles_and_legends_are_read_from_the_back(window, qtbot, size):
    """A 16×16 input's close-up title and the colour legends were 13 and 12 px in the lecture
    layout (a view title's 0.8 and the widget's own font): they now follow the lecture's
    titles, capped at 2.1% of the window's height, the legend as tall as its font; leaving
    the lecture layout gives them their own sizes back."""
    st = window.state
    assert st.set_input(np.arange(256.0).reshape(1, 1, 16, 16) % 10)
    st.set_step(20)
    view = window.views_panel.input_view
    legend_before = pixels(view.legend.font())
    present(qtbot, window, size)
    magnifier = view.magnifier
    assert magnifier is not None and magnifier.isVisible()
    caption = magnifier.title_label
    assert caption.text().endswith("columns 6–11")
    cap = 0.021 * window.height() + 1
    assert 15 <= pixels(caption.font()) <= cap  # 13 before
    for shown in (v for v in window.views_panel.lecture_views() if v.isVisible()):
        legend = shown.legend
        assert 15 <= pixels(legend.font()) <= cap, shown.objectName()  # 12 before
        assert legend.height() >= QFontMetrics(legend.font()).height()
    window.presentation.set_presentation(False, save=False)
    settle(qtbot, window)
    assert pixels(view.legend.font()) == legend_before
    assert pixels(caption.font()) < 15


def test_the_chinese_close_up_title_uses_chinese_punctuation(window, qtbot):
    """The full-width colon and comma, not ASCII ": " and ", " (a guard: the translation
    already had them)."""
    from visualizer.i18n import CHINESE, ENGLISH, set_language
    from visualizer.widgets.matrix_view import close_up_titles

    set_language(CHINESE)
    try:
        whole, one_line, *_ = close_up_titles((2, 7), (6, 11))
    finally:
        set_language(ENGLISH)
    assert whole.startswith("放大：") and "，" in whole
    assert "，" in one_line
    assert not any(mark in whole + one_line for mark in (":", ","))


@pytest.mark.parametrize("case", ["planes", "lp"])
def test_lecture_rows_keep_their_spacing(window, qtbot, case):
    """The rows' room counted 4 px of the 10 px band kept above them for the arrows' arches:
    four 8×8 input planes at 1024×768 (two rows) were 4 px apart instead of 10, LP pooling's
    backward 8 px, narrower than an arrow running between them."""
    from PySide6.QtCore import QPoint

    from visualizer.widgets.views_panel import LECTURE_ROW_SPACING

    st = window.state
    if case == "planes":
        assert st.set_op("conv")
        assert st.set_input(np.arange(256, dtype=float).reshape(1, 4, 8, 8) % 10)
        st.set_step(30)
        present(qtbot, window, (1024, 768))
    else:
        lp_backward(window, qtbot, (1024, 768))
    panel = window.views_panel
    spans = [
        (v.mapTo(panel, QPoint(0, 0)).y(), v.mapTo(panel, QPoint(0, v.height())).y())
        for v in panel.lecture_views()
        if v.isVisible()
    ]
    tops = sorted({top for top, _ in spans})
    assert len(tops) == 2  # two rows
    first_bottom = max(bottom for top, bottom in spans if top == tops[0])
    assert tops[1] - first_bottom >= LECTURE_ROW_SPACING
    assert max(bottom for _, bottom in spans) <= panel.height()


def test_convolution_backward_at_1366_keeps_its_text_beside_for_a_small_gain(window, qtbot):
    """Convolution's backward at 1366×768: below the matrices its text had 39 px cells against
    37 beside (5 % larger) and fell from 24 to 18 px, a line too long for the width.  The text
    leaves its place only for clearly larger cells (LECTURE_TEXT_PLACE_GAIN): it stays beside,
    at a size read from the back row."""
    st = window.state
    assert st.set_op("conv2d")
    st.set_step(st.n_windows + 3)
    present(qtbot, window, (1366, 768))
    panel = window.views_panel
    bar = window.step_bar
    assert bar.beside
    spacing = window.lecture_area.layout().spacing()
    full = panel.width() + lecture_text_width(window.width()) + spacing
    below = panel.lecture_cell_in(full, panel.height() - bar.lecture_below_height(full, 768))
    assert panel.lecture_cell < below < LECTURE_TEXT_PLACE_GAIN * panel.lecture_cell
    for view in (v for v in panel.lecture_views() if v.isVisible()):
        assert no_scroll_bars(view), view.objectName()
    label = bar.arithmetic_label
    assert "…" not in label.text()
    assert label.font().pixelSize() >= int(0.028 * window.height())  # 18 px below


def test_row_and_column_numbers_grow_in_the_lecture_layout(window, qtbot):
    """The step's text names cells by their row and column ("dX[2, 3]"); at 1920×1080 the
    lecture's 90+ px cells had their numbers capped at 16 px (~12 px digits).  In the lecture
    layout the cap is LECTURE_HEADER_MOST_PX; leaving it brings back HEADER_MOST_PX."""
    from visualizer.widgets.matrix_view import HEADER_MOST_PX, LECTURE_HEADER_MOST_PX

    view = window.views_panel.input_view
    present(qtbot, window, (1920, 1080))
    header = view.table.horizontalHeader()
    assert view.cell * 0.34 > LECTURE_HEADER_MOST_PX  # large cells: the cap decides
    assert header.font().pixelSize() == LECTURE_HEADER_MOST_PX
    assert view.table.verticalHeader().font().pixelSize() == LECTURE_HEADER_MOST_PX
    window.presentation.set_presentation(False, save=False)
    settle(qtbot, window)
    assert header.font().pixelSize() <= HEADER_MOST_PX


def transposed_backward(window, qtbot, stride: int) -> tuple[bool, int]:
    """Transposed convolution's backward (8×8 X, 2×2 kernel, ``stride``) in the lecture layout
    at 1366×768: (the text beside the matrices, their cell size)."""
    st = window.state
    assert st.set_op("conv_transpose2d")
    assert st.resize_input(8, 8)
    assert st.set_params(kernel_size=(2, 2), stride=(stride, stride)), st.error
    st.set_step(st.n_windows + 3)
    if not window.presentation.presenting:
        present(qtbot, window, (1366, 768))
    settle(qtbot, window)
    return window.step_bar.beside, window.views_panel.lecture_cell


def test_the_text_place_is_chosen_for_the_results_shown(window, qtbot, monkeypatch):
    """The place of the lecture's text is measured once per result (and operation, phase,
    size, zoom, language) and kept.  It was kept under id(results): Python gives a freed
    object's id to a later one, so a window that left the lecture layout, was edited and came
    back could find the choice made for other results (another dY size) under the id of the
    new ones.  The reuse is made certain here: every object gets the same id.

    Stride 2 gives a 16×16 dY: below the matrices (43 px cells against 36 beside); stride 1
    a 9×9 dY: beside (34 px against 35 below: too small a gain).  After several operations
    and sizes, in and out of the lecture layout, the window chooses as a fresh one."""
    from conftest import new_window

    import visualizer.main_window as main_window

    monkeypatch.setattr(main_window, "id", lambda _obj: 1, raising=False)
    st = window.state
    for op in ("max_pool2d", "conv2d", "lp_pool2d"):
        for size in (4, 10):
            assert st.set_op(op) and st.resize_input(size, size)
            st.set_phase("backward")
            present(qtbot, window, (1366, 768))
    below = transposed_backward(window, qtbot, 2)
    window.presentation.set_presentation(False, save=False)
    settle(qtbot, window)
    assert st.set_params(stride=(1, 1))  # new results while the lecture layout is off
    settle(qtbot, window)
    beside = transposed_backward(window, qtbot, 1)
    fresh = new_window(qtbot)
    assert transposed_backward(fresh, qtbot, 1) == beside == (True, beside[1])
    fresh.close()
    fresh = new_window(qtbot)
    assert transposed_backward(fresh, qtbot, 2) == below == (False, below[1])
    assert below[1] > beside[1]


def _spare_strip(view) -> tuple[int, int]:
    """Pixels of a table's viewport right of its last column and below its last row."""
    table = view.table
    model = table.model()
    width = sum(table.columnWidth(c) for c in range(model.columnCount()))
    height = sum(table.rowHeight(r) for r in range(model.rowCount()))
    viewport = table.viewport()
    return viewport.width() - width, viewport.height() - height


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_the_lecture_s_tables_are_filled_to_their_frames(window, qtbot, size):
    """Each lecture table's cells reach its frame: a strip of the table's background, 2 px
    wide, lay under its last row and right of its last column (the views were sized 2 px
    larger than their matrices), in the single operation's lecture layout and in compare
    mode's."""
    from visualizer.model.document import CompareSetup

    st = window.state
    st.set_step(5)
    present(qtbot, window, size)
    views = [v for v in window.views_panel.lecture_views() if v.isVisible()]
    assert views
    for view in views:
        assert view.stack.currentIndex() == 0  # tables, not heat maps
        assert _spare_strip(view) == (0, 0), view.objectName()
        assert no_scroll_bars(view), view.objectName()
    assert st.set_compare(CompareSetup.of({"padding": 0}, {"padding": 1}))
    settle(qtbot, window)
    shown = window.compare_view.views()
    assert shown
    for view in shown:
        assert _spare_strip(view) == (0, 0), view.objectName()
        assert no_scroll_bars(view), view.objectName()


def test_a_lecture_close_up_s_table_is_filled_to_its_frame(window, qtbot):
    """The transposed convolution's 17×17 dY is a heat map with a close-up in the lecture
    layout at 1366×768: the close-up's cells reach its table's frame too (2 px were left right
    of them, 4 px under them)."""
    st = window.state
    assert st.set_op("conv_transpose2d")
    assert st.set_params(stride=2, output_padding=1)
    st.set_phase("backward")
    st.set_step(st.n_steps - 1)
    present(qtbot, window, (1366, 768))
    dy = window.views_panel.grad_output_view
    assert dy.stack.currentIndex() == 1 and dy.magnifier is not None
    assert _spare_strip(dy.magnifier) == (0, 0)
    assert no_scroll_bars(dy.magnifier)
