"""Convolution's backward in the lecture layout (issue 10, point 1): five matrices (dY, X, W,
dX, dW) and ten lines of arithmetic.  Two rows of 8×8 matrices are bound by the height: under
the arithmetic their cells were 27 px at 1024×768 (digits of 12 px).  The counter and the
arithmetic now stand in a column beside them, db under dW, and the large matrices share one
column width (dW's three-digit sums widen only W and dW).

Sizes are read from the widgets: a column's width, and the height of the glyph "8" in the font
the model reports for ``Qt.FontRole`` (the font the cells are drawn with).
"""

from __future__ import annotations

import pytest
from checks import settle
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextDocument, QTextOption

from visualizer.i18n import CHINESE, ENGLISH, set_language
from visualizer.model.present import (
    LECTURE_TEXT_LEAST,
    lecture_matrices,
    lecture_text_beside,
    lecture_text_width,
    shared_columns,
)
from visualizer.widgets.step_bar import ARITHMETIC_SIDES, arithmetic_html, largest_fitting_font

# (window size, smallest input column width, smallest digit height): issue 10 point 1's
# figures for 1024×768, which convolution's backward now reaches at both sizes.  (At 1366×768
# its cells are larger with the text below the matrices, and it goes there: see
# test_lecture_cells.py.)
TARGETS = [((1024, 768), 40, 18), ((1200, 768), 40, 18)]


def digit_height(view) -> int:
    font = view.model.data(view.model.index(0, 0), Qt.FontRole)
    return QFontMetrics(font).tightBoundingRect("8").height()


def rect_in(window, widget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def present_conv_backward(window, qtbot, size) -> None:
    window.resize(*size)
    st = window.state
    assert st.set_op("conv2d")
    st.set_step(st.n_windows + 5)
    settle(qtbot)
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    settle(qtbot)


@pytest.mark.parametrize(("size", "min_width", "min_digit"), TARGETS)
def test_convolution_backward_reaches_the_hall_sizes(window, qtbot, size, min_width, min_digit):
    present_conv_backward(window, qtbot, size)
    panel = window.views_panel
    views = panel.lecture_views()
    assert [v.objectName() for v in views] == [
        "gradOutputMatrix",
        "inputMatrix",
        "kernelMatrix",
        "gradInputMatrix",
        "gradWeightMatrix",
    ]
    assert panel.input_view.model.values.shape == (8, 8)  # the default example
    assert panel.input_view.column_width() >= min_width  # 44 before, at 12 px digits
    for view in views:
        assert digit_height(view) >= min_digit, view.objectName()  # 12 and 13 px before
        table = view.table
        assert not table.horizontalScrollBar().isVisible(), view.objectName()
        assert not table.verticalScrollBar().isVisible(), view.objectName()
        assert window.rect().contains(rect_in(window, view)), view.objectName()
    # One row height; the large matrices one column width, W and dW theirs.
    assert len({v.table.rowHeight(0) for v in views}) == 1
    large = {v.column_width() for v in views if v.model.values.shape[1] > 4}
    assert len(large) == 1
    kernel, grad_weight = panel.kernel_view, panel.grad_weight_view
    assert kernel.column_width() == grad_weight.column_width() >= large.pop()
    # The text column stands right of every matrix, inside the window.
    bar = window.step_bar
    text = rect_in(window, bar.arithmetic_label)
    assert window.rect().contains(text)
    assert all(rect_in(window, v).right() < text.left() for v in views)
    # db under dW.
    bias = rect_in(window, panel.bias_label)
    assert panel.bias_label.isVisible() and window.rect().contains(bias)
    assert bias.top() >= rect_in(window, grad_weight).bottom()
    arithmetic_whole(window)


def arithmetic_whole(window, least_px: int = 15) -> None:
    """Every update of the step is shown inside the window, none cut at the label's edge, at
    a readable size (``least_px`` at least), each on a line of its own, whole, or every one
    broken after its cell's name (``dW[0, 1]:`` over ``225 + 1·12 = 237``)."""
    st, label = window.state, window.step_bar.arithmetic_label
    assert window.rect().contains(rect_in(window, label))
    shown = label.text()
    assert "…" not in shown
    forms = set()
    for line in st.step_text().split("\n")[1:]:
        for update in line.split("   "):
            name, _, formula = update.strip().partition(": ")
            whole = f"{name}:&nbsp;{formula}".replace(" ", "&nbsp;")
            apart = f"{name}:<br>{formula}".replace(" ", "&nbsp;")
            assert f">{whole}<" in shown or f">{apart}<" in shown, update
            forms.add(f">{whole}<" in shown)
    assert len(forms) == 1  # all whole, or all broken after their names
    document = word_wrapped(shown, label.font(), label.width() - ARITHMETIC_SIDES)
    assert document.idealWidth() <= label.width() - ARITHMETIC_SIDES
    assert document.size().height() <= label.height()
    assert label.font().pixelSize() >= least_px


@pytest.mark.parametrize("language", [ENGLISH, CHINESE])
def test_the_product_rule_is_readable_beside_the_matrices(window, qtbot, language):
    """Issue 10: at 1024×768 convolution's backward step with three-digit dW sums had its
    text, product rule included, at 15 px in the column beside the matrices: each update was
    kept whole on one line ("dW[1, 1]: 225 + 1·19 = 244" is wider than the column at 16 px),
    with most of the column's height empty.  Each update now has a line of its own, and
    all of them break after their cells' names where that draws them larger: the text is at
    least 18 px, the matrices as large as before."""
    set_language(language)
    try:
        present_conv_backward(window, qtbot, (1024, 768))
        st = window.state
        st.set_step(st.n_windows + 25)  # dW's sums have three digits (216 + 1·8 = 224)
        settle(qtbot)
        assert window.step_bar.beside
        assert "dW[1, 1]: 225 + 1·19 = 244" in st.step_text()
        label = window.step_bar.arithmetic_label
        assert label.font().pixelSize() >= 18  # 15 before
        arithmetic_whole(window, 18)
        panel = window.views_panel
        assert panel.input_view.column_width() >= 40
        for view in panel.lecture_views():
            assert digit_height(view) >= 18, view.objectName()
            assert window.rect().contains(rect_in(window, view)), view.objectName()
    finally:
        window.presentation.set_presentation(False, save=False)
        set_language(ENGLISH)


def word_wrapped(html: str, font, width: int) -> QTextDocument:
    """``html`` laid out as QLabel lays it out: broken at word boundaries only."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    option = document.defaultTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    document.setDefaultTextOption(option)
    document.setDefaultFont(font)
    document.setHtml(html)
    document.setTextWidth(width)
    return document


def test_the_arithmetic_is_fitted_as_the_label_wraps(window):
    """The font fitted to a narrow box leaves every update whole: the document the fit
    measured broke inside an update ("dX[0, 5]: 1 + 1·0 =" over "= 1") where the label does
    not, and the label cut it at its edge."""
    st, bar = window.state, window.step_bar
    assert st.set_op("conv2d")
    st.set_step(st.n_windows + 5)
    html = arithmetic_html(st.step_text())
    base = QFont(bar.arithmetic_label.font())
    width = 226
    font = largest_fitting_font(bar._document(html, width), base, width, 700, 32)
    assert word_wrapped(html, font, width).idealWidth() <= width


def test_leaving_and_other_phases_put_the_text_below_again(window, qtbot):
    present_conv_backward(window, qtbot, (1024, 768))
    bar, panel = window.step_bar, window.views_panel
    assert bar.beside
    window.state.set_step(3)  # the forward phase: three matrices, one row
    settle(qtbot)
    assert not bar.beside
    assert rect_in(window, bar).top() >= rect_in(window, panel).bottom()
    window.state.set_step(window.state.n_windows + 3)
    settle(qtbot)
    assert bar.beside
    window.presentation.set_presentation(False, save=False)
    settle(qtbot)
    assert not bar.beside
    assert bar.minimumWidth() == 0 and bar.maximumWidth() > 10**6


def test_which_phases_put_the_text_beside():
    assert lecture_matrices(("grad_output", "input", "weight", "grad_input", "grad_weight"), 1) == 5
    assert lecture_matrices(("grad_output", "input", "weight", "grad_input", "grad_weight"), 2) == 9
    assert lecture_matrices(("input", "weight", "output"), 2) == 5  # one output plane
    assert lecture_text_beside(5)
    assert not lecture_text_beside(4)
    assert not lecture_text_beside(9, planes=2)  # several planes wrap by the width
    assert lecture_text_width(1024) == 256
    assert lecture_text_width(800) == LECTURE_TEXT_LEAST


def test_the_large_matrices_share_one_column_width():
    shapes = [(7, 7), (8, 8), (2, 2), (8, 8), (2, 2)]
    # dY, X, W, dX, dW: dW's three-digit sums widen W and dW only.
    assert shared_columns(shapes, [36, 41, 36, 38, 56]) == [41, 41, 56, 41, 56]
    # Small views never narrower than the large ones.
    assert shared_columns(shapes, [36, 41, 30, 38, 30]) == [41, 41, 41, 41, 41]
    # Only small matrices: one width.
    assert shared_columns([(4, 4), (2, 2)], [40, 52]) == [52, 52]


@pytest.mark.parametrize("size", [(1024, 768), (1200, 768)])
def test_the_counter_beside_the_matrices_stays_on_one_line(window, qtbot, size):
    """In the column beside the matrices the counter wrapped at 1024x768 ("Backward 6 /"
    over "49"); it takes a smaller font where its widest text does not fit the column."""
    present_conv_backward(window, qtbot, size)
    bar = window.step_bar
    assert bar.beside
    counter = bar.counter_label
    st = window.state
    for step in (st.n_windows + 5, st.n_steps - 1):
        st.set_step(step)
        settle(qtbot)
        metrics = QFontMetrics(counter.font())
        assert not counter.wordWrap()
        assert metrics.horizontalAdvance(counter.text()) <= counter.contentsRect().width()
        assert counter.height() < 2 * metrics.lineSpacing()  # one line
    beside = QFontMetrics(counter.font()).tightBoundingRect("8").height()
    assert beside >= 18
    st.set_step(5)  # the forward phase: the counter back below the matrices, at its own size
    settle(qtbot)
    assert not bar.beside
    assert counter.font() == bar._counter_font
    assert QFontMetrics(counter.font()).tightBoundingRect("8").height() >= beside


def test_the_counter_beside_is_fitted_per_count_of_windows_not_per_step(window, qtbot, monkeypatch):
    """Beside the matrices the counter's least width is 0, below its size hint on every step:
    its widest text was measured again on each step; now only for a new count of windows."""
    present_conv_backward(window, qtbot, (1024, 768))
    bar = window.step_bar
    assert bar.beside
    calls = []
    need = bar._counter_need
    monkeypatch.setattr(bar, "_counter_need", lambda font: calls.append(font) or need(font))
    st = window.state
    for step in range(st.n_windows + 6, st.n_windows + 12):
        st.set_step(step)
    assert calls == []
    assert st.set_params(kernel_size=3)  # 36 windows instead of 49: another widest text
    st.set_step(st.n_windows + 2)
    settle(qtbot)
    assert calls
    assert bar._counter_total == st.n_windows
    counter = bar.counter_label
    metrics = QFontMetrics(counter.font())
    assert metrics.horizontalAdvance(counter.text()) <= counter.contentsRect().width()
